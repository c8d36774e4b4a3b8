"""``vitrina matting``: cut out photos, files, folders or URLs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from vitrina.cli.common import IMAGE_SUFFIXES, expand_inputs


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    matting = sub.add_parser(
        "matting", parents=[common],
        help="cut out product photos",
        description="Cut out product photos (files, folders or URLs) through the batch state "
        "machine. Writes DIR/<stem>.png (RGBA), DIR/<stem>.mask.png and DIR/report.json "
        "(every input with its result or error, by descending confidence).",
        epilog="examples:\n  vitrina matting photo.jpg --out cutouts/\n"
        "  vitrina matting shots/ https://example.com/p.png --out cutouts/ --model u2net",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    matting.add_argument("inputs", nargs="+", metavar="PATH_OR_URL")
    matting.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    matting.add_argument("--model", choices=["u2netp", "u2net"], default="u2netp",
                         help="u2netp (default, 4.6 MB) or u2net (176 MB, slower)")
    matting.add_argument("--quiet", action="store_true", help="no progress output")
    matting.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
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
