"""Outgoing requests to an address a request supplied (a callback URL, a webhook): the guard
against server-side request forgery.

    outbound.post_json(callback_url, body, allowed_hosts=["*.kakao.com"], timeout=10)

:func:`check_url` refuses, with :class:`RefusedURL` and a :class:`Reason`, anything but
``https``, a host outside ``allowed_hosts``, user information in the URL, and a host any
of whose addresses is private, loopback, link-local, multicast, reserved or unspecified
(IPv4 and IPv6, IPv4-mapped and 6to4/Teredo-wrapped IPv4 included). :func:`post_json`
checks, then connects to the very address it checked (the name is resolved once: no
DNS-rebinding window between the check and the connection), with the original name in
the ``Host`` header and as the TLS server name, so the certificate is verified against
the name, not the address. Redirects are not followed: a 3xx answer is refused too.

Proxies from the environment (``HTTPS_PROXY``) are not used: through a proxy the proxy
resolves the name, and the check would guard nothing.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

__all__ = ["Checked", "Reason", "RefusedURL", "check_url", "host_allowed", "post_json"]

MAX_URL_LENGTH = 2000


class Reason(enum.StrEnum):
    """Why a URL was refused (for logs; never shown to the person who sent it)."""

    MALFORMED = "malformed"
    NOT_HTTPS = "not_https"
    CREDENTIALS = "credentials"
    HOST_NOT_ALLOWED = "host_not_allowed"
    UNRESOLVABLE = "unresolvable"
    PRIVATE_ADDRESS = "private_address"
    REDIRECT = "redirect"


class RefusedURL(Exception):
    """The URL may not be requested; ``reason`` says why."""

    def __init__(self, reason: Reason, url: str = "", detail: str = ""):
        self.reason = reason
        self.url = url
        self.detail = detail
        super().__init__(f"{reason}: {detail}" if detail else str(reason))


@dataclass(frozen=True)
class Checked:
    """A URL that passed :func:`check_url`: its host name, port and the addresses it
    resolved to (all of them public), in the resolver's order."""

    url: str
    host: str
    port: int
    addresses: tuple[str, ...]


def host_allowed(host: str, patterns) -> bool:
    """``host`` matches one of ``patterns``: ``"*.kakao.com"`` matches any name under
    kakao.com (``bot-api.kakao.com``, ``a.b.kakao.com``) but not ``kakao.com`` itself;
    a pattern without ``*`` matches only that name. Case and a final dot are ignored."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.strip().lower().rstrip(".")
        if not pattern:
            continue
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in ipaddress.IPv6Network("64:ff9b::/96"):  # NAT64: the IPv4 is the last 32 bits
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def public_address(address: str, *, allow_loopback: bool = False) -> bool:
    """Whether ``address`` is on the public internet (see the module docstring)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    except ValueError:
        return False
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d, and nothing else
            candidates = [ip.ipv4_mapped]
        elif (embedded := _embedded_ipv4(ip)) is not None:
            candidates.append(embedded)
    for candidate in candidates:
        if allow_loopback and candidate.is_loopback:
            continue
        if (
            not candidate.is_global
            or candidate.is_private
            or candidate.is_loopback
            or candidate.is_link_local
            or candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_unspecified
        ):
            return False
    return True


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as exc:
        raise RefusedURL(Reason.UNRESOLVABLE, detail=str(exc)) from exc
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    if not addresses:
        raise RefusedURL(Reason.UNRESOLVABLE)
    return addresses


def check_url(url, *, allowed_hosts, allow_loopback: bool = False) -> Checked:
    """Check ``url`` as the module docstring says and return what was resolved, or raise
    :class:`RefusedURL`. ``allow_loopback`` lets 127.0.0.1/::1 through: for tests
    against a local server only, never from a setting."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise RefusedURL(Reason.MALFORMED, detail="not a URL")
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        raise RefusedURL(Reason.MALFORMED, url, str(exc)) from exc
    if parts.scheme.lower() != "https":
        raise RefusedURL(Reason.NOT_HTTPS, url)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise RefusedURL(Reason.CREDENTIALS, url)
    if not host or not all(c.isascii() and (c.isalnum() or c in ".-:") for c in host):
        raise RefusedURL(Reason.MALFORMED, url, "host")
    if not host_allowed(host, allowed_hosts):
        raise RefusedURL(Reason.HOST_NOT_ALLOWED, url, host)
    port = port or 443
    addresses = _resolve(host, port)
    refused = [a for a in addresses if not public_address(a, allow_loopback=allow_loopback)]
    if refused:
        # One private answer among public ones refuses the lot: a name that can point
        # inside is not a name to trust.
        raise RefusedURL(Reason.PRIVATE_ADDRESS, url, ", ".join(refused))
    return Checked(url=url, host=host.lower(), port=port, addresses=tuple(addresses))


def post_json(
    url: str,
    body,
    *,
    allowed_hosts,
    timeout: float = 10.0,
    allow_loopback: bool = False,
    verify: ssl.SSLContext | bool = True,
) -> httpx.Response:
    """POST ``body`` as JSON to ``url`` once :func:`check_url` passes, connecting to the
    checked address itself (``Host`` and the TLS server name stay the URL's name). Raises
    :class:`RefusedURL` (including for a redirect, which is never followed) or
    ``httpx.HTTPError``; any other status is the caller's to judge. ``allow_loopback`` and
    ``verify`` are for tests against a local TLS server, never from a setting."""
    checked = check_url(url, allowed_hosts=allowed_hosts, allow_loopback=allow_loopback)
    target = httpx.URL(url)
    last_error: httpx.HTTPError | None = None
    with httpx.Client(follow_redirects=False, trust_env=False, timeout=timeout, verify=verify) as client:
        for address in checked.addresses:
            pinned = target.copy_with(host=address)
            try:
                response = client.post(
                    pinned,
                    json=body,
                    headers={"Host": target.netloc.decode("ascii")},
                    extensions={"sni_hostname": checked.host},
                )
            except httpx.ConnectError as exc:  # try the name's next address
                last_error = exc
                continue
            if response.is_redirect or 300 <= response.status_code < 400:
                raise RefusedURL(Reason.REDIRECT, url, response.headers.get("Location", ""))
            return response
    assert last_error is not None
    raise last_error
