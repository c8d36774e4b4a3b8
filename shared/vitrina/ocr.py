"""Text printed on product images, read with RapidOCR's packaged PP-OCR models.

Promotional images often carry the strongest selling points ("-40℃ 不结冰", "买二送一"); read
here, they become facts the captions may quote. The models ship inside the ``rapidocr`` wheel,
so nothing is downloaded.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from vitrina.bands import UNIFORM_SPREAD, quiet_cut, row_spread
from vitrina.errors import ModelUnavailable

MIN_SCORE = 0.8  # recognition confidence below which a line is noise more often than not
MIN_CHARS = 2
TILE_HEIGHT = 2000  # RapidOCR's max_side_len: taller images are shrunk before detection
OVERLAP = 96  # rows two tiles share where a cut must cross a photo
_lock = threading.Lock()


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float
    box: tuple[int, int, int, int]  # left, top, right, bottom

    @property
    def area(self) -> int:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


@lru_cache(maxsize=2)
def _engine(native: bool = False):
    """RapidOCR's engine. Its detector scales an image up until its short side is 736 px;
    ``native`` reads at the image's own size instead (tall reads: a 750x240 module would
    otherwise be detected at 2,300x736, ten times the pixels, for no better reading)."""
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise ModelUnavailable("OCR needs the rapidocr package: pip install rapidocr") from exc
    params: dict[str, object] = {"Global.log_level": "error"}
    if native:
        params |= {"Det.limit_type": "max", "Det.limit_side_len": TILE_HEIGHT}
    engine = RapidOCR(params=params)
    # "no text found" is the usual answer for a product photo, not a warning.
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return engine


def _read(rgb: np.ndarray, top: int = 0, min_score: float = MIN_SCORE,
          native: bool = False) -> list[TextLine]:
    """The lines RapidOCR reads in ``rgb`` (at most TILE_HEIGHT tall, so it is never shrunk),
    their boxes moved down by ``top``."""
    with _lock:  # one engine per process; its sessions are not shared across threads
        result = _engine(native)(rgb[..., ::-1].copy())
    lines = []
    for text, score, points in zip(result.txts or (), result.scores or (),
                                   result.boxes if result.boxes is not None else (),
                                   strict=False):
        text = " ".join(str(text).split())
        if score >= min_score and len(text) >= MIN_CHARS:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            lines.append(TextLine(text, round(float(score), 3),
                                  (int(min(xs)), int(min(ys)) + top, int(max(xs)),
                                   int(max(ys)) + top)))
    return lines


def read_text(rgb: np.ndarray) -> list[TextLine]:
    """Confident lines of text, the largest (most prominent) first."""
    return sorted(_read(rgb), key=lambda line: -line.area)


def read_tall(rgb: np.ndarray, min_score: float = 0.5) -> list[TextLine]:
    """Every line of an image of any height at full resolution, in reading order.

    RapidOCR shrinks an image whose long side passes 2,000 px (a 750x6,000 page becomes
    249x2,000 and misreads) and reading a 750x30,000 page whole needs 3.5 GB. So a tall image
    is read in tiles of at most TILE_HEIGHT rows, cut inside plain bands where it has them;
    where a cut must cross a photo, the tiles overlap and a line read twice is kept once.
    """
    height = rgb.shape[0]
    if height <= TILE_HEIGHT:
        return _reading_order(_read(rgb, 0, min_score, native=True))
    spread = row_spread(rgb)
    lines: list[TextLine] = []
    top = 0
    while top < height:
        if height - top <= TILE_HEIGHT:
            bottom = height
        else:
            bottom = quiet_cut(spread, top + TILE_HEIGHT // 2, top + TILE_HEIGHT - OVERLAP)
        plain_cut = bottom == height or spread[bottom] < UNIFORM_SPREAD
        end = bottom if plain_cut else min(height, bottom + OVERLAP)
        lines += _read(rgb[top:end], top, min_score, native=True)
        top = bottom
    return _reading_order(_unique(lines))


def _unique(lines: list[TextLine]) -> list[TextLine]:
    """Lines read twice in an overlap, kept once (the more confident reading)."""
    kept: list[TextLine] = []
    for line in sorted(lines, key=lambda item: -item.score):
        if all(_overlap(line.box, other.box) < 0.5 for other in kept):
            kept.append(line)
    return kept


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / max(1, smaller)


def rows(lines: list[TextLine]) -> list[list[TextLine]]:
    """Lines grouped into rows (their middles within half a line height; OCR splits a line at
    a wide space), top to bottom, each row left to right."""
    grouped: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: (item.box[1] + item.box[3]) / 2):
        middle = (line.box[1] + line.box[3]) / 2
        first = grouped[-1][0] if grouped else None
        if first is not None and abs(middle - (first.box[1] + first.box[3]) / 2) < \
                (line.box[3] - line.box[1]) / 2:
            grouped[-1].append(line)
        else:
            grouped.append([line])
    return [sorted(row, key=lambda item: item.box[0]) for row in grouped]


def _reading_order(lines: list[TextLine]) -> list[TextLine]:
    """Top to bottom; lines sharing a row, left to right."""
    return [line for row in rows(lines) for line in row]
