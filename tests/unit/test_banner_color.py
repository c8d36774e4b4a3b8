"""Palette extraction and WCAG contrast."""

from __future__ import annotations

import numpy as np
import pytest

from vitrina.banner import color


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
