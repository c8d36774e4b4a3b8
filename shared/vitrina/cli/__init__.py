"""The ``vitrina`` command: products on the embedded local engine, and the HTTP API.

One module per sub-command; a product adds its own module to ``COMMANDS``.
"""

from __future__ import annotations

import argparse
import sys

from vitrina.cli import banner, detail, matting, run, serve, video
from vitrina.cli.common import route_logs

COMMANDS = (run, serve, matting, banner, video, detail)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    route_logs(args.verbose)
    return int(args.func(args) or 0)


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
    for command in COMMANDS:
        command.add_parser(sub, common)
    return parser


if __name__ == "__main__":
    sys.exit(main())
