"""Pages of 주민참여예산: thin — gather what a template shows, call services for changes.
A service's DasanError that a view does not catch becomes the right page (dasan.core.http)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dasan.accounts.decorators import staff_required

from . import selectors


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/index.html", selectors.summary(request.user))


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/staff/index.html", selectors.summary(request.user))
