"""Downloading user-given URLs without letting them reach the operator's own network (SSRF).

A URL is only fetched when every address its host resolves to is public (or allowed by the
operator), and the connection then goes to one of those very addresses, with the original
host name sent as ``Host`` and, for https, used for SNI and certificate checks: a DNS answer
that changes between the check and the connection (rebinding) can therefore not redirect it.
Redirects are followed by hand so that every hop gets the same check, and the body is streamed
so that a huge or endless answer stops at the size limit instead of filling memory.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from vitrina.config import Settings, settings
from vitrina.errors import FetchError, FetchRefused, FetchTooLarge

_IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_DEFAULT_PORTS = {"http": 80, "https": 443}
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
_ALLOW_HINT = "set VITRINA_FETCH_ALLOW_NETS or VITRINA_FETCH_ALLOW_PRIVATE to allow it"
# Checked in this order so that each address gets its most telling name (127.0.0.1 and
# 240.0.0.1 are also private).
_BLOCKED_KINDS = (
    ("is_unspecified", "an unspecified address"),
    ("is_loopback", "a loopback address"),
    ("is_link_local", "a link-local address"),
    ("is_multicast", "a multicast address"),
    ("is_reserved", "a reserved address"),
    ("is_private", "a private address"),
)


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


def check_url(url: str) -> list[str]:
    """The addresses ``url``'s host resolves to, once all of them are allowed.

    Raises FetchRefused for a URL vitrina must not fetch, FetchError when the host does not
    resolve.
    """
    return _allowed_addresses(_parse(url), settings())


def fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    timeout_s: float | None = None,
    max_redirects: int | None = None,
) -> Fetched:
    """Download ``url`` safely; limits left as None come from the VITRINA_FETCH_* settings.

    Raises FetchRefused, FetchTooLarge or FetchError with a sentence the user can act on.
    """
    conf = settings()
    limit = conf.fetch_max_bytes if max_bytes is None else max_bytes
    timeout = conf.fetch_timeout_s if timeout_s is None else timeout_s
    redirects = conf.fetch_max_redirects if max_redirects is None else max_redirects
    current = url
    for _ in range(redirects + 1):
        target = _parse(current)
        addresses = _allowed_addresses(target, conf)
        try:
            with _request(target, addresses, timeout) as response:
                location = response.headers.get("Location")
                if response.status in _REDIRECTS and location:
                    current = urljoin(current, location)
                    continue
                if not 200 <= response.status < 300:
                    raise FetchError(
                        f"could not fetch {current}: the server answered HTTP {response.status}"
                    )
                content = _read(response, current, limit)
                return Fetched(current, content, response.headers.get("Content-Type", ""))
        except HTTPError as err:
            raise _failure(err, target, timeout) from err
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
    if "@" in parts.netloc:
        # The message leaves the URL out: it would repeat the credentials.
        raise FetchRefused(
            f"refused to fetch a URL on {parts.hostname}: "
            "URLs with a user name or password are not allowed"
        )
    if not parts.hostname:
        raise FetchRefused(f"refused to fetch {url}: it names no host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as err:
        raise FetchRefused(
            f"refused to fetch {url}: {parts.hostname} is not a valid host name"
        ) from err
    netloc_host = f"[{host}]" if ":" in host else host
    return _Target(
        url=url,
        scheme=parts.scheme,
        host=host,
        port=_DEFAULT_PORTS[parts.scheme] if explicit_port is None else explicit_port,
        host_header=netloc_host if explicit_port is None else f"{netloc_host}:{explicit_port}",
        path=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
    )


def _allowed_addresses(target: _Target, conf: Settings) -> list[str]:
    """Resolve the host and refuse it if ANY address is off limits: a host with one public and
    one private address must not be usable to reach the private one."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise FetchError(
            f"could not fetch {target.url}: the host name {target.host} does not resolve"
        ) from err
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if conf.fetch_allow_private:
        return addresses
    allowed_nets = _networks(conf.fetch_allow_nets)
    for address in addresses:
        ip = ipaddress.ip_address(address)
        # ::ffff:a.b.c.d reaches a.b.c.d itself, so it is judged (and allowed) as that address.
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        kind = _blocked_kind(ip)
        if kind is not None and not any(ip in net for net in allowed_nets):
            raise FetchRefused(
                f"refused to fetch {target.url}: {address} is {kind} ({_ALLOW_HINT})"
            )
    return addresses


