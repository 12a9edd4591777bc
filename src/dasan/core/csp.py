"""Content-Security-Policy on every response (:class:`ContentSecurityPolicyMiddleware`).

The policy, with a fresh nonce per request::

    default-src 'self'; script-src 'self' 'nonce-…'; style-src 'self' 'nonce-…';
    style-src-attr 'unsafe-inline'; img-src 'self'; font-src 'self'; connect-src 'self';
    object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'

- **Scripts**: files served by Dasan itself (htmx is vendored under ``static/``) and inline
  ``<script nonce="{{ csp_nonce }}">`` blocks only. No ``'unsafe-inline'``, no
  ``'unsafe-eval'``: inline event handlers (``onclick=``) and htmx's ``hx-on`` (which
  evaluates its text) do not run, so pages use listeners in static files instead, and
  ``<meta name="htmx-config">`` turns htmx's ``allowEval`` off to match. Templates are
  checked for both by ``tests/core/test_csp.py``.
- **Styles**: stylesheets from ``'self'`` and ``<style nonce="{{ csp_nonce }}">`` blocks
  (several apps keep their page styles in a ``_styles.html`` include). Inline ``style=``
  *attributes* are allowed (``style-src-attr 'unsafe-inline'``): the bar charts set their
  widths from data that way, an attribute can neither run script nor carry selectors, and
  what it could load is bounded by ``img-src``/``font-src``.
- **Images, media, fonts, fetches**: ``'self'`` only. QR codes are inline ``<svg>`` (not
  images), no page uses ``data:`` or ``blob:`` URLs, and the microphone (voice question) and
  camera (staff QR scanner) are ``MediaStream`` objects that no source directive governs.
- **Frames**: ``frame-ancestors`` follows ``X-Frame-Options`` (``'none'`` for ``DENY``, the
  default; ``'self'`` where a view is marked ``xframe_options_sameorigin``, as the
  assistant's widget is).

A view may widen one directive for its own response with :func:`csp_update` (the payment
page lets its form redirect to the card company's checkout) or by setting the header itself
(its directives replace ours by name). The nonce is ``request.csp_nonce`` and ``csp_nonce``
in templates (:func:`nonce` context processor).

In debug mode Django's own 404/500 pages (inline styles and scripts) are left without a
policy.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse

__all__ = ["HEADER", "ContentSecurityPolicyMiddleware", "csp_update", "nonce", "policy"]

HEADER = "Content-Security-Policy"

_BASE: dict[str, list[str]] = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'unsafe-inline'"],
    "img-src": ["'self'"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
_NONCED = ("script-src", "style-src")


def _new_nonce() -> str:
    return secrets.token_urlsafe(18)


def policy(
    nonce_value: str, *, extra: dict[str, list[str]] | None = None, frame_ancestors: str | None = "'none'"
) -> str:
    """The header's value for one response."""
    directives = {name: list(values) for name, values in _BASE.items()}
    for name in _NONCED:
        directives[name].append(f"'nonce-{nonce_value}'")
    if frame_ancestors is None:
        directives.pop("frame-ancestors")
    else:
        directives["frame-ancestors"] = [frame_ancestors]
    for name, values in (extra or {}).items():
        directives[name] = list(values)
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def _parse(header: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            parsed[tokens[0].lower()] = tokens[1:]
    return parsed


def _frame_ancestors(response: HttpResponse) -> str | None:
    if getattr(response, "xframe_options_exempt", False):
        return None
    return "'self'" if response.get("X-Frame-Options", "").upper() == "SAMEORIGIN" else "'none'"


class ContentSecurityPolicyMiddleware:
    """Gives each request a nonce and each response the policy above. Installed after
    ``SecurityMiddleware`` and before ``XFrameOptionsMiddleware`` (whose header it reads)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = _new_nonce()
        response = self.get_response(request)
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # Django's technical pages
        extra = dict(getattr(response, "csp_update", None) or {})
        if HEADER in response:
            extra.update(_parse(response[HEADER]))
        response[HEADER] = policy(request.csp_nonce, extra=extra, frame_ancestors=_frame_ancestors(response))
        return response


def csp_update(**directives: list[str]) -> Callable:
    """A view decorator replacing whole directives for its responses:
    ``@csp_update(form_action=["'self'", "https:"])``."""
    named = {name.replace("_", "-"): list(values) for name, values in directives.items()}

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            response.csp_update = {**(getattr(response, "csp_update", None) or {}), **named}
            return response

        return wrapped

    return decorator


def nonce(request: HttpRequest | None) -> dict:
    """Context processor: ``csp_nonce``, the nonce of this request's policy."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
