"""Layout benchmark: time and memory of vitrina.layout.detect on synthetic long pages.

    .venv/bin/python bench/detail_page_layout.py [--heights 6000 30000] [--runs N]

Each height runs in a fresh process that loads the page, warms the model on one tile, then
measures detect(): its median time, the peak of numpy/Python allocations (tracemalloc) and
how much resident memory it adds (ru_maxrss). Pages are drawn by tests/unit/page_synth.py
(photos, titles, paragraphs, ruled tables), so the regions found are compared with the drawn
blocks. Nothing here is asserted (tests/unit/test_layout.py asserts the bounds).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.unit.page_synth import long_page  # noqa: E402

PROBE = """
import json, resource, statistics, sys, time, tracemalloc
import numpy as np
from vitrina import layout
page = np.load(sys.argv[1])
runs = int(sys.argv[2])
layout.detect(page[:1000])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
times = []
for _ in range(runs):
    start = time.perf_counter()
    regions = layout.detect(page)
    times.append(time.perf_counter() - start)
traced = tracemalloc.get_traced_memory()[1]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": statistics.median(times), "tiles": len(layout.tiles(page)),
                  "traced_mb": traced / 2**20, "rss_mb": after / 1024,
                  "growth_mb": (after - before) / 1024,
                  "regions": [[r.kind, *r.box] for r in regions]}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--heights", type=int, nargs="+", default=[6000, 30000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'page':>10} {'tiles':>5} {'time s':>7} {'traced MB':>9} {'RSS MB':>7} "
          f"{'+RSS MB':>7} {'blocks':>6} {'found':>6}")
    for height in args.heights:
        rgb, drawn = long_page(height)
        with tempfile.TemporaryDirectory() as tmp:
            np.save(Path(tmp) / "page.npy", rgb)
            out = subprocess.run([sys.executable, "-c", PROBE, str(Path(tmp) / "page.npy"),
                                  str(args.runs)], capture_output=True, text=True, check=True,
                                 cwd=ROOT)
        probe = json.loads(out.stdout.strip().splitlines()[-1])
        found = sum(1 for d in drawn if [k for k, _, y0, _, y1 in probe["regions"]
                                         if y0 < d.box[3] and y1 > d.box[1]] == [d.kind])
        print(f"{f'750x{height}':>10} {probe['tiles']:5d} {probe['seconds']:7.2f} "
              f"{probe['traced_mb']:9.1f} {probe['rss_mb']:7.0f} {probe['growth_mb']:7.0f} "
              f"{len(drawn):6d} {found:6d}")
    print("found: drawn blocks covered by exactly one region, of the drawn kind")


if __name__ == "__main__":
    main()
