"""Laying out one text element: a font per character, line breaking, fitting, drawing.

Measuring is exact and cheap. With Pillow's basic layout (:data:`vitrina.fonts.LAYOUT`) every
hinted advance is a whole number of pixels and a run's bounding box is the union of its
characters' boxes at their pen positions, so a line is measured from per-character metrics
cached per (font, character): no Pillow call per candidate line, no prefix measured twice.
``draw_text`` then draws runs whose ``getbbox(anchor="ls")`` is exactly what was measured.

Boxes are "ink" in Pillow's sense: the glyphs' outlines plus the pen line from the origin to
the advance, so overhangs, accents, descenders and the synthetic-bold stroke are inside.
"""

from __future__ import annotations

import math
import unicodedata
from bisect import bisect_right
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

from PIL import Image, ImageDraw

from vitrina import fonts
from vitrina.errors import InputError

ELLIPSIS = "…"
# Kinsoku: a line never starts with CLOSING nor ends with OPENING punctuation.
CLOSING = frozenset("，。、！？；：）」』】》〉”’,.!?;:)]}］｝〕〗〙")
OPENING = frozenset("（「『【《〈“‘([{［｛〔〖〘")
# Breakable spaces: Zs without the no-break ones (U+00A0, U+2007, U+202F keep words together).
SPACES = frozenset(" \u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2008\u2009\u200a"
                   "\u205f\u3000")
_UNBROKEN_PAIRS = frozenset("…—")  # "……" and "——" are one mark in Chinese
_REF_SIZE = 64  # size of the metrics that predict where the binary search over sizes lands
# Scripts written without spaces: a line may break between any two of their characters.
_CJK = ((0x1100, 0x11FF), (0x2E80, 0x2FFF), (0x3000, 0x33FF), (0x3400, 0x4DBF),
        (0x4E00, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF),
        (0xFE10, 0xFE1F), (0xFE30, 0xFE6F), (0xFF00, 0xFFEF), (0x1B000, 0x1B16F),
        (0x20000, 0x3FFFF))
_CJK_STARTS = [lo for lo, _ in _CJK]
_ALIGNS = ("left", "center", "right")
_OVERFLOWS = ("ellipsis", "shrink-only")

Box = tuple[float, float, float, float]
Metric = tuple[float, float, float, float, float]  # advance, then (left, top, right, bottom)


@dataclass(frozen=True)
class TextStyle:
    family: str  # Latin family key (vitrina.fonts.FAMILIES)
    cjk_family: str  # CJK family key used for characters the Latin font lacks
    weight: int = 400
    line_spacing: float = 1.2  # baseline-to-baseline distance, in multiples of the size
    uppercase: bool = False
    align: str = "left"  # left | center | right
    tracking: float = 0.0  # extra letter spacing in em, rounded to whole pixels

    def __post_init__(self) -> None:
        fonts.get_family(self.family)
        fonts.get_family(self.cjk_family)
        if self.align not in _ALIGNS:
            raise InputError(f"align {self.align!r} is not one of {', '.join(_ALIGNS)}")
        if not 1 <= self.weight <= 1000:
            raise InputError(f"font weight {self.weight} is outside 1..1000")
        if not 0.5 <= self.line_spacing <= 4:
            raise InputError(f"line spacing {self.line_spacing} is outside 0.5..4")
        if not -0.2 <= self.tracking <= 1:
            raise InputError(f"tracking {self.tracking} em is outside -0.2..1")


@dataclass
class TextRun:
    """A stretch of one line drawn with one font (one character per run when tracked)."""

    text: str
    family: str
    weight: int  # the weight asked of get_font; its FontFace says what is drawn
    x: float  # pen origin, from the line's ink left


@dataclass
class TextLine:
    runs: list[TextRun]
    text: str
    width: float  # ink width
    baseline: float  # y of the baseline from the block's top (its ink top)


@dataclass
class TextBlock:
    text: str  # what is shown (after uppercase/truncation)
    size: int  # pixel size used
    lines: list[TextLine]
    width: float  # ink extent of the whole block (the box the glyphs occupy)
    height: float
    truncated: bool  # overflow rule applied
    dropped: list[str]  # characters no font covers (emoji ...), removed
    fallback: list[str]  # characters drawn with the fallback font (not the style's fonts)


