"""Layout-quality metrics of PosterLayout (Hsu et al., CVPR 2023), computed per banner.

We compare our banners with DS-GAN's published figures (overlap 0.022, alignment 0.0046, loose
underlay 0.831, occlusion 0.209, unreadability 0.187), so every definition follows the code that
produced them: ``eval.py`` of PKU-ICST-MIPL/PosterLayout-CVPR2023 (commits c8bc628 and bd236f2,
whose metric code is identical); the repository's ``output/results.txt`` prints exactly those
figures (val 0.879, ove 0.0220, ali 0.00463, und_l 0.831, und_s 0.432, occ 0.209, rea 0.187).
On random layouts on a 513x750 canvas this module matches a transcription of that ``eval.py``
to float precision.
The reference classes are 1 text, 2 logo, 3 underlay (0 pads the sequence; the PKU dataset has
no embellishment class). Here these are the kinds "text", "logo" and "underlay"; any other kind
("product", "decor") is left out of every metric, as a padding slot would be.

Definitions (boxes clipped to the canvas; "valid" = clipped area >= 0.1% of the canvas):

* validity: share of the layout's elements that are valid. Every other metric sees only the
  valid ones, as the reference drops invalid elements before computing them.
* overlap: sum of the IoU of every pair of text/logo elements, divided by their number (not by
  the number of pairs); underlays are left out.
* alignment: on the six lines of each element (left, top, centre x, centre y, right, bottom, in
  canvas fractions), the smallest gap ``d`` between any two elements on the same line; the value
  is ``n * -log10(1 - d)`` for ``n`` elements of any class, 0 with fewer than two.
* underlay_loose: for each underlay, the largest share of a text/logo box that lies inside it;
  averaged over the underlays.
* underlay_strict: for each underlay, 1 if a text/logo element lies inside it, else 0; averaged.
* occlusion: mean saliency under the union of all element boxes (0 when they cover no pixel).
* unreadability: mean normalised background gradient over the pixels of text boxes that no
  underlay covers (text on an underlay is readable whatever lies behind); 0 when there are none.

Quirks of the reference kept on purpose, because the published figures depend on them:

* alignment adds the same layout-wide minimum once per element (the reference loops over the
  elements without using the loop index), so it is ``n`` times one term, not a sum over elements.
* strict underlay never tests the right edge (the reference compares ``xr_2 >= xr_2``): an
  element counts as inside when its left, top and bottom edges are.
* the gradient is taken in 8-bit arithmetic: OpenCV's Sobel on the uint8 grey image saturates
  (falling edges give 0, steep rising ones 255), the squares of those uint8 values wrap modulo
  256, the magnitude ``sqrt((gx^2 + gy^2 mod 256) / 2)`` is divided by its maximum over the
  whole image and truncated to 1/255 steps. So the map is 0 on flat ground and grows with weak
  gradients (Sobel response under 16), but beyond that its value is arbitrary: strong edges do
  not score higher than weak ones, and a response that is a multiple of 16 scores 0. A true
  gradient magnitude gives other figures (RALF's float reimplementation reports much smaller
  ones) that are not comparable with 0.187.

Deviations (for in-canvas boxes on a 513x750 canvas, none changes a layout's figures):

* boxes are clipped to the canvas for every metric and a box with right <= left or bottom <= top
  has zero area (the reference clips only for validity and takes ``abs`` of the area).
* maps are evaluated on a grid of about 513x750 pixels, the reference's resolution, keeping the
  canvas's aspect ratio (the reference stretches every poster to 513x750); larger canvases are
  shrunk with area averaging (the reference resamples bicubically), smaller ones are used as is.
  Box edges on that grid are truncated to whole pixels, as the reference does.
* saliency is one map given by the caller; the reference takes the maximum of a PFPN and a
  BASNet map. ``background`` plays the reference's inpainted ``image_canvas``.
* a layout without a valid text/logo element has overlap 0 (the reference divides by zero); a
  perfectly flat background has unreadability 0 (the reference divides by a zero maximum).
* metrics that are undefined for one layout are NaN: validity with no elements, the underlay
  metrics with no valid underlay. ``mean_metrics`` skips them, see there.

Utility, the reference's eighth figure, has no field here.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import cv2
import numpy as np

TEXT, LOGO, UNDERLAY = "text", "logo", "underlay"
KINDS = frozenset({TEXT, LOGO, UNDERLAY})
# An element smaller than this share of the canvas is invalid (reference: area < 5.13 * 7.5 * 10).
MIN_AREA_SHARE = 1e-3
# The reference evaluates maps at 513x750; we keep that pixel count and the canvas's aspect.
WORK_PIXELS = 513 * 750


@dataclass(frozen=True)
class Element:
    kind: str
    box: tuple[float, float, float, float]  # left, top, right, bottom in canvas pixels


@dataclass(frozen=True)
class LayoutMetrics:
    validity: float  # higher is better
    overlap: float  # lower is better
    alignment: float  # lower is better
    underlay_loose: float  # higher is better
    underlay_strict: float  # higher is better
    occlusion: float  # lower is better
    unreadability: float  # lower is better

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def layout_metrics(
    elements: list[Element],
    canvas: tuple[int, int],
    saliency: np.ndarray,
    background: np.ndarray,
) -> LayoutMetrics:
    """PosterLayout's metrics for one layout.

    canvas = (width, height); saliency HxW float32 in [0,1] (the content that should not be
    covered); background HxWx3 uint8 RGB: the canvas as rendered *without* the text elements
    (what text sits on). The maps may have any resolution; they are resampled to the work grid.
    """
    width, height = canvas
    if width <= 0 or height <= 0:
        raise ValueError(f"canvas must be positive, got {canvas}")
    if saliency.ndim != 2:
        raise ValueError(f"saliency must be HxW, got shape {saliency.shape}")
    if background.ndim != 3 or background.shape[2] != 3 or background.dtype != np.uint8:
        shape, dtype = background.shape, background.dtype
        raise ValueError(f"background must be HxWx3 uint8, got {shape} {dtype}")

    ours = [e for e in elements if e.kind in KINDS]
    kinds = np.array([e.kind for e in ours], dtype=object)
    boxes = np.array([e.box for e in ours], dtype=np.float64).reshape(-1, 4)
    boxes = np.clip(boxes, 0.0, [width, height, width, height])
    valid = _area(boxes) >= MIN_AREA_SHARE * width * height
    validity = float(valid.mean()) if len(ours) else math.nan
    boxes, kinds = boxes[valid], kinds[valid]

    is_underlay = kinds == UNDERLAY
    loose, strict = _underlay(boxes[is_underlay], boxes[~is_underlay])

    scale = min(1.0, math.sqrt(WORK_PIXELS / (width * height)))
    grid = (max(1, round(width * scale)), max(1, round(height * scale)))
    pixel_boxes = np.floor(boxes * (grid * 2) / ((width, height) * 2)).astype(np.int64)
    covered = _coverage(pixel_boxes, grid)
    text_region = _coverage(pixel_boxes[kinds == TEXT], grid) & ~_coverage(
        pixel_boxes[is_underlay], grid
    )

    occlusion = 0.0
    if covered.any():
        salient = np.clip(_resize(saliency.astype(np.float32), grid), 0.0, 1.0)
        occlusion = float(salient[covered].mean())
    unreadability = 0.0
    if text_region.any():
        unreadability = float(_gradient(_resize(background, grid))[text_region].mean())

    return LayoutMetrics(
        validity=validity,
        overlap=_overlap(boxes[~is_underlay]),
        alignment=_alignment(boxes / [width, height, width, height]),
        underlay_loose=loose,
        underlay_strict=strict,
        occlusion=occlusion,
        unreadability=unreadability,
    )


def mean_metrics(all_metrics: list[LayoutMetrics]) -> LayoutMetrics:
    """Dataset figures, aggregated as the reference does.

    Overlap, alignment, occlusion and unreadability are plain means over all layouts (a layout
    with nothing to measure counts as 0). The underlay metrics average only the layouts that
    have an underlay, and are 0 when none has (the reference returns 0 then). Validity is the
    mean of the per-layout shares over layouts with elements; the reference pools the elements
    of all layouts instead, which only differs when layouts have different element counts.
    """
    if not all_metrics:
        raise ValueError("no layouts to aggregate")
    table = np.array([list(m.as_dict().values()) for m in all_metrics], dtype=np.float64)
    figures = dict(zip(all_metrics[0].as_dict(), table.T, strict=True))
    means = {name: float(column.mean()) for name, column in figures.items()}
    means["validity"] = _defined_mean(figures["validity"], empty=math.nan)
    means["underlay_loose"] = _defined_mean(figures["underlay_loose"], empty=0.0)
    means["underlay_strict"] = _defined_mean(figures["underlay_strict"], empty=0.0)
    return LayoutMetrics(**means)


def _defined_mean(values: np.ndarray, empty: float) -> float:
    defined = values[~np.isnan(values)]
    return float(defined.mean()) if defined.size else empty


def _area(boxes: np.ndarray) -> np.ndarray:
    return np.maximum(boxes[..., 2] - boxes[..., 0], 0.0) * np.maximum(
        boxes[..., 3] - boxes[..., 1], 0.0
    )


def _intersection(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection areas of every box in ``a`` (rows) with every box in ``b`` (columns)."""
    a, b = a[:, None, :], b[None, :, :]
    corners = np.concatenate(
        [np.maximum(a[..., :2], b[..., :2]), np.minimum(a[..., 2:], b[..., 2:])], axis=-1
    )
    return _area(corners)


