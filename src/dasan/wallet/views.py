"""Resident pages of 이음 지갑 (mounted at /wallet/): balance and history, the programmes,
my check-in code, scanning an event's code, my own report, the local-currency card and a
conversion with a check-your-answers step. Thin: gather, call services, render."""

from __future__ import annotations

import datetime as dt
import secrets

import segno
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dasan.core.errors import DasanError
from dasan.core.http import user_errors
from dasan.core.links import public_url_for

from . import conversions, selectors, services
from .errors import Code


def qr_svg(text: str, title: str) -> str:
    return segno.make(text, error="m").svg_inline(scale=5, border=2, title=title)


def index(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "wallet/index.html", {"anonymous": True})
    account = selectors.account_of(request.user)
    page = Paginator(selectors.history(request.user), 20).get_page(request.GET.get("page"))
    rows = [(entry, selectors.signed(entry, account)) for entry in page] if account else []
    context = {
        "totals": selectors.balance(request.user),
        "page": page,
        "rows": rows,
        "claims": selectors.claims_of(request.user).filter(status="review")[:20],
        "conversions": selectors.conversions_of(request.user)[:5],
        "card": selectors.card_of(request.user),
    }
    return render(request, "wallet/index.html", context)


@login_required
@require_GET
def programmes(request: HttpRequest) -> HttpResponse:
    rows = selectors.programmes_for(request.user, timezone.localdate())
    return render(request, "wallet/programmes.html", {"rows": rows})


@login_required
@require_GET
def my_code(request: HttpRequest) -> HttpResponse:
    """The short-lived code staff scan at an event (reload for a new one)."""
    code = services.resident_code(request.user)
    return render(request, "wallet/code.html", {"code": code, "qr": qr_svg(code, _("내 참여 확인 코드"))})


@login_required
@require_http_methods(["GET", "POST"])
def scan(request: HttpRequest) -> HttpResponse:
    """An event's code, opened from its QR link (``?c=``) or typed: confirm, then claim."""
    code = request.POST.get("code") or request.GET.get("c") or ""
    if request.method == "POST":
        with user_errors(request) as outcome:
            claim = services.scan_event(code, actor=request.user)
            return render(request, "wallet/claimed.html", {"claim": claim})
        return render(request, "wallet/scan.html", {"code": code, "error": outcome.error}, status=400)
    return render(request, "wallet/scan.html", {"code": code})


def _activity_from(post) -> services.Activity:
    try:
        day = dt.date.fromisoformat(post.get("activity_date", ""))
        minutes = int(post.get("minutes") or 0)
    except ValueError as exc:
        raise DasanError(
            Code.WALLET_AMOUNT_INVALID, _("날짜와 시간(분)을 확인해 주세요."), field="activity_date"
        ) from exc
    return services.Activity(
        activity_date=day, activity_ref="", minutes=minutes, description=post.get("description", "")
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {"programmes": selectors.open_programmes(today), "data": request.POST, "today": today}
    if request.method == "POST":
        with user_errors(request) as outcome:
            programme = selectors.get_open_programme(request.POST.get("programme", ""), today)
            claim = services.self_report(
                programme, _activity_from(request.POST), request.FILES.get("evidence"), actor=request.user
            )
            return render(request, "wallet/claimed.html", {"claim": claim})
        context["error"] = outcome.error
        return render(request, "wallet/report.html", context, status=400)
    return render(request, "wallet/report.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def card(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        with user_errors(request) as outcome:
            services.register_card(request.POST.get("ref", ""), actor=request.user)
            return redirect("wallet:convert")
        return render(request, "wallet/card.html", {"error": outcome.error}, status=400)
    return render(request, "wallet/card.html", {"card": selectors.card_of(request.user)})


def amount_from(raw: str) -> int:
    try:
        return int(str(raw).replace(",", "").strip())
    except ValueError as exc:
        raise DasanError(Code.WALLET_AMOUNT_INVALID, _("금액을 숫자로 입력해 주세요."), field="amount") from exc


@login_required
@require_http_methods(["GET", "POST"])
def convert(request: HttpRequest) -> HttpResponse:
    """Step 1: the amount. Step 2 (``confirm``): check your answers, then convert once."""
    context = {"totals": selectors.balance(request.user), "card": selectors.card_of(request.user)}
    if context["card"] is None:
        return redirect("wallet:card")
    if request.method == "GET":
        return render(request, "wallet/convert.html", context)
    with user_errors(request) as outcome:
        amount = amount_from(request.POST.get("amount", ""))
        if request.POST.get("step") != "confirm":
            conversions.check_request(request.user, amount)
            context.update(
                amount=amount, after=context["totals"]["balance"] - amount, request_key=secrets.token_urlsafe(16)
            )
            return render(request, "wallet/convert_confirm.html", context)
        conversion = conversions.convert(
            request.user, amount, actor=request.user, request_key=request.POST.get("request_key", "")
        )
        return redirect("wallet:conversion", pk=conversion.pk)
    context.update(error=outcome.error, amount=request.POST.get("amount", ""))
    return render(request, "wallet/convert.html", context, status=400)


@login_required
@require_GET
def conversion(request: HttpRequest, pk: int) -> HttpResponse:
    with user_errors(request):
        return render(request, "wallet/conversion.html", {"conversion": selectors.conversion_of(request.user, pk)})


def event_link(code: str) -> str:
    """The link an event's QR code opens on a resident's phone."""
    from urllib.parse import quote

    return public_url_for("wallet:scan") + "?c=" + quote(code)
