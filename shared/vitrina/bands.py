"""Blank and uniform horizontal bands of tall images, found from a row profile.

A long detail page is a stack of blocks on plain bands; a row whose pixels are all about one
colour is never inside a line of text. One pass over the rows (in chunks, so a 750x30,000
page costs a few MB beyond its pixels) gives each row's spread of luminance, which says where
a page may be cut into modules and where a tall block may be cut into tiles for OCR without
cutting through a glyph.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNIFORM_SPREAD = 6.0  # luminance spread (p98 - p2, of 255) under which a row is plain
_CHUNK = 1024  # rows converted to float at a time


def row_spread(rgb: np.ndarray) -> np.ndarray:
    """Per row, how far its luminance varies: the 2nd to 98th percentile range (robust to
    JPEG noise and to a thin frame line at the page edge)."""
    height = rgb.shape[0]
    spread = np.empty(height, np.float32)
    for top in range(0, height, _CHUNK):
        rows = rgb[top:top + _CHUNK].astype(np.float32)
        luma = rows @ np.array([0.299, 0.587, 0.114], np.float32) if rows.ndim == 3 else rows
        low, high = np.percentile(luma, [2, 98], axis=1)
        spread[top:top + _CHUNK] = high - low
    return spread


def row_colour(rgb: np.ndarray) -> np.ndarray:
    """Per row, its median colour (what a plain band is painted with)."""
    height = rgb.shape[0]
    colour = np.empty((height, 3), np.float32)
    for top in range(0, height, _CHUNK):
        rows = rgb[top:top + _CHUNK]
        colour[top:top + _CHUNK] = np.median(rows if rows.ndim == 3 else rows[..., None], axis=1)
    return colour


@dataclass(frozen=True)
class Band:
    top: int
    bottom: int  # exclusive

    @property
    def height(self) -> int:
        return self.bottom - self.top


def plain_bands(spread: np.ndarray, min_height: int) -> list[Band]:
    """Runs of at least ``min_height`` plain rows, top to bottom."""
    plain = np.concatenate([[False], spread < UNIFORM_SPREAD, [False]])
    edges = np.flatnonzero(np.diff(plain.astype(np.int8)))
    return [Band(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)
            if b - a >= min_height]


def quiet_cut(spread: np.ndarray, low: int, high: int) -> int:
    """The row in [low, high) best to cut at: the middle of the longest plain run there, or
    the quietest row when there is none (a photo)."""
    window = spread[low:high]
    runs = plain_bands(window, 1)
    if runs:
        best = max(runs, key=lambda band: band.height)
        return low + (best.top + best.bottom) // 2
    return low + int(np.argmin(window))
