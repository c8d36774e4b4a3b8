"""The ``vitrina`` command: products on the embedded local engine, and the HTTP API."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    _route_logs(args.verbose)
    return int(args.func(args) or 0)


def _route_logs(verbose: bool) -> None:
    """Stages' and libraries' logs go to VITRINA_HOME/logs/vitrina.log; with --verbose they
    appear on stderr too. The terminal otherwise shows progress and results only."""
    import logging
    import os

    from vitrina import storage

    path = storage.home() / "logs" / "vitrina.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    handlers: list[logging.Handler] = [logging.FileHandler(path, encoding="utf-8")]
    if verbose:
        handlers.append(logging.StreamHandler(sys.stderr))
    else:
        os.environ.setdefault("VITRINA_LOG_FILE", str(path))
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "INFO")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")  # no X-Ray off AWS
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vitrina",
        description="AI-assisted design of e-commerce content. Runs the same state machines "
        "as the AWS deployment on an embedded local engine (no AWS account, no Docker).",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--verbose", action="store_true",
                        help="show the stages' logs on stderr (always in VITRINA_HOME/logs/)")
    parser.set_defaults(verbose=False)
    sub = parser.add_subparsers(metavar="COMMAND")

    run = sub.add_parser(
        "run", parents=[common],
        help="run one state machine of template.yaml",
        description="Run a state machine from template.yaml on the local engine and print "
        "its output (exit code 1 when the execution does not succeed).",
    )
    run.add_argument("state_machine", help="logical id, e.g. MattingStateMachine")
    run.add_argument("--input", type=Path, required=True, help="JSON file with the input")
    run.add_argument("--history", action="store_true", help="print every state's input/output")
    run.set_defaults(func=_cmd_run)

    serve = sub.add_parser(
        "serve", parents=[common],
        help="serve the HTTP API locally (OpenAPI docs at /docs)",
        description="Start the HTTP API on the local engine with uvicorn. It binds loopback "
        "by default; any other address needs VITRINA_API_TOKEN, which every request then "
        "sends as 'Authorization: Bearer <token>'.",
        epilog="examples:\n  vitrina serve\n  VITRINA_API_TOKEN=$(openssl rand -hex 32) "
        "vitrina serve --host 0.0.0.0 --port 8080",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.set_defaults(func=_cmd_serve)

    matting = sub.add_parser(
        "matting", parents=[common],
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
        "banner", parents=[common],
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
                        help="restrict to these templates (repeatable); the names: "
                        "GET /v1/banners/templates")
    banner.add_argument("--format", choices=["png", "jpeg", "webp"], default="png")
    banner.add_argument("--seed", type=int, help="repeatable style sampling")
    banner.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    banner.add_argument("--quiet", action="store_true", help="no progress output")
    banner.set_defaults(func=_cmd_banner)

    video = sub.add_parser(
        "video", parents=[common],
        help="make a short product video from a product page or media files",
        description="Make a short video from a product page (URL or saved HTML), a materials "
        "manifest, or image/clip files, through the video state machine: key shots cut on the "
        "beat of matched music, captions from the page's own facts. Writes DIR/video.mp4, "
        "DIR/poster.jpg, DIR/storyboard.json, DIR/storyboard.png and DIR/report.json.",
    )
    video.add_argument("inputs", nargs="*", metavar="PAGE_URL | PAGE.html | MEDIA",
                       help="a page URL, a saved page, or image/clip files")
    video.add_argument("--manifest", type=Path, metavar="FILE",
                       help="materials manifest (JSON: title, images, clips, texts, price)")
    video.add_argument("--aspect", choices=["16:9", "9:16", "1:1", "3:4"], default="16:9")
    video.add_argument("--duration", type=float, default=15.0, metavar="S",
                       help="seconds, 5..60 (default 15)")
    video.add_argument("--rhythm", choices=["slow", "medium", "fast"], default="medium")
    video.add_argument("--template", default="kenburns",
                       help="kenburns (default), slide, wipe, punch or split")
    video.add_argument("--music", default="auto", metavar="auto|none|FILE",
                       help="auto: a track synthesised to suit the product (default); none; "
                       "or your own WAV, cut on its detected beats")
    video.add_argument("--title", help="title for media files given without a page")
    video.add_argument("--width", type=int, help="output width (height follows the aspect)")
    video.add_argument("--fps", type=int, default=25)
    video.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    video.add_argument("--quiet", action="store_true", help="no progress output")
    video.set_defaults(func=_cmd_video)
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


def _is_loopback(host: str) -> bool:
    import ipaddress
    import socket

    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                   for a in addresses)


def _cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from vitrina import storage
    from vitrina.api.app import create_app
    from vitrina.config import settings
    from vitrina.engine.local import LocalEngine
    from vitrina.errors import ConfigError

    if not _is_loopback(args.host) and not settings().api_token:
        print(f"vitrina serve: refusing to listen on {args.host} without a token: set "
              "VITRINA_API_TOKEN (callers send 'Authorization: Bearer <token>'), or bind "
              "127.0.0.1", file=sys.stderr)
        return 2
    host = f"[{args.host}]" if ":" in args.host else args.host
    os.environ["VITRINA_API_SELF"] = f"{host}:{args.port}"  # the fetcher never calls us
    try:
        with LocalEngine() as engine:
            app = create_app()
            folders = [folder.start() for folder in engine.drop_folders()]
            print(f"vitrina API on http://{host}:{args.port}  (docs: /docs); data in "
                  f"{storage.home()}", file=sys.stderr)
            for folder in folders:
                print(f"  files dropped in {folder.folder} are processed like uploads to "
                      f"{folder.prefix}", file=sys.stderr)
            try:
                uvicorn.run(app, host=args.host, port=args.port, log_level="info")
            finally:
                for folder in folders:
                    folder.stop()
    except ConfigError as exc:
        print(f"vitrina serve: {exc.message}", file=sys.stderr)
        return 2
    return 0


def _cmd_matting(args: argparse.Namespace) -> int:
    from vitrina.matting.local_batch import run_batch

    skipped: list[str] = []
    inputs = expand_inputs(args.inputs, skipped)
    if skipped:
        shown = ", ".join(Path(p).name for p in skipped[:10])
        more = f" and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        print(f"vitrina matting: skipped {len(skipped)} file(s) that are not images by their "
              f"suffix ({', '.join(sorted(IMAGE_SUFFIXES))}): {shown}{more}", file=sys.stderr)
    if not inputs:
        print("vitrina matting: no images found in the given paths", file=sys.stderr)
        return 2
    report = run_batch(inputs, args.out, args.model, progress=not args.quiet, skipped=skipped)
    print(f"{report['succeeded']} cut out, {report['failed']} failed -> {args.out}/report.json",
          file=sys.stderr)
    return 0 if report["failed"] == 0 else 1


def _cmd_banner(args: argparse.Namespace) -> int:

    from vitrina.banner.local_run import run_banner
    from vitrina.banner.models import BannerCopy, BannerOptions

    def start() -> dict[str, Any]:
        copy = BannerCopy(title=args.title, subtitle=args.subtitle, price=args.price,
                          original_price=args.original_price, cta=args.cta, badge=args.badge)
        options = BannerOptions(sizes=args.sizes or ["1200x628"], variants=args.variants,
                                segment=args.segment, templates=args.templates,
                                format=args.format, seed=args.seed)
        return run_banner(args.product, copy, args.out, sizes=options.sizes,
                          variants=options.variants, segment=options.segment,
                          templates=options.templates, fmt=options.format, seed=options.seed,
                          scene=args.scene, logo=args.logo, progress=not args.quiet)

    report = _run_product("banner", start)
    if isinstance(report, int):
        return report
    count = sum(len(s["variants"]) for s in report["sizes"])
    print(f"{count} banners -> {args.out}/ (report.json, sheet.png)", file=sys.stderr)
    return 0


def _run_product(name: str, start: Callable[[], dict[str, Any]]) -> dict[str, Any] | int:
    """The product's report, or the exit code after a one-line reason on stderr: 2 for a
    request that cannot be valid, 1 for one that failed while running."""
    from pydantic import ValidationError

    from vitrina.errors import VitrinaError, describe

    try:
        report = start()
    except ValidationError as exc:
        print(f"vitrina {name}: {describe(exc)}", file=sys.stderr)
        return 2
    except VitrinaError as exc:
        print(f"vitrina {name}: {exc.message}", file=sys.stderr)
        return 2
    if report.get("status") != "ok":
        error = report.get("error", {})
        print(f"vitrina {name}: failed: {error.get('type')}: {error.get('message')}",
              file=sys.stderr)
        return 1
    return report


def _cmd_video(args: argparse.Namespace) -> int:
    from vitrina.video.local_run import run_video
    from vitrina.video.models import VideoOptions

    if bool(args.inputs) == bool(args.manifest):
        print("vitrina video: give a page, media files, or --manifest (one of them)",
              file=sys.stderr)
        return 2
    music_file = None if args.music in ("auto", "none") else Path(args.music)
    if music_file is not None and not music_file.is_file():
        print(f"vitrina video: no such music file: {music_file}", file=sys.stderr)
        return 2
    def start() -> dict[str, Any]:
        options = VideoOptions(aspect=args.aspect, duration=args.duration, rhythm=args.rhythm,
                               template=args.template, fps=args.fps, width=args.width,
                               music=args.music if music_file is None else "auto")
        return run_video(args.inputs, args.out, options, manifest=args.manifest,
                         title=args.title, music_file=music_file, progress=not args.quiet)

    report = _run_product("video", start)
    if isinstance(report, int):
        return report
    verdict = "all checks pass" if report["passed"] else "some checks FAILED (see report.json)"
    print(f"video -> {args.out}/video.mp4 ({verdict})", file=sys.stderr)
    return 0 if report["passed"] else 1


def expand_inputs(raw: list[str], skipped: list[str] | None = None) -> list[str]:
    """Folders become their image files (the others are added to ``skipped``); URLs and
    files (even missing ones, which end as error records) pass through."""
    found: list[str] = []
    for item in raw:
        path = Path(item)
        if "://" not in item and path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_file() and child.suffix.lower() in IMAGE_SUFFIXES:
                    found.append(str(child))
                elif skipped is not None and child.is_file():
                    skipped.append(str(child))
        else:
            found.append(item)
    return found


if __name__ == "__main__":
    sys.exit(main())
