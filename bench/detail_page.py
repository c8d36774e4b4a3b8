"""detail_page benchmark: long pages analysed as a user runs it, against the bare OCR.

Pages are composed from the repository's samples (vitrina detail sample): 750x2,897 (one
stack of blocks), 750x5,746 (two) and 750x31,387 (eleven). For each: the CLI
(`vitrina detail analyse`, a fresh process: engine start, cut, OCR per module, store) and the
bare OCR of the same pixels (RapidOCR in 2,000-row tiles, no segmentation, no storage), medians
of --runs; peak memory (max RSS) of the CLI process. Targets (issue 11): 750x6,000 in <= 5 s,
analysis <= 1.3x the bare OCR, 750x30,000 within 1 GB.

    .venv/bin/python bench/detail_page.py [--runs 3] [--tall]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from vitrina import ocr
from vitrina.detail_page.sample_page import compose

ROOT = Path(__file__).resolve().parents[1]
VITRINA = str(ROOT / ".venv/bin/vitrina")


def _bare_ocr(rgb: np.ndarray) -> float:
    started = time.perf_counter()
    for top in range(0, rgb.shape[0], ocr.TILE_HEIGHT):
        ocr._read(rgb[top:top + ocr.TILE_HEIGHT], top, 0.5)
    return time.perf_counter() - started


def _cli(image: Path, home: Path, out: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one `vitrina detail analyse` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    run = subprocess.run([VITRINA, "detail", "analyse", str(image), "--out", str(out),
                          "--quiet"], capture_output=True, text=True,
                         env={**os.environ, "VITRINA_HOME": str(home)})
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"analyse failed: {run.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tall", action="store_true", help="also the 750x31,387 page (slow)")
    args = parser.parse_args()
    ocr.read_text(np.full((64, 64, 3), 255, np.uint8))  # load the models once, outside timing
    repeats = [1, 2] + ([11] if args.tall else [])
    print(f"{'page':>12} {'CLI s':>7} {'bare OCR s':>10} {'ratio':>6} {'peak RSS MB':>11}")
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in repeats:
            rgb, _ = compose(repeat)
            image = Path(tmp) / f"page-{repeat}.png"
            Image.fromarray(rgb).save(image)
            cli, bare, peaks = [], [], []
            for run in range(args.runs if repeat < 11 else 1):
                seconds, peak = _cli(image, Path(tmp) / "home", Path(tmp) / f"out-{run}")
                cli.append(seconds)
                peaks.append(peak)
                bare.append(_bare_ocr(rgb))
            c, b = statistics.median(cli), statistics.median(bare)
            print(f"{rgb.shape[1]}x{rgb.shape[0]:>6} {c:7.2f} {b:10.2f} {c / b:6.2f} "
                  f"{max(peaks):11.0f}")
    print("peak RSS is the largest of all CLI processes so far (getrusage of children)")


if __name__ == "__main__":
    main()
