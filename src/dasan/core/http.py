"""One way for pages to turn a service's :class:`DasanError` into what the user sees.

Services raise errors with a code and a message in the user's language; a page shows the
message. Two tools replace the hand-written ``try/except DasanError`` blocks:

- :class:`DasanErrorMiddleware` for what a view does not catch: ``NotFound`` answers the
  404 page and ``PermissionDenied`` the 403 page (their own plain words, which say no more
  than that the page is not there or not the user's — the same for every cause); any other error
  after a form post is shown as a message on the page the post came from (the user's
  input is not lost, nothing is saved); on a plain page view it answers the error page with
  the error's status. The API (``/api/``) has its own envelope (``dasan.api``).
- :func:`user_errors`, a context manager for views that go on after an error (re-show a
  form with the error, flash it and redirect)::

      with user_errors(request) as outcome:        # flashes the message
          services.cancel(reservation, actor=request.user)
      if outcome.ok:
          messages.success(request, _("취소했습니다."))
      return redirect(...)

      with user_errors(flash=False) as outcome:    # keep it for the form
          item = services.book(...)
      if outcome.error: return render(..., {"error": outcome.error}, status=outcome.status)
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import DasanError, NotFound, PermissionDenied

__all__ = ["DasanErrorMiddleware", "Outcome", "safe_next", "user_errors"]


@dataclasses.dataclass
class Outcome:
    """What happened inside :func:`user_errors`."""

    error: DasanError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> int:
        return self.error.status if self.error else 200

    @property
    def message(self) -> str:
        return str(self.error.message) if self.error else ""


@contextlib.contextmanager
def user_errors(
    request: HttpRequest | None = None, *, flash: bool = True, not_found: tuple[str, ...] = ()
) -> Iterator[Outcome]:
    """Catch a :class:`DasanError` raised inside the block into ``outcome.error``.

    ``NotFound`` and errors whose code is in ``not_found`` become a 404 page; with ``flash``
    (and a request) the message is also added to the page's messages."""
    outcome = Outcome()
    try:
        yield outcome
    except DasanError as error:
        if isinstance(error, NotFound) or error.code in not_found:
            raise Http404(str(error.message)) from None
        outcome.error = error
        if flash and request is not None:
            messages.error(request, str(error.message))


def safe_next(request: HttpRequest, fallback: str) -> str:
    """``next`` (POST or GET) when it points to this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _back(request: HttpRequest) -> str:
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return request.get_full_path()


class DasanErrorMiddleware:
    """Pages: an uncaught :class:`DasanError` becomes the right page (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, DasanError) or request.path.startswith("/api/"):
            return None
        if isinstance(exception, NotFound):
            raise Http404(str(exception.message))
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(str(exception.message))
        if request.method == "POST" and exception.status < 500:
            messages.error(request, str(exception.message))
            return HttpResponseRedirect(_back(request))
        return render(request, "errors/user_error.html", {"error": exception}, status=exception.status)
