"""The guard on requests to a URL that a request supplied (``dasan.core.outbound``): what
it refuses, checked on addresses directly, and what reaches a real local HTTPS server
(none of the refused requests does)."""

from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from dasan.core import outbound
from dasan.core.outbound import Reason, RefusedURL

KAKAO = ["*.kakao.com", "*.kakaoenterprise.com"]


# --- a local HTTPS server speaking the real protocol ------------------------------------------


def _certificate(directory):
    """A self-signed certificate for localhost and 127.0.0.1; returns (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        self.server.received.append({"path": self.path, "host": self.headers.get("Host"), "body": json.loads(body)})
        if self.server.redirect_to:
            self.send_response(302)
            self.send_header("Location", self.server.redirect_to)
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
        self.server.event.set()


class LocalServer:
    """An HTTPS (or plain HTTP) server on 127.0.0.1 recording every POST it receives,
    the TLS server names clients asked for, and optionally answering with a redirect."""

    def __init__(self, directory, *, tls=True, redirect_to=""):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.received, self.httpd.event, self.httpd.redirect_to = [], threading.Event(), redirect_to
        self.server_names = []
        self.client_context = None
        if tls:
            cert, key = _certificate(directory)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.client_context = ssl.create_default_context(cafile=str(cert))
        self.port = self.httpd.server_address[1]
        self.scheme = "https" if tls else "http"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, host="localhost", path="/cb"):
        return f"{self.scheme}://{host}:{self.port}{path}"

    @property
    def received(self):
        return self.httpd.received

    def wait(self, seconds=10):
        return self.httpd.event.wait(seconds)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def https_server(tmp_path):
    server = LocalServer(tmp_path)
    yield server
    server.close()


# --- check_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:a00:1::1",  # 6to4 around 10.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
        "not an address",
    ],
)
def test_inside_addresses_are_not_public(address):
    assert not outbound.public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "211.249.220.24", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_internet_addresses_are_public(address):
    assert outbound.public_address(address)


def test_loopback_only_with_the_test_keyword():
    assert outbound.public_address("127.0.0.1", allow_loopback=True)
    assert not outbound.public_address("10.0.0.1", allow_loopback=True)


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("bot-api.kakao.com", True),
        ("a.b.kakao.com", True),
        ("BOT-API.Kakao.COM.", True),
        ("x.kakaoenterprise.com", True),
        ("kakao.com", False),
        ("evilkakao.com", False),
        ("kakao.com.evil.example", False),
        ("evil.example", False),
    ],
)
def test_host_patterns(host, allowed):
    assert outbound.host_allowed(host, KAKAO) is allowed


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://bot-api.kakao.com/cb", Reason.NOT_HTTPS),
        ("ftp://bot-api.kakao.com/cb", Reason.NOT_HTTPS),
        ("file:///etc/passwd", Reason.NOT_HTTPS),
        ("https://evil.example/cb", Reason.HOST_NOT_ALLOWED),
        ("https://127.0.0.1/cb", Reason.HOST_NOT_ALLOWED),
        ("https://bot-api.kakao.com@127.0.0.1/cb", Reason.CREDENTIALS),
        ("https://user:pw@bot-api.kakao.com/cb", Reason.CREDENTIALS),
        ("https://bot-api.kakao.com:99999/cb", Reason.MALFORMED),
        ("https:///cb", Reason.MALFORMED),
        ("", Reason.MALFORMED),
        (None, Reason.MALFORMED),
        (["https://bot-api.kakao.com/cb"], Reason.MALFORMED),
        ("https://bot-api.kakao.com/" + "a" * 2000, Reason.MALFORMED),
    ],
)
def test_refused_before_resolving(url, reason):
    with pytest.raises(RefusedURL) as refused:
        outbound.check_url(url, allowed_hosts=KAKAO)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://127.0.0.1/cb", "127.0.0.1"),
        ("https://10.0.0.5:8443/cb", "10.0.0.5"),
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254"),
        ("https://0.0.0.0/cb", "0.0.0.0"),
        ("https://[::1]/cb", "::1"),
        ("https://[::ffff:127.0.0.1]/cb", "::ffff:127.0.0.1"),
        ("https://[fe80::1]/cb", "fe80::1"),
        ("https://localhost/cb", "localhost"),  # a name is resolved, then its addresses judged
    ],
)
def test_inside_addresses_are_refused_even_when_the_host_is_allowed(url, host):
    with pytest.raises(RefusedURL) as refused:
        outbound.check_url(url, allowed_hosts=[host])
    assert refused.value.reason == Reason.PRIVATE_ADDRESS


def test_a_public_address_passes():
    checked = outbound.check_url("https://8.8.8.8/cb", allowed_hosts=["8.8.8.8"])
    assert checked.addresses == ("8.8.8.8",) and checked.port == 443 and checked.host == "8.8.8.8"


def test_an_unknown_name_is_refused():
    with pytest.raises(RefusedURL) as refused:
        outbound.check_url("https://nowhere.invalid/cb", allowed_hosts=["*.invalid"])
    assert refused.value.reason == Reason.UNRESOLVABLE


# --- post_json against a local server ----------------------------------------------------------


def test_posts_to_the_checked_address_with_the_name_in_host_and_sni(https_server):
    response = outbound.post_json(
        https_server.url(),
        {"answer": "대형폐기물"},
        allowed_hosts=["localhost"],
        allow_loopback=True,
        verify=https_server.client_context,
    )
    assert response.status_code == 200
    (request,) = https_server.received
    assert request == {"path": "/cb", "host": f"localhost:{https_server.port}", "body": {"answer": "대형폐기물"}}
    # The certificate was verified against the name, not the address connected to.
    assert "localhost" in https_server.server_names


@pytest.mark.parametrize(
    ("url", "allowed", "reason"),
    [
        ("{https}", ["localhost"], Reason.PRIVATE_ADDRESS),  # loopback, without the test keyword
        ("{https_ip}", ["127.0.0.1"], Reason.PRIVATE_ADDRESS),
        ("{https}", KAKAO, Reason.HOST_NOT_ALLOWED),
        ("{http}", ["localhost"], Reason.NOT_HTTPS),
    ],
)
def test_refused_requests_never_leave(https_server, tmp_path, url, allowed, reason):
    plain = LocalServer(tmp_path, tls=False)
    try:
        target = url.format(https=https_server.url(), https_ip=https_server.url("127.0.0.1"), http=plain.url())
        with pytest.raises(RefusedURL) as refused:
            outbound.post_json(target, {"x": 1}, allowed_hosts=allowed, verify=https_server.client_context)
        assert refused.value.reason == reason
        assert https_server.received == [] and plain.received == []
    finally:
        plain.close()


def test_plain_http_is_refused_even_for_a_test_loopback(tmp_path):
    plain = LocalServer(tmp_path, tls=False)
    try:
        with pytest.raises(RefusedURL) as refused:
            outbound.post_json(plain.url(), {"x": 1}, allowed_hosts=["localhost"], allow_loopback=True)
        assert refused.value.reason == Reason.NOT_HTTPS
        assert plain.received == []
    finally:
        plain.close()


def test_a_redirect_is_refused_and_not_followed(https_server, tmp_path):
    (tmp_path / "inside").mkdir()
    inside = LocalServer(tmp_path / "inside")
    https_server.httpd.redirect_to = inside.url(path="/admin")
    try:
        with pytest.raises(RefusedURL) as refused:
            outbound.post_json(
                https_server.url(),
                {"x": 1},
                allowed_hosts=["localhost"],
                allow_loopback=True,
                verify=https_server.client_context,
            )
        assert refused.value.reason == Reason.REDIRECT
        assert len(https_server.received) == 1  # the allowed host was asked once...
        assert inside.received == []  # ...and where it pointed, never
    finally:
        inside.close()


def test_an_untrusted_certificate_fails(https_server):
    """The address is pinned, TLS is still verified (here against the system's CAs, which
    do not know the local server's self-signed certificate)."""
    with pytest.raises(httpx.ConnectError):
        outbound.post_json(https_server.url(), {"x": 1}, allowed_hosts=["localhost"], allow_loopback=True)
    assert https_server.received == []
