"""vitrina.tables on tables the tests draw: the gate, ruled cells and their text, SLANet-plus,
HTML, and the TEDS metric."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from tests.unit.page_synth import INK, PAPER, SPECS, photo, ruled_table, text_page
from vitrina import fonts, tables
from vitrina.errors import InputError
from vitrina.tables.teds import levenshtein

FIXTURES = (Path(__file__).resolve().parents[3] / "shared" / "data" / "detail_pages" / "tables"
            / "tablestructurerec_fixtures")
SIZES = (("尺码", "胸围", "衣长", "肩宽"), ("M码", "96厘米", "68厘米", "44厘米"),
         ("L码", "100厘米", "70厘米", "46厘米"))


def drawn_table(texts: tuple[tuple[str, ...], ...] = SIZES) -> np.ndarray:
    img = Image.new("RGB", (640, 60 + 52 * len(texts)), PAPER)
    ruled_table(ImageDraw.Draw(img), 10, 10, texts)
    return np.asarray(img)


def unruled_table(texts: tuple[tuple[str, ...], ...] = SIZES) -> np.ndarray:
    img = Image.new("RGB", (640, 40 + 52 * len(texts)), PAPER)
    draw = ImageDraw.Draw(img)
    font = fonts.get_font("noto-sans-sc", 400, 22).font
    for r, row in enumerate(texts):
        for c, text in enumerate(row):
            draw.text((20 + c * 150, 20 + r * 52), text, font=font, fill=INK)
    return np.asarray(img)


def spanned_table() -> np.ndarray:
    """A 3x3 grid whose first column's lower two cells are one (rowspan 2)."""
    img = Image.new("RGB", (500, 200), PAPER)
    draw = ImageDraw.Draw(img)
    x, y, w, h = 10, 10, 150, 56
    for r in range(4):
        start = x + w if r == 2 else x
        draw.line([(start, y + r * h), (x + 3 * w, y + r * h)], fill=(70, 70, 70), width=2)
    for c in range(4):
        draw.line([(x + c * w, y), (x + c * w, y + 3 * h)], fill=(70, 70, 70), width=2)
    font = fonts.get_font("noto-sans-sc", 400, 22).font
    for (r, c), text in {(0, 0): "颜色", (0, 1): "尺码", (0, 2): "库存", (1, 0): "黑色",
                         (1, 1): "M码", (1, 2): "12件", (2, 1): "L码", (2, 2): "8件"}.items():
        draw.text((x + c * w + 16, y + r * h + 14 + (28 if (r, c) == (1, 0) else 0)), text,
                  font=font, fill=INK)
    return np.asarray(img)


def test_the_gate() -> None:
    paragraphs, _ = text_page()
    for seed in range(3):
        assert tables.gate(photo(420, 700, seed=seed)) is None
    assert tables.gate(paragraphs) is None
    assert tables.gate(drawn_table()) == "ruled"
    assert tables.gate(drawn_table(SPECS)) == "ruled"
    assert tables.gate(unruled_table()) is None
    # The layout's word lets the model read a table without lines, and only then.
    assert tables.gate(unruled_table(), layout_table=True) == "model"
    assert tables.recognise(photo(420, 700)) is None
    assert tables.recognise(paragraphs) is None
    assert tables.recognise(unruled_table()) is None


def test_a_ruled_3x4_table_gives_its_12_cells_and_texts() -> None:
    table = tables.recognise(drawn_table())
    assert table is not None and table.source == "ruled"
    assert (table.rows, table.cols, len(table.cells)) == (3, 4, 12)
    assert table.grid() == [list(row) for row in SIZES]
    assert all(c.rowspan == c.colspan == 1 for c in table.cells)
    x0, y0, x1, y1 = table.cells[5].box  # row 1, column 1: inside its lines
    assert 160 <= x0 < x1 <= 310 and 62 <= y0 < y1 <= 114
    assert table.html().startswith("<table><tr><td>尺码</td><td>胸围</td>")
    assert table.html().count("<tr>") == 3 and table.html().count("<td>") == 12
    structure = tables.recognise(drawn_table(), read=False)
    assert [c.text for c in structure.cells] == [""] * 12


