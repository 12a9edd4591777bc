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
from dasan.core.errors import DasanError

from . import services, stats
from .models import Channel, Counter, ServiceType, TicketStatus


def _office(code):
    try:
        return services.get_office(code)
    except DasanError as error:
        raise Http404(str(error.message)) from None


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = []
    for office in services.offices():
        board = services.board(office, now=now)
        rows.append(
            {
                "office": office,
                "closed": services.open_state(office, now),
                "waiting": sum(n for _s, n in board["waiting"]),
            }
        )
    return render(request, "queueing/index.html", {"rows": rows})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, code: str) -> HttpResponse:
    """번호표 받기 for one office: the service types, waiting counts and expected waits."""
    office = _office(code)
    now = timezone.now()
    error = None
    if request.method == "POST":
        try:
            ticket = services.take_ticket(
                office=office,
                service_type=request.POST.get("service_type", ""),
                resident=request.user,
                needs_assistance=request.POST.get("assistance") == "1",
                channel=Channel.WEB,
                now=now,
            )
        except DasanError as exc:
            if exc.code == "already_waiting":
                messages.info(request, str(exc.message))
                return redirect(exc.details["url"])
            error = exc
        else:
            return redirect(ticket.get_absolute_url())
    return render(
        request,
        "queueing/take.html",
        _office_context(office, now) | {"error": error},
        status=error.status if error else 200,
    )


def _office_context(office, now):
    board = services.board(office, now=now)
    rows = []
    for service, waiting in board["waiting"]:
        per, _history = services.service_minutes(office, service, now=now)
        counters = Counter.objects.filter(office=office, is_open=True, service_types=service).count() or 1
        rows.append({"service": service, "waiting": waiting, "minutes": int(-(-per * waiting // counters))})
    return {"office": office, "rows": rows, "closed": services.open_state(office, now)}


def _ticket_context(ticket):
    estimate = services.estimate(ticket)
    return {"ticket": ticket, "estimate": estimate, "office": ticket.office}


@never_cache
@require_GET
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    """The live ticket page: number, people ahead, expected wait, and the counter once called."""
    try:
        item = services.ticket_by_token(token)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    return render(request, "queueing/ticket.html", _ticket_context(item))


@never_cache
@require_GET
def ticket_status(request: HttpRequest, token: str) -> HttpResponse:
    """The fragment htmx swaps in every few seconds."""
    try:
        item = services.ticket_by_token(token)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    return render(request, "queueing/_ticket_status.html", _ticket_context(item))


@require_POST
def ticket_cancel(request: HttpRequest, token: str) -> HttpResponse:
    try:
        item = services.ticket_by_token(token)
        services.cancel(item, actor=request.user)
    except DasanError as error:
        if error.code == "unknown_ticket":
            raise Http404(str(error.message)) from None
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("번호표를 취소했습니다."))
    return redirect("queueing:ticket", token=token)


@never_cache
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    """현장 발급기: no sign-in; prints the number large."""
    office = _office(code)
    now = timezone.now()
    error = None
    if request.method == "POST":
        try:
            item = services.take_ticket(
                office=office,
                service_type=request.POST.get("service_type", ""),
                phone=request.POST.get("phone", ""),
                channel=Channel.KIOSK,
                needs_assistance=request.POST.get("assistance") == "1",
                now=now,
            )
        except DasanError as exc:
            error = exc
        else:
            return render(request, "queueing/kiosk_ticket.html", _ticket_context(item))
    return render(
        request,
        "queueing/kiosk.html",
        _office_context(office, now) | {"error": error},
        status=error.status if error else 200,
    )


@never_cache
@require_GET
def display(request: HttpRequest, code: str) -> HttpResponse:
    """대기실 안내 화면 (hall TV)."""
    office = _office(code)
    return render(request, "queueing/display.html", {"office": office, "board": services.board(office)})


@never_cache
@require_GET
def display_board(request: HttpRequest, code: str) -> HttpResponse:
    office = _office(code)
    return render(request, "queueing/_board.html", {"office": office, "board": services.board(office)})


# --- staff ------------------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    """Pick a counter."""
    offices = [(office, list(office.counters.prefetch_related("service_types"))) for office in services.offices()]
    return render(request, "queueing/staff/index.html", {"offices": offices})


@never_cache
@staff_required
@require_GET
def staff_counter(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        counter = services.get_counter(pk)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    today = services.local(timezone.now()).date()
    types = set(counter.service_types.values_list("pk", flat=True))
    waiting = [
        t
        for t in services._waiting(counter.office, today)
        .select_related("service_type")
        .order_by("-priority", "issued_at", "id")[:50]
        if t.service_type_id in types or t.target_counter_id == counter.pk or t.service_type.code == "document_pickup"
    ]
    return render(
        request,
        "queueing/staff/counter.html",
        {
            "counter": counter,
            "office": counter.office,
            "current": services.current(counter),
            "waiting": waiting,
            "others": Counter.objects.filter(office=counter.office).exclude(pk=counter.pk),
            "service_types": ServiceType.objects.all(),
        },
    )


@staff_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    try:
        counter = services.get_counter(pk)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    try:
        if action == "call":
            item = services.call_next(request.user, counter)
            if item is None:
                messages.info(request, _("기다리는 사람이 없습니다."))
            else:
                messages.success(request, _("%(number)s번을 호출했습니다.") % {"number": item.number})
        elif action == "recall":
            item = services.recall(request.user, counter)
            messages.success(request, _("%(number)s번을 다시 호출했습니다.") % {"number": item.number})
        elif action in (TicketStatus.SERVED, TicketStatus.NO_SHOW):
            item = services.finish(request.user, counter, action)
            messages.success(
                request, _("%(number)s번: %(status)s") % {"number": item.number, "status": item.get_status_display()}
            )
        elif action == "transfer":
            item = services.transfer(
                request.user,
                counter,
                to_counter=request.POST.get("to_counter", ""),
                to_service=request.POST.get("to_service", ""),
            )
            messages.success(request, _("%(number)s번을 넘겼습니다.") % {"number": item.number})
        else:
            raise Http404
    except DasanError as error:
        messages.error(request, str(error.message))
    return redirect("queueing_staff:counter", pk=counter.pk)


@staff_required
@require_GET
def staff_stats(request: HttpRequest) -> HttpResponse:
    """대기·처리 시간 통계 by office, hour and service type."""
    today = services.local(timezone.now()).date()
    try:
        days = max(1, min(int(request.GET.get("days", "14")), 92))
    except ValueError:
        days = 14
    office = None
    code = request.GET.get("office", "")
    if code:
        office = _office(code)
    report = stats.report(office=office, start=today - dt.timedelta(days=days - 1), end=today)
    return render(
        request,
        "queueing/staff/stats.html",
        {"report": report, "offices": services.offices(), "office": office, "days": days},
    )
