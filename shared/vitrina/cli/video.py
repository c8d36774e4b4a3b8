"""``vitrina video``: a short video from a product page, media files or a manifest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vitrina.cli.common import run_product


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    video = sub.add_parser(
        "video", parents=[common],
        help="make a short product video from a product page or media files",
        description="Make a short video from a product page (URL or saved HTML), a materials "
        "manifest, or image/clip files, through the video state machine: key shots cut on the "
        "beat of matched music, captions from the page's own facts. Writes DIR/video.mp4, "
        "DIR/poster.jpg, DIR/storyboard.json, DIR/storyboard.png and DIR/report.json.",
        epilog="examples:\n  vitrina video https://shop.example/p/123 --aspect 9:16 --out video/\n"
        "  vitrina video photo1.jpg photo2.png --title \"Thermo bottle\" --out video/\n"
        "  vitrina video --manifest materials.json --duration 30 --out video/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    video.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
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

    report = run_product("video", start)
    if isinstance(report, int):
        return report
    verdict = "all checks pass" if report["passed"] else "some checks FAILED (see report.json)"
    print(f"video -> {args.out}/video.mp4 ({verdict})", file=sys.stderr)
    return 0 if report["passed"] else 1
