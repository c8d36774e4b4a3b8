"""Servers on loopback for attack tests and the concurrency benchmark: the API under uvicorn
in a thread, and a slow-loris HTTP server that dribbles its answer. Every loop is bounded in
count and time, and each server stops by itself."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import uvicorn


@contextmanager
def api_server(app: object) -> Iterator[str]:
    """``app`` served by uvicorn on a free loopback port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                            lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def slow_loris(where: str = "body", byte_every_s: float = 0.5, count: int = 60,
               max_s: float = 60.0) -> Iterator[int]:
    """A raw HTTP server on 127.0.0.1 that sends one byte every ``byte_every_s`` (of the body,
    or of a header line that never ends) that no per-read timeout stops; yields its port.
    Bounded: ``count`` bytes a connection, ``max_s`` in all; stopped and closed at exit."""
    head = b"HTTP/1.1 200 OK\r\nConnection: close\r\n"
    head += b"Content-Length: %d\r\n\r\n" % count if where == "body" else b"X-Slow: "
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def dribble(conn: socket.socket) -> None:
        with conn, suppress(OSError):
            conn.settimeout(2)
            conn.recv(65536)
            conn.sendall(head)
            for _ in range(count):
                if stop.wait(byte_every_s):
                    break
                conn.sendall(b"x")

    def serve() -> None:
        ends = time.monotonic() + max_s
        while not stop.is_set() and time.monotonic() < ends:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=dribble, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join(5)
        listener.close()