def test_spans() -> None:
    table = tables.recognise(spanned_table())
    assert table is not None and (table.rows, table.cols, len(table.cells)) == (3, 3, 8)
    spanned = next(c for c in table.cells if c.rowspan > 1)
    assert (spanned.row, spanned.col, spanned.rowspan, spanned.text) == (1, 0, 2, "黑色")
    assert '<td rowspan="2">黑色</td>' in table.html()
    assert table.html().count("<tr>") == 3


def test_a_table_without_lines_through_the_model() -> None:
    table = tables.recognise(unruled_table(), layout_table=True)
    assert table is not None and table.source == "model"
    assert (table.rows, table.cols) == (3, 4)
    assert table.grid() == [list(row) for row in SIZES]


def test_grey_and_bad_inputs() -> None:
    grey = drawn_table().mean(axis=2).astype(np.uint8)
    assert tables.recognise(grey, read=False).rows == 3
    for bad in (np.zeros((0, 10, 3), np.uint8), np.zeros((10, 10, 2), np.uint8)):
        with pytest.raises(InputError):
            tables.recognise(bad)


def test_html_escapes_text() -> None:
    cell = tables.Cell(0, 0, 1, 2, (0, 0, 10, 10), "<b>&")
    table = tables.Table((cell,), 1, 2, "ruled")
    assert table.html() == '<table><tr><td colspan="2">&lt;b&gt;&amp;</td></tr></table>'


def test_teds() -> None:
    two = "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>"
    assert tables.teds(two, two) == 1.0
    # thead/tbody and formatting are not structure.
    dressed = ("<html><body><table><thead><tr><td><b>a</b></td><td>b</td></tr></thead><tbody>"
               "<tr><td>c</td><td><i>d</i></td></tr></tbody></table></body></html>")
    assert tables.teds(dressed, two) == 1.0
    # A missing row: 3 of 7 nodes deleted.
    one_row = "<table><tr><td>a</td><td>b</td></tr></table>"
    assert tables.teds(one_row, two) == pytest.approx(1 - 3 / 7)
    # One wrong text: its normalised edit distance over 7 nodes; structure alone is right.
    typo = two.replace(">d<", ">x<")
    assert tables.teds(typo, two) == pytest.approx(1 - 1 / 7)
    assert tables.teds(typo, two, structure_only=True) == 1.0
    # A span is structure: a cell that spans two columns is not the same node.
    spanned = '<table><tr><td colspan="2">a</td></tr><tr><td>c</td><td>d</td></tr></table>'
    assert tables.teds(spanned, two, structure_only=True) == pytest.approx(1 - 2 / 7)
    assert tables.teds("<table></table>", two) == pytest.approx(1 / 7)


def _edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        new = [i]
        for j, cb in enumerate(b, 1):
            new.append(min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (ca != cb)))
        row = new
    return row[-1]


@given(st.text(alphabet="ab尺码1 ", max_size=80), st.text(alphabet="ab尺码1 ", max_size=80))
def test_levenshtein_matches_the_textbook_algorithm(a: str, b: str) -> None:
    assert levenshtein(a, b) == _edit_distance(a, b)


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="evaluation data ../shared/data is absent "
                    "(TableStructureRec fixtures; never copied into the repository)")
def test_tablestructurerec_fixtures() -> None:
    def load(name: str) -> np.ndarray:
        with Image.open(FIXTURES / name) as image:
            return np.asarray(image.convert("RGB"))

    table = tables.recognise(load("wired/row_span.png"), read=False)
    assert table is not None and table.source == "ruled" and len(table.cells) == 17
    assert tables.gate(load("wired/no_table.jpg")) is None
    assert tables.gate(load("table.jpg")) is None  # three rules and one line: not a grid


@pytest.mark.netns
def test_layout_and_tables_need_no_network() -> None:
    """In a namespace with only lo (make test runs netns tests so): the models come from the
    installed wheels, nothing is fetched."""
    from tests.conftest import in_network_namespace
    from tests.unit.page_synth import table_page
    from vitrina import layout

    assert in_network_namespace()
    assert "table" in [r.kind for r in layout.detect(table_page()[0])]
    assert tables.recognise(drawn_table()).grid() == [list(row) for row in SIZES]
    assert tables.recognise(unruled_table(), layout_table=True).source == "model"
