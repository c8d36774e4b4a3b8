"""A long detail-page image cut into modules at its blank bands, never through text.

The page's background is the colour most of its plain rows have. Rows of that colour, in runs
of at least MIN_GAP, separate modules; a plain band of another colour (a banner's padding)
belongs to its module, and where two such bands of different colours meet, a module ends.
Cuts fall only on plain rows, and no plain row crosses a glyph, so no line of text is cut.
"""

from __future__ import annotations

import itertools

import numpy as np

from vitrina.bands import UNIFORM_SPREAD, row_colour, row_spread

MIN_GAP = 40  # background rows that separate two modules (line and paragraph spacing is less)
MIN_MODULE = 12  # thinner content (a divider line) joins the module above it
_SAME_COLOUR = 18.0  # RGB distance under which two plain rows are one colour
_NEW_BAND = 60.0  # RGB distance between adjacent plain rows that starts a new module
_INK = 10.0  # a pixel this far from the background is part of something drawn


def cut_modules(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Module boxes (left, top, right, bottom) from top to bottom; the whole image when it
    has no band to cut at."""
    height, width = rgb.shape[:2]
    spread, colour = row_spread(rgb), row_colour(rgb)
    plain = spread < UNIFORM_SPREAD
    background = _background(colour[plain]) if plain.any() else None
    gap = plain.copy()
    if background is not None:
        gap &= np.linalg.norm(colour - background, axis=1) < _SAME_COLOUR
    spans = _content_runs(gap, height)
    spans = [part for span in spans for part in _split_at_colour_change(span, plain, colour)]
    spans = _join_thin(spans)
    if background is not None:
        spans = [_grow(rgb, span, background) for span in spans]
    return [(0, top, width, bottom) for top, bottom in spans] or [(0, 0, width, height)]


def _inked(row: np.ndarray, background: np.ndarray) -> bool:
    return bool(np.abs(row.astype(np.float32) - background).max() > _INK)


def _grow(rgb: np.ndarray, span: tuple[int, int], background: np.ndarray) -> tuple[int, int]:
    """The span widened over rows that still hold a few faint pixels (a descender's
    anti-aliasing, which the row spread ignores): a cut leaves every glyph whole."""
    top, bottom = span
    limit = MIN_GAP // 2
    while top > 0 and span[0] - top < limit and _inked(rgb[top - 1], background):
        top -= 1
    while bottom < rgb.shape[0] and bottom - span[1] < limit and \
            _inked(rgb[bottom], background):
        bottom += 1
    return top, bottom


def _background(colours: np.ndarray) -> np.ndarray:
    """The commonest colour of the plain rows (quantised, so JPEG noise does not split it)."""
    quantised = (colours // 8).astype(np.int32)
    values, counts = np.unique(quantised, axis=0, return_counts=True)
    return (values[np.argmax(counts)] * 8 + 4).astype(np.float32)


def _content_runs(gap: np.ndarray, height: int) -> list[tuple[int, int]]:
    """Runs of rows between background gaps of at least MIN_GAP rows."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    run = 0
    for row in range(height):
        if gap[row]:
            run += 1
            if start is not None and run >= MIN_GAP:
                spans.append((start, row - run + 1))
                start = None
        else:
            if start is None:
                start = row
            run = 0
    if start is not None:
        end = height
        while end > start and gap[end - 1]:
            end -= 1
        spans.append((start, end))
    return spans


def _split_at_colour_change(span: tuple[int, int], plain: np.ndarray,
                            colour: np.ndarray) -> list[tuple[int, int]]:
    """A run cut where one plain band meets a plain band of a clearly different colour."""
    top, bottom = span
    cuts = [top]
    for row in range(top + 1, bottom):
        if plain[row] and plain[row - 1] and \
                np.linalg.norm(colour[row] - colour[row - 1]) > _NEW_BAND:
            cuts.append(row)
    cuts.append(bottom)
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _join_thin(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    joined: list[tuple[int, int]] = []
    for top, bottom in spans:
        if bottom - top < MIN_MODULE and joined:
            joined[-1] = (joined[-1][0], bottom)
        else:
            joined.append((top, bottom))
    return joined