@dataclass(frozen=True)
class PlacedRun:
    """A run at its place in an image: drawn with ``anchor="ls"`` at (x, y)."""

    run: TextRun
    face: fonts.FontFace
    x: float
    y: float  # baseline

    def ink(self) -> Box:
        left, top, right, bottom = self.face.font.getbbox(
            self.run.text, anchor="ls", stroke_width=self.face.stroke)
        return left + self.x, top + self.y, right + self.x, bottom + self.y


# ---------------------------------------------------------------------------------------------
# Preparing the text: clean it, pick a font per character, find where lines may break.

@dataclass
class _Text:
    text: str  # cleaned; paragraphs joined by "\n", none starting or ending with a space
    fams: list[str]  # family key per character ("" for "\n")
    soft: bytearray  # soft[i]: a line may end before i (a space run, or a CJK boundary)
    forced: bytearray  # forced[i]: a word too wide for the line may be cut before i
    dropped: list[str]
    fallback: list[str]
    ellipsis_family: str

    def paragraphs(self) -> list[tuple[int, int]]:
        spans, start = [], 0
        for part in self.text.split("\n"):
            spans.append((start, start + len(part)))
            start += len(part) + 1
        return spans

    def paragraph_end(self, i: int) -> int:
        end = self.text.find("\n", i)
        return len(self.text) if end < 0 else end


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    i = bisect_right(_CJK_STARTS, code) - 1
    return i >= 0 and code <= _CJK[i][1]


def _invisible(ch: str) -> bool:
    """Format characters (ZWJ, soft hyphen, BOM...) and variation selectors: no glyph to miss."""
    code = ord(ch)
    return (unicodedata.category(ch) == "Cf" or 0xFE00 <= code <= 0xFE0F
            or 0xE0100 <= code <= 0xE01EF)


@lru_cache(maxsize=65536)
def _family_for(latin: str, cjk: str, ch: str) -> str | None:
    if unicodedata.category(ch) in ("Cc", "Cs"):
        return None
    for key in (latin, cjk, fonts.FALLBACK):
        if fonts.covers(key, ch):
            return key
    return None


def _prepare(text: str, style: TextStyle) -> _Text | None:
    text = unicodedata.normalize("NFC", text)
    if style.uppercase:
        text = unicodedata.normalize("NFC", text.upper())
    for old, new in (("\r\n", "\n"), ("\r", "\n"), ("\u2028", "\n"), ("\u2029", "\n"),
                     ("\t", " ")):
        text = text.replace(old, new)
    chars: list[str] = []
    fams: list[str] = []
    dropped: dict[str, None] = {}
    fallback: dict[str, None] = {}
    skipped = False  # a character was removed since the last kept one
    for ch in text:
        if ch == "\n":
            key = ""
        elif _invisible(ch):
            continue
        else:
            key = _family_for(style.family, style.cjk_family, ch)
            if key is None:
                dropped[ch] = None
                skipped = True
                continue
            if ch in SPACES and skipped and chars and chars[-1] in SPACES:
                continue  # "Sale 🔥 now" becomes "Sale now", not "Sale  now"
            if key == fonts.FALLBACK and fonts.FALLBACK not in (style.family, style.cjk_family):
                fallback[ch] = None
        skipped = False
        chars.append(ch)
        fams.append(key)

    # Strip spaces at each paragraph's ends, and blank paragraphs at the text's ends.
    paragraphs: list[tuple[list[str], list[str]]] = []
    start = 0
    for end in [*(i for i, ch in enumerate(chars) if ch == "\n"), len(chars)]:
        lo, hi = start, end
        while lo < hi and chars[lo].isspace():
            lo += 1
        while hi > lo and chars[hi - 1].isspace():
            hi -= 1
        paragraphs.append((chars[lo:hi], fams[lo:hi]))
        start = end + 1
    while paragraphs and not paragraphs[0][0]:
        paragraphs.pop(0)
    while paragraphs and not paragraphs[-1][0]:
        paragraphs.pop()
    if not paragraphs:
        return None
    clean = "\n".join("".join(p) for p, _ in paragraphs)
    keys = [k for i, (_, f) in enumerate(paragraphs) for k in ([""] if i else []) + f]
    soft, forced = _breaks(clean)
    ellipsis_family = _family_for(style.family, style.cjk_family, ELLIPSIS) or fonts.FALLBACK
    return _Text(clean, keys, soft, forced, list(dropped), list(fallback), ellipsis_family)


