"""Interactive refinement: user strokes as hard constraints on the matte.

``foreground``/``background`` brushes mark sure pixels and let a local GrabCut move the
boundary around them (changes must touch a stroke of their kind, so a brush never edits a
far-away region); ``pen``/``eraser`` set alpha directly and win over everything else.

Strokes come from users: coordinates are finite and bounded, polylines are clipped to the
image before drawing, and the estimated drawing time (:func:`stroke_cost`) is checked against
``VITRINA_MAX_STROKE_COST`` before any work, so one request cannot hold a worker for minutes.
"""

from __future__ import annotations

import itertools
import math
from typing import Annotated, Literal

import cv2
import numpy as np
from pydantic import BaseModel, Field

from vitrina import deadline
from vitrina.config import settings
from vitrina.errors import TooCostly
from vitrina.matting.refine import DEFAULT, grabcut, resize_to_area, soft_edges

Tool = Literal["foreground", "background", "pen", "eraser"]
WORK_PIXELS = 160_000
MAX_COORDINATE = 1e6  # far beyond any image, well inside OpenCV's fixed-point range
# Nanoseconds OpenCV takes (clipping included) per pixel painted, scanline, point and part,
# fitted on a 10 MP canvas on 2 cores to within 25% over regimes from a 0.5 to a 500 px brush.
NS_PIXEL, NS_ROW, NS_POINT, NS_PART = 0.03, 11.0, 450.0, 10_000.0
SHIFT = 4  # fraction bits of the coordinates given to OpenCV (x 16 fits int32 at 40 MP)
# Finite and bounded: NaN or 1e300 would otherwise reach int32 (and wrap) in rasterise.
Coordinate = Annotated[float, Field(ge=-MAX_COORDINATE, le=MAX_COORDINATE, allow_inf_nan=False,
                                    strict=True)]


class Stroke(BaseModel):
    tool: Tool
    radius: float = Field(8, gt=0, le=500, allow_inf_nan=False, strict=True,
                          description="brush radius in image pixels")
    points: list[tuple[Coordinate, Coordinate]] = Field(
        ..., min_length=1, max_length=10_000,
        description=f"polyline as [[x, y], ...], |x|, |y| <= {MAX_COORDINATE:.0e}",
    )


def _points(stroke: Stroke) -> np.ndarray:
    return np.fromiter(itertools.chain.from_iterable(stroke.points), np.float64,
                       2 * len(stroke.points)).reshape(-1, 2)


def clip(stroke: Stroke, shape: tuple[int, int]) -> list[np.ndarray]:
    """The parts of the stroke's polyline inside the image grown by the radius (Liang-Barsky),
    as (k, 2) arrays of (x, y): only what can paint the image is drawn, and every coordinate
    fits int32 whatever the input. A single point gives one (1, 2) part if it is inside."""
    pts = np.round(_points(stroke))  # whole pixels, as drawn before clipping existed
    pad = stroke.radius + 4
    low, high = np.array([-pad, -pad]), np.array([shape[1] - 1 + pad, shape[0] - 1 + pad])
    if len(pts) == 1:
        return [pts] if ((pts >= low) & (pts <= high)).all() else []
    start, delta = pts[:-1], np.diff(pts, axis=0)
    enter, leave = np.zeros(len(start)), np.ones(len(start))
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-delta, start - low), (delta, high - start)):  # inside: p * t <= q
            t = q / p
            enter = np.maximum(enter, np.where(p < 0, t, 0).max(axis=1))
            leave = np.minimum(leave, np.where(p > 0, t, 1).min(axis=1))
            leave[((p == 0) & (q < 0)).any(axis=1)] = -1.0
    keep = np.flatnonzero(enter <= leave)
    if len(keep) == 0:
        return []
    # A new part starts where a kept segment does not continue the previous one unclipped.
    first = np.r_[True, (np.diff(keep) > 1) | (enter[keep[1:]] > 0) | (leave[keep[:-1]] < 1)]
    heads = start[keep] + enter[keep, None] * delta[keep]
    tails = start[keep] + leave[keep, None] * delta[keep]
    cuts = np.flatnonzero(first)[1:]
    return [np.vstack([h, t[-1:]]) for h, t in zip(np.split(heads, cuts),
                                                     np.split(tails, cuts), strict=True)]


