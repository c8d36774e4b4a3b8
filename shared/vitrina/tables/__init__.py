"""Tables read from images: cells (row, column, spans, box, text) and an HTML rendering.

A crop the caller believes is a table goes through a gate first, because a table model
invents tables where there are none. A ruled grid (found by morphology, vitrina.tables.ruled)
is both the proof and the structure; without one, SLANet-plus reads the structure only when
the caller says its layout model found a table there. Cell text comes from RapidOCR
(vitrina.ocr), each line given to the cell it falls in.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from vitrina import ocr
from vitrina.errors import InputError
from vitrina.tables import ruled, slanet
from vitrina.tables.teds import teds

__all__ = ["Cell", "Table", "gate", "recognise", "teds"]

Box = tuple[int, int, int, int]
Source = Literal["ruled", "model"]
MIN_TEXT_SCORE = 0.5  # lower than vitrina.ocr's: a cell's context makes a short reading likely


@dataclass(frozen=True)
class Cell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box  # in the pixels of the image given to recognise()
    text: str = ""


@dataclass(frozen=True)
class Table:
    cells: tuple[Cell, ...]  # row by row, left to right
    rows: int
    cols: int
    source: Source  # "ruled": the grid's lines; "model": SLANet-plus

    def html(self) -> str:
        """``<table>`` with one ``<tr>`` per row and spans as attributes (no thead/tbody)."""
        out = ["<table>"]
        for r in range(self.rows):
            out.append("<tr>")
            for cell in (c for c in self.cells if c.row == r):
                spans = "".join(f' {name}="{n}"' for name, n in
                                (("rowspan", cell.rowspan), ("colspan", cell.colspan)) if n > 1)
                out.append(f"<td{spans}>{html.escape(cell.text)}</td>")
            out.append("</tr>")
        out.append("</table>")
        return "".join(out)

    def grid(self) -> list[list[str]]:
        """Text by row and column; a spanned cell's text in its top-left slot only."""
        rows = [["" for _ in range(self.cols)] for _ in range(self.rows)]
        for cell in self.cells:
            rows[cell.row][cell.col] = cell.text
        return rows


def gate(rgb: np.ndarray, *, layout_table: bool = False) -> Source | None:
    """How a crop's structure can be read: "ruled" when it holds a grid of ruling lines,
    "model" when it has none but the caller's layout found a table, None otherwise."""
    if ruled.grid_cells(rgb) is not None:
        return "ruled"
    return "model" if layout_table else None


def recognise(rgb: np.ndarray, *, layout_table: bool = False,
              read: bool = True) -> Table | None:
    """The table in ``rgb`` (a crop of one table), or None when the gate says there is none.

    ``layout_table``: the layout model (vitrina.layout) called this crop a table, which lets
    SLANet-plus read a table without a full grid. ``read=False`` skips OCR (structure only).
    """
    if rgb.ndim not in (2, 3) or (rgb.ndim == 3 and rgb.shape[2] not in (3, 4)) \
            or not rgb.shape[0] or not rgb.shape[1]:
        raise InputError(f"a table needs a non-empty RGB, RGBA or grey image, not {rgb.shape}")
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[..., None], 3, axis=2)
    found = ruled.grid_cells(rgb)
    source: Source = "ruled"
    if found is None:
        if not layout_table:
            return None
        found = slanet.cells(rgb)
        source = "model"
    cells = [Cell(c.row, c.col, c.rowspan, c.colspan, c.box) for c in found]
    if not cells:
        return None
    rows = max(c.row + c.rowspan for c in cells)
    cols = max(c.col + c.colspan for c in cells)
    if rows < 2 and cols < 2:
        return None
    if read:
        cells = _fill(rgb, cells, source)
    return Table(tuple(sorted(cells, key=lambda c: (c.row, c.col))), rows, cols, source)


def _fill(rgb: np.ndarray, cells: list[Cell], source: Source) -> list[Cell]:
    """Give each OCR line to a cell: the one that holds its centre for a ruled grid (the lines
    bound the cells exactly); for the model's approximate boxes, the best overlap, then the
    nearest, as rapid-table matches them."""
    texts: list[list[ocr.TextLine]] = [[] for _ in cells]
    boxes = np.array([c.box for c in cells], np.float64)
    for line in _lines(rgb):
        if source == "ruled":
            cx, cy = (line.box[0] + line.box[2]) / 2, (line.box[1] + line.box[3]) / 2
            hits = np.flatnonzero((boxes[:, 0] <= cx) & (cx < boxes[:, 2])
                                  & (boxes[:, 1] <= cy) & (cy < boxes[:, 3]))
            if len(hits):
                texts[hits[0]].append(line)
        else:
            if line.box[3] < boxes[:, 1].min():  # above every cell: a caption
                continue
            texts[_best_match(np.array(line.box, np.float64), boxes)].append(line)
    return [replace(cell, text=_join(lines)) if lines else cell
            for cell, lines in zip(cells, texts, strict=True)]


def _best_match(box: np.ndarray, cells: np.ndarray) -> int:
    lt = np.maximum(box[:2], cells[:, :2])
    rb = np.minimum(box[2:], cells[:, 2:])
    inter = np.prod(np.clip(rb - lt, 0, None), axis=1)
    areas = np.prod(cells[:, 2:] - cells[:, :2], axis=1)
    iou = inter / (np.prod(box[2:] - box[:2]) + areas - inter + 1e-9)
    corners = np.abs(cells - box)
    distance = corners.sum(axis=1) + np.minimum(corners[:, :2].sum(axis=1),
                                                corners[:, 2:].sum(axis=1))
    return int(np.lexsort((distance, 1 - iou))[0])


def _join(lines: list[ocr.TextLine]) -> str:
    """Lines of one cell in reading order: top to bottom, left to right within a line."""
    lines = sorted(lines, key=lambda t: t.box[1])
    rows: list[list[ocr.TextLine]] = []
    for line in lines:
        if rows and line.box[1] < (rows[-1][0].box[1] + rows[-1][0].box[3]) / 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return " ".join(t.text for row in rows for t in sorted(row, key=lambda t: t.box[0]))


def _lines(rgb: np.ndarray) -> list[ocr.TextLine]:
    """Every OCR line of the crop, one character long too.

    ``vitrina.ocr.read_text`` drops lines under two characters and under 0.8 confidence:
    right for captions on photos, wrong for tables, whose cells are often one character
    (S, M, L, 是, 1). Until it takes those limits as arguments, this reads through its
    engine and lock, with the same box conventions.

    A long crop is padded to at most 2:1 first: the detector scales an image's shorter side
    up to 736 px, which makes a 60x260 table 2000 px wide (~2x slower to detect, measured);
    padding to a square shrank 22 px text until a cell misread.
    """
    height, width = rgb.shape[:2]
    padded = np.empty((max(height, -(-width // 2)), max(width, -(-height // 2)), 3), np.uint8)
    padded[:] = np.median(rgb[-1, :, :3], axis=0).astype(np.uint8)
    padded[:height, :width] = rgb[..., :3]
    with ocr._lock:
        result = ocr._engine()(np.ascontiguousarray(padded[..., ::-1]))
    lines = []
    for text, score, points in zip(result.txts or (), result.scores or (),
                                   result.boxes if result.boxes is not None else (),
                                   strict=False):
        text = " ".join(str(text).split())
        if score >= MIN_TEXT_SCORE and text:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            lines.append(ocr.TextLine(text, round(float(score), 3),
                                      (int(min(xs)), int(min(ys)), int(max(xs)), int(max(ys)))))
    return lines