def _blocked_kind(ip: _IPAddress) -> str | None:
    """What makes ``ip`` off limits for a user-given URL, or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        inner = _blocked_kind(ip.sixtofour)
        if inner is not None:
            return f"a 6to4 form of {inner}"
    for attribute, kind in _BLOCKED_KINDS:
        if getattr(ip, attribute):
            return kind
    # Whatever else is not globally routable (e.g. 100.64.0.0/10, carrier-grade NAT).
    return None if ip.is_global else "a non-public address"


def _networks(specs: Iterable[str]) -> list[_IPNetwork]:
    try:
        return [ipaddress.ip_network(spec, strict=False) for spec in specs]
    except ValueError as err:
        raise ValueError(f"VITRINA_FETCH_ALLOW_NETS holds an invalid network: {err}") from err


@contextmanager
def _request(
    target: _Target, addresses: list[str], timeout: float
) -> Iterator[urllib3.BaseHTTPResponse]:
    """GET ``target`` from the first checked address that accepts a connection (as a browser
    would for a host with several), never from whatever the name resolves to later."""
    refused: NewConnectionError | None = None
    for address in addresses:
        with _pool(target, address, timeout) as pool:
            try:
                response = pool.urlopen(
                    "GET",
                    target.path,
                    headers={"Host": target.host_header, "User-Agent": "vitrina"},
                    redirect=False,
                    retries=False,
                    preload_content=False,
                    assert_same_host=False,
                )
            except NewConnectionError as err:
                refused = err
                continue
            try:
                yield response
            finally:
                response.close()
            return
    cause = refused.__cause__ if refused is not None else None
    why = cause.strerror if isinstance(cause, OSError) and cause.strerror else str(refused)
    raise FetchError(f"could not fetch {target.url}: could not connect to {target.host} ({why})")


def _pool(target: _Target, address: str, timeout: float) -> urllib3.HTTPConnectionPool:
    """A connection pool bound to ``address`` that still speaks to ``target.host``."""
    timeouts = urllib3.Timeout(connect=timeout, read=timeout)
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(address, target.port, timeout=timeouts, maxsize=1)
    return urllib3.HTTPSConnectionPool(
        address,
        target.port,
        timeout=timeouts,
        maxsize=1,
        server_hostname=target.host,
        assert_hostname=target.host,
        cert_reqs="CERT_REQUIRED",
        ca_certs=certifi.where(),
    )


def _read(response: urllib3.BaseHTTPResponse, url: str, limit: int) -> bytes:
    """The body, stopped as soon as it passes ``limit`` bytes, whatever the server declares."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchTooLarge(
            f"refused to download {url}: it is {int(declared)} bytes, more than the limit of "
            f"{limit} bytes (VITRINA_FETCH_MAX_BYTES)"
        )
    body = bytearray()
    for chunk in response.stream(_CHUNK):
        body += chunk
        if len(body) > limit:
            raise FetchTooLarge(
                f"stopped downloading {url}: it is larger than the limit of {limit} bytes "
                "(VITRINA_FETCH_MAX_BYTES)"
            )
    return bytes(body)


def _failure(err: HTTPError, target: _Target, timeout: float) -> FetchError:
    """urllib3's error as a sentence about the user's URL."""
    if isinstance(err, ConnectTimeoutError):
        what = f"{target.host} did not accept a connection within the {timeout:g} s timeout"
    elif isinstance(err, ReadTimeoutError):
        what = f"{target.host} sent nothing for longer than the {timeout:g} s timeout"
    elif isinstance(err, SSLError):
        return FetchError(f"could not fetch {target.url}: TLS with {target.host} failed ({err})")
    else:
        return FetchError(f"could not fetch {target.url}: the connection failed ({err})")
    return FetchError(f"could not fetch {target.url}: {what} (VITRINA_FETCH_TIMEOUT_S)")
