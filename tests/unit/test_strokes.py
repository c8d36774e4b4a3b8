"""Brush refinement: strokes fix what the automatic matte got wrong, quickly and locally."""

from __future__ import annotations

import time

import numpy as np
import pytest
from pydantic import ValidationError

from tests.conftest import iou
from vitrina.matting.strokes import Stroke, apply_strokes, rasterise


@pytest.fixture
def broken(photo):
    """The true mask with the bottle's neck missing and a false blob on the backdrop."""
    rgb, mask = photo
    alpha = mask.astype(np.float32)
    neck = np.zeros_like(mask)
    neck[: int(mask.shape[0] * 0.36)] = True
    neck &= mask
    alpha[neck] = 0.0
    blob = np.zeros_like(mask)
    blob[20:70, 20:90] = True
    alpha[blob] = 1.0
    return rgb, mask, alpha, neck, blob


def _centre_line(region: np.ndarray) -> list[tuple[float, float]]:
    ys, xs = np.nonzero(region)
    x = float(np.median(xs))
    return [(x, float(ys.min() + 4)), (x, float(ys.max() - 4))]


def test_foreground_brush_restores_a_missed_part(broken) -> None:
    rgb, mask, alpha, neck, _ = broken
    stroke = Stroke(tool="foreground", radius=4, points=_centre_line(neck))
    fixed = apply_strokes(rgb, alpha, [stroke])
    assert iou(alpha[neck] > 0.5, mask[neck]) < 0.1
    assert iou(fixed > 0.5, mask) > iou(alpha > 0.5, mask)
    region = neck | rasterise([stroke], "foreground", mask.shape)
    assert iou(fixed[region] > 0.5, mask[region]) > 0.8


def test_background_brush_removes_a_false_blob_and_nothing_far_away(broken) -> None:
    rgb, _, alpha, neck, blob = broken
    fixed = apply_strokes(rgb, alpha, [Stroke(tool="background", radius=5, points=[(55, 45)])])
    assert fixed[blob].mean() < 0.1
    assert np.array_equal(fixed[neck] > 0.5, alpha[neck] > 0.5)


def test_pen_and_eraser_set_alpha_exactly(broken) -> None:
    rgb, mask, alpha, _, _ = broken
    strokes = [
        Stroke(tool="pen", radius=3, points=[(300, 460), (340, 460)]),
        Stroke(tool="eraser", radius=6, points=[(320, 300)]),
    ]
    fixed = apply_strokes(rgb, alpha, strokes)
    assert np.all(fixed[rasterise(strokes[:1], "pen", mask.shape)] == 1.0)
    assert np.all(fixed[rasterise(strokes[1:], "eraser", mask.shape)] == 0.0)
    untouched = ~rasterise(strokes, "pen", mask.shape) & ~rasterise(strokes, "eraser", mask.shape)
    assert np.array_equal(fixed[untouched], alpha[untouched])


def test_input_alpha_is_not_modified(broken) -> None:
    rgb, _, alpha, neck, _ = broken
    before = alpha.copy()
    apply_strokes(rgb, alpha, [Stroke(tool="foreground", radius=4, points=_centre_line(neck))])
    assert np.array_equal(alpha, before)


def test_uint8_alpha_is_accepted(broken) -> None:
    rgb, mask, alpha, neck, _ = broken
    fixed = apply_strokes(rgb, (alpha * 255).astype(np.uint8),
                          [Stroke(tool="foreground", radius=4, points=_centre_line(neck))])
    assert fixed.dtype == np.float32 and iou(fixed > 0.5, mask) > iou(alpha > 0.5, mask)


def test_refinement_is_interactive(broken) -> None:
    rgb, _, alpha, neck, _ = broken
    stroke = Stroke(tool="foreground", radius=4, points=_centre_line(neck))
    apply_strokes(rgb, alpha, [stroke])
    started = time.perf_counter()
    apply_strokes(rgb, alpha, [stroke])
    assert time.perf_counter() - started < 1.0


def test_stroke_validation() -> None:
    with pytest.raises(ValidationError):
        Stroke(tool="smudge", radius=3, points=[(1, 1)])
    with pytest.raises(ValidationError):
        Stroke(tool="pen", radius=0, points=[(1, 1)])
    with pytest.raises(ValidationError):
        Stroke(tool="pen", radius=3, points=[])