def _breaks(text: str) -> tuple[bytearray, bytearray]:
    """Where a line may end (soft) and where a too-wide word may be cut (forced).

    A whitespace run is one break, at its start, if it holds a breakable space (a run of
    no-break spaces only glues its neighbours); the whole run disappears at the break.
    """
    n = len(text)
    soft, forced = bytearray(n + 1), bytearray(n + 1)
    i = 1
    while i < n:
        prev, cur = text[i - 1], text[i]
        if cur == "\n" or prev == "\n":
            i += 1
        elif cur.isspace():
            end = i
            while text[end].isspace():  # paragraphs end with a visible character
                end += 1
            soft[i] = (any(ch in SPACES for ch in text[i:end])
                       and text[end] not in CLOSING and prev not in OPENING)
            i = end + 1
        else:
            legal = (cur not in CLOSING and prev not in OPENING
                     and not unicodedata.category(cur).startswith("M"))
            forced[i] = legal
            soft[i] = legal and (_is_cjk(prev) or _is_cjk(cur)) and not (
                prev == cur and cur in _UNBROKEN_PAIRS)
            i += 1
    return soft, forced


# ---------------------------------------------------------------------------------------------
# Greedy line breaking over per-character metrics.

@dataclass
class _Line:
    start: int
    end: int  # exclusive; start == end for a blank line
    box: Box  # ink, relative to the pen origin on the baseline


_EMPTY: Box = (0, 0, 0, 0)


def _grow(box: Box, x: float, m: Metric) -> Box:
    return min(box[0], x + m[1]), min(box[1], m[2]), max(box[2], x + m[3]), max(box[3], m[4])


def _span_box(metric: _Metrics, start: int, end: int) -> Box:
    box, pen = _EMPTY, 0.0
    for i in range(start, end):
        m = metric(i)
        box = _grow(box, pen, m)
        pen += m[0] + metric.track
    return box


def _scan(t: _Text, metric: _Metrics, start: int, stop: int, width: float,
          cut: bool = True) -> tuple[int, int, Box] | None:
    """The longest line from ``start``: (end, where the next line starts, ink box), or None
    when not even a cut word fits legally. The hot loop of fitting, hence the inlined box."""
    left = top = right = bottom = pen = 0.0
    best: tuple[int, Box] | None = None
    text, soft, track = t.text, t.soft, metric.track
    for j in range(start, stop):
        if soft[j] and j > start:
            best = (j, (left, top, right, bottom))
        advance, m_left, m_top, m_right, m_bottom = metric(j)
        new_left, new_right = min(left, pen + m_left), max(right, pen + m_right)
        if new_right - new_left > width and not text[j].isspace():
            if best is not None:
                end = nxt = best[0]
                while text[nxt].isspace():
                    nxt += 1
                return end, nxt, best[1]
            # A word wider than the line: cut it at the last legal place (widths only grow,
            # so everything before j fits), unless the caller would rather shrink the text.
            for k in range(j, start, -1) if cut else ():
                if t.forced[k]:
                    box = (left, top, right, bottom) if k == j else _span_box(metric, start, k)
                    return k, k, box
            return None
        left, right = new_left, new_right
        top, bottom = min(top, m_top), max(bottom, m_bottom)
        pen += advance + track
    return stop, stop, (left, top, right, bottom)


def _break_lines(t: _Text, metric: _Metrics, width: float, limit: int,
                 cut: bool = True) -> tuple[list[_Line], int | None]:
    """Greedy lines, at most ``limit``. Returns them and where the text left over starts
    (None when everything is laid out)."""
    lines: list[_Line] = []
    for start, stop in t.paragraphs():
        if start == stop:
            if len(lines) == limit:
                return lines, start
            lines.append(_Line(start, start, _EMPTY))
            continue
        i = start
        while i < stop:
            if len(lines) == limit:
                return lines, i
            got = _scan(t, metric, i, stop, width, cut)
            if got is None:
                return lines, i
            end, nxt, box = got
            lines.append(_Line(i, end, box))
            i = nxt
    return lines, None


def _extent(lines: list[_Line], leading: float) -> tuple[float, float]:
    """Top and bottom of the inked lines, with baselines ``leading`` apart from y = 0."""
    inked = [(n * leading + ln.box[1], n * leading + ln.box[3])
             for n, ln in enumerate(lines) if ln.end > ln.start]
    return min(top for top, _ in inked), max(bottom for _, bottom in inked)


# ---------------------------------------------------------------------------------------------
# Metrics: exact at one size, or predicted by scaling the reference size's.

