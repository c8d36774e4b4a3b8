"""Detail-page HTML benchmark: product_page on the Zyte product-extraction benchmark pages.

    .venv/bin/python bench/detail_page_html.py [--show-errors]   # or: make bench-detail-page

Reads the snapshots and human annotations under ../shared/data (or $VITRINA_DATA) and never
copies them. Price, SKU and availability are scored exactly as the benchmark's evaluate.py
scores them (scrapinghub/product-extraction-benchmark): one predicted value a page, any of
the ground truth's values counts; price compared as a Decimal, the others as equal strings;
availability is InStock unless the prediction says OutOfStock (an empty prediction is
InStock, as the benchmark fills it); precision 1 where there is neither a false positive
nor a false negative; ± is the bootstrap standard deviation (1000 resamples, seed 42).
Brand, GTIN and MPN, which evaluate.py does not score, are scored the same way (equal
strings); currency, which the annotators wrote as the page shows it ("€", "$"), is right
when it is one of the ISO codes that symbol stands for. The peers' figures are theirs on
all 140 benchmark pages; this set holds 32 of them, so they compare only roughly, and
product_page's rules were written with these 32 pages in view (in-sample figures).

``--visible-only`` removes the pages' structured data first (JSON-LD, microdata and RDFa
attributes, meta tags), to see how far the visible-HTML rules carry a page on their own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SET = Path("detail_pages") / "zyte_product_extraction_benchmark"
# Published F1 on the benchmark's 140 pages (README of scrapinghub/product-extraction-benchmark).
PEERS = {"Zyte": {"price": 0.918, "sku": 0.841, "availability": 0.957},
         "Diffbot": {"price": 0.824, "sku": 0.765, "availability": 0.943},
         "extruct": {"price": 0.685, "sku": 0.537, "availability": 0.626}}
# What the annotators' currency symbols stand for (ours: evaluate.py does not score currency).
SYMBOLS = {"€": {"EUR"}, "£": {"GBP"}, "₹": {"INR"}, "Lei": {"RON"}, "Rs": {"PKR", "INR"},
           "ر.س": {"SAR"}, "원~": {"KRW"}, "원": {"KRW"},
           "$": {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "TWD", "MXN", "ARS", "CLP", "COP"}}
UNAVAILABLE = {"OutOfStock", "SoldOut", "Discontinued"}
_STRUCTURED = re.compile(r"<script[^>]*ld\+json[^>]*>.*?</script>|<meta\b[^>]*>", re.I | re.S)
_STRUCTURED_ATTR = re.compile(r"""\s(?:itemscope|itemprop|itemtype|itemid|typeof|property|vocab"""
                              r"""|resource)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""", re.I)
Counts = tuple[int, int, int]  # true positives, false positives, false negatives
TIMING_RUNS = 3


def data_folder() -> Path:
    return Path(os.environ.get("VITRINA_DATA", ROOT.parent / "shared" / "data")) / SET


def hard_matching(true: set[Any], pred: Any) -> Counts:
    if pred is None:
        return (0, 0, 1) if true else (0, 0, 0)
    return (1, 0, 0) if pred in true else (0, 1, 1 if true else 0)


def decimal_matching(true: set[str], pred: str | None) -> Counts:
    return hard_matching({Decimal(x) for x in true}, Decimal(pred) if pred is not None else None)


def currency_matching(true: set[str], pred: str | None) -> Counts:
    codes = {code for symbol in true for code in SYMBOLS.get(symbol.strip(), {symbol.strip()})}
    return hard_matching(codes, pred)


def scores(counts: list[Counts]) -> dict[str, float]:
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    precision = 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)
    recall = 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return {"f1": f1, "precision": precision, "recall": recall}


def evaluate(truth: dict[str, dict], predicted: dict[str, dict], field: str,
             metric: Callable[[set[str], str | None], Counts], resamples: int = 1000
             ) -> dict[str, float]:
    counts = [metric(set(truth[key].get(field, [])), predicted[key].get(field)) for key in truth]
    result = scores(counts) | {"support": sum(bool(truth[k].get(field)) for k in truth)}
    random.seed(42)
    boot = [scores([counts[random.randint(0, len(counts) - 1)] for _ in counts])
            for _ in range(resamples)]
    return result | {f"{k}_std": statistics.stdev(b[k] for b in boot) for k in ("f1", "precision",
                                                                              "recall")}


def predict(page: Any) -> dict[str, str]:
    """The fields as the benchmark's output files hold them."""
    stock = "OutOfStock" if page.availability and page.availability.value in UNAVAILABLE \
        else "InStock"
    values = {"price": page.price_amount, "sku": page.sku, "brand": page.brand, "gtin": page.gtin,
              "mpn": page.mpn, "currency": page.price_currency}
    return {k: v.value for k, v in values.items() if v} | {"availability": stock, stock: stock}


