"""Cells of a ruled table, from its lines alone (morphology, no model).

Detail pages draw parameter tables and size charts with ruling lines on flat colour, which
makes the grid itself the best evidence of a table: a cell is a region the lines enclose, and
rows and columns are where the cells start. A picture, a paragraph or a grid-less table
yields no grid (None), so the same code is the gate that keeps a table model from inventing
tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Box = tuple[int, int, int, int]

MAX_THICKNESS = 6  # px: a ruling line's average thickness at most
LINE_CONTRAST = 28  # grey levels a line differs from what is around it (either way)
MIN_TABLE_SHARE = 0.15  # of the image's area the grid must span
MIN_FLAT_CELLS = 0.7  # share of cells that must be flat colour (text on a plain ground)


@dataclass(frozen=True)
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    box: Box  # the cell's inside, between its lines


def grid_cells(rgb: np.ndarray) -> list[GridCell] | None:
    """The cells of the ruled table that fills most of ``rgb``, or None when there is none
    (fewer than 2 rows or 2 columns of enclosed cells, or cells that are not flat colour)."""
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[..., :3]), cv2.COLOR_RGB2GRAY) \
        if rgb.ndim == 3 else np.ascontiguousarray(rgb)
    height, width = grey.shape
    if min(height, width) < 16:
        return None
    lines = _lines(grey)
    if lines is None:
        return None
    x0, y0, x1, y1 = lines[1]
    if (x1 - x0) * (y1 - y0) < MIN_TABLE_SHARE * height * width:
        return None
    boxes = _enclosed(lines[0], lines[1])
    if len(boxes) < 4:
        return None
    cells = _index(boxes, tolerance=max(3, min(height, width) // 100))
    rows = max(c.row + c.rowspan for c in cells)
    cols = max(c.col + c.colspan for c in cells)
    if rows < 2 or cols < 2:
        return None
    flat = [_flat(grey, c.box) for c in cells]
    if sum(flat) < MIN_FLAT_CELLS * len(cells):
        return None
    if _rows_unruled(grey, cells):
        return None
    return cells


def _lines(grey: np.ndarray) -> tuple[np.ndarray, Box] | None:
    """The mask of the table's ruling lines (the largest connected set of long horizontal
    and vertical strokes that cross each other) and its bounding box."""
    height, width = grey.shape
    # A line is thin: closing (or opening) across it removes it, whatever its colour. Where
    # lines cross, each hides the other (it is not thin there): the other's pixels fill in.
    h_thin, v_thin = _thin(grey, (7, 1)), _thin(grey, (1, 7))
    h_len, v_len = max(20, width // 30), max(16, height // 40)
    h_open, v_open = np.ones((1, h_len), np.uint8), np.ones((v_len, 1), np.uint8)
    horizontal = cv2.morphologyEx(h_thin, cv2.MORPH_OPEN, h_open)
    vertical = cv2.morphologyEx(v_thin, cv2.MORPH_OPEN, v_open)
    horizontal, vertical = (cv2.morphologyEx(h_thin | vertical, cv2.MORPH_OPEN, h_open),
                            cv2.morphologyEx(v_thin | horizontal, cv2.MORPH_OPEN, v_open))
    horizontal = _thin_runs(horizontal, axis=1, length=h_len)
    vertical = _thin_runs(vertical, axis=0, length=v_len)
    if not horizontal.any() or not vertical.any():
        return None
    # A ruling line runs from a line of the other direction to another; a stroke of text or a
    # texture does not. Tables open at the sides extend their long lines past the last
    # column: a horizontal line half as long as the longest is kept if it meets any line.
    vertical = _between(vertical, cv2.dilate(horizontal, np.ones((7, 7), np.uint8)), axis=0)
    near_vertical = cv2.dilate(vertical, np.ones((7, 7), np.uint8))
    horizontal = (_between(horizontal, near_vertical, axis=1)
                  | (_long(horizontal) & _touching(horizontal, near_vertical)))
    if _positions(vertical, axis=0) < 2 or _positions(horizontal, axis=1) < 2:
        return None
    grid = cv2.dilate(horizontal | vertical, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(grid, connectivity=8)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h = stats[biggest, :4]
    return (labels == biggest).astype(np.uint8), (int(x), int(y), int(x + w), int(y + h))


def _thin(grey: np.ndarray, kernel: tuple[int, int]) -> np.ndarray:
    shape = np.ones(kernel, np.uint8)
    dark = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, shape)
    light = cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, shape)
    return (np.maximum(dark, light) >= LINE_CONTRAST).astype(np.uint8)


def _thin_runs(mask: np.ndarray, axis: int, length: int) -> np.ndarray:
    """Components of ``mask`` that are lines along ``axis`` (1: horizontal): at least
    ``length`` long and on average at most MAX_THICKNESS thick (a texture is a blob)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(count, bool)
    for i in range(1, count):
        along = stats[i, cv2.CC_STAT_WIDTH if axis == 1 else cv2.CC_STAT_HEIGHT]
        keep[i] = along >= length and stats[i, cv2.CC_STAT_AREA] <= MAX_THICKNESS * along
    return keep[labels].astype(np.uint8)