@lru_cache(maxsize=1 << 17)
def _glyph(family: str, weight: int, size: int, ch: str) -> Metric:
    # Keyed by value, not by FontFace: an entry must not keep a font get_font has let go.
    face = fonts.get_font(family, weight, size)
    left, top, right, bottom = face.font.getbbox(ch, anchor="ls", stroke_width=face.stroke)
    return face.font.getlength(ch), left, top, right, bottom


class _Metrics:
    """Per-character metrics of a prepared text at one font size.

    Exact metrics are measured at the size drawn. The prediction (``exact=False``) uses the
    reference size's, one set per text whatever the size tried: laying out at size s with
    them and limits scaled by _REF_SIZE / s is the reference layout scaled, so trying a size
    costs no font load and no glyph measurement; hinting only makes it approximate.
    """

    def __init__(self, t: _Text, style: TextStyle, size: int, *, exact: bool = True) -> None:
        self.t, self.weight, self.size = t, style.weight, size
        self.track = round(style.tracking * size) if exact else style.tracking * size
        self.leading = (max(1, round(style.line_spacing * size)) if exact
                        else style.line_spacing * size)
        self.memo: dict[int, Metric] = {}

    def char(self, ch: str, key: str) -> Metric:
        return _glyph(key, self.weight, self.size, ch)

    def __call__(self, i: int) -> Metric:
        m = self.memo.get(i)
        if m is None:
            m = self.memo[i] = self.char(self.t.text[i], self.t.fams[i])
        return m


def _fits(t: _Text, metric: _Metrics, size: int, width: float, height: float,
          max_lines: int, cut: bool) -> list[_Line] | None:
    """The lines at ``size`` when they fit (``metric`` may be at another size: see _Metrics)."""
    scale = metric.size / size
    lines, rest = _break_lines(t, metric, width * scale, max_lines, cut)
    if rest is not None:
        return None
    top, bottom = _extent(lines, metric.leading)
    return lines if bottom - top <= height * scale else None


def _largest_fit(t: _Text, style: TextStyle, width: float, height: float, max_lines: int,
                 low: int, high: int, cut: bool) -> tuple[int, list[_Line]] | None:
    """The largest size in [low, high] that fits, and its lines.

    A binary search over the predicted metrics finds where the answer should be; exact
    metrics then confirm it, galloping out from that guess and bisecting, so usually two
    sizes are measured for real. The result fits and size + 1 does not (or is past ``high``).
    """
    model = _Metrics(t, style, _REF_SIZE, exact=False)
    good, bad = low - 1, high + 1
    while bad - good > 1:
        mid = (good + bad) // 2
        if _fits(t, model, mid, width, height, max_lines, cut) is not None:
            good = mid
        else:
            bad = mid
    guess = max(good, low)

    memo: dict[int, list[_Line] | None] = {}

    def fits(size: int) -> bool:
        if size not in memo:
            memo[size] = _fits(t, _Metrics(t, style, size), size, width, height, max_lines,
                               cut)
        return memo[size] is not None

    step = 1
    if fits(guess):
        good, bad = guess, high + 1
        while good < high:
            probe = min(good + step, high)
            if not fits(probe):
                bad = probe
                break
            good, step = probe, step * 2
    else:
        good, bad = low - 1, guess
        while bad > low:
            probe = max(bad - step, low)
            if fits(probe):
                good = probe
                break
            bad, step = probe, step * 2
        if good < low:
            return None
    while bad - good > 1:
        mid = (good + bad) // 2
        if fits(mid):
            good = mid
        else:
            bad = mid
    lines = memo[good]
    assert lines is not None
    return good, lines


# ---------------------------------------------------------------------------------------------
# Overflow: the most lines that fit at the smallest size, the last one ending with "…".

def _ellipsis_line(t: _Text, metric: _Metrics, start: int,
                   width: float) -> tuple[int, Box] | None:
    """The longest cut of the paragraph from ``start`` that fits with "…" after it: its end and
    ink box, or None when not even one character does."""
    stop = t.paragraph_end(start)
    mark = metric.char(ELLIPSIS, t.ellipsis_family)
    box, pen = _EMPTY, 0.0
    best: tuple[int, Box] | None = None
    text = t.text
    for j in range(start, stop):
        m = metric(j)
        box = _grow(box, pen, m)
        pen += m[0] + metric.track
        if box[2] - box[0] > width:
            break
        ch = text[j]
        if ch.isspace() or ch in OPENING or (
                j + 1 < stop and unicodedata.category(text[j + 1]).startswith("M")):
            continue
        full = _grow(box, pen, mark)
        if full[2] - full[0] <= width:
            best = (j + 1, full)
    return best