METRICS: dict[str, Callable[[set[str], str | None], Counts]] = {
    "price": decimal_matching, "sku": hard_matching, "availability": hard_matching,
    "InStock": hard_matching, "OutOfStock": hard_matching, "brand": hard_matching,
    "gtin": hard_matching, "mpn": hard_matching, "currency": currency_matching}


def strip_structured(html: str) -> str:
    """The page without its JSON-LD, meta tags and microdata/RDFa attributes."""
    return _STRUCTURED_ATTR.sub("", _STRUCTURED.sub("", html))


def run(folder: Path, visible_only: bool = False, runs: int = TIMING_RUNS
        ) -> tuple[dict[str, dict[str, float]], list[float], list[str]]:
    """Scores per field, parse seconds per page, and a line per wrong field."""
    from vitrina import product_page

    index = json.loads((folder / "selected_pages_index.json").read_text())["pages"]
    all_truth = json.loads((folder / "ground-truth.json").read_text())
    truth, predicted, seconds, errors = {}, {}, [], []
    for entry in index:
        html = product_page.decode_html(gzip.decompress((folder / entry["file"]).read_bytes()), "")
        html = strip_structured(html) if visible_only else html
        timings = []
        for _ in range(runs):  # the fastest of a few: other work on the machine adds
            start = time.perf_counter()
            page = product_page.parse_page(html, entry["url"])
            timings.append(time.perf_counter() - start)
        seconds.append(min(timings))
        key = entry["sha256_id"]
        truth[key], predicted[key] = all_truth[key], predict(page)
        for field, metric in METRICS.items():
            true, got = set(truth[key].get(field, [])), predicted[key].get(field)
            if field not in ("InStock", "OutOfStock") and metric(true, got)[1:] != (0, 0):
                source = getattr(getattr(page, _ATTRIBUTE.get(field, field), None), "source", "")
                errors.append(f"{field:12} {sorted(true)!s:34} {got!r:24} {source:40} "
                              f"{entry['url'][:60]}")
    return {f: evaluate(truth, predicted, f, m) for f, m in METRICS.items()}, seconds, errors


_ATTRIBUTE = {"price": "price_amount", "currency": "price_currency"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-errors", action="store_true",
                        help="print every wrong or missing value with the source it came from")
    parser.add_argument("--visible-only", action="store_true",
                        help="remove the pages' structured data first (JSON-LD, meta, microdata)")
    args = parser.parse_args()
    folder = data_folder()
    if not (folder / "ground-truth.json").is_file():
        sys.exit(f"the benchmark data is missing: {folder} (set VITRINA_DATA to the folder "
                 "that holds detail_pages/, or put it at ../shared/data beside the repository)")
    try:
        results, seconds, errors = run(folder, args.visible_only)
    except (OSError, ValueError, KeyError, InvalidOperation) as err:
        sys.exit(f"cannot read the benchmark data in {folder}: {err}")
    print(f"vitrina product_page on {len(seconds)} pages of the Zyte product-extraction benchmark"
          + (", structured data removed" if args.visible_only else ""))
    print(f"{'field':13}{'F1':>14}{'precision':>16}{'recall':>16}{'support':>9}   "
          + "   ".join(f"{name} F1" for name in PEERS))
    for field, m in results.items():
        peers = "   ".join(f"{PEERS[name].get(field, float('nan')):>{len(name) + 3}.3f}"
                           if field in PEERS[name] else " " * (len(name) + 3) for name in PEERS)
        print(f"{field:13}{m['f1']:>7.3f} ± {m['f1_std']:.3f}{m['precision']:>9.3f} ± "
              f"{m['precision_std']:.3f}{m['recall']:>9.3f} ± {m['recall_std']:.3f}"
              f"{m['support']:>9}   {peers}")
    print("(peers: published F1 on all 140 pages, out of sample; ours on 32 of them, in sample: "
          "the rules were written with these pages in view. brand, gtin, mpn and currency are "
          "not scored by the benchmark's evaluate.py)")
    print(f"median parse time per page: {statistics.median(seconds) * 1000:.1f} ms "
          f"(max {max(seconds) * 1000:.1f} ms; the fastest of {TIMING_RUNS} runs per page)")
    if args.show_errors:
        print("\nwrong or missing (field, ground truth, predicted, source, page):")
        print("\n".join(errors))


if __name__ == "__main__":
    main()
