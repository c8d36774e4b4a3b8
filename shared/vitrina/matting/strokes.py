"""Interactive refinement: user strokes as hard constraints on the matte.

``foreground``/``background`` brushes mark sure pixels and let a local GrabCut move the
boundary around them (changes must touch a stroke of their kind, so a brush never edits a
far-away region); ``pen``/``eraser`` set alpha directly and win over everything else.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np
from pydantic import BaseModel, Field

from vitrina.matting.refine import DEFAULT, grabcut, resize_to_area, soft_edges

Tool = Literal["foreground", "background", "pen", "eraser"]
WORK_PIXELS = 160_000


class Stroke(BaseModel):
    tool: Tool
    radius: float = Field(8, gt=0, le=500, description="brush radius in image pixels")
    points: list[tuple[float, float]] = Field(
        ..., min_length=1, max_length=10_000, description="polyline as [[x, y], ...]"
    )


def rasterise(strokes: list[Stroke], tool: Tool, shape: tuple[int, int]) -> np.ndarray:
    canvas = np.zeros(shape, np.uint8)
    for stroke in (s for s in strokes if s.tool == tool):
        pts = np.round(np.asarray(stroke.points, np.float64)).astype(np.int32)
        thickness = max(1, round(2 * stroke.radius))
        if len(pts) == 1:
            cv2.circle(canvas, tuple(int(v) for v in pts[0]), round(stroke.radius), 1, -1)
        else:
            cv2.polylines(canvas, [pts.reshape(-1, 1, 2)], False, 1, thickness, cv2.LINE_8)
            for p in pts[[0, -1]]:
                cv2.circle(canvas, (int(p[0]), int(p[1])), round(stroke.radius), 1, -1)
    return canvas.astype(bool)


def _roi(masks: list[np.ndarray], margin: int, shape: tuple[int, int]) -> tuple[slice, slice]:
    ys, xs = np.nonzero(np.logical_or.reduce(masks))
    h, w = shape
    y0, y1 = max(0, ys.min() - margin), min(h, ys.max() + margin + 1)
    x0, x1 = max(0, xs.min() - margin), min(w, xs.max() + margin + 1)
    return slice(y0, y1), slice(x0, x1)


def apply_strokes(rgb: np.ndarray, alpha: np.ndarray, strokes: list[Stroke]) -> np.ndarray:
    """New alpha (float32 in [0, 1]) after the strokes; the input alpha is left untouched."""
    shape = alpha.shape[:2]
    result = alpha.astype(np.float32) / (255.0 if alpha.dtype == np.uint8 else 1.0)
    fg, bg = (rasterise(strokes, t, shape) for t in ("foreground", "background"))
    if fg.any() or bg.any():
        radius = max(s.radius for s in strokes if s.tool in ("foreground", "background"))
        result = _brush(rgb, result, fg, bg, margin=int(max(48, 6 * radius)))
    result[rasterise(strokes, "pen", shape)] = 1.0
    result[rasterise(strokes, "eraser", shape)] = 0.0
    return result


def _brush(
    rgb: np.ndarray, alpha: np.ndarray, fg: np.ndarray, bg: np.ndarray, margin: int
) -> np.ndarray:
    """GrabCut over the whole (downscaled) image: the current matte far from the strokes is
    sure, so the colour models describe this product; near the strokes it is only probable."""
    h, w = alpha.shape
    small = resize_to_area(rgb, WORK_PIXELS)
    size = small.shape[1::-1]
    scale = small.shape[0] / h

    def shrink(mask: np.ndarray) -> np.ndarray:
        return cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0

    inside = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA) >= 0.5
    touched = shrink(fg | bg)
    reach = max(3, round(margin * scale))
    near = cv2.dilate(touched.astype(np.uint8), np.ones((2 * reach + 1,) * 2, np.uint8)) > 0
    core = np.ones((5, 5), np.uint8)
    seeds = np.where(inside, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    seeds[(cv2.erode(inside.astype(np.uint8), core) > 0) & ~near] = cv2.GC_FGD
    seeds[(cv2.erode((~inside).astype(np.uint8), core) > 0) & ~near] = cv2.GC_BGD
    seeds[shrink(fg)] = cv2.GC_FGD
    seeds[shrink(bg)] = cv2.GC_BGD
    cut = cv2.resize(grabcut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), seeds, 2), (w, h)) >= 0.5
    before = alpha >= 0.5
    hard = before.copy()
    hard[_touching(cut & ~before, fg)] = True
    hard[_touching(~cut & before, bg)] = False
    hard[fg], hard[bg] = True, False
    edges = soft_edges(rgb, hard.astype(np.float32), DEFAULT)
    changed = cv2.dilate((hard != before).astype(np.uint8), np.ones((2 * DEFAULT.band + 3,) * 2))
    return np.where(changed > 0, edges, alpha)


def _touching(region: np.ndarray, stroke: np.ndarray) -> np.ndarray:
    """The connected parts of ``region`` that a stroke touches."""
    count, labels = cv2.connectedComponents((region | stroke).astype(np.uint8), connectivity=8)
    if count <= 1:
        return np.zeros_like(region)
    keep = np.unique(labels[stroke])
    return np.isin(labels, keep[keep > 0]) & region