def _overlap(boxes: np.ndarray) -> float:
    count = len(boxes)
    if count == 0:
        return 0.0
    inter = _intersection(boxes, boxes)
    areas = _area(boxes)
    iou = inter / (areas[:, None] + areas[None, :] - inter)
    return float(iou[np.triu_indices(count, 1)].sum() / count)


def _alignment(relative: np.ndarray) -> float:
    count = len(relative)
    if count < 2:
        return 0.0
    left, top, right, bottom = relative.T
    lines = np.stack([left, top, (left + right) / 2, (top + bottom) / 2, right, bottom], axis=1)
    gaps = np.abs(lines[:, None, :] - lines[None, :, :])[np.triu_indices(count, 1)]
    return float(count * np.log10(1.0 / (1.0 - gaps.min())))


def _underlay(underlays: np.ndarray, others: np.ndarray) -> tuple[float, float]:
    if len(underlays) == 0:
        return math.nan, math.nan
    if len(others) == 0:
        return 0.0, 0.0
    share_inside = _intersection(underlays, others) / _area(others)[None, :]
    u, o = underlays[:, None, :], others[None, :, :]
    # The reference's containment test omits the right edge; see the module docstring.
    inside = (u[..., 0] <= o[..., 0]) & (u[..., 1] <= o[..., 1]) & (u[..., 3] >= o[..., 3])
    return float(share_inside.max(axis=1).mean()), float(inside.any(axis=1).mean())


