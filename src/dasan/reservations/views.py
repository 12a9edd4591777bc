"""Resident pages of the reservation desk (공공시설 예약, mounted at /reservations/); the staff
pages are in ``views_staff``. Thin: reads go through :mod:`~dasan.reservations.selectors`,
every change is a call into the services (``services``, ``waitlist``, ``lottery``,
``groups``). A service's error is shown on the form (``user_errors``), flashed on the page
the post came from, or — a lookup that finds nothing — answered by the 404 page
(``DasanErrorMiddleware``); never a 500."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.core import timefmt
from dasan.core.errors import DasanError
from dasan.core.http import safe_next, user_errors

from . import availability, groups, ical, pricing, selectors, services, waitlist
from . import lottery as lotteries
from .errors import Code
from .models import ResourceType, Status

STATE_LABELS = {
    "free": gettext_lazy("예약 가능"),
    "taken": gettext_lazy("예약됨"),
    "closed": gettext_lazy("마감"),
    "not_open": gettext_lazy("예약 전"),
    "past": gettext_lazy("지남"),
}


def date_param(value, default: dt.date | None = None) -> dt.date:
    """A date from a query parameter; a bad or missing one falls back to ``default`` (today)."""
    return timefmt.parse_date(value) or default or timefmt.local_date()


def _price_text(resource, day: dt.date) -> str:
    rule = pricing.price_rule(resource, day)
    if rule is None or rule.amount == 0:
        return _("무료")
    if rule.kind == "daily":
        unit = _("1박당") if resource.stay_unit == "night" else _("1일당")
    else:
        unit = _("시간당") if rule.kind == "hourly" else _("1회")
    per = _(" (1인·1개당)") if rule.per_person else ""
    text = f"{unit} {rule.amount:,}{_('원')}{per}"
    if rule.deposit:
        text += " · " + _("보증금 %(deposit)s원 (이용 뒤 반환)") % {"deposit": f"{rule.deposit:,}"}
    return text


def grid(days: list[availability.DayAvailability]) -> list[tuple[dt.time, list]]:
    """Rows of the week calendar: one per slot start time, a cell per day (None: shut)."""
    times = sorted({timefmt.local(s.begin).time() for d in days for s in d.slots})
    rows = []
    for time in times:
        cells = []
        for day in days:
            slot = next((s for s in day.slots if timefmt.local(s.begin).time() == time), None)
            cells.append({"slot": slot, "label": STATE_LABELS[slot.state] if slot else ""})
        rows.append((time, cells))
    return rows


def _after_booking(request: HttpRequest, reservation) -> HttpResponse:
    """Where a new booking leads: the payment page while it awaits payment, else its page."""
    if reservation.status == Status.PENDING_PAYMENT:
        order = selectors.order_for(reservation)
        if order is not None and order.is_pending:
            messages.success(request, _("예약을 잡아 두었습니다. 결제를 마치면 확정됩니다."))
            return redirect(order.get_absolute_url())
    elif reservation.status == Status.REQUESTED:
        messages.success(request, _("예약 신청을 받았습니다. 담당자가 승인하면 알려 드립니다."))
    elif reservation.status == Status.CONFIRMED:
        messages.success(request, _("예약이 확정되었습니다."))
    return redirect("reservations:detail", pk=reservation.pk)


# --- resident pages -----------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Search by type, place and date; with a date, each resource shows its free slots."""
    type_ = request.GET.get("type", "")
    unit = request.GET.get("unit", "")
    query = request.GET.get("q", "").strip()[:50]
    raw_date = request.GET.get("date", "").strip()
    day = date_param(raw_date) if raw_date else None
    rows = []
    for resource in selectors.resources(type=type_, unit=unit, query=query)[:60]:
        free = len(availability.availability(resource, day).free) if day else None
        rows.append({"resource": resource, "price": _price_text(resource, day or timezone.localdate()), "free": free})
    return render(
        request,
        "reservations/index.html",
        {
            "rows": rows,
            "types": ResourceType.choices,
            "units": selectors.units(),
            "type": type_,
            "unit": unit,
            "query": query,
            "day": day,
        },
    )


