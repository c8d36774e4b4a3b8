"""``vitrina serve`` as a process on a free port, for the tests that need the real server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(home: Path, stop: signal.Signals = signal.SIGTERM,
            env: dict[str, str] | None = None) -> Iterator[httpx.Client]:
    """A server with its data in ``home`` (and ``env`` on top of this one), stopped with
    ``stop`` when the block ends; a client for it."""
    port = _free_port()
    env = {**os.environ, "VITRINA_HOME": str(home), **(env or {})}
    env.pop("VITRINA_API_TOKEN", None)
    server = subprocess.Popen([str(ROOT / ".venv/bin/vitrina"), "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stderr.read().decode() if server.stderr else ""
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "vitrina serve did not start"
            time.sleep(0.1)
        yield client
    finally:
        client.close()
        server.send_signal(stop)
        server.wait(timeout=30)
