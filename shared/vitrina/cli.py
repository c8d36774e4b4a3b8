"""The ``vitrina`` command: products on the embedded local engine, and the HTTP API."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vitrina",
        description="AI-assisted design of e-commerce content. Runs the same state machines "
        "as the AWS deployment on an embedded local engine (no AWS account, no Docker).",
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run one state machine of template.yaml",
        description="Run a state machine from template.yaml on the local engine and print "
        "its output (exit code 1 when the execution does not succeed).",
    )
    run.add_argument("state_machine", help="logical id, e.g. MattingStateMachine")
    run.add_argument("--input", type=Path, required=True, help="JSON file with the input")
    run.add_argument("--history", action="store_true", help="print every state's input/output")
    run.set_defaults(func=_cmd_run)

    serve = sub.add_parser(
        "serve",
        help="serve the HTTP API locally (OpenAPI docs at /docs)",
        description="Start the HTTP API on the local engine with uvicorn.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(func=_cmd_serve)

    matting = sub.add_parser(
        "matting",
        help="cut out product photos",
        description="Cut out product photos (files, folders or URLs) through the batch state "
        "machine. Writes DIR/<stem>.png (RGBA), DIR/<stem>.mask.png and DIR/report.json "
        "(every input with its result or error, by descending confidence).",
    )
    matting.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    matting.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    matting.add_argument("--model", choices=["u2netp", "u2net"], default="u2netp",
                         help="u2netp (default, 4.6 MB) or u2net (176 MB, slower)")
    matting.add_argument("--quiet", action="store_true", help="no progress output")
    matting.set_defaults(func=_cmd_matting)

    banner = sub.add_parser(
        "banner",
        help="design styled banners from a product photo",
        description="Design banners from a product photo and copy through the banner state "
        "machine. Writes DIR/<W>x<H>/<rank>-<template>.png with its layout JSON, "
        "DIR/report.json (variants, scores, checks, warnings) and DIR/sheet.png.",
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
                        help="restrict to these templates (repeatable); see --list-templates")
    banner.add_argument("--format", choices=["png", "jpeg", "webp"], default="png")
    banner.add_argument("--seed", type=int, help="repeatable style sampling")
    banner.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    banner.add_argument("--quiet", action="store_true", help="no progress output")
    banner.set_defaults(func=_cmd_banner)
    return parser


def _cmd_run(args: argparse.Namespace) -> int:
    from vitrina.engine.local import LocalEngine

    payload = json.loads(args.input.read_text())
    with LocalEngine() as engine:
        execution = engine.run(args.state_machine, payload)
        if args.history:
            for event in engine.history(execution.arn):
                print(_format_event(event), file=sys.stderr)
    print(json.dumps({"status": execution.status, "output": execution.output,
                      "error": execution.error, "cause": execution.cause},
                     indent=2, ensure_ascii=False))
    return 0 if execution.status == "SUCCEEDED" else 1


def _format_event(event: dict[str, Any]) -> str:
    details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
    name = details.get("name", "")
    body = {k: v for k, v in details.items() if k not in {"name", "inputDetails", "outputDetails"}}
    return f"{event['id']:>4} {event['type']:<28} {name:<14} {json.dumps(body, default=str)[:300]}"


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from vitrina.api.app import create_app
    from vitrina.engine.local import LocalEngine

    with LocalEngine():
        print(f"vitrina API on http://{args.host}:{args.port}  (docs: /docs)", file=sys.stderr)
        uvicorn.run(create_app(), host=args.host, port=args.port, log_level="info")
    return 0


def _cmd_matting(args: argparse.Namespace) -> int:
    from vitrina.matting.local_batch import run_batch

    inputs = expand_inputs(args.inputs)
    if not inputs:
        print("vitrina matting: no images found in the given paths", file=sys.stderr)
        return 2
    report = run_batch(inputs, args.out, args.model, progress=not args.quiet)
    print(f"{report['succeeded']} cut out, {report['failed']} failed -> {args.out}/report.json",
          file=sys.stderr)
    return 0 if report["failed"] == 0 else 1


def _cmd_banner(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from vitrina.banner.local_run import run_banner
    from vitrina.banner.models import BannerCopy, BannerOptions
    from vitrina.errors import VitrinaError

    try:
        copy = BannerCopy(title=args.title, subtitle=args.subtitle, price=args.price,
                          original_price=args.original_price, cta=args.cta, badge=args.badge)
        options = BannerOptions(sizes=args.sizes or ["1200x628"], variants=args.variants,
                                segment=args.segment, templates=args.templates,
                                format=args.format, seed=args.seed)
        report = run_banner(args.product, copy, args.out, sizes=options.sizes,
                            variants=options.variants, segment=options.segment,
                            templates=options.templates, fmt=options.format, seed=options.seed,
                            scene=args.scene, logo=args.logo, progress=not args.quiet)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        print(f"vitrina banner: {problems}", file=sys.stderr)
        return 2
    except VitrinaError as exc:
        print(f"vitrina banner: {exc.message}", file=sys.stderr)
        return 2
    if report.get("status") != "ok":
        error = report.get("error", {})
        print(f"vitrina banner: failed: {error.get('type')}: {error.get('message')}",
              file=sys.stderr)
        return 1
    count = sum(len(s["variants"]) for s in report["sizes"])
    print(f"{count} banners -> {args.out}/ (report.json, sheet.png)", file=sys.stderr)
    return 0


def expand_inputs(raw: list[str]) -> list[str]:
    """Folders become their image files; URLs and files (even missing ones, which end as
    error records) pass through."""
    found: list[str] = []
    for item in raw:
        path = Path(item)
        if "://" not in item and path.is_dir():
            found.extend(str(p) for p in sorted(path.iterdir())
                         if p.suffix.lower() in IMAGE_SUFFIXES)
        else:
            found.append(item)
    return found


if __name__ == "__main__":
    sys.exit(main())
