"""Downloading user-given URLs without letting them reach the operator's own network (SSRF).

A URL is only fetched when every address its host resolves to is public (or allowed by the
operator), and the connection then goes to one of those very addresses, with the original
host name sent as ``Host`` and, for https, used for SNI and certificate checks: a DNS answer
that changes between the check and the connection (rebinding) can therefore not redirect it.
Redirects are followed by hand so that every hop gets the same check, and the body is streamed
so that a huge or endless answer stops at the size limit instead of filling memory. A total
deadline covers DNS to last byte of all hops: a server dribbling bytes never trips a per-read
timeout.

Which addresses the operator allows, and the API's own sockets, are :mod:`vitrina.netrules`.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError, NewConnectionError

from vitrina import deadline, netrules
from vitrina.config import Settings, settings
from vitrina.errors import (
    ConfigError,
    FetchError,
    FetchRefused,
    FetchTimeout,
    FetchTooLarge,
    UpstreamUnavailable,
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_DNS = ThreadPoolExecutor(8, thread_name_prefix="vitrina-dns")
_ALLOW_HINT = "set VITRINA_FETCH_ALLOW_NETS or VITRINA_FETCH_ALLOW_PRIVATE to allow it"


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL after redirects
    content: bytes
    content_type: str  # may be ""


@dataclass(frozen=True)
class _Target:
    """One URL taken apart into what the pinned connection needs."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name or IP literal, without brackets
    port: int
    host_header: str
    path: str  # path and query, as sent on the request line


class _Deadline:
    """When one fetch must be over. At expiry it shuts the open socket down, which ends a read
    or TLS handshake blocked on a dribbling server at once: socket timeouts are per read."""

    def __init__(self, conf: Settings, url: str) -> None:
        self.url = url  # the user's own: a redirect's URL may carry a signature
        self.seconds = deadline.remaining(conf.fetch_deadline_s)
        self.by_request = self.seconds < conf.fetch_deadline_s
        self.expires = time.monotonic() + self.seconds
        self.fired = False
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._timer: threading.Timer | None = None

    def left(self) -> float:
        return max(0.0, self.expires - time.monotonic())

    def passed(self) -> bool:
        return self.fired or self.left() <= 0

    def error(self) -> FetchError:
        also = " shortened by VITRINA_REQUEST_DEADLINE_S" if self.by_request else ""
        return FetchTimeout(f"could not fetch {self.url}: it did not download within the "
                            f"{max(self.seconds, 0):.3g} s deadline "
                            f"(VITRINA_FETCH_DEADLINE_S{also})")

    def watch(self, sock: socket.socket | None, stop: bool = False) -> None:
        """Shut ``sock`` down at expiry; None forgets it before it closes (http.client drops
        its own reference early, the response keeps reading from it)."""
        with self._lock:
            self._sock = sock
            if self._timer is None and sock is not None:
                self._timer = threading.Timer(self.left(), self._fire)
                self._timer.daemon = True
                self._timer.start()
            if stop and self._timer is not None:
                self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                with suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)


