"""번호표 pages. Resident: offices, take a ticket, the live ticket page (htmx polls the
status fragment every few seconds; it works without JavaScript by reloading). Kiosk: a
public page at the office. Hall display: public, numbers only. Staff: the counter page and
statistics."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.core.http import user_errors
from dasan.core.timefmt import local_date

from . import selectors, services, stats
from .errors import Code
from .models import Channel, TicketStatus


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for office in selectors.offices():
        board = selectors.board(office, now=now)
        rows.append(
            {
                "office": office,
                "closed": selectors.open_state(office, now),
                "waiting": sum(n for _s, n in board["waiting"]),
            }
        )
    return render(request, "queueing/index.html", {"rows": rows})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, code: str) -> HttpResponse:
    """번호표 받기 for one office: the service types, waiting counts and expected waits."""
    office = selectors.get_office(code)
    now = timezone.now()
    error = None
    if request.method == "POST":
        with user_errors(flash=False) as outcome:
            ticket = services.take_ticket(
                office,
                request.POST.get("service_type", ""),
                actor=request.user,
                needs_assistance=request.POST.get("assistance") == "1",
                channel=Channel.WEB,
                now=now,
            )
        if outcome.ok:
            return redirect(ticket.get_absolute_url())
        if outcome.error.code == Code.ALREADY_WAITING:
            messages.info(request, outcome.message)
            return redirect(outcome.error.details["url"])
        error = outcome.error
    return render(
        request,
        "queueing/take.html",
        selectors.office_overview(office, now) | {"error": error},
        status=error.status if error else 200,
    )


def _ticket_context(ticket):
    estimate = selectors.estimate(ticket)
    return {"ticket": ticket, "estimate": estimate, "office": ticket.office}


@never_cache
@require_GET
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The live ticket page: number, people ahead, expected wait, and the counter once called."""
    return render(request, "queueing/ticket.html", _ticket_context(selectors.ticket_by_token(token)))


@never_cache
@require_GET
def ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    """The fragment htmx swaps in every few seconds."""
    return render(request, "queueing/_ticket_status.html", _ticket_context(selectors.ticket_by_token(token)))


@require_POST
def ticket_cancel(request: HttpRequest, token: str) -> HttpResponse:
    item = selectors.ticket_by_token(token)
    with user_errors(request) as outcome:
        services.cancel(item, actor=request.user)
    if outcome.ok:
        messages.success(request, _("번호표를 취소했습니다."))
    return redirect("queueing:ticket", token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """현장 발급기: no sign-in; prints the number large."""
    office = selectors.get_office(code)
    now = timezone.now()
    error = None
    if request.method == "POST":
        with user_errors(flash=False) as outcome:
            item = services.take_ticket(
                office,
                request.POST.get("service_type", ""),
                phone=request.POST.get("phone", ""),
                channel=Channel.KIOSK,
                needs_assistance=request.POST.get("assistance") == "1",
                now=now,
            )
        if outcome.ok:
            return render(request, "queueing/kiosk_ticket.html", _ticket_context(item))
        error = outcome.error
    return render(
        request,
        "queueing/kiosk.html",
        selectors.office_overview(office, now) | {"error": error},
        status=error.status if error else 200,
    )


@never_cache
@require_GET
def display(request: HttpRequest, code: str) -> HttpResponse:
    """대기실 안내 화면 (hall TV)."""
    office = selectors.get_office(code)
    return render(request, "queueing/display.html", {"office": office, "board": selectors.board(office)})


@never_cache
@require_GET
def display_board(request: HttpRequest, code: str) -> HttpResponse:
    office = selectors.get_office(code)
    return render(request, "queueing/_board.html", {"office": office, "board": selectors.board(office)})


# --- staff ------------------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    """Pick a counter."""
    return render(request, "queueing/staff/index.html", {"offices": selectors.counters_by_office()})


@never_cache
@staff_required
@require_GET
def staff_counter(request: HttpRequest, pk: int) -> HttpResponse:
    counter = selectors.get_counter(pk)
    return render(
        request,
        "queueing/staff/counter.html",
        {
            "counter": counter,
            "office": counter.office,
            "current": selectors.current(counter),
            "waiting": selectors.counter_line(counter, local_date()),
            "others": selectors.other_counters(counter),
            "service_types": selectors.service_types(),
        },
    )


def _counter_action(request: HttpRequest, counter, action: str) -> str:
    """Do ``action`` at ``counter``; the message that says what happened."""
    staff = request.user
    if action == "call":
        item = services.call_next(counter, actor=staff)
        if item is None:
            return ""
        return _("%(number)s번을 호출했습니다.") % {"number": item.number}
    if action == "recall":
        item = services.recall(counter, actor=staff)
        return _("%(number)s번을 다시 호출했습니다.") % {"number": item.number}
    if action in (TicketStatus.SERVED, TicketStatus.NO_SHOW):
        item = services.finish(counter, action, actor=staff)
        return _("%(number)s번: %(status)s") % {"number": item.number, "status": item.get_status_display()}
    if action == "transfer":
        item = services.transfer(
            counter,
            actor=staff,
            to_counter=request.POST.get("to_counter", ""),
            to_service=request.POST.get("to_service", ""),
        )
        return _("%(number)s번을 넘겼습니다.") % {"number": item.number}
    raise Http404


@staff_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    counter = selectors.get_counter(pk)
    with user_errors(request) as outcome:
        done = _counter_action(request, counter, action)
    if outcome.ok:
        if done:
            messages.success(request, done)
        else:
            messages.info(request, _("기다리는 사람이 없습니다."))
    return redirect("queueing_staff:counter", pk=counter.pk)


@staff_required
@require_GET
def staff_stats(request: HttpRequest) -> HttpResponse:
    """대기·처리 시간 통계 by office, hour and service type."""
    today = local_date()
    try:
        days = max(1, min(int(request.GET.get("days", "14")), 92))
    except ValueError:
        days = 14
    office = None
    code = request.GET.get("office", "")
    if code:
        office = selectors.get_office(code)
    report = stats.report(office=office, start=today - dt.timedelta(days=days - 1), end=today)
    return render(
        request,
        "queueing/staff/stats.html",
        {"report": report, "offices": selectors.offices(), "office": office, "days": days},
    )
