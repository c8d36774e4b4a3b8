"""TEDS, tree-edit-distance similarity between two HTML tables (Zhong et al., 2020).

The PubTabNet metric, written here from the paper's definition (no dependency): a table is a
tree of table, tr and td nodes; inserting or deleting a node costs 1, renaming costs 1
between different tags or spans, and between two cells the normalised edit distance of
their texts. TEDS = 1 - distance / the larger tree's node count. thead/tbody and formatting
tags (b, i, sup, sub, span...) are dropped on both sides, as in the published comparisons.
The tree edit distance is Zhang and Shasha's algorithm, exact like APTED, which PubTabNet uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class _Node:
    tag: str
    rowspan: int = 1
    colspan: int = 1
    text: str = ""
    children: list[_Node] = field(default_factory=list)


class _TableParser(HTMLParser):
    """The first <table>: its rows and cells (th counts as td), texts inside cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: _Node | None = None
        self.cell: _Node | None = None
        self.depth = 0  # nested tables are read as text of the cell that holds them
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "table":
            self.depth += 1
            if self.root is None:
                self.root = _Node("table")
        elif self.depth == 1 and tag == "tr":
            self.root.children.append(_Node("tr"))
            self.cell = None
        elif self.depth == 1 and tag in ("td", "th"):
            if not self.root.children:
                self.root.children.append(_Node("tr"))
            spans = {k: v for k, v in attrs if k in ("rowspan", "colspan")}
            self.cell = _Node("td", _span(spans.get("rowspan")), _span(spans.get("colspan")))
            self.root.children[-1].children.append(self.cell)

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
            self.done = self.depth == 0
        elif tag in ("td", "th") and self.depth == 1:
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None and not self.done:
            self.cell.text += data


def _span(value: str | None) -> int:
    try:
        return max(1, int(str(value).strip().strip('"')))
    except ValueError:
        return 1


def parse(html: str) -> _Node:
    parser = _TableParser()
    parser.feed(html)
    parser.close()
    root = parser.root or _Node("table")
    for row in root.children:
        for cell in row.children:
            cell.text = " ".join(cell.text.split())
    return root


def teds(predicted: str, truth: str, *, structure_only: bool = False) -> float:
    """Similarity in [0, 1] of two HTML tables (1: the same structure and texts)."""
    a, b = _postorder(parse(predicted)), _postorder(parse(truth))
    return 1 - _distance(a, b, structure_only) / max(len(a[0]), len(b[0]))


def _postorder(root: _Node) -> tuple[list[_Node], list[int]]:
    """Nodes in post-order and, for each, the index of its leftmost leaf."""
    nodes: list[_Node] = []
    leftmost: list[int] = []

    def walk(node: _Node) -> int:
        first = None
        for child in node.children:
            leaf = walk(child)
            first = leaf if first is None else first
        nodes.append(node)
        leftmost.append(len(nodes) - 1 if first is None else first)
        return leftmost[-1]

    walk(root)
    return nodes, leftmost


def _keyroots(leftmost: list[int]) -> list[int]:
    """For each leftmost leaf, the highest node that has it (its last in post-order)."""
    last: dict[int, int] = {}
    for index, leaf in enumerate(leftmost):
        last[leaf] = index
    return sorted(last.values())


def _distance(a: tuple[list[_Node], list[int]], b: tuple[list[_Node], list[int]],
              structure_only: bool) -> float:
    (an, al), (bn, bl) = a, b
    tree = [[0.0] * len(bn) for _ in an]
    renames: dict[tuple[int, int], float] = {}

    def rename(i: int, j: int) -> float:
        key = (i, j)
        if key not in renames:
            renames[key] = _rename(an[i], bn[j], structure_only)
        return renames[key]

    for i in _keyroots(al):
        for j in _keyroots(bl):
            li, lj = al[i], bl[j]
            rows, cols = i - li + 2, j - lj + 2
            forest = [[0.0] * cols for _ in range(rows)]
            for x in range(1, rows):
                forest[x][0] = x
            for y in range(1, cols):
                forest[0][y] = y
            for x in range(1, rows):
                ai = li + x - 1
                for y in range(1, cols):
                    bj = lj + y - 1
                    if al[ai] == li and bl[bj] == lj:
                        forest[x][y] = min(forest[x - 1][y] + 1, forest[x][y - 1] + 1,
                                           forest[x - 1][y - 1] + rename(ai, bj))
                        tree[ai][bj] = forest[x][y]
                    else:
                        forest[x][y] = min(forest[x - 1][y] + 1, forest[x][y - 1] + 1,
                                           forest[al[ai] - li][bl[bj] - lj] + tree[ai][bj])
    return tree[-1][-1]


def _rename(a: _Node, b: _Node, structure_only: bool) -> float:
    if a.tag != b.tag or a.rowspan != b.rowspan or a.colspan != b.colspan:
        return 1.0
    if a.tag != "td" or structure_only or a.text == b.text:
        return 0.0
    return levenshtein(a.text, b.text) / max(len(a.text), len(b.text))


def levenshtein(a: str, b: str) -> int:
    """Edit distance by Hyyrö's bit-parallel algorithm (one integer operation per character
    of the longer string): the metric compares every cell with every other."""
    if a == b:
        return 0
    if len(a) > len(b):
        a, b = b, a
    if not a:
        return len(b)
    m = len(a)
    mask, high = (1 << m) - 1, 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, ch in enumerate(a):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    pv, mv, score = mask, 0, m
    for ch in b:
        eq = peq.get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | ~(xh | pv)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) | 1
        mh <<= 1
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv & mask
    return score
