"""SSRF checks against real servers on private and link-local addresses, run by
test_ssrf_netns.py inside ``unshare -n``: a network namespace whose only interface is lo,
carrying 10.20.30.40, 169.254.169.254 and fd00::1, so no packet can leave the machine.

It refuses to run anywhere else: the first thing it does, before any network access, is
check that lo is the only interface, and exit 2 otherwise. Exit 0: every check passed.
"""

from __future__ import annotations

import socket
import sys

if [name for _, name in socket.if_nameindex()] != ["lo"]:
    print("netns_fetch.py: not inside an isolated network namespace (interfaces other than lo);"
          " refusing to run. Start it through tests/security/test_ssrf_netns.py.",
          file=sys.stderr)
    sys.exit(2)

import os
import signal
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vitrina.errors import FetchRefused
from vitrina.fetch import fetch

PRIVATE, METADATA, UNIQUE_LOCAL = "10.20.30.40", "169.254.169.254", "fd00::1"
NAMES = {  # an /etc/hosts-free DNS: names that resolve to the namespace's addresses
    "internal.test": [PRIVATE],
    "metadata.test": [METADATA],
    "v6.test": [UNIQUE_LOCAL],
    "mixed.test": ["93.184.215.14", PRIVATE],  # one public address does not make it safe
}
failures: list[str] = []


class Server(ThreadingHTTPServer):
    daemon_threads = True
    location = ""  # where /to-metadata redirects

    def __init__(self, host: str) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), Handler)
        self.hits: list[str] = []
        self.port = self.server_address[1]
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()


class Handler(BaseHTTPRequestHandler):
    server: Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", self.server.location)
            body = b""
        else:
            self.send_response(200)
            body = b"secret-role-credentials" if "meta-data" in self.path else b"hello"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def fake_getaddrinfo(real: Callable[..., Any]) -> Callable[..., Any]:
    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in NAMES:
            return real(host, port, *args, **kwargs)
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
             (a, port, 0, 0) if ":" in a else (a, port))
            for a in NAMES[host]
        ]

    return getaddrinfo


def use(**env: str) -> None:
    """Only these VITRINA_FETCH_* settings (read on every call)."""
    for name in [n for n in os.environ if n.startswith("VITRINA_FETCH_")]:
        del os.environ[name]
    os.environ.update({"VITRINA_FETCH_DEADLINE_S": "5", **env})


def check(label: str, ok: bool, detail: object = "") -> None:
    print(("ok    " if ok else "FAIL  ") + label + ("" if ok else f": {detail}"))
    if not ok:
        failures.append(label)


def refused(url: str, why: str) -> None:
    try:
        got = fetch(url)
    except FetchRefused as err:
        check(f"refused {url}", why in err.message, err.message)
    except Exception as err:  # any other outcome is a failed check
        check(f"refused {url}", False, f"{type(err).__name__}: {err}")
    else:
        check(f"refused {url}", False, f"fetched {got.content[:40]!r}")


def main() -> int:
    signal.alarm(60)  # whatever happens, never hang the outer test
    socket.getaddrinfo = fake_getaddrinfo(socket.getaddrinfo)  # type: ignore[assignment]
    allowed, other = Server(PRIVATE), Server(PRIVATE)
    metadata, v6 = Server(METADATA), Server(UNIQUE_LOCAL)
    meta_url = f"http://{METADATA}:{metadata.port}/latest/meta-data"
    allowed.location = meta_url
    a, b = allowed.port, other.port

    print("-- (a) refused by default")
    use()
    refused(f"http://{PRIVATE}:{a}/ok", f"{PRIVATE} is a private address")
    refused(meta_url, f"{METADATA} is a link-local address")
    refused(f"http://[{UNIQUE_LOCAL}]:{v6.port}/ok", f"{UNIQUE_LOCAL} is a private address")
    refused(f"http://internal.test:{a}/ok", f"{PRIVATE} is a private address")
    refused(f"http://metadata.test:{metadata.port}/latest/meta-data", "link-local")
    refused(f"http://v6.test:{v6.port}/ok", f"{UNIQUE_LOCAL} is a private address")
    refused(f"http://mixed.test:{a}/ok", f"{PRIVATE} is a private address")
    use(VITRINA_FETCH_ALLOW_NETS="127.0.0.0/8")
    refused(meta_url, "link-local")

    print(f"-- (b) VITRINA_FETCH_ALLOW_NETS={PRIVATE}:{a}")
    use(VITRINA_FETCH_ALLOW_NETS=f"{PRIVATE}:{a}")
    got = fetch(f"http://{PRIVATE}:{a}/ok").content
    check("fetched the allowed address and port", got == b"hello", got)
    got = fetch(f"http://internal.test:{a}/ok").content
    check("fetched it through a name", got == b"hello", got)
    refused(f"http://{PRIVATE}:{b}/ok", f"{PRIVATE} is a private address")
    refused(meta_url, "link-local")
    refused(f"http://{PRIVATE}:{a}/to-metadata", f"{METADATA} is a link-local address")
    refused(f"http://[{UNIQUE_LOCAL}]:{v6.port}/ok", "private")
    use(VITRINA_FETCH_ALLOW_NETS=f"[fd00::]/8:{v6.port}")
    got = fetch(f"http://[{UNIQUE_LOCAL}]:{v6.port}/ok").content
    check("fetched an allowed IPv6 network and port", got == b"hello", got)

    print("-- (c) the HTTP API")
    from fastapi.testclient import TestClient

    from vitrina.api.app import create_app
    from vitrina.engine.local import LocalEngine

    with LocalEngine():
        client = TestClient(create_app())
        use(VITRINA_FETCH_ALLOW_NETS=f"{PRIVATE}:{a}")
        for url in (meta_url, f"http://metadata.test:{metadata.port}/latest/meta-data",
                    f"http://{PRIVATE}:{a}/to-metadata", f"http://{PRIVATE}:{b}/ok"):
            response = client.post("/v1/matting", json={"url": url})
            code = response.json().get("error", {}).get("code")
            check(f"POST /v1/matting {url} -> 403 url_refused",
                  (response.status_code, code) == (403, "url_refused"), response.text)

    check("the metadata server was never reached", metadata.hits == [], metadata.hits)
    check("the other port was never reached", other.hits == [], other.hits)
    check("the allowed server saw only the expected requests",
          sorted(set(allowed.hits)) == ["/ok", "/to-metadata"], allowed.hits)
    if failures:
        print(f"{len(failures)} SSRF check(s) failed")
        return 1
    print("all SSRF checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
