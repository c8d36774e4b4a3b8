"""Synthetic products for the banner tests: no model, no network, deterministic."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from vitrina.banner.document import Assets
from vitrina.color import extract_palette


def bottle(width: int = 240, height: int = 420, color: tuple[int, int, int] = (200, 40, 50)
           ) -> np.ndarray:
    """An RGBA product cutout with a soft edge: a rounded bottle shape."""
    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[..., :3] = color
    alpha = np.zeros((height, width), np.uint8)
    cv2.ellipse(alpha, (width // 2, height * 2 // 3), (width // 2 - 2, height // 3 - 2), 0, 0,
                360, 255, -1)
    cv2.rectangle(alpha, (width // 3, 4), (width * 2 // 3, height // 2), 255, -1)
    rgba[..., 3] = cv2.GaussianBlur(alpha, (5, 5), 0)
    rgba[: height // 2, :, :3] = (240, 240, 235)
    return rgba


def scene_photo(width: int = 900, height: int = 600) -> tuple[np.ndarray, np.ndarray]:
    """A calm gradient scene with a busy, salient object on its right third."""
    ys, xs = np.mgrid[0:height, 0:width]
    rgb = np.dstack([120 + xs * 60 // width, 150 + ys * 50 // height,
                     np.full_like(xs, 180)]).astype(np.uint8)
    saliency = np.zeros((height, width), np.float32)
    x0, x1, y0, y1 = width * 2 // 3, width * 9 // 10, height // 4, height * 3 // 4
    rng = np.random.default_rng(3)
    rgb[y0:y1, x0:x1] = rng.integers(0, 255, (y1 - y0, x1 - x0, 3), dtype=np.uint8)
    saliency[y0:y1, x0:x1] = 1.0
    return rgb, saliency


@pytest.fixture
def product_assets() -> Assets:
    return Assets(product=bottle())


@pytest.fixture
def palette(product_assets: Assets):
    product = product_assets.product
    assert product is not None
    return extract_palette(product[..., :3], product[..., 3])