def _truncate(t: _Text, style: TextStyle, size: int, width: float, height: float,
              max_lines: int) -> list[_Line] | None:
    metric = _Metrics(t, style, size)
    lines, rest = _break_lines(t, metric, width, max_lines)
    starts = [ln.start for ln in lines]
    if rest is None:
        starts.pop()  # the whole text fitted the width: only fewer lines can lower the height
    elif len(lines) < max_lines:
        starts.append(rest)  # stuck on a word that cannot be cut legally: end before it
    for count in range(len(starts), 0, -1):
        start = starts[count - 1]
        got = _ellipsis_line(t, metric, start, width)
        if got is None:
            continue
        kept = [*lines[:count - 1], _Line(start, got[0], got[1])]
        top, bottom = _extent(kept, metric.leading)
        if bottom - top <= height:
            return kept
    return None


# ---------------------------------------------------------------------------------------------
# The public API.

def fit_text(text: str, style: TextStyle, max_width: float, max_height: float, *,
             max_size: int, min_size: int, max_lines: int,
             overflow: str = "ellipsis") -> TextBlock | None:
    """Lay ``text`` out at the largest size in [min_size, max_size] that wraps into at most
    ``max_lines`` lines within max_width x max_height (ink, not advances). Words are cut
    only when no size in range fits them whole.

    When even ``min_size`` does not fit, ``overflow="ellipsis"`` keeps as many lines as fit at
    ``min_size`` and ends the last with "…"; ``"shrink-only"`` gives None. None too for blank
    text, or a box too small for one character and "…" at ``min_size``.
    """
    if overflow not in _OVERFLOWS:
        raise ValueError(f"overflow {overflow!r} is not one of {', '.join(_OVERFLOWS)}")
    if not 1 <= min_size <= max_size:
        raise ValueError(f"sizes must satisfy 1 <= min_size ({min_size}) <= max_size ({max_size})")
    if max_lines < 1:
        raise ValueError(f"max_lines {max_lines} must be at least 1")
    t = _prepare(text, style)
    if t is None or max_width <= 0 or max_height <= 0:
        return None
    # A smaller size that keeps every word whole beats a larger one that cuts a word; cutting
    # is searched only when it is what lets the text fit at all.
    found = _largest_fit(t, style, max_width, max_height, max_lines, min_size, max_size, False)
    if found is None and _fits(t, _Metrics(t, style, min_size), min_size, max_width,
                               max_height, max_lines, True) is not None:
        found = _largest_fit(t, style, max_width, max_height, max_lines, min_size, max_size,
                             True)
    if found is not None:
        return _block(t, style, found[0], found[1], truncated=False)
    if overflow == "shrink-only":
        return None
    lines = _truncate(t, style, min_size, max_width, max_height, max_lines)
    return None if lines is None else _block(t, style, min_size, lines, truncated=True)


def _block(t: _Text, style: TextStyle, size: int, lines: list[_Line], *,
           truncated: bool) -> TextBlock:
    metric = _Metrics(t, style, size)
    top, bottom = _extent(lines, metric.leading)
    out = []
    for n, ln in enumerate(lines):
        chars = [(t.text[i], t.fams[i]) for i in range(ln.start, ln.end)]
        if truncated and n == len(lines) - 1:
            chars.append((ELLIPSIS, t.ellipsis_family))
        out.append(_text_line(chars, metric, style.weight, n * metric.leading - top))
    shown = t.text[:lines[-1].end] + ELLIPSIS if truncated else t.text
    return TextBlock(text=shown, size=size, lines=out, width=max(ln.width for ln in out),
                     height=bottom - top, truncated=truncated, dropped=t.dropped,
                     fallback=t.fallback)


def _text_line(chars: list[tuple[str, str]], metric: _Metrics, weight: int,
               baseline: float) -> TextLine:
    runs: list[TextRun] = []
    box, pen = _EMPTY, 0.0
    for ch, key in chars:
        m = metric.char(ch, key)
        if runs and runs[-1].family == key and not metric.track:
            runs[-1].text += ch
        else:  # tracked text is drawn a character at a time: Pillow has no letter spacing
            runs.append(TextRun(ch, key, weight, pen))
        box = _grow(box, pen, m)
        pen += m[0] + metric.track
    for run in runs:
        run.x -= box[0]
    return TextLine(runs=runs, text="".join(ch for ch, _ in chars), width=box[2] - box[0],
                    baseline=baseline)


