"""``vitrina serve``: the HTTP API on the local engine, with the drop folders."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
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
    serve.set_defaults(func=_command)


def _is_loopback(host: str) -> bool:
    import ipaddress
    import socket

    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback
                                   for a in addresses)


def _command(args: argparse.Namespace) -> int:
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
