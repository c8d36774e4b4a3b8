"""What a module is, from its pixels and the text read in it.

Cheap, explainable cues rather than a model: ruled lines make a table (and sizes in it a size
chart); a plain coloured band with a few lines of text is a banner; short lines in a column
are selling points; text covering the block is a text block; a block of rich pixels with
little text is a photo. Each answer says which cue decided it (``why``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import cv2
import numpy as np

from vitrina.bands import UNIFORM_SPREAD, row_colour, row_spread
from vitrina.ocr import TextLine
from vitrina.ocr import rows as ocr_rows

_SIZES = re.compile(r"(?i)\b(XXS|XS|S|M|L|XL|XXL|XXXL|[2-5]XL)\b|\bcm\b"
                    r"|尺码|尺寸|胸围|腰围|衣长|身高|体重")
_WHITE = np.array([255, 255, 255], np.float32)


@dataclass(frozen=True)
class Kind:
    kind: str
    why: str


def ruled_lines(rgb: np.ndarray) -> tuple[int, int]:
    """Long horizontal and vertical strokes (a table's rules): how many of each."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    edges = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                  15, 10)
    height, width = grey.shape
    counts = []
    for kernel in ((max(40, width // 3), 1), (1, max(30, height // 4))):
        lines = cv2.morphologyEx(edges, cv2.MORPH_OPEN,
                                 cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        found, _ = cv2.connectedComponents(lines)
        counts.append(found - 1)
    return counts[0], counts[1]


def _text_cover(lines: list[TextLine], area: int) -> float:
    return sum(line.area for line in lines) / max(1, area)


def _coloured_band(rgb: np.ndarray, background: np.ndarray) -> bool:
    """Mostly plain rows painted in a colour that is not the page's."""
    plain = row_spread(rgb) < UNIFORM_SPREAD
    if plain.mean() < 0.4:
        return False
    colours = row_colour(rgb)[plain]
    return bool(np.median(np.linalg.norm(colours - background, axis=1)) > 40)


def _busy(rgb: np.ndarray, lines: list[TextLine]) -> float:
    """Share of the block, outside its text, with photographic texture."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    local = cv2.blur(grey * grey, (9, 9)) - cv2.blur(grey, (9, 9)) ** 2
    mask = local > 30.0
    for line in lines:
        left, top, right, bottom = line.box
        mask[max(0, top):bottom, max(0, left):right] = False
    return float(mask.mean())


def classify(rgb: np.ndarray, lines: list[TextLine],
             background: np.ndarray = _WHITE) -> Kind:
    """The module's kind; ``lines`` in the crop's coordinates."""
    height, width = rgb.shape[:2]
    area = height * width
    text = " ".join(line.text for line in lines)
    horizontal, vertical = ruled_lines(rgb)
    if horizontal >= 3 and vertical >= 2 and len(lines) >= 4:
        if len(_SIZES.findall(text)) >= 3:
            return Kind("size_chart", f"{horizontal}x{vertical} rules and sizes in the cells")
        return Kind("table", f"{horizontal} horizontal and {vertical} vertical rules")
    cover, busy = _text_cover(lines, area), _busy(rgb, lines)
    if busy > 0.25 and cover < 0.08:
        return Kind("photo", f"{busy:.0%} textured, {cover:.0%} text")
    if lines and _coloured_band(rgb, background) and len(lines) <= 6:
        return Kind("banner", f"{len(lines)} lines on a coloured band")
    rows = ocr_rows(lines)
    if 2 <= len(rows) <= 8 and all(len(" ".join(t.text for t in row)) <= 24 for row in rows) \
            and np.std([row[0].box[0] for row in rows]) < 0.05 * width and busy < 0.25:
        return Kind("selling_points", f"{len(rows)} short lines in a column")
    if lines and cover >= 0.04:
        return Kind("text", f"{len(lines)} lines, {cover:.0%} of the block")
    if busy > 0.25:
        return Kind("photo", f"{busy:.0%} textured")
    return Kind("other", f"{len(lines)} lines, {busy:.0%} textured")