def measure_ink(text: str, style: TextStyle, size: int) -> Box:
    """Ink box of ``text`` set on one line at ``size``, relative to the pen origin on the
    baseline, measured as fit_text measures lines (line breaks are read as spaces)."""
    t = _prepare(text.replace("\n", " "), style)
    if t is None:
        return _EMPTY
    metric = _Metrics(t, style, size)
    return _span_box(metric, 0, len(t.text))


def place_runs(block: TextBlock, style: TextStyle, box: Box) -> list[PlacedRun]:
    """Where draw_text puts each run: lines aligned per ``style.align`` inside ``box``
    (left, top, right, bottom), the block's ink top at the box's top."""
    left, top, right, bottom = box
    y = _snap(top, top, bottom, block.height)
    placed = []
    for line in block.lines:
        free = right - left - line.width
        x = left + {"left": 0.0, "center": free / 2, "right": free}[style.align]
        x = _snap(x, left, right, line.width)
        for run in line.runs:
            face = fonts.get_font(run.family, run.weight, block.size)
            placed.append(PlacedRun(run, face, x + run.x, y + line.baseline))
    return placed


def _snap(value: float, low: float, high: float, extent: float) -> float:
    """Whole pixels (crisp glyphs) where the box has room for them, else the exact position."""
    first, last = math.ceil(low), math.floor(high) - extent
    return float(min(max(round(value), first), last)) if first <= last else value


def draw_text(image: Image.Image, block: TextBlock, style: TextStyle, box: Box,
              color: tuple[int, int, int] | tuple[int, int, int, int]) -> list[Box]:
    """Draw ``block`` inside ``box`` on an RGB, RGBA or L image, blending ``color``'s alpha.
    Returns the ink box of every run, in image coordinates."""
    if image.mode not in ("RGB", "RGBA", "L"):
        raise ValueError(f"draw_text draws on RGB, RGBA or L images, not {image.mode}")
    placed = place_runs(block, style, box)
    inks = [p.ink() for p in placed]
    if not inks:
        return []
    x0 = max(0, math.floor(min(b[0] for b in inks)))
    y0 = max(0, math.floor(min(b[1] for b in inks)))
    x1 = min(image.width, math.ceil(max(b[2] for b in inks)))
    y1 = min(image.height, math.ceil(max(b[3] for b in inks)))
    if x0 >= x1 or y0 >= y1:
        return inks
    # Coverage first, colour after: drawing straight onto RGBA would write the colour's alpha
    # instead of blending it, and the mask keeps each run's sub-pixel offset.
    mask = Image.new("L", (x1 - x0, y1 - y0), 0)
    pen = ImageDraw.Draw(mask)
    for p in placed:
        if p.run.text.strip():
            pen.text((p.x - x0, p.y - y0), p.run.text, fill=255, font=p.face.font,
                     anchor="ls", stroke_width=p.face.stroke)
    _paint(image, mask, (x0, y0), color)
    return inks


def _paint(image: Image.Image, mask: Image.Image, origin: tuple[int, int],
           color: tuple[int, ...]) -> None:
    red, green, blue = color[:3]
    alpha = color[3] if len(color) == 4 else 255
    if alpha < 255:
        mask = mask.point(lambda v: v * alpha // 255)
    if image.mode == "RGBA":
        layer = Image.new("RGBA", mask.size, (red, green, blue, 0))
        layer.putalpha(mask)
        image.alpha_composite(layer, origin)
        return
    fill: int | tuple[int, int, int] = (red, green, blue) if image.mode == "RGB" else round(
        0.299 * red + 0.587 * green + 0.114 * blue)
    image.paste(fill, (*origin, origin[0] + mask.width, origin[1] + mask.height), mask)


def style_to_dict(style: TextStyle) -> dict[str, Any]:
    """JSON-ready; ``TextStyle(**d)`` reads it back."""
    return asdict(style)


def block_to_dict(block: TextBlock) -> dict[str, Any]:
    """JSON-ready, for the block to travel between pipeline stages."""
    return asdict(block)


def block_from_dict(data: dict[str, Any]) -> TextBlock:
    lines = [TextLine(runs=[TextRun(**run) for run in line["runs"]], text=line["text"],
                      width=line["width"], baseline=line["baseline"])
             for line in data["lines"]]
    return TextBlock(**{**data, "lines": lines})
