"""Hostile strokes: NaN and huge coordinates, expensive brushes, deadlines."""

from __future__ import annotations

import itertools
import math
import time

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from vitrina import deadline
from vitrina.errors import DeadlineExceeded, TooCostly
from vitrina.matting import strokes
from vitrina.matting.models import RefineRequest
from vitrina.matting.strokes import Stroke, apply_strokes, rasterise

# Ordinary brush work on a 10 MP photo: tens of strokes of hundreds of points, radius 100.
TEN_MP = (2736, 3648)


def _walk(rng: np.random.Generator, n: int, step: float, shape: tuple[int, int]) -> list:
    h, w = shape
    pts = np.cumsum(rng.normal(0, step, (n, 2)), axis=0) + np.array([w / 2, h / 2])
    pts[:, 0] = np.abs(pts[:, 0] % (2 * w) - w)  # reflected at the edges: stays inside
    pts[:, 1] = np.abs(pts[:, 1] % (2 * h) - h)
    return [(float(x), float(y)) for x, y in pts]


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_stroke_coordinates_refused(value: float) -> None:
    with pytest.raises(ValidationError, match="finite"):
        Stroke(tool="pen", radius=3, points=[(10, 10), (value, 5)])
    with pytest.raises(ValidationError):  # as the refine route parses its body
        RefineRequest.model_validate({"strokes": [{"tool": "pen", "points": [[value, 1]]}]})
    with pytest.raises(ValidationError):
        RefineRequest.model_validate_json('{"strokes": [{"tool": "pen", "points": [[NaN, 1]]}]}')
    with pytest.raises(ValidationError):
        Stroke(tool="pen", radius=value, points=[(1, 1)])


def test_huge_stroke_coordinates_do_not_wrap() -> None:
    for value in (1e300, -1e7, 2.0**31):
        with pytest.raises(ValidationError, match="1000000"):
            Stroke(tool="pen", radius=3, points=[(value, 5), (50, 5)])
    # At the bound, a line across the image paints exactly what its visible part does.
    far = Stroke(tool="pen", radius=3, points=[(-1e6, 50), (1e6, 50)])
    near = Stroke(tool="pen", radius=3, points=[(-10, 50), (210, 50)])
    assert np.array_equal(rasterise([far], "pen", (100, 200)), rasterise([near], "pen", (100, 200)))
    assert rasterise([far], "pen", (100, 200))[47:54].all()
    corner = Stroke(tool="eraser", radius=5, points=[(-1e6, -1e6)])
    assert not rasterise([corner], "eraser", (100, 200)).any()


def _distance_to_polyline(shape: tuple[int, int], pts: np.ndarray) -> np.ndarray:
    yy, xx = np.mgrid[0 : shape[0], 0 : shape[1]]
    pixels = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float64)
    best = np.full(len(pixels), np.inf)
    for a, b in itertools.pairwise(pts):
        d = b - a
        t = np.clip((pixels - a) @ d / max(float(d @ d), 1e-12), 0, 1)
        best = np.minimum(best, np.hypot(*(pixels - (a + t[:, None] * d)).T))
    return best.reshape(shape)


@pytest.mark.parametrize("seed", range(6))
def test_clipped_strokes_paint_what_unclipped_ones_did(seed: int) -> None:
    """Inside the image, clipping changes nothing; across its edge, only rasterisation noise
    at the band's rim (OpenCV's thick lines reach up to a pixel past the radius)."""
    rng = np.random.default_rng(seed)
    for _ in range(40):
        shape = (int(rng.integers(20, 160)), int(rng.integers(20, 160)))
        radius = float(rng.choice([2.5, 8, 40, 200]))
        inside = bool(rng.integers(0, 2))
        low, high = (0, min(shape) - 1) if inside else (-800, 1000)
        pts = np.round(rng.uniform(low, high, (int(rng.integers(2, 12)), 2)))
        reference = np.zeros(shape, np.uint8)  # what rasterise drew before clipping existed
        cv2.polylines(reference, [pts.astype(np.int32)], False, 1, round(2 * radius))
        for x, y in pts[[0, -1]].astype(int):
            cv2.circle(reference, (int(x), int(y)), round(radius), 1, -1)
        got = rasterise([Stroke(tool="pen", radius=radius, points=[tuple(p) for p in pts])],
                        "pen", shape)
        if inside:
            assert np.array_equal(got, reference.astype(bool))
        rim = np.abs(_distance_to_polyline(shape, pts) - radius) <= 1.5
        assert (rim | (got == reference.astype(bool))).all()


def test_stroke_cost_bound_refuses_expensive_refine(
    photo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """50 strokes x 10,000 points x radius 500: minutes of drawing, refused before any."""
    rgb, mask = photo
    h, w = mask.shape
    rng = np.random.default_rng(0)
    heavy = [Stroke(tool="foreground", radius=500, points=_walk(rng, 10_000, 5, (h, w)))
             for _ in range(50)]

    def no_drawing(*args: object, **kwargs: object) -> None:
        raise AssertionError("drawing started")

    monkeypatch.setattr(cv2, "polylines", no_drawing)
    monkeypatch.setattr(cv2, "circle", no_drawing)
    started = time.perf_counter()
    with pytest.raises(TooCostly) as caught:
        apply_strokes(rgb, mask.astype(np.float32), heavy)
    assert time.perf_counter() - started < 1.5
    assert caught.value.status == 413 and caught.value.code == "too_costly"
    assert "VITRINA_MAX_STROKE_COST" in caught.value.message and "640x480" in caught.value.message
    monkeypatch.setenv("VITRINA_MAX_STROKE_COST", "1e3")  # the operator's limit is the one used
    with pytest.raises(TooCostly, match=r"1e\+03 allowed"):
        apply_strokes(rgb, mask.astype(np.float32), heavy[:1])


def test_many_tiny_points_cost_what_they_take() -> None:
    """A swept area alone would price 10,000 points of radius 0.5 at almost nothing; OpenCV
    spends most of its time per point and per scanline."""
    rng = np.random.default_rng(1)
    tiny = Stroke(tool="pen", radius=0.5, points=_walk(rng, 10_000, 2, TEN_MP))
    assert strokes.stroke_cost([tiny], TEN_MP) > 10_000 * strokes.NS_POINT
    outside = Stroke(tool="pen", radius=50, points=[(-5e5, -5e5), (-4e5, -5e5)] * 100)
    assert strokes.stroke_cost([outside], TEN_MP) == 0  # clipped away: nothing to draw


def test_ordinary_brush_work_is_accepted_by_default() -> None:
    rng = np.random.default_rng(2)
    work = [Stroke(tool="foreground", radius=100, points=_walk(rng, 500, 10, TEN_MP))
            for _ in range(50)]
    cost = strokes.stroke_cost(work, TEN_MP)
    assert cost < strokes.settings().max_stroke_cost / 4
    assert cost < 5e8 / 4  # the proposed default (README)


def test_refine_stops_at_its_deadline(photo) -> None:
    rgb, mask = photo
    rng = np.random.default_rng(3)
    work = [Stroke(tool=tool, radius=20, points=_walk(rng, 2000, 4, mask.shape))
            for tool in ("foreground", "background", "pen", "eraser") * 10]
    started = time.perf_counter()
    with deadline.within(0.01), pytest.raises(DeadlineExceeded):
        apply_strokes(rgb, mask.astype(np.float32), work)
    assert time.perf_counter() - started < 1.0  # the next check after 10 ms, not the end
    apply_strokes(rgb, mask.astype(np.float32), work[:4])  # without a deadline it completes
