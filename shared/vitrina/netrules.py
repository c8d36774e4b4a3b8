"""Which addresses and ports a user-given URL may reach: the operator's allow-list and the
API's own sockets (parsed once per setting), and what makes an address off limits.

VITRINA_FETCH_ALLOW_NETS entries are an address or network with an optional port (none: every
port): ``127.0.0.1``, ``127.0.0.1:9001``, ``10.0.0.0/8:443``, ``::1``, ``[::1]:8080``,
``[fd00::]/8:443`` (or ``[fd00::/8]:443``). VITRINA_API_SELF entries are the API's own
``host:port`` (``127.0.0.1:8000``, ``0.0.0.0:8000``, ``[::1]:8000``), never fetched whatever
the allow settings say.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from vitrina.config import Settings
from vitrina.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
_T = TypeVar("_T")
_BRACKETED = re.compile(r"\[([^\]]+)\](/[0-9]+)?(?::([^:]*))?")  # [v6], [v6]/n, [v6/n], :port
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


def plain(ip: IPAddress) -> IPAddress:
    """::ffff:a.b.c.d reaches a.b.c.d itself, so it is judged (and allowed) as that address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def blocked_kind(ip: IPAddress) -> str | None:
    """What makes ``ip`` off limits for a user-given URL, or None for a public address."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        inner = blocked_kind(ip.sixtofour)
        if inner is not None:
            return f"a 6to4 form of {inner}"
    for attribute, kind in _BLOCKED_KINDS:
        if getattr(ip, attribute):
            return kind
    # Whatever else is not globally routable (e.g. 100.64.0.0/10, carrier-grade NAT).
    return None if ip.is_global else "a non-public address"


def _split_port(spec: str) -> tuple[str, int | None]:
    """``host`` or ``host:port``, IPv6 in brackets when a port follows."""
    bracketed = _BRACKETED.fullmatch(spec)
    if bracketed:
        host, port = bracketed[1] + (bracketed[2] or ""), bracketed[3]
    else:
        host, port = spec.split(":") if spec.count(":") == 1 else (spec, None)
    if port is not None and not (re.fullmatch(r"[0-9]{1,5}", port) and 0 < int(port) < 65536):
        raise ValueError(f"{port!r} is not a port from 1 to 65535")
    return host, None if port is None else int(port)


def _entries(
    var: str, like: str, specs: tuple[str, ...], make: Callable[..., _T]
) -> tuple[_T, ...]:
    entries = []
    for spec in specs:
        try:
            entries.append(make(*_split_port(spec)))
        except ValueError as err:
            raise ConfigError(f"{var} holds an invalid entry {spec!r} ({err}); "
                              f"write entries like {like}") from err
    return tuple(entries)


@functools.cache
def allow_entries(specs: tuple[str, ...]) -> tuple[tuple[IPNetwork, int | None], ...]:
    return _entries("VITRINA_FETCH_ALLOW_NETS",
                    "10.0.0.0/8, 10.0.0.0/8:443, 127.0.0.1:9001, [::1]:8080 or [fd00::]/8:443",
                    specs, lambda host, port: (ipaddress.ip_network(host, strict=False), port))


@functools.cache
def self_entries(specs: tuple[str, ...]) -> tuple[tuple[IPAddress | None, int], ...]:
    return _entries("VITRINA_API_SELF", "127.0.0.1:8000, 0.0.0.0:8000 or [::1]:8000", specs,
                    _self_entry)


def _self_entry(host: str, port: int | None) -> tuple[IPAddress | None, int]:
    """None for a host name: taken as wide as a wildcard, it may name any of our addresses."""
    if port is None or not host:
        raise ValueError("it needs a host and a port")
    with suppress(ValueError):
        return plain(ipaddress.ip_address(host)), port
    return None, port


def is_self(ip: IPAddress, port: int, conf: Settings) -> bool:
    """Whether a connection to (ip, port) may reach one of this API's listening sockets."""
    for host, self_port in self_entries(conf.api_self):
        if port != self_port:
            continue
        if ip == host or ip.is_unspecified:  # connecting to 0.0.0.0 reaches this machine
            return True
        wide = host is None or host.is_unspecified or host.is_loopback
        if wide and (ip.is_loopback or ip in _own_addresses()):
            return True
    return False


def _own_addresses() -> set[IPAddress]:
    """This machine's addresses, looked up each time (rarely needed, and they may change)."""
    found: set[str] = set()
    with suppress(OSError, UnicodeError):
        name = socket.gethostname()
        found.update(str(info[4][0]) for info in socket.getaddrinfo(name, None))
        found.update(socket.gethostbyname_ex(name)[2])
    return {plain(ipaddress.ip_address(address)) for address in found}