def _coverage(pixel_boxes: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Union of integer boxes as an HxW mask, via a 2-D difference array (no per-box loop)."""
    width, height = grid
    diff = np.zeros((height + 1, width + 1), dtype=np.int32)
    left, top, right, bottom = pixel_boxes.T
    np.add.at(diff, (top, left), 1)
    np.add.at(diff, (top, right), -1)
    np.add.at(diff, (bottom, left), -1)
    np.add.at(diff, (bottom, right), 1)
    return diff.cumsum(axis=0).cumsum(axis=1)[:height, :width] > 0


def _resize(image: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    if image.shape[1::-1] == grid:
        return image
    shrinking = image.shape[0] * image.shape[1] > grid[0] * grid[1]
    return cv2.resize(image, grid, interpolation=cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR)


def _gradient(rgb: np.ndarray) -> np.ndarray:
    """The reference's background gradient map in [0, 1], 8-bit quirks included (see above)."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    gx = cv2.Sobel(grey, -1, 1, 0).astype(np.int32)  # uint8 output: saturated to 0..255
    gy = cv2.Sobel(grey, -1, 0, 1).astype(np.int32)
    magnitude = np.sqrt((gx * gx + gy * gy) % 256 / 2.0)
    peak = magnitude.max()
    if peak == 0:
        return np.zeros(magnitude.shape, dtype=np.float32)
    # The reference stores the scaled map as a float32 image, then truncates it to 8 bits.
    return np.floor((magnitude / peak * 255).astype(np.float32)) / 255