class _Watched(HTTPConnection):
    """A connection whose socket the fetch's deadline shuts down at expiry."""

    def __init__(self, *args: Any, budget: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = budget

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self.budget.watch(sock)
        return sock


class _WatchedTLS(_Watched, HTTPSConnection):
    pass


def validate_settings(conf: Settings | None = None) -> None:
    """Raise ConfigError for unusable fetch settings: a typo stops the app at start-up instead
    of failing every request (or allowing more than meant)."""
    conf = settings() if conf is None else conf
    for name, seconds in (("VITRINA_FETCH_DEADLINE_S", conf.fetch_deadline_s),
                          ("VITRINA_FETCH_TIMEOUT_S", conf.fetch_timeout_s)):
        if not seconds > 0:  # also refuses NaN
            raise ConfigError(f"{name} must be a number of seconds above 0, not {seconds}")
    netrules.allow_entries(conf.fetch_allow_nets)
    netrules.self_entries(conf.api_self)


def check_url(url: str) -> list[str]:
    """The addresses ``url``'s host resolves to, once all of them are allowed: FetchRefused
    for a URL vitrina must not fetch, FetchError when the host does not resolve."""
    conf = settings()
    return _allowed_addresses(_parse(url), conf, _Deadline(conf, url))


def fetch(url: str, *, max_bytes: int | None = None, timeout_s: float | None = None,
          max_redirects: int | None = None) -> Fetched:
    """Download ``url`` safely; limits left as None come from the VITRINA_FETCH_* settings.
    Raises FetchRefused, FetchTooLarge or FetchError with a sentence the user can act on."""
    conf = settings()
    limit = conf.fetch_max_bytes if max_bytes is None else max_bytes
    timeout = conf.fetch_timeout_s if timeout_s is None else timeout_s
    redirects = conf.fetch_max_redirects if max_redirects is None else max_redirects
    budget, current = _Deadline(conf, url), url
    try:
        for _ in range(redirects + 1):
            target = _parse(current)
            addresses = _allowed_addresses(target, conf, budget)
            try:
                with _request(target, addresses, timeout, budget) as response:
                    location = response.headers.get("Location")
                    if response.status in _REDIRECTS and location:
                        current = urljoin(current, location)
                        continue
                    if not 200 <= response.status < 300:
                        busy = response.status >= 500 or response.status == 429
                        raise (UpstreamUnavailable if busy else FetchError)(
                            f"could not fetch {current}: the server answered "
                            f"HTTP {response.status}")
                    content = _read(response, current, limit, budget)
                    return Fetched(current, content, response.headers.get("Content-Type", ""))
            except HTTPError as err:
                raise _failure(err, target, timeout, budget) from err
    finally:
        budget.watch(None, stop=True)
    raise FetchError(f"could not fetch {url}: it redirected more than {redirects} times")


def _parse(url: str) -> _Target:
    """Refuse what is not a plain http(s) URL with a host, before any network access."""
    try:
        parts = urlsplit(url)
        explicit_port = parts.port
    except ValueError as err:
        raise FetchRefused(f"refused to fetch {url}: it is not a valid URL ({err})") from err
    if parts.scheme not in _DEFAULT_PORTS:
        raise FetchRefused(f"refused to fetch {url}: only http and https URLs are allowed")
    if "@" in parts.netloc:  # the message leaves the URL out: it would repeat the credentials
        raise FetchRefused(f"refused to fetch a URL on {parts.hostname}: "
                           "URLs with a user name or password are not allowed")
    if not parts.hostname:
        raise FetchRefused(f"refused to fetch {url}: it names no host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as err:
        raise FetchRefused(f"refused to fetch {url}: {parts.hostname} is not a valid host "
                           "name") from err
    netloc_host = f"[{host}]" if ":" in host else host
    return _Target(
        url, parts.scheme, host,
        port=_DEFAULT_PORTS[parts.scheme] if explicit_port is None else explicit_port,
        host_header=netloc_host if explicit_port is None else f"{netloc_host}:{explicit_port}",
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""))


def _allowed_addresses(target: _Target, conf: Settings, budget: _Deadline) -> list[str]:
    """Resolve the host and refuse it if ANY address is off limits: a host with one public and
    one private address must not be usable to reach the private one."""
    addresses = list(dict.fromkeys(str(info[4][0]) for info in _resolve(target, budget)))
    allowed = netrules.allow_entries(conf.fetch_allow_nets)
    for address in addresses:
        ip = netrules.plain(ipaddress.ip_address(address))
        # Before any allow setting: the API fetching itself would let users call it from
        # inside (past its token and limits) or tie its workers up in a loop.
        if netrules.is_self(ip, target.port, conf):
            raise FetchRefused(f"refused to fetch {target.url}: it points at this API itself")
        kind = None if conf.fetch_allow_private else netrules.blocked_kind(ip)
        if kind and not any(ip in net and port in (None, target.port) for net, port in allowed):
            raise FetchRefused(f"refused to fetch {target.url}: {address} is {kind} "
                               f"({_ALLOW_HINT})")
    return addresses


def _resolve(target: _Target, budget: _Deadline) -> list[Any]:
    """getaddrinfo has no timeout, so it runs on a worker thread that is left behind (and
    its pool slot with it) if the resolver hangs past the deadline."""
    lookup = _DNS.submit(socket.getaddrinfo, target.host, target.port, type=socket.SOCK_STREAM)
    try:
        return lookup.result(timeout=budget.left())
    except TimeoutError as err:  # before OSError, its base class
        lookup.cancel()
        raise budget.error() from err
    except (OSError, UnicodeError) as err:
        raise FetchError(f"could not fetch {target.url}: the host name {target.host} does not "
                         "resolve") from err


@contextmanager
def _request(target: _Target, addresses: list[str], timeout: float, budget: _Deadline
             ) -> Iterator[urllib3.BaseHTTPResponse]:
    """GET ``target`` from the first checked address that accepts a connection (as a browser
    would for a host with several), never from whatever the name resolves to later."""
    refused: NewConnectionError | None = None
    for address in addresses:
        with _pool(target, address, timeout, budget) as pool:
            try:
                response = pool.urlopen(
                    "GET", target.path, headers={"Host": target.host_header, "User-Agent":
                    "vitrina"}, redirect=False, retries=False, preload_content=False,
                    assert_same_host=False)
            except NewConnectionError as err:
                refused = err
                continue
            try:
                yield response
            finally:
                budget.watch(None)
                response.close()
            return
    cause = refused.__cause__ if refused is not None else None
    why = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(refused)
    raise FetchError(f"could not fetch {target.url}: could not connect to {target.host} ({why})")


def _pool(target: _Target, address: str, timeout: float, budget: _Deadline
          ) -> urllib3.HTTPConnectionPool:
    """A connection pool bound to ``address`` that still speaks to ``target.host``, its
    timeouts capped by the time left (reads after that end by the deadline's shutdown)."""
    capped = max(min(timeout, budget.left()), 0.001)
    options: dict[str, Any] = {"timeout": urllib3.Timeout(connect=capped, read=capped),
                               "maxsize": 1, "budget": budget}
    if target.scheme == "http":
        pool = urllib3.HTTPConnectionPool(address, target.port, **options)
        pool.ConnectionCls = _Watched
    else:
        pool = urllib3.HTTPSConnectionPool(
            address, target.port, server_hostname=target.host, assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(), **options)
        pool.ConnectionCls = _WatchedTLS
    return pool


def _read(response: urllib3.BaseHTTPResponse, url: str, limit: int, budget: _Deadline) -> bytes:
    """The body, stopped as soon as it passes ``limit`` bytes, whatever the server declares."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchTooLarge(f"refused to download {url}: it is {int(declared)} bytes, more than "
                            f"the limit of {limit} bytes (VITRINA_FETCH_MAX_BYTES)")
    body = bytearray()
    for chunk in response.stream(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise FetchTooLarge(f"stopped downloading {url}: it is larger than the limit of "
                                f"{limit} bytes (VITRINA_FETCH_MAX_BYTES)")
    if budget.passed():  # the deadline's shutdown ends a body without length like EOF
        raise budget.error()
    return bytes(body)


def _failure(err: HTTPError, target: _Target, timeout: float, budget: _Deadline) -> FetchError:
    """urllib3's error as a sentence about the user's URL."""
    if budget.passed():  # whatever broke, the deadline did it
        return budget.error()
    if isinstance(err, urllib3.exceptions.ConnectTimeoutError):
        what = f"{target.host} did not accept a connection within the {timeout:g} s timeout"
    elif isinstance(err, urllib3.exceptions.ReadTimeoutError):
        what = f"{target.host} sent nothing for longer than the {timeout:g} s timeout"
    elif isinstance(err, urllib3.exceptions.SSLError):
        return FetchError(f"could not fetch {target.url}: TLS with {target.host} failed ({err})")
    else:
        return FetchError(f"could not fetch {target.url}: the connection failed ({err})")
    return FetchTimeout(f"could not fetch {target.url}: {what} (VITRINA_FETCH_TIMEOUT_S)")
