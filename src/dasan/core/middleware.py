"""Request context for code that has no request at hand (services, the audit log).

``RequestContextMiddleware`` stores the client's IP address, user agent and the
request itself in a context variable for the duration of a request; services
read it through :func:`current` when they record an audit event.

The client IP is ``REMOTE_ADDR`` unless that peer is a trusted reverse proxy
listed in ``DASAN_TRUSTED_PROXIES`` (addresses or CIDR networks);
only then is ``X-Forwarded-For`` read, right to left, skipping further trusted
proxies. By default no proxy is trusted: the header is set by the client and
would otherwise let anyone write any address into the audit log.
"""

from __future__ import annotations

import contextvars
import dataclasses
import ipaddress
from functools import lru_cache

from .conf import setting

__all__ = ["RequestContext", "RequestContextMiddleware", "current", "client_ip", "use_context"]


@dataclasses.dataclass(frozen=True)
class RequestContext:
    ip: str | None = None
    user_agent: str = ""
    request: object | None = None

    @property
    def user(self):
        """The signed-in user of the request, or None (anonymous or no auth yet)."""
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_context: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("dasan_request_context", default=None)


def current() -> RequestContext | None:
    """The context of the request being served in this thread/task, or None."""
    return _context.get()


class use_context:
    """Set a request context for a block (tasks replaying a request, tests)."""

    def __init__(self, context: RequestContext | None):
        self.context = context
        self._token = None

    def __enter__(self):
        self._token = _context.set(self.context)
        return self.context

    def __exit__(self, *exc):
        _context.reset(self._token)
        return False


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _trusted(address: str) -> bool:
    entries = tuple(setting("TRUSTED_PROXIES"))
    if not entries:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in _networks(entries))


def _valid_ip(value: str) -> str | None:
    value = (value or "").strip()
    if value.startswith("[") and "]" in value:  # [::1]:1234
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 1.2.3.4:5678
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address for ``request``, honouring X-Forwarded-For only
    from trusted proxies (see the module docstring)."""
    peer = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    if peer is None or not _trusted(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [h for h in (part.strip() for part in forwarded.split(",")) if h]
    for hop in reversed(hops):
        ip = _valid_ip(hop)
        if ip is None:
            # Garbage in the chain: stop at the last address we could trust.
            return peer
        if not _trusted(ip):
            return ip
        peer = ip
    return peer


def context_for(request) -> RequestContext:
    """Build the RequestContext of a Django request."""
    return RequestContext(
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
        request=request,
    )


class RequestContextMiddleware:
    """Make the current request's IP, user agent and user available to services
    (installed last in MIDDLEWARE, so ``request.user`` already exists)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _context.set(context_for(request))
        try:
            return self.get_response(request)
        finally:
            _context.reset(token)
