"""Palette extraction and WCAG contrast."""

from __future__ import annotations

import numpy as np
import pytest

from vitrina import color


def test_wcag_reference_values() -> None:
    white, black = color.luminance((255, 255, 255)), color.luminance((0, 0, 0))
    assert float(color.contrast(white, black)) == pytest.approx(21.0)
    # #777777 on white is the classic just-below-AA grey (4.48:1).
    grey = color.luminance((0x77, 0x77, 0x77))
    assert float(color.contrast(white, grey)) == pytest.approx(4.48, abs=0.01)


def test_palette_of_a_red_product_on_transparent_background() -> None:
    rgb = np.zeros((60, 60, 3), np.uint8)
    rgb[:] = (0, 200, 0)  # background colour that must be ignored
    rgb[10:50, 10:50] = (200, 30, 40)
    alpha = np.zeros((60, 60), np.uint8)
    alpha[10:50, 10:50] = 255
    palette = color.extract_palette(rgb, alpha)
    r, g, b = palette.vivid
    assert r > 150 and g < 80 and b < 80
    assert color.luminance(palette.light) > 0.75
    assert color.luminance(palette.dark) < 0.06
    assert color.Palette.from_dict(palette.to_dict()) == palette


def test_grey_product_gets_the_default_accent() -> None:
    rgb = np.full((40, 40, 3), 128, np.uint8)
    assert color.extract_palette(rgb).vivid == color.DEFAULT_ACCENT


def test_best_ink_reaches_the_floor_on_any_flat_colour() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        bg = np.tile(rng.integers(0, 256, 3, dtype=np.uint8), (8, 8, 1))
        _, ratio = color.best_ink(bg, [color.INK, color.WHITE, (0, 0, 0)])
        assert ratio >= color.MIN_CONTRAST


@pytest.mark.parametrize(
    ("rgb", "alpha"),
    [
        (np.full((1, 1, 3), (220, 20, 30), np.uint8), None),  # crashed: reshape in _from_lab
        (np.full((1, 1, 3), (220, 20, 30), np.uint8), np.full((1, 1), 255, np.uint8)),
        (np.full((1, 1, 3), (220, 20, 30), np.uint8), np.ones((1, 1), np.float32)),
        (np.full((1, 3, 3), (220, 20, 30), np.uint8), np.zeros((1, 3), np.uint8)),
        (np.full((64, 64, 3), (220, 20, 30), np.uint8), None),  # one colour, many pixels
    ],
    ids=["1x1", "1x1-alpha", "1x1-float-alpha", "1x3-transparent", "flat"],
)
def test_palette_of_tiny_image(rgb: np.ndarray, alpha: np.ndarray | None) -> None:
    palette = color.extract_palette(rgb, alpha)
    assert [share for _, share in palette.swatches] == [1.0]
    r, g, b = palette.dominant
    assert abs(r - 220) <= 3 and g < 30 and b < 40  # the Lab round trip is within a unit or so
    assert palette.vivid == palette.dominant  # a red product keeps its own accent
    assert color.Palette.from_dict(palette.to_dict()) == palette


def test_palette_of_a_few_pixels() -> None:
    two = np.array([[[250, 250, 250], [30, 60, 200]]], np.uint8)
    palette = color.extract_palette(two)
    assert sorted(share for _, share in palette.swatches) == [0.5, 0.5]
    assert color.extract_palette(np.full((1, 1, 3), 128, np.uint8)).vivid == color.DEFAULT_ACCENT
