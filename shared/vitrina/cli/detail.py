"""``vitrina detail``: read detail pages into the page database, and search it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from vitrina.cli.common import run_product


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    detail = sub.add_parser(
        "detail", parents=[common], help="read detail pages into the page database; search it",
        description="The detail_page product: a product page (URL or saved HTML) and/or its "
        "long detail images read into a versioned, searchable record in the page database "
        "(VITRINA_HOME/pages.sqlite3).",
        epilog="examples:\n  vitrina detail analyse long-page.jpg --out page/\n"
        "  vitrina detail analyse https://shop.example/p/123 --out page/\n"
        "  vitrina detail search 保温杯 --brand Thermos\n"
        "  vitrina detail show 3f2a...  (a page id from analyse or search)\n"
        "  vitrina detail stats",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = detail.add_subparsers(metavar="ACTION")
    analyse = actions.add_parser(
        "analyse", parents=[common], help="analyse a page into the database",
        description="Cut each long image into modules at its blank bands, read every module's "
        "text at full resolution, say what each module is, read the HTML's fields, and store "
        "the record as the page's next version. Writes DIR/record.json, DIR/modules/*.png "
        "(the crops), DIR/overlay.png (the modules drawn on the page) and DIR/report.json.",
        epilog="examples:\n  vitrina detail analyse long-page.jpg --out page/\n"
        "  vitrina detail analyse page.html part1.jpg part2.jpg --out page/",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    analyse.add_argument("inputs", nargs="+", metavar="URL | PAGE.html | LONG.jpg",
                         help="a page (URL or .html) and/or its long images, in page order")
    analyse.add_argument("--out", type=Path, required=True, metavar="DIR")
    analyse.add_argument("--quiet", action="store_true", help="no progress output")
    analyse.set_defaults(func=_analyse)
    search = actions.add_parser(
        "search", parents=[common], help="search the page database",
        description="Pages whose latest version matches: words in any script (Chinese too), "
        "brand, category, price range, attribute values. Prints JSON Lines.",
        epilog="examples:\n  vitrina detail search 保温\n"
        "  vitrina detail search --brand Thermos --max-price 100 --attr 材质=不锈钢",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    search.add_argument("query", nargs="?", help="words to find (all of them)")
    search.add_argument("--brand")
    search.add_argument("--category")
    search.add_argument("--min-price", type=float)
    search.add_argument("--max-price", type=float)
    search.add_argument("--attr", action="append", default=[], metavar="KEY=VALUE")
    search.add_argument("--limit", type=int, default=20)
    search.set_defaults(func=_search)
    show = actions.add_parser("show", parents=[common], help="print a page's record (JSON)")
    show.add_argument("page_id")
    show.add_argument("--version", type=int, help="a version; the latest if absent")
    show.set_defaults(func=_show)
    sample = actions.add_parser(
        "sample", parents=[common], help="write a long detail page to try analyse on",
        description="A 750 px wide long detail page composed from the repository's sample "
        "photos and rendered Chinese and English text (banner, photos, selling points, a "
        "parameter table, a text block, a service strip).")
    sample.add_argument("file", type=Path, metavar="FILE.png")
    sample.add_argument("--repeat", type=int, default=1, help="stack the blocks N times")
    sample.set_defaults(func=_sample)
    stats = actions.add_parser("stats", parents=[common],
                               help="counts: pages, brands, categories, attribute values")
    stats.set_defaults(func=_stats)
    detail.set_defaults(func=lambda _: detail.print_help() or 2)


def _analyse(args: argparse.Namespace) -> int:
    from vitrina.detail_page.local_run import run_analyse

    report = run_product("detail", lambda: run_analyse(args.inputs, args.out,
                                                       progress=not args.quiet))
    if isinstance(report, int):
        return report
    scores = ", ".join(f"{k} {v}" for k, v in report["evaluation"].items())
    print(f"page {report['page_id']} v{report['version']}: {report['modules']} modules, "
          f"{report['lines']} lines ({scores}) -> {args.out}/", file=sys.stderr)
    return 0


def _database_call(call: Any) -> int:
    from vitrina.errors import VitrinaError

    try:
        call()
    except VitrinaError as exc:
        print(f"vitrina detail: {exc.message}", file=sys.stderr)
        return 2
    return 0


def _search(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from vitrina.detail_page.database import PageQuery, embedded_database

    pairs = [a.partition("=") for a in args.attr]
    if any(not sep for _, sep, _ in pairs):
        print("vitrina detail: --attr takes KEY=VALUE", file=sys.stderr)
        return 2

    def run() -> None:
        found, _ = embedded_database().search(PageQuery(
            q=args.query, brand=args.brand, category=args.category, min_price=args.min_price,
            max_price=args.max_price, attributes={k: v for k, _, v in pairs}, limit=args.limit))
        for page in found:
            print(json.dumps(asdict(page), ensure_ascii=False))
        print(f"{len(found)} page(s)", file=sys.stderr)

    return _database_call(run)


def _show(args: argparse.Namespace) -> int:
    from vitrina.detail_page.database import embedded_database

    return _database_call(lambda: print(embedded_database().get(args.page_id, args.version)
                                        .model_dump_json(indent=1)))


def _stats(args: argparse.Namespace) -> int:
    from vitrina.detail_page.database import embedded_database

    return _database_call(lambda: print(json.dumps(embedded_database().stats(), ensure_ascii=False,
                                                   indent=1)))


def _sample(args: argparse.Namespace) -> int:
    from PIL import Image

    from vitrina.detail_page.sample_page import compose

    rgb, blocks = compose(max(1, min(args.repeat, 20)))
    args.file.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(args.file)
    print(f"{args.file}: {rgb.shape[1]}x{rgb.shape[0]}, {len(blocks)} blocks", file=sys.stderr)
    return 0
