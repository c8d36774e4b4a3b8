"""Matting benchmark: quality on the alphamatting.com set and speed on this machine,
with rembg 2.0.86 (own environment, same u2netp.onnx) measured in the same run.

    make bench            # or: .venv/bin/python bench/matting.py [--runs N] [--no-rembg]

Prints medians; nothing here is asserted (the quality floor is asserted in tests/).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "matting" / "alphamatting_training_lowres"
REMBG_PYTHON = ROOT / ".venv-rembg" / "bin" / "python"
SIDE = 800


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def bench_images() -> list[tuple[str, bytes]]:
    """800x800 PNGs: the evaluation photos if present, else the shipped samples."""
    from vitrina.imaging import decode_image, encode_png

    sources = sorted(DATA.glob("images/*.png")) if DATA.is_dir() else sorted(
        p for p in (ROOT / "samples").iterdir() if p.suffix in {".png", ".jpg"})
    images = []
    for path in sources:
        rgb = decode_image(path.read_bytes()).rgb
        square = cv2.resize(rgb, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
        images.append((path.stem, encode_png(square, compress_level=6)))
    return images


def end_to_end(data: bytes) -> bytes:
    """Decode -> cutout -> PNG bytes: what one request does."""
    from vitrina.imaging import decode_image, encode_png
    from vitrina.matting.pipeline import cut_out

    return encode_png(cut_out(decode_image(data)).rgba)


def _worker_init() -> None:
    os.environ["VITRINA_ORT_THREADS"] = "1"


def quality() -> dict:
    from vitrina.matting import evaluation

    scored = evaluation.evaluate(evaluation.alphamatting_set(DATA))
    ious, confidence = [s.iou for s in scored], [s.confidence for s in scored]
    return {
        "count": len(scored),
        "raw": (np.mean([s.raw_iou for s in scored]), np.mean([s.raw_mae for s in scored])),
        "refined": (np.mean(ious), np.mean([s.mae for s in scored])),
        "spearman": evaluation.spearman(confidence, ious),
        "top_half": evaluation.top_half_precision(confidence, ious),
    }


def rembg(images: list[Path], alpha_matting: bool, out: Path) -> dict:
    from vitrina.inference import model_path

    cmd = [str(REMBG_PYTHON), str(ROOT / "bench" / "rembg_runner.py"),
           "--model", str(model_path("u2netp")), "--out", str(out)]
    if alpha_matting:
        cmd.append("--alpha-matting")
    result = subprocess.run([*cmd, *map(str, images)], capture_output=True, text=True,
                            check=True, timeout=3600)
    return json.loads(result.stdout)


def rembg_quality(masks: Path) -> tuple[float, float]:
    from vitrina.imaging import decode_image
    from vitrina.matting import evaluation

    ious, maes = [], []
    for sample in evaluation.alphamatting_set(DATA):
        alpha = decode_image((masks / f"{sample.name}.png").read_bytes()).rgb[..., 0] / 255.0
        ious.append(evaluation.iou(alpha, sample.truth))
        maes.append(evaluation.mae(alpha, sample.truth))
    return float(np.mean(ious)), float(np.mean(maes))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="repetitions for medians")
    parser.add_argument("--no-rembg", action="store_true", help="skip the peer")
    args = parser.parse_args()

    from vitrina import saliency
    from vitrina.imaging import decode_image
    from vitrina.matting.pipeline import finish
    from vitrina.matting.strokes import Stroke, apply_strokes

    print(f"vitrina matting benchmark  ({os.cpu_count()} cores)")
    images = bench_images()
    first = images[0][1]
    end_to_end(first)
    single = []
    for _ in range(args.runs):
        started = time.perf_counter()
        end_to_end(first)
        single.append(time.perf_counter() - started)
    print(f"single {SIDE}x{SIDE} image, decode -> PNG: median {median(single):.3f} s "
          f"(target <= 0.5 s)")

    batch = [images[i % len(images)][1] for i in range(20)]
    with ProcessPoolExecutor(max_workers=os.cpu_count(), initializer=_worker_init) as pool:
        list(pool.map(end_to_end, batch[:2]))
        rates = []
        for _ in range(max(1, args.runs // 3)):
            started = time.perf_counter()
            list(pool.map(end_to_end, batch))
            rates.append(len(batch) / (time.perf_counter() - started))
    print(f"batch of 20 {SIDE}x{SIDE} images, {os.cpu_count()} processes: "
          f"median {median(rates):.2f} images/s (target >= 5)")

    rgb = decode_image(first).rgb
    alpha = saliency.upsample(saliency.predict(rgb), rgb.shape[:2])
    strokes = [Stroke(tool="foreground", radius=12, points=[(300, 300), (420, 360)]),
               Stroke(tool="background", radius=12, points=[(40, 40), (120, 60)])]
    edits = []
    for _ in range(args.runs):
        started = time.perf_counter()
        finish(rgb, apply_strokes(rgb, alpha, strokes))
        edits.append(time.perf_counter() - started)
    print(f"refinement with 2 strokes (+ foreground colours): median {median(edits):.3f} s "
          f"(target <= 0.25 s)")
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    print(f"peak memory (largest process): {peak:.0f} MB (target <= 1024 MB)")

    if not DATA.is_dir():
        print("quality: ../shared/data not found, skipped")
        return 0
    q = quality()
    print(f"quality on {q['count']} alphamatting.com photos (IoU at alpha > 0.5, MAE):")
    print(f"  vitrina raw model mask : IoU {q['raw'][0]:.3f}  MAE {q['raw'][1]:.4f}")
    print(f"  vitrina refined matte  : IoU {q['refined'][0]:.3f}  MAE {q['refined'][1]:.4f}")
    print(f"  confidence vs IoU: Spearman {q['spearman']:.3f}; share with IoU >= 0.9: "
          f"top half by confidence {q['top_half'][0]:.2f} vs all {q['top_half'][1]:.2f}")
    if args.no_rembg:
        return 0
    if not REMBG_PYTHON.exists():
        print("rembg: .venv-rembg missing (make bench creates it)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        squares = []
        for stem, data in images:
            (work / f"{stem}.png").write_bytes(data)
            squares.append(work / f"{stem}.png")
        originals = sorted(DATA.glob("images/*.png"))
        for matting in (False, True):
            label = "rembg + alpha matting" if matting else "rembg"
            speed = rembg(squares[: 5 if matting else 10], matting, work / f"speed{matting}")
            rembg_single = median(list(speed["times_s"].values()))
            rembg(originals, matting, work / f"quality{matting}")
            r_iou, r_mae = rembg_quality(work / f"quality{matting}")
            print(f"  {label:<22}: IoU {r_iou:.3f}  MAE {r_mae:.4f}  single image "
                  f"{rembg_single:.3f} s (peak {speed['peak_rss_mb']:.0f} MB)")
            print(f"    vitrina/{label}: time x{median(single) / rembg_single:.2f}, "
                  f"IoU {q['refined'][0] - r_iou:+.3f}, MAE {q['refined'][1] - r_mae:+.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
