"""vitrina.fetch against real HTTP(S) servers on 127.0.0.1 and 127.0.0.2.

Loopback is exactly what the fetcher refuses by default, so each test that downloads opens the
door it needs with VITRINA_FETCH_ALLOW_NETS or VITRINA_FETCH_ALLOW_PRIVATE.
"""

from __future__ import annotations

import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import certifi
import pytest

from tests.security.servers import slow_loris
from vitrina import deadline
from vitrina import fetch as fetch_module
from vitrina.config import Settings
from vitrina.errors import ConfigError, FetchError, FetchRefused, FetchTooLarge
from vitrina.fetch import Fetched, check_url, fetch

pytestmark = pytest.mark.netns  # private and link-local addresses are named below

BIG = 3 * 1024 * 1024
LIMIT = 1024 * 1024
SLOW_S = 1.5
_FETCH_VARS = (
    "VITRINA_FETCH_MAX_BYTES",
    "VITRINA_FETCH_TIMEOUT_S",
    "VITRINA_FETCH_MAX_REDIRECTS",
    "VITRINA_FETCH_ALLOW_PRIVATE",
    "VITRINA_FETCH_ALLOW_NETS",
    "VITRINA_FETCH_DEADLINE_S",
    "VITRINA_API_SELF",
)


class _Server(ThreadingHTTPServer):
    other_port = 0  # where /redirect-other points to, on 127.0.0.2


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Keep pytest's output clean."""

    def do_GET(self) -> None:
        route = _ROUTES.get(self.path, _Handler._not_found)
        # The client may hang up on purpose: size limit or timeout reached.
        with suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def _send(self, body: bytes, content_type: str = "text/plain") -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _ok(self) -> None:
        self._send(b"hello")

    def _host(self) -> None:
        self._send(self.headers["Host"].encode())

    def _big(self) -> None:
        self._send(bytes(BIG), "application/octet-stream")

    def _big_no_length(self) -> None:
        # HTTP/1.0 without Content-Length: the body ends when the connection closes.
        self.send_response(200)
        self.end_headers()
        for _ in range(BIG // 65536):
            self.wfile.write(bytes(65536))

    def _big_chunked(self) -> None:
        self.protocol_version = "HTTP/1.1"
        self.close_connection = True
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for _ in range(BIG // 65536):
            self.wfile.write(b"10000\r\n" + bytes(65536) + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _slow(self) -> None:
        time.sleep(SLOW_S)
        self._ok()

    def _slow_loop(self) -> None:
        time.sleep(0.3)
        self._redirect("/slow-loop")

    def _not_found(self) -> None:
        self.send_error(404)


_ROUTES: dict[str, Callable[[_Handler], None]] = {
    "/ok": _Handler._ok,
    "/host": _Handler._host,
    "/big": _Handler._big,
    "/big-no-length": _Handler._big_no_length,
    "/big-chunked": _Handler._big_chunked,
    "/slow": _Handler._slow,
    "/slow-loop": _Handler._slow_loop,
    "/redirect-ok": lambda h: h._redirect("/ok"),
    "/loop": lambda h: h._redirect("/loop"),
    "/redirect-other": lambda h: h._redirect(f"http://127.0.0.2:{h.server.other_port}/ok"),
    "/redirect-file": lambda h: h._redirect("file:///etc/passwd"),
}


@dataclass(frozen=True)
class Servers:
    base: str  # http://127.0.0.1:<port>
    other: str  # http://127.0.0.2:<port>
    port: int


@contextmanager
def _serving(server: _Server) -> Iterator[int]:
    """Serve in a thread; always shut down and close the socket, whatever the tests did."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def servers() -> Iterator[Servers]:
    main, other = _Server(("127.0.0.1", 0), _Handler), _Server(("127.0.0.2", 0), _Handler)
    main.other_port = other.server_address[1]
    with _serving(main) as port, _serving(other) as other_port:
        yield Servers(f"http://127.0.0.1:{port}", f"http://127.0.0.2:{other_port}", port)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Defaults unless a test says otherwise, whatever the shell running pytest exports."""
    for name in _FETCH_VARS:
        monkeypatch.delenv(name, raising=False)


def _allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", "127.0.0.1/32")


# --- what is refused before any connection ------------------------------------------------


def test_loopback_is_refused_by_default(servers: Servers) -> None:
    with pytest.raises(FetchRefused) as caught:
        fetch(f"{servers.base}/ok")
    message = caught.value.message
    assert f"{servers.base}/ok" in message
    assert "127.0.0.1 is a loopback address" in message
    assert "VITRINA_FETCH_ALLOW_NETS" in message


@pytest.mark.parametrize(
    ("url", "address", "kind"),
    [
        ("http://10.0.0.1/", "10.0.0.1", "a private address"),
        ("http://192.168.1.1/x", "192.168.1.1", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254", "a link-local address"),
        ("http://[::1]:8000/", "::1", "a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1", "a loopback address"),
        ("http://[::ffff:10.1.2.3]/", "::ffff:10.1.2.3", "a private address"),
        ("http://0.0.0.0/", "0.0.0.0", "an unspecified address"),
        ("https://[fe80::1]/", "fe80::1", "a link-local address"),
        ("http://224.0.0.1/", "224.0.0.1", "a multicast address"),
        ("http://240.0.0.1/", "240.0.0.1", "a reserved address"),
        ("http://100.64.0.1/", "100.64.0.1", "a non-public address"),
        ("http://[2002:7f00:1::]/", "2002:7f00:1::", "a 6to4 form of a loopback address"),
        ("http://[64:ff9b::a00:1]/", "64:ff9b::a00:1", "a reserved address"),
    ],
)
def test_non_public_addresses_are_refused(url: str, address: str, kind: str) -> None:
    # Literal IP URLs resolve without DNS, and refusal comes before any connection: fetch would
    # otherwise hang on these unreachable addresses for the default 10 s timeout.
    with pytest.raises(FetchRefused, match=re.escape(f"{address} is {kind} (")):
        check_url(url)
    with pytest.raises(FetchRefused):
        fetch(url)


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://93.184.215.14/", ["93.184.215.14"]),
        ("https://[2606:4700:4700::1111]:8443/x", ["2606:4700:4700::1111"]),
    ],
)
def test_public_addresses_are_allowed(url: str, addresses: list[str]) -> None:
    assert check_url(url) == addresses


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://example.com/", "data:,hi"]
)
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(FetchRefused, match="only http and https URLs are allowed"):
        fetch(url)


def test_userinfo_is_refused_without_repeating_it() -> None:
    with pytest.raises(FetchRefused, match="user name or password") as caught:
        fetch("http://user:s3cret@example.com/")
    assert "example.com" in caught.value.message
    assert "s3cret" not in caught.value.message


@pytest.mark.parametrize(
    ("url", "reason"),
    [("http:///x", "names no host"), ("http://example.com:99999/", "not a valid URL")],
)
def test_malformed_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(FetchRefused, match=reason):
        fetch(url)


def test_unresolvable_host() -> None:
    with pytest.raises(FetchError, match=re.escape("nonexistent.invalid does not resolve")):
        fetch("http://nonexistent.invalid/x")


# --- what the operator may allow --------------------------------------------------------


def test_allow_nets_lets_loopback_through(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    _allow_loopback(monkeypatch)
    assert check_url(f"{servers.base}/ok") == ["127.0.0.1"]
    assert fetch(f"{servers.base}/ok") == Fetched(f"{servers.base}/ok", b"hello", "text/plain")


def test_allow_nets_allows_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_loopback(monkeypatch)
    with pytest.raises(FetchRefused, match=re.escape("10.0.0.1 is a private address")):
        check_url("http://10.0.0.1/")
    # An IPv4-mapped address is the IPv4 address it carries, allowed or not alike.
    assert check_url("http://[::ffff:127.0.0.1]/") == ["::ffff:127.0.0.1"]
    # An IPv4 network allows no IPv6 address, even one whose integer value falls inside it.
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", "0.0.0.0/8")
    with pytest.raises(FetchRefused, match=re.escape("::1 is a loopback address")):
        check_url("http://[::1]/")


def test_allow_private_allows_loopback(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_PRIVATE", "1")
    assert fetch(f"{servers.base}/ok").content == b"hello"
    assert check_url("http://[::1]/") == ["::1"]


def test_connects_to_the_checked_address_with_the_original_host(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_PRIVATE", "1")
    url = f"http://localhost:{servers.port}/host"
    assert fetch(url) == Fetched(url, f"localhost:{servers.port}".encode(), "text/plain")


def test_connection_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_PRIVATE", "1")
    with socket.socket() as probe:  # a port that was free a moment ago, with no listener
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=re.escape("could not connect to 127.0.0.1")):
        fetch(f"http://127.0.0.1:{port}/ok")


# --- redirects ----------------------------------------------------------------------------


def test_relative_redirect_is_followed(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_loopback(monkeypatch)
    fetched = fetch(f"{servers.base}/redirect-ok")
    assert (fetched.url, fetched.content) == (f"{servers.base}/ok", b"hello")


def test_every_hop_is_checked(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_loopback(monkeypatch)
    with pytest.raises(FetchRefused, match=re.escape("127.0.0.2 is a loopback address")):
        fetch(f"{servers.base}/redirect-other")
    with pytest.raises(FetchRefused, match="only http and https"):
        fetch(f"{servers.base}/redirect-file")


def test_redirect_to_another_allowed_host(
    servers: Servers, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", "127.0.0.1/32, 127.0.0.2/32")
    fetched = fetch(f"{servers.base}/redirect-other")
    assert (fetched.url, fetched.content) == (f"{servers.other}/ok", b"hello")


def test_redirect_limit(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_loopback(monkeypatch)
    with pytest.raises(FetchError, match="redirected more than 5 times"):
        fetch(f"{servers.base}/loop")
    with pytest.raises(FetchError, match="redirected more than 0 times"):
        fetch(f"{servers.base}/redirect-ok", max_redirects=0)
    monkeypatch.setenv("VITRINA_FETCH_MAX_REDIRECTS", "0")
    with pytest.raises(FetchError, match="redirected more than 0 times"):
        fetch(f"{servers.base}/redirect-ok")


# --- answers that are not a usable download -----------------------------------------------


@pytest.mark.parametrize(
    ("path", "stage"),
    [("/big", "refused to download"), ("/big-no-length", "stopped"), ("/big-chunked", "stopped")],
)
def test_size_limit(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, path: str, stage: str
) -> None:
    _allow_loopback(monkeypatch)
    with pytest.raises(FetchTooLarge, match=f"{stage} .* limit of {LIMIT} bytes"):
        fetch(f"{servers.base}{path}", max_bytes=LIMIT)
    monkeypatch.setenv("VITRINA_FETCH_MAX_BYTES", str(LIMIT))
    with pytest.raises(FetchTooLarge):
        fetch(f"{servers.base}{path}")


def test_size_limit_is_inclusive(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_loopback(monkeypatch)
    assert fetch(f"{servers.base}/ok", max_bytes=5).content == b"hello"
    assert len(fetch(f"{servers.base}/big-chunked", max_bytes=BIG).content) == BIG
    with pytest.raises(FetchTooLarge):
        fetch(f"{servers.base}/ok", max_bytes=4)


def test_timeout(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_loopback(monkeypatch)
    monkeypatch.setenv("VITRINA_FETCH_TIMEOUT_S", "0.5")
    start = time.monotonic()
    with pytest.raises(FetchError, match=r"0\.5 s timeout \(VITRINA_FETCH_TIMEOUT_S\)"):
        fetch(f"{servers.base}/slow")
    assert time.monotonic() - start < SLOW_S


def test_http_error_status(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    _allow_loopback(monkeypatch)
    with pytest.raises(FetchError, match="answered HTTP 404"):
        fetch(f"{servers.base}/missing")


# --- https: verified for the URL's host name while connected to the checked address ---------


@dataclass(frozen=True)
class Tls:
    port: int
    ca: Path  # the only CA that signed the server's certificate (for localhost)
    server_names: list[str | None]  # the SNI of every handshake, in order


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tls]:
    pytest.importorskip("cryptography")
    folder = tmp_path_factory.mktemp("tls")
    ca, cert, key = _certificates(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server_names: list[str | None] = []
    context.sni_callback = lambda _socket, name, _context: server_names.append(name)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    with _serving(server) as port:
        yield Tls(port, ca, server_names)


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for localhost it signed: (ca, cert, key) PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "vitrina test CA")])

    def builder(
        subject: x509.Name, public_key: ec.EllipticCurvePublicKey
    ) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(ca_name)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                critical=False,
            )
        )

    ca_cert = (
        builder(ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(ca_key, hashes.SHA256())
    )
    cert = (
        builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = folder / "ca.pem", folder / "cert.pem", folder / "key.pem"
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return paths


def test_https_verifies_the_url_host(tls: Tls, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_PRIVATE", "1")
    monkeypatch.setattr(certifi, "where", lambda: str(tls.ca))  # trust the test CA only
    url = f"https://localhost:{tls.port}/host"
    tls.server_names.clear()
    assert fetch(url).content == f"localhost:{tls.port}".encode()
    assert tls.server_names == ["localhost"]
    # The same server under a name its certificate does not carry.
    with pytest.raises(FetchError, match=re.escape("TLS with 127.0.0.1 failed")):
        fetch(f"https://127.0.0.1:{tls.port}/ok")


def test_https_refuses_an_unknown_ca(tls: Tls, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_PRIVATE", "1")
    with pytest.raises(FetchError, match="TLS with localhost failed"):
        fetch(f"https://localhost:{tls.port}/ok")


# --- the total deadline -------------------------------------------------------------------


@pytest.mark.parametrize("where", ["body", "headers"])
def test_fetch_total_deadline_stops_slow_loris(
    monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    monkeypatch.setenv("VITRINA_FETCH_DEADLINE_S", "1.5")
    with slow_loris(where, byte_every_s=0.2, count=40, max_s=15) as port:
        monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", f"127.0.0.1:{port}")
        start = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetch(f"http://127.0.0.1:{port}/slow")
        elapsed = time.monotonic() - start
    assert elapsed < 2.5
    assert caught.value.message == (
        f"could not fetch http://127.0.0.1:{port}/slow: it did not download within the "
        "1.5 s deadline (VITRINA_FETCH_DEADLINE_S)"
    )


def test_fetch_deadline_follows_the_request_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    with slow_loris("body", byte_every_s=0.2, count=40, max_s=15) as port:
        monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", f"127.0.0.1:{port}")
        start = time.monotonic()
        with deadline.within(0.8), pytest.raises(FetchError, match="REQUEST_DEADLINE_S"):
            fetch(f"http://127.0.0.1:{port}/")
        assert time.monotonic() - start < 1.8


def test_fetch_deadline_spans_redirects(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    # Six hops of 0.3 s each: every one is quick, all of them together are not.
    _allow_loopback(monkeypatch)
    monkeypatch.setenv("VITRINA_FETCH_DEADLINE_S", "1")
    start = time.monotonic()
    with pytest.raises(FetchError, match=re.escape("1 s deadline (VITRINA_FETCH_DEADLINE_S)")):
        fetch(f"{servers.base}/slow-loop")
    assert time.monotonic() - start < 1.6


# --- allow-list entries with a port, checked at start-up ----------------------------------


def test_allow_list_limits_host_and_port(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    with _serving(_Server(("127.0.0.1", 0), _Handler)) as other_port:
        monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", f"127.0.0.1:{servers.port}")
        assert fetch(f"{servers.base}/ok").content == b"hello"
        with pytest.raises(FetchRefused, match=re.escape("127.0.0.1 is a loopback address")):
            fetch(f"http://127.0.0.1:{other_port}/ok")
        with pytest.raises(FetchRefused, match=re.escape("127.0.0.2 is a loopback address")):
            fetch(f"{servers.other}/ok")
    # Every entry form, checked without connecting: (entry, allowed URLs, refused URLs).
    forms = [
        ("127.0.0.1", ["http://127.0.0.1/", "http://127.0.0.1:9001/"], ["http://127.0.0.2/"]),
        ("127.0.0.1:9001", ["http://127.0.0.1:9001/"], ["http://127.0.0.1/"]),
        ("10.0.0.0/8", ["http://10.1.2.3/", "https://10.9.9.9:8443/"], ["http://172.16.0.1/"]),
        ("10.0.0.0/8:443", ["https://10.1.2.3/"], ["http://10.1.2.3/", "http://192.168.0.1/"]),
        ("::1", ["http://[::1]/", "http://[::1]:8080/"], ["http://127.0.0.1/"]),
        ("[::1]", ["http://[::1]:81/"], ["http://[fd00::1]/"]),
        ("[::1]:8080", ["http://[::1]:8080/"], ["http://[::1]:8081/", "http://[::1]/"]),
        ("[fd00::]/8:443", ["https://[fd12::1]/"], ["http://[fd12::1]/", "https://[fe80::1]/"]),
        ("[fd00::/8]:443", ["https://[fd12::1]/"], ["http://[fd12::1]:80/"]),
    ]
    for entry, allowed, refused in forms:
        monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", f"192.0.2.1:1, {entry}")
        for url in allowed:
            assert check_url(url), (entry, url)
        for url in refused:
            with pytest.raises(FetchRefused):
                check_url(url)


@pytest.mark.parametrize(
    "entry", ["10.0.0.0/33", "nonsense", "127.0.0.1:99999", "127.0.0.1:", "[::1]:0", "[::1]x"]
)
def test_invalid_allow_nets_fails_at_startup(monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    monkeypatch.setenv("VITRINA_FETCH_ALLOW_NETS", f"127.0.0.1, {entry}")
    with pytest.raises(ConfigError) as caught:
        fetch_module.validate_settings()
    assert f"VITRINA_FETCH_ALLOW_NETS holds an invalid entry {entry!r}" in caught.value.message
    with pytest.raises(ConfigError, match="VITRINA_FETCH_ALLOW_NETS"):
        fetch_module.validate_settings(Settings(fetch_allow_nets=(entry,)))


def test_validate_settings_checks_times_and_api_self() -> None:
    good = ("127.0.0.1", "127.0.0.1:9001", "10.0.0.0/8:443", "::1", "[::1]:8080",
            "[fd00::]/8:443", "[fd00::/8]:443")
    fetch_module.validate_settings(Settings(
        fetch_allow_nets=good, api_self=("0.0.0.0:8000", "[::1]:8000", "localhost:8000")))
    bad = [
        (Settings(fetch_deadline_s=0), "VITRINA_FETCH_DEADLINE_S must be"),
        (Settings(fetch_deadline_s=float("nan")), "VITRINA_FETCH_DEADLINE_S must be"),
        (Settings(fetch_timeout_s=-1), "VITRINA_FETCH_TIMEOUT_S must be"),
        (Settings(api_self=("8000",)), "VITRINA_API_SELF holds an invalid entry '8000'"),
        (Settings(api_self=("localhost:http",)), "VITRINA_API_SELF holds an invalid entry"),
    ]
    for conf, message in bad:
        with pytest.raises(ConfigError, match=re.escape(message)):
            fetch_module.validate_settings(conf)


# --- the API never fetches itself ---------------------------------------------------------


def test_api_never_fetches_itself(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    port, url = servers.port, f"{servers.base}/ok"
    itself = f"refused to fetch {url}: it points at this API itself"
    # Refused by default, and whatever the operator allows.
    for allow in ({}, {"VITRINA_FETCH_ALLOW_PRIVATE": "1"},
                  {"VITRINA_FETCH_ALLOW_NETS": f"127.0.0.0/8:{port}, ::1"}):
        for name, value in allow.items():
            monkeypatch.setenv(name, value)
        for entry in (f"127.0.0.1:{port}", f"0.0.0.0:{port}", f"[::]:{port}", f"[::1]:{port}",
                      f"localhost:{port}"):
            monkeypatch.setenv("VITRINA_API_SELF", f"192.0.2.1:1, {entry}")
            with pytest.raises(FetchRefused) as caught:
                fetch(url)
            assert caught.value.message == itself
            # A loopback or self listener is reached by every loopback address and by 0.0.0.0.
            for other in (f"http://localhost:{port}/", f"http://127.0.0.2:{port}/",
                          f"http://[::1]:{port}/", f"http://[::ffff:127.0.0.1]:{port}/",
                          f"http://0.0.0.0:{port}/"):
                with pytest.raises(FetchRefused, match="this API itself"):
                    check_url(other)
    # Another port of the same address is not the API.
    monkeypatch.setenv("VITRINA_API_SELF", f"127.0.0.1:{port}")
    assert fetch(f"{servers.other}/ok").content == b"hello"
    # A redirect to the API is refused at that hop.
    monkeypatch.setenv("VITRINA_API_SELF", f"0.0.0.0:{servers.other.rsplit(':', 1)[1]}")
    with pytest.raises(FetchRefused, match="/ok: it points at this API itself"):
        fetch(f"{servers.base}/redirect-other")
    # A listener on one address is only that address (and 0.0.0.0).
    monkeypatch.setenv("VITRINA_API_SELF", f"10.0.0.5:{port}")
    with pytest.raises(FetchRefused, match="this API itself"):
        check_url(f"http://10.0.0.5:{port}/")
    assert check_url(f"http://10.0.0.6:{port}/") == ["10.0.0.6"]
    assert fetch(url).content == b"hello"


def test_api_never_fetches_itself_through_a_machine_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A wildcard listener is also reached through this machine's own (here public) address."""
    real_getaddrinfo = socket.getaddrinfo
    name, own = "vitrina-test-machine", "93.184.215.14"

    def getaddrinfo(host: str, *args: object, **kwargs: object) -> list:
        if host == name:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (own, 0))]
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "gethostname", lambda: name)
    monkeypatch.setattr(socket, "gethostbyname_ex", lambda host: (host, [], [own]))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("VITRINA_API_SELF", "0.0.0.0:8000")
    with pytest.raises(FetchRefused, match="this API itself"):
        check_url(f"http://{own}:8000/")
    assert check_url(f"http://{own}:8001/") == [own]
    monkeypatch.setenv("VITRINA_API_SELF", "10.0.0.5:8000")
    assert check_url(f"http://{own}:8000/") == [own]
