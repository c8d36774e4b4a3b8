"""``vitrina banner``: styled banners from a product photo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vitrina.cli.common import run_product


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    banner = sub.add_parser(
        "banner", parents=[common],
        help="design styled banners from a product photo",
        description="Design banners from a product photo and copy through the banner state "
        "machine. Writes DIR/<W>x<H>/<rank>-<template>.png with its layout JSON, "
        "DIR/report.json (variants, scores, checks, warnings) and DIR/sheet.png.",
        epilog="examples:\n"
        "  vitrina banner photo.jpg --title \"Thermo bottle 保温杯\" --price 89 --out banners/\n"
        "  vitrina banner photo.jpg --title Mug --size 1200x628 --size 300x250 --variants 3 "
        "--cta \"Buy now\" --out banners/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    banner.add_argument("product", metavar="PRODUCT_IMAGE", help="photo file or URL")
    banner.add_argument("--title", required=True, help="headline (required)")
    banner.add_argument("--subtitle", default="", help="second line of copy")
    banner.add_argument("--price", default="", help="price, e.g. 199 (currency added)")
    banner.add_argument("--original-price", default="", help="shown struck through")
    banner.add_argument("--cta", default="", help="button text, e.g. 'Buy now'")
    banner.add_argument("--badge", default="", help="badge text, e.g. NEW or -30%%")
    banner.add_argument("--logo", metavar="IMG", help="logo image (PNG with alpha works best)")
    banner.add_argument("--scene", metavar="IMG", help="scene photo for the full-frame style")
    banner.add_argument("--size", action="append", metavar="WxH", dest="sizes",
                        help="banner size, repeatable (default 1200x628); 250..3000 a side, "
                        "aspect 1:4..4:1")
    banner.add_argument("--variants", type=int, default=6, help="variants per size (default 6)")
    banner.add_argument("--segment", default="default",
                        help="audience segment whose feedback orders the styles")
    banner.add_argument("--template", action="append", dest="templates", metavar="NAME",
                        help="restrict to these templates (repeatable); the names: "
                        "GET /v1/banners/templates")
    banner.add_argument("--format", choices=["png", "jpeg", "webp"], default="png")
    banner.add_argument("--seed", type=int, help="repeatable style sampling")
    banner.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    banner.add_argument("--quiet", action="store_true", help="no progress output")
    banner.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:

    from vitrina.banner.local_run import run_banner
    from vitrina.banner.models import BannerCopy, BannerOptions

    def start() -> dict[str, Any]:
        copy = BannerCopy(title=args.title, subtitle=args.subtitle, price=args.price,
                          original_price=args.original_price, cta=args.cta, badge=args.badge)
        options = BannerOptions(sizes=args.sizes or ["1200x628"], variants=args.variants,
                                segment=args.segment, templates=args.templates,
                                format=args.format, seed=args.seed)
        options.parsed_sizes()  # an aspect the layouts cannot fill is refused before any work
        return run_banner(args.product, copy, args.out, sizes=options.sizes,
                          variants=options.variants, segment=options.segment,
                          templates=options.templates, fmt=options.format, seed=options.seed,
                          scene=args.scene, logo=args.logo, progress=not args.quiet)

    report = run_product("banner", start)
    if isinstance(report, int):
        return report
    count = sum(len(s["variants"]) for s in report["sizes"])
    print(f"{count} banners -> {args.out}/ (report.json, sheet.png)", file=sys.stderr)
    return 0
