"""Absolute links to Dasan's own pages, for messages, QR codes and receipts.

One rule everywhere: the installation's public address (``DASAN_PUBLIC_URL``, e.g.
``https://minwon.example.go.kr``) followed by the path. Without it, a page being served
knows its own address (``request``); a background job does not, and gets ``""`` — a
message then leaves the link out (every template has ``{% if url %}``), because a bare
path in an SMS is no link, and the city's homepage is another site whose paths are not
ours.
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.encoding import iri_to_uri

from .conf import setting


def base_url() -> str:
    """The configured public address without a trailing slash, or ``""``."""
    return str(setting("PUBLIC_URL") or "").rstrip("/")


def public_url(path: str, *, request=None) -> str:
    """The absolute address of ``path`` (which starts with ``/``): see the module docstring."""
    base = base_url()
    if base:
        # Encoded as the request's own address would be (Korean in a fragment or a query).
        return iri_to_uri(base + path)
    if request is not None:
        return request.build_absolute_uri(path)
    return ""


def public_url_for(url_name: str, *args, request=None, **kwargs) -> str:
    """:func:`public_url` of a named URL; ``""`` when the name does not resolve (the app
    that owns it is not installed)."""
    try:
        path = reverse(url_name, args=args or None, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""
    return public_url(path, request=request)
