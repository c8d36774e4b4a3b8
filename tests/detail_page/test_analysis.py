"""Long detail pages cut into modules, read at full resolution and classified: on a page
composed from the repository's samples, whose blocks and texts are known."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT
from vitrina import ocr
from vitrina.detail_page.classify import classify
from vitrina.detail_page.database import PageQuery, database
from vitrina.detail_page.records import PageRecord
from vitrina.detail_page.sample_page import compose
from vitrina.detail_page.segment import cut_modules

VITRINA = str(ROOT / ".venv/bin/vitrina")


@pytest.fixture(scope="module")
def page() -> tuple[np.ndarray, list]:
    return compose()


def _squash(text: str) -> str:
    return "".join(text.split())


def test_modules_start_and_end_where_the_blocks_do(page) -> None:
    rgb, blocks = page
    modules = cut_modules(rgb)
    assert len(modules) == len(blocks)
    for (_, top, _, bottom), block in zip(modules, blocks, strict=True):
        assert abs(top - block.top) <= 10 and abs(bottom - block.bottom) <= 10, block


def test_a_30000_px_page_is_cut_into_every_block() -> None:
    rgb, blocks = compose(repeat=11)
    assert rgb.shape[0] > 30_000
    modules = cut_modules(rgb)
    hits = sum(1 for b in blocks if any(abs(m[1] - b.top) <= 10 and abs(m[3] - b.bottom) <= 10
                                         for m in modules))
    assert hits == len(blocks) == len(modules)


def test_no_cut_goes_through_a_line_of_text(page) -> None:
    rgb, _ = page
    for _, top, _, bottom in cut_modules(rgb):
        for row in (top - 1, bottom):  # the rows either side of every cut are plain
            if 0 <= row < rgb.shape[0]:
                assert np.ptp(rgb[row].astype(int)) < 12


def test_each_module_is_read_and_classified(page) -> None:
    rgb, blocks = page
    for (left, top, right, bottom), block in zip(cut_modules(rgb), blocks, strict=True):
        crop = rgb[top:bottom, left:right]
        lines = ocr.read_tall(crop)
        assert classify(crop, lines).kind == block.kind, block
        read = _squash("".join(line.text for line in lines))
        found = [t for t in block.texts if _squash(t) in read]
        assert len(found) >= len(block.texts) - 1, (block.texts, read)  # one misread at most


def test_tall_reads_in_tiles_keep_every_line_once(monkeypatch) -> None:
    """A block taller than a tile is read in tiles cut inside its blank bands: each line is
    read once, at its place on the page."""
    rgb, blocks = compose()
    text = next(b for b in blocks if b.kind == "text")
    crop = rgb[text.top - 20:text.bottom + 20]
    whole = ocr.read_tall(crop)
    monkeypatch.setattr(ocr, "TILE_HEIGHT", 200)  # forces two tiles on this 300 px block
    monkeypatch.setattr(ocr, "OVERLAP", 40)
    tiled = ocr.read_tall(crop)
    assert [_squash(line.text) for line in tiled] == [_squash(line.text) for line in whole]
    for a, b in zip(tiled, whole, strict=True):
        assert max(abs(x - y) for x, y in zip(a.box, b.box, strict=True)) <= 8  # not a tile off


@pytest.mark.slow
def test_analyse_stores_a_searchable_version_and_writes_what_a_person_checks(
        tmp_path: Path, engine) -> None:
    rgb, blocks = compose()
    image = tmp_path / "long-page.png"
    Image.fromarray(rgb).save(image)
    out = tmp_path / "out"
    started = time.monotonic()
    run = subprocess.run([VITRINA, "detail", "analyse", str(image), "--out", str(out)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert time.monotonic() - started < 300
    record = PageRecord.model_validate_json((out / "record.json").read_text())
    assert [m.kind for m in record.modules] == [b.kind for b in blocks]
    assert record.language == "zh" and record.evaluation["coverage"] > 0.7
    table = next(m.table for m in record.modules if m.kind == "table")
    assert len(table.rows) == 5 and table.rows[2] == ["产地", "云南普洱"]
    assert any((a.key, a.value) == ("保质期", "12个月") for a in record.attributes)
    assert len(list((out / "modules").glob("*.png"))) == len(blocks)
    assert Image.open(out / "overlay.png").size == (rgb.shape[1], rgb.shape[0])
    again = subprocess.run([VITRINA, "detail", "analyse", str(image), "--out", str(out)],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0 and "v2" in again.stderr
    found = subprocess.run([VITRINA, "detail", "search", "挂耳咖啡", "--attr", "产地=云南普洱"],
                           capture_output=True, text=True, timeout=60)
    assert record.page_id in found.stdout and "1 page(s)" in found.stderr


@pytest.mark.parametrize(("size", "words"), [((20, 3000), "at least 200 px"),
                                             ((750, 60_000), "VITRINA_MAX_PIXELS")])
def test_an_unreadable_image_ends_as_an_error_that_says_why(tmp_path: Path, size,
                                                            words: str) -> None:
    image = tmp_path / "bad.png"
    Image.new("RGB", size, "white").save(image)
    run = subprocess.run([VITRINA, "detail", "analyse", str(image), "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and words in run.stderr, run.stderr[-1000:]


def test_search_reads_the_database(engine) -> None:
    assert isinstance(database().search(PageQuery(q="nothing-like-this"))[0], list)