@require_GET
def resource(request: HttpRequest, pk: int) -> HttpResponse:
    """A resource: rules, price, discounts, refund schedule and a week of slots."""
    item = selectors.get_resource(pk)
    today = timezone.localdate()
    start = max(date_param(request.GET.get("week"), today), today)
    days = availability.week(item, start)
    return render(
        request,
        "reservations/resource.html",
        {
            "resource": item,
            "unit": item.unit,
            "days": days,
            "rows": grid(days),
            "start": start,
            "previous": start - dt.timedelta(days=7) if start > today else None,
            "next": start + dt.timedelta(days=7),
            "price": _price_text(item, start),
            "discounts": pricing.discounts_offered(item, start),
            "lotteries": list(lotteries.open_lotteries(item)),
            "refund_steps": [
                (hours // 24 if hours % 24 == 0 else None, hours, percent)
                for hours, percent in pricing.refund_steps(item)
            ],
        },
    )


def _end(item, begin: dt.datetime, data) -> dt.datetime:
    """The end the form asked for: a number of minutes, or of nights/days for a stay."""
    if availability.is_stay(item):
        return availability.stay_bounds(item, timefmt.local(begin).date(), data.get("stay", ""))[1]
    try:
        minutes = int(data.get("minutes", ""))
    except ValueError:
        raise DasanError(Code.INVALID_TIME, _("이용 시간을 골라 주세요."), field="minutes") from None
    if not 0 < minutes <= 24 * 60:
        raise DasanError(Code.INVALID_TIME, _("이용 시간을 골라 주세요."), field="minutes")
    return begin + dt.timedelta(minutes=minutes)


def _durations(item) -> list[int]:
    step = item.slot_minutes
    first = -(-item.min_minutes // step) * step
    return list(range(first, item.max_minutes + 1, step))[:48]


def _stays(item) -> list[int]:
    return availability.stay_lengths(item) if availability.is_stay(item) else []


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking form: a day, a free start, how long, how many, a discount to declare."""
    item = selectors.get_resource(pk)
    data = request.POST if request.method == "POST" else request.GET
    begin_value = data.get("begin", "")
    preset = None
    if begin_value:
        with user_errors(flash=False):  # a start that does not parse preselects nothing
            preset = availability.parse_time(begin_value)
    day = date_param(data.get("date"), timefmt.local(preset).date() if preset else timezone.localdate())
    error = None
    if request.method == "POST":
        with user_errors(flash=False) as outcome:
            begin = availability.parse_time(begin_value)
            reservation = services.book(
                item,
                begin,
                _end(item, begin, data),
                actor=request.user,
                party_size=data.get("party_size", "1"),
                discount=data.get("discount", ""),
                declared_resident=data.get("declared_resident") == "1",
                purpose=data.get("purpose", ""),
                group=data.get("group", ""),
                idempotency_key=data.get("token", ""),
            )
        if outcome.ok:
            return _after_booking(request, reservation)
        error = outcome.error
    slots = availability.availability(item, day)
    return render(
        request,
        "reservations/book.html",
        {
            "resource": item,
            "unit": item.unit,
            "day": day,
            "availability": slots,
            "free": slots.free,
            "durations": _durations(item),
            "preset": preset,
            "stays": _stays(item),
            "groups": groups.approved_groups(request.user),
            "discounts": pricing.discounts_offered(item, day),
            "price": _price_text(item, day),
            "error": error,
            "data": data,
            "token": data.get("token") or secrets.token_urlsafe(16),
            "penalty": selectors.penalty_for(request.user),
        },
        status=error.status if error else 200,
    )


@never_cache
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """내 예약: upcoming and past reservations with cancel and calendar links."""
    now = timezone.now()
    reservations = list(selectors.reservations_for(request.user)[:100])
    for r in reservations:
        r.cancellable = r.status in (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED) and now < r.begin
    waiting = [
        e for e in waitlist.entries_for(request.user)[:100] if e.is_active or e.begin >= now - dt.timedelta(days=7)
    ]
    return render(
        request,
        "reservations/mine.html",
        {
            "reservations": reservations,
            "penalty": selectors.penalty_for(request.user),
            "waiting": waiting,
            "applications": list(lotteries.applications_for(request.user)[:50]),
            "groups": groups.approved_groups(request.user),
        },
    )


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = selectors.get_reservation(request.user, pk)
    order = selectors.order_for(reservation) if reservation.order_id else None
    now = timezone.now()
    cancellable = (
        reservation.status in (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED) and now < reservation.begin
    )
    refund_now = 0
    if cancellable and order is not None and order.is_paid:
        refund_now = pricing.refund_due(reservation, order.paid_amount, now=now)
    return render(
        request,
        "reservations/detail.html",
        {
            "reservation": reservation,
            "resource": reservation.resource,
            "unit": reservation.resource.unit,
            "order": order,
            "cancellable": cancellable,
            "refund_now": refund_now,
            "paid": order is not None and order.is_paid,
            "when": selectors.when_label(reservation),
            "refund_steps": pricing.refund_steps(reservation.resource),
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = selectors.get_reservation(request.user, pk)  # only one's own here, staff too
    with user_errors(request) as outcome:
        reservation = services.cancel(reservation, actor=request.user)
    if outcome.ok and reservation.refunded_amount:
        messages.success(
            request,
            _("예약을 취소했습니다. %(amount)s원을 환불합니다.") % {"amount": f"{reservation.refunded_amount:,}"},
        )
    elif outcome.ok:
        messages.success(request, _("예약을 취소했습니다."))
    return redirect(safe_next(request, reverse("reservations:detail", args=[pk])))


@never_cache
@login_required
@require_GET
def ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The reservation as an iCalendar file for the phone's calendar."""
    reservation = selectors.get_reservation(request.user, pk)
    url = request.build_absolute_uri(reverse("reservations:detail", args=[reservation.pk]))
    body = ical.reservation_ics(reservation, host=request.get_host().split(":")[0] or "dasan", url=url)
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reservation-{reservation.code}.ics"'
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def waitlist_join(request: HttpRequest, pk: int) -> HttpResponse:
    """대기 신청 for a taken time: the start (from the grid), how long, how many."""
    item = selectors.get_resource(pk)
    data = request.POST if request.method == "POST" else request.GET
    begin = None
    with user_errors(flash=False) as parsed:
        begin = availability.parse_time(data.get("begin", ""))
    error = parsed.error
    if request.method == "POST" and error is None:
        with user_errors(flash=False) as outcome:
            waitlist.join(
                item, begin, _end(item, begin, data), actor=request.user, party_size=data.get("party_size", "1")
            )
        if outcome.ok:
            messages.success(request, _("대기 신청을 받았습니다. 자리가 나면 알려 드립니다."))
            return redirect("reservations:mine")
        error = outcome.error
    return render(
        request,
        "reservations/waitlist_join.html",
        {
            "resource": item,
            "unit": item.unit,
            "begin": begin,
            "durations": _durations(item),
            "error": error,
            "stays": _stays(item),
            "data": data,
        },
        status=error.status if error else 200,
    )


@login_required
@require_POST
def waitlist_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept an offer (books through the normal path) or leave the waitlist."""
    if action not in ("accept", "cancel"):
        raise Http404
    with user_errors(request) as outcome:  # another's entry: 404
        if action == "accept":
            reservation = waitlist.accept(
                pk,
                actor=request.user,
                declared_resident=request.POST.get("declared_resident") == "1",
                group=request.POST.get("group", ""),
            )
        else:
            waitlist.cancel(pk, actor=request.user)
    if outcome.ok and action == "accept":
        return _after_booking(request, reservation)
    if outcome.ok:
        messages.success(request, _("대기 신청을 취소했습니다."))
    return redirect("reservations:mine")


@login_required
@require_POST
def lottery_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """추첨 신청 from the resource page."""
    lottery = lotteries.get_lottery(pk)
    with user_errors(request) as outcome:
        lotteries.apply(lottery, actor=request.user, party_size=request.POST.get("party_size", "1"))
    if not outcome.ok:
        return redirect("reservations:resource", pk=lottery.resource_id)
    messages.success(request, _("추첨 신청을 받았습니다. 추첨 결과는 알림으로 알려 드립니다."))
    return redirect("reservations:mine")


@login_required
@require_POST
def lottery_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    with user_errors(request) as outcome:  # another's application: 404
        lotteries.withdraw(pk, actor=request.user)
    if outcome.ok:
        messages.success(request, _("추첨 신청을 취소했습니다."))
    return redirect("reservations:mine")


# --- groups (이용 단체) -----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_groups(request: HttpRequest) -> HttpResponse:
    """단체 등록: the representative's groups and the form to register one."""
    error = None
    if request.method == "POST":
        with user_errors(flash=False) as outcome:
            groups.register_group(
                request.POST.get("name", ""),
                actor=request.user,
                members=request.POST.get("members", ""),
                description=request.POST.get("description", ""),
            )
        if outcome.ok:
            messages.success(request, _("단체 등록을 신청했습니다. 담당자가 확인하면 알려 드립니다."))
            return redirect("reservations:groups")
        error = outcome.error
    return render(
        request,
        "reservations/groups.html",
        {
            "groups": list(groups.groups_for(request.user)[:50]),
            "error": error,
            "data": request.POST,
        },
        status=error.status if error else 200,
    )


@login_required
@require_POST
def group_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    groups.withdraw_group(pk, actor=request.user)  # another's group: 404
    messages.success(request, _("단체 등록을 해지했습니다."))
    return redirect("reservations:groups")
