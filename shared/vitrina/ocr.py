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

from vitrina.errors import ModelUnavailable

MIN_SCORE = 0.8  # recognition confidence below which a line is noise more often than not
MIN_CHARS = 2
_lock = threading.Lock()


@dataclass(frozen=True)
class TextLine:
    text: str
    score: float
    box: tuple[int, int, int, int]  # left, top, right, bottom

    @property
    def area(self) -> int:
        return (self.box[2] - self.box[0]) * (self.box[3] - self.box[1])


@lru_cache(maxsize=1)
def _engine():
    try:
        from rapidocr import RapidOCR
    except ImportError as exc:
        raise ModelUnavailable("OCR needs the rapidocr package: pip install rapidocr") from exc
    engine = RapidOCR(params={"Global.log_level": "error"})
    # "no text found" is the usual answer for a product photo, not a warning.
    logging.getLogger("RapidOCR").setLevel(logging.ERROR)
    return engine


def read_text(rgb: np.ndarray) -> list[TextLine]:
    """Confident lines of text, the largest (most prominent) first."""
    with _lock:  # one engine per process; its sessions are not shared across threads
        result = _engine()(rgb[..., ::-1].copy())
    lines = []
    for text, score, points in zip(result.txts or (), result.scores or (),
                                   result.boxes if result.boxes is not None else (),
                                   strict=False):
        text = " ".join(str(text).split())
        if score >= MIN_SCORE and len(text) >= MIN_CHARS:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            lines.append(TextLine(text, round(float(score), 3),
                                  (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)))))
    return sorted(lines, key=lambda line: -line.area)