def _work(stroke: Stroke, parts: list[np.ndarray]) -> float:
    """Estimated drawing time in nanoseconds (the unit of VITRINA_MAX_STROKE_COST).

    Pixels painted (a band along each segment and a filled round cap at every point, overlaps
    counted) are the cheap part; OpenCV's time goes mostly to scanlines, per-point setup and
    each separately drawn part, so a swept area alone would let many tiny points through.
    """
    radius = max(stroke.radius, 0.5)
    points = sum(len(p) for p in parts)
    length = sum(float(np.hypot(*np.diff(p, axis=0).T).sum()) for p in parts)
    pixels = 2 * radius * length + math.pi * radius**2 * points
    rows = length + 2 * radius * points
    return NS_PIXEL * pixels + NS_ROW * rows + NS_POINT * points + NS_PART * len(parts)


def stroke_cost(strokes: list[Stroke], shape: tuple[int, int]) -> float:
    """Estimated drawing time (ns) of the strokes on an image of ``shape``: see :func:`_work`."""
    return sum(_work(s, clip(s, shape)) for s in strokes)


def _checked_parts(strokes: list[Stroke], shape: tuple[int, int]) -> list[list[np.ndarray]]:
    """Each stroke's clipped parts, refusing strokes whose drawing would cost too much as soon
    as the running total passes the limit (a hostile request is refused within a stroke or
    two, not after clipping millions of points)."""
    parts, cost, limit = [], 0.0, settings().max_stroke_cost
    for stroke in strokes:
        deadline.check()
        parts.append(clip(stroke, shape))
        cost += _work(stroke, parts[-1])
        if cost > limit:
            raise TooCostly(
                f"the {len(strokes)} strokes would cost at least {cost:.3g} units of drawing "
                f"(ns) on this {shape[1]}x{shape[0]} image, more than the {limit:.3g} allowed "
                "(VITRINA_MAX_STROKE_COST): use fewer or shorter strokes or a smaller radius"
            )
    return parts


def rasterise(strokes: list[Stroke], tool: Tool, shape: tuple[int, int],
              parts: list[list[np.ndarray]] | None = None) -> np.ndarray:
    """The pixels the strokes of ``tool`` cover (``parts``: their :func:`clip`, if known)."""
    canvas = np.zeros(shape, np.uint8)
    for i, stroke in enumerate(strokes):
        if stroke.tool != tool:
            continue
        deadline.check()
        radius = round(stroke.radius)
        pieces = clip(stroke, shape) if parts is None else parts[i]
        if len(stroke.points) == 1:
            for piece in pieces:
                cv2.circle(canvas, (int(piece[0, 0]), int(piece[0, 1])), radius, 1, -1)
            continue
        thickness = max(1, round(2 * stroke.radius))
        # Clipped ends are fractional: drawn with SHIFT fraction bits they stay on the
        # original line (OpenCV's one-pixel lines are whole-pixel Bresenham lines).
        shift = SHIFT if thickness > 1 else 0
        lines = [np.round(p * (1 << shift)).astype(np.int32) for p in pieces]
        cv2.polylines(canvas, lines, False, 1, thickness, cv2.LINE_8, shift)
        for x, y in (stroke.points[0], stroke.points[-1]):
            if -radius <= x < shape[1] + radius and -radius <= y < shape[0] + radius:
                cv2.circle(canvas, (round(x), round(y)), radius, 1, -1)
    return canvas.astype(bool)


def apply_strokes(rgb: np.ndarray, alpha: np.ndarray, strokes: list[Stroke]) -> np.ndarray:
    """New alpha (float32 in [0, 1]) after the strokes; the input alpha is left untouched."""
    shape = alpha.shape[:2]
    parts = _checked_parts(strokes, shape)
    result = alpha.astype(np.float32) / (255.0 if alpha.dtype == np.uint8 else 1.0)
    fg, bg = (rasterise(strokes, t, shape, parts) for t in ("foreground", "background"))
    if fg.any() or bg.any():
        radius = max(s.radius for s in strokes if s.tool in ("foreground", "background"))
        result = _brush(rgb, result, fg, bg, margin=int(max(48, 6 * radius)))
    deadline.check()
    result[rasterise(strokes, "pen", shape, parts)] = 1.0
    result[rasterise(strokes, "eraser", shape, parts)] = 0.0
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
    deadline.check()
    cut = cv2.resize(grabcut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), seeds, 2), (w, h)) >= 0.5
    deadline.check()
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