def _between(mask: np.ndarray, other: np.ndarray, axis: int) -> np.ndarray:
    """Components of ``mask`` (lines along ``axis``) whose two ends lie on ``other``."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    keep = np.zeros(count, bool)
    for i in range(1, count):
        x, y, w, h = stats[i, :4]
        own = labels[y:y + h, x:x + w] == i
        hit = own & (other[y:y + h, x:x + w] > 0)
        if axis == 1:
            hit = hit.T
        keep[i] = bool(hit[:3].any() and hit[-3:].any())
    return keep[labels].astype(np.uint8)


def _long(horizontal: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(horizontal, connectivity=8)
    if count < 2:
        return horizontal
    widths = stats[:, cv2.CC_STAT_WIDTH]
    keep = widths >= 0.5 * widths[1:].max()
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _positions(mask: np.ndarray, axis: int) -> int:
    """How many distinct lines (by position across them) the components of ``mask`` make."""
    count, _, _, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    across = sorted(centroids[1:, 0 if axis == 0 else 1])
    return len(_cluster([round(v) for v in across], tolerance=4)) if count > 1 else 0


def _touching(mask: np.ndarray, other: np.ndarray) -> np.ndarray:
    count, labels = cv2.connectedComponents(mask, connectivity=8)
    if count < 2:
        return mask
    hits = np.unique(labels[(mask > 0) & (other > 0)])
    return np.isin(labels, hits[hits > 0]).astype(np.uint8)


def _enclosed(grid: np.ndarray, frame: Box) -> list[Box]:
    """Boxes of the regions the lines enclose inside the grid's bounding box."""
    x0, y0, x1, y1 = frame
    inside = (grid[y0:y1, x0:x1] == 0).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(inside, connectivity=4)
    min_side = max(6, min(x1 - x0, y1 - y0) // 60)
    boxes = [(int(x0 + x), int(y0 + y), int(x0 + x + w), int(y0 + y + h))
             for x, y, w, h, area in stats[1:]
             if w >= min_side and h >= min_side and area >= 0.5 * w * h]
    if not boxes:
        return boxes
    # A sliver along the top or bottom of the frame lies between a line and something that
    # touches it from outside (a caption's strokes), not between two lines.
    usual = float(np.median([b[3] - b[1] for b in boxes]))
    return [b for b in boxes
            if b[3] - b[1] >= 0.5 * usual or (b[1] > y0 + 1 and b[3] < y1 - 1)]


def _index(boxes: list[Box], tolerance: int) -> list[GridCell]:
    """Rows and columns: a row starts wherever a cell's top is; a cell spans the row starts
    its height covers (likewise for columns)."""
    tops = _cluster(sorted(b[1] for b in boxes), tolerance)
    lefts = _cluster(sorted(b[0] for b in boxes), tolerance)
    cells = []
    for box in boxes:
        row = _nearest(tops, box[1])
        col = _nearest(lefts, box[0])
        rowspan = max(1, sum(1 for t in tops if box[1] - tolerance <= t < box[3] - tolerance))
        colspan = max(1, sum(1 for s in lefts if box[0] - tolerance <= s < box[2] - tolerance))
        cells.append(GridCell(row, col, rowspan, colspan, box))
    return sorted(cells, key=lambda c: (c.row, c.col))


def _cluster(values: list[int], tolerance: int) -> list[int]:
    groups: list[list[int]] = []
    for v in values:
        if groups and v - groups[-1][-1] <= tolerance:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [int(np.median(g)) for g in groups]


def _nearest(starts: list[int], value: int) -> int:
    return int(np.argmin([abs(s - value) for s in starts]))


def _rows_unruled(grey: np.ndarray, cells: list[GridCell]) -> bool:
    """Whether some grid row holds several rows of the table: three or more of its cells, and
    most of them, carry three or more lines of text each, level with one another (a table
    ruled around its column blocks but not between its rows: its cells are not the table's;
    a label over a value in a few cells of a row is not that)."""
    bands = {c: _bands(grey, c.box) for c in cells}
    for row in {c.row for c in cells}:
        in_row = [c for c in cells if c.row == row]
        stacked = [bands[c] for c in in_row if len(bands[c]) >= 3]
        if len(stacked) < max(3, 0.75 * len(in_row)):
            continue
        reference = max(stacked, key=len)
        tolerance = max(3, int(np.median([b - a for a, b in reference])) // 2)
        level = sum(1 for other in stacked
                    if np.mean([any(abs((a + b) / 2 - (c + d) / 2) <= tolerance
                                    for c, d in reference) for a, b in other]) >= 0.8)
        if level >= 3:
            return True
    return False


def _bands(grey: np.ndarray, box: Box) -> list[tuple[int, int]]:
    """Rows (absolute y0, y1) of a cell that hold ink: its lines of text (columns inked all
    the way down are lines too faint or broken to have been found: they are left out)."""
    x0, y0, x1, y1 = box
    part = grey[y0:y1, x0:x1].astype(np.int16)
    ink = np.abs(part - int(np.median(part))) > 40
    ink = ink[:, ink.mean(axis=0) < 0.8]
    inked = (ink.sum(axis=1) >= 2).astype(np.int8)
    edges = np.flatnonzero(np.diff(np.concatenate(([0], inked, [0]))))
    return [(y0 + int(a), y0 + int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _flat(grey: np.ndarray, box: Box) -> bool:
    """Most of a cell is one colour: the ground its text is printed on (a photo is not)."""
    x0, y0, x1, y1 = box
    part = grey[y0:y1, x0:x1]
    return bool(np.mean(np.abs(part.astype(np.int16) - int(np.median(part))) <= 16) >= 0.6)
