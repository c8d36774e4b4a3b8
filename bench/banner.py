"""Banner benchmark: speed on this machine and PosterLayout metrics of what vitrina makes.

    .venv/bin/python bench/banner.py [--runs N]      # or: make bench-banner

Prints medians and the PosterLayout metrics beside the DS-GAN figures published by the
PosterLayout authors; nothing here is asserted (the guarantees are asserted in tests/).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "matting" / "alphamatting_training_lowres"
SIZE = (1200, 628)
VARIANTS = 6
# DS-GAN on the PKU PosterLayout test set, as published by the authors (CVPR 2023).
DS_GAN = {"overlap": 0.022, "alignment": 0.0046, "underlay_loose": 0.831, "occlusion": 0.209,
          "unreadability": 0.187}
LOWER_IS_BETTER = {"overlap", "alignment", "occlusion", "unreadability"}
COPIES = [
    dict(title="Single-origin coffee, roasted this week", subtitle="Notes of cocoa and cherry",
         price="89", original_price="129", cta="Buy now", badge="NEW"),
    dict(title="限时特惠 全新升级", subtitle="买二送一，包邮到家", price="199", cta="立即购买",
         badge="-30%"),
    dict(title="Soft toys for every age 毛绒玩具", price="59.9", cta="Shop now"),
]


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def photos() -> list[tuple[str, bytes]]:
    paths = sorted((ROOT / "samples").glob("coffee.png"))
    if DATA.is_dir():
        paths += sorted(DATA.glob("images/*.png"))[::3]
    return [(p.stem, p.read_bytes()) for p in paths]


def design_six(data: bytes, copy, analysis=None):
    """What one request does in-process: decode, cut out (unless cached), 6 ranked variants."""
    from vitrina.banner import compose
    from vitrina.banner.analyse import analyse_product
    from vitrina.imaging import decode_image

    image = decode_image(data)
    analysis = analysis or analyse_product(image)
    inputs = compose.Inputs(photo=image.rgb, analysis=analysis)
    kept, _ = compose.compose(inputs, copy, [SIZE], VARIANTS)[SIZE]
    return analysis, kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (default 5)")
    args = parser.parse_args()
    from vitrina.banner import render
    from vitrina.banner.layout import Copy
    from vitrina.banner.posterlayout import mean_metrics
    from vitrina.banner.templates import load_templates

    products = photos()
    name, data = products[0]
    copy = Copy(**COPIES[0])
    print(f"vitrina banner benchmark ({os.cpu_count()} cores), product photo '{name}'")

    analysis, _ = design_six(data, copy)  # warm: model session, fonts, glyph caches
    full, cached = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        design_six(data, copy)
        full.append(time.perf_counter() - started)
        started = time.perf_counter()
        _, kept = design_six(data, copy, analysis)
        cached.append(time.perf_counter() - started)
    print(f"6 variants at {SIZE[0]}x{SIZE[1]}, matting included: median {median(full):.3f} s "
          f"(target <= 2 s)")
    print(f"6 variants at {SIZE[0]}x{SIZE[1]}, cached cutout:    median {median(cached):.3f} s "
          f"(target <= 0.6 s)")

    from vitrina.banner import compose
    from vitrina.imaging import decode_image

    inputs = compose.Inputs(photo=decode_image(data).rgb, analysis=analysis)
    layouts = [(v.layout, compose.assets_for(load_templates()[v.template], inputs))
               for v in kept]
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < 3.0:
        for solved, assets in layouts:
            render.encode(render.render(solved, assets), "png")
            count += 1
    rate = count / (time.perf_counter() - started)
    print(f"render throughput (layout JSON -> PNG bytes, one process): {rate:.1f} banners/s")

    from vitrina.typesetting import TextStyle, fit_text

    title = ("Ultra-light breathable running shoe 超轻透气跑鞋，限时特惠。" * 80)[:2000]
    fits = []
    for width in (700, 760, 820, 880, 940):
        started = time.perf_counter()
        fit_text(title, TextStyle("inter", "noto-sans-sc", 800), width, 300, max_size=120,
                 min_size=16, max_lines=3)
        fits.append(time.perf_counter() - started)
    print(f"text fit of a 2,000-character title (shortened to 3 lines): median "
          f"{median(fits) * 1000:.0f} ms")

    metrics, passed, total = [], 0, 0
    sizes = [(1200, 628), (600, 600), (300, 250), (1080, 1920), (1000, 250)]
    from vitrina.banner.analyse import analyse_product
    from vitrina.banner.posterlayout import LayoutMetrics

    for i, (_, pdata) in enumerate(products):
        image = decode_image(pdata)
        inputs = compose.Inputs(photo=image.rgb, analysis=analyse_product(image))
        for size in sizes:
            kept, _ = compose.compose(inputs, Copy(**COPIES[i % len(COPIES)]), [size],
                                      VARIANTS)[size]
            for variant in kept:
                total += 1
                passed += variant.evaluation["passed"]
                metrics.append(LayoutMetrics(**variant.evaluation["metrics"]))
    mean = mean_metrics(metrics).as_dict()
    print(f"PosterLayout metrics over {total} banners ({len(products)} photos x {len(sizes)} "
          f"sizes x {VARIANTS} variants), {passed}/{total} pass every check:")
    print(f"  {'metric':<16}{'vitrina':>10}{'DS-GAN':>10}   better")
    for key, theirs in DS_GAN.items():
        ours = mean[key]
        ahead = ours < theirs if key in LOWER_IS_BETTER else ours > theirs
        print(f"  {key:<16}{ours:>10.4f}{theirs:>10.4f}   {'vitrina' if ahead else 'DS-GAN'}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()
