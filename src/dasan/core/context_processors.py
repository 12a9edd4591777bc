"""Template context shared by every page."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def _current_for(request):
    # Memoised on the request: base.html, the header and the footer all read
    # it, and one query per request is enough.
    if not hasattr(request, "_dasan_municipality"):
        from dasan.core.models import Municipality

        request._dasan_municipality = Municipality.current()
    return request._dasan_municipality


def municipality(request) -> dict:
    """``{"municipality": Municipality.current()}``, evaluated lazily (pages that
    do not show the city's name cost no query) and at most once per request.
    Falsy before the city profile is set up."""
    if request is None:
        from dasan.core.models import Municipality

        return {"municipality": SimpleLazyObject(Municipality.current)}
    return {"municipality": SimpleLazyObject(lambda: _current_for(request))}
