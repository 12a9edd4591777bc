"""Resident and staff pages of the reservation desk (공공시설 예약). Thin: every change is a
call into :mod:`dasan.reservations.services`; a :class:`~dasan.core.errors.DasanError` is
shown on the form, never as a 500."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.core import audit
from dasan.core.charts import columns
from dasan.core.errors import DasanError
from dasan.reservations.errors import Code

from . import groups, ical, reports, services, waitlist
from . import lottery as lotteries
from .models import ACTIVE, Discount, Kind, ResourceType, Status

STATE_LABELS = {
    "free": gettext_lazy("예약 가능"),
    "taken": gettext_lazy("예약됨"),
    "closed": gettext_lazy("마감"),
    "not_open": gettext_lazy("예약 전"),
    "past": gettext_lazy("지남"),
}


def _day(value, default: dt.date | None = None) -> dt.date:
    """A date from a query parameter; a bad or missing one falls back to ``default`` (today)."""
    try:
        day = dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return default or timezone.localdate()
    return day if 2000 <= day.year <= 2100 else (default or timezone.localdate())


def _resource(pk):
    try:
        return services.get_resource(pk)
    except DasanError as error:
        raise Http404(str(error.message)) from None


def _price_text(resource, day: dt.date) -> str:
    rule = services.price_rule(resource, day)
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


def grid(days: list[services.DayAvailability]) -> list[tuple[dt.time, list]]:
    """Rows of the week calendar: one per slot start time, a cell per day (None: shut)."""
    times = sorted({services.local(s.begin).time() for d in days for s in d.slots})
    rows = []
    for time in times:
        cells = []
        for day in days:
            slot = next((s for s in day.slots if services.local(s.begin).time() == time), None)
            cells.append({"slot": slot, "label": STATE_LABELS[slot.state] if slot else ""})
        rows.append((time, cells))
    return rows


# --- resident pages -----------------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Search by type, place and date; with a date, each resource shows its free slots."""
    type_ = request.GET.get("type", "")
    unit = request.GET.get("unit", "")
    query = request.GET.get("q", "").strip()[:50]
    raw_date = request.GET.get("date", "").strip()
    day = _day(raw_date) if raw_date else None
    rows = []
    for resource in services.resources(type=type_, unit=unit, query=query)[:60]:
        free = len(services.availability(resource, day).free) if day else None
        rows.append({"resource": resource, "price": _price_text(resource, day or timezone.localdate()), "free": free})
    return render(
        request,
        "reservations/index.html",
        {
            "rows": rows,
            "types": ResourceType.choices,
            "units": services.units(),
            "type": type_,
            "unit": unit,
            "query": query,
            "day": day,
        },
    )


@require_GET
def resource(request: HttpRequest, pk: int) -> HttpResponse:
    """A resource: rules, price, discounts, refund schedule and a week of slots."""
    item = _resource(pk)
    today = timezone.localdate()
    start = max(_day(request.GET.get("week"), today), today)
    days = services.week(item, start)
    offered = services.discounts_offered(item, start)
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
            "discounts": offered,
            "lotteries": list(lotteries.open_lotteries(item)),
            "refund_steps": [
                (hours // 24 if hours % 24 == 0 else None, hours, percent)
                for hours, percent in services.refund_steps(item)
            ],
        },
    )


def _end(item, begin: dt.datetime, data) -> dt.datetime:
    """The end the form asked for: a number of minutes, or of nights/days for a stay."""
    if services.is_stay(item):
        return services.stay_bounds(item, services.local(begin).date(), data.get("stay", ""))[1]
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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """The booking form: a day, a free start, how long, how many, a discount to declare."""
    item = _resource(pk)
    data = request.POST if request.method == "POST" else request.GET
    begin_value = data.get("begin", "")
    preset = None
    if begin_value:
        try:
            preset = services.parse_time(begin_value)
        except DasanError:
            preset = None
    day = _day(data.get("date"), services.local(preset).date() if preset else timezone.localdate())
    error = None
    if request.method == "POST":
        try:
            begin = services.parse_time(begin_value)
            reservation = services.book(
                request.user,
                item,
                begin,
                _end(item, begin, data),
                party_size=data.get("party_size", "1"),
                discount=data.get("discount", ""),
                declared_resident=data.get("declared_resident") == "1",
                purpose=data.get("purpose", ""),
                group=data.get("group", ""),
                idempotency_key=data.get("token", ""),
            )
        except DasanError as exc:
            error = exc
        else:
            if reservation.status == Status.PENDING_PAYMENT:
                order = services.order_for(reservation)
                if order is not None and order.is_pending:
                    messages.success(request, _("예약을 잡아 두었습니다. 결제를 마치면 확정됩니다."))
                    return redirect(order.get_absolute_url())
            elif reservation.status == Status.REQUESTED:
                messages.success(request, _("예약 신청을 받았습니다. 담당자가 승인하면 알려 드립니다."))
            elif reservation.status == Status.CONFIRMED:
                messages.success(request, _("예약이 확정되었습니다."))
            return redirect("reservations:detail", pk=reservation.pk)
    availability = services.availability(item, day)
    return render(
        request,
        "reservations/book.html",
        {
            "resource": item,
            "unit": item.unit,
            "day": day,
            "availability": availability,
            "free": availability.free,
            "durations": _durations(item),
            "preset": preset,
            "stays": services.stay_lengths(item) if services.is_stay(item) else [],
            "groups": groups.approved_groups(request.user),
            "discounts": services.discounts_offered(item, day),
            "price": _price_text(item, day),
            "error": error,
            "data": data,
            "token": data.get("token") or secrets.token_urlsafe(16),
            "penalty": services.penalty_for(request.user),
        },
        status=error.status if error else 200,
    )


@never_cache
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """내 예약: upcoming and past reservations with cancel and calendar links."""
    now = timezone.now()
    reservations = list(services.reservations_for(request.user)[:100])
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
            "penalty": services.penalty_for(request.user),
            "waiting": waiting,
            "applications": list(lotteries.applications_for(request.user)[:50]),
            "groups": groups.approved_groups(request.user),
        },
    )


def _own(request, pk):
    try:
        return services.get_reservation(request.user, pk)
    except DasanError as error:
        raise Http404(str(error.message)) from None


@never_cache
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = _own(request, pk)
    order = services.order_for(reservation) if reservation.order_id else None
    now = timezone.now()
    cancellable = (
        reservation.status in (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED) and now < reservation.begin
    )
    refund_now = 0
    if cancellable and order is not None and order.is_paid:
        refund_now = services.refund_due(reservation, order.paid_amount, now=now)
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
            "when": services.when_label(reservation),
            "refund_steps": services.refund_steps(reservation.resource),
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    reservation = _own(request, pk)
    try:
        reservation = services.cancel(request.user, reservation)
    except DasanError as error:
        messages.error(request, str(error.message))
    else:
        if reservation.refunded_amount:
            messages.success(
                request,
                _("예약을 취소했습니다. %(amount)s원을 환불합니다.") % {"amount": f"{reservation.refunded_amount:,}"},
            )
        else:
            messages.success(request, _("예약을 취소했습니다."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("reservations:detail", pk=pk)


@never_cache
@login_required
@require_GET
def ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The reservation as an iCalendar file for the phone's calendar."""
    reservation = _own(request, pk)
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
    item = _resource(pk)
    data = request.POST if request.method == "POST" else request.GET
    error = None
    begin = None
    try:
        begin = services.parse_time(data.get("begin", ""))
    except DasanError as exc:
        error = exc
    if request.method == "POST" and error is None:
        try:
            waitlist.join(request.user, item, begin, _end(item, begin, data), party_size=data.get("party_size", "1"))
        except DasanError as exc:
            error = exc
        else:
            messages.success(request, _("대기 신청을 받았습니다. 자리가 나면 알려 드립니다."))
            return redirect("reservations:mine")
    return render(
        request,
        "reservations/waitlist_join.html",
        {
            "resource": item,
            "unit": item.unit,
            "begin": begin,
            "durations": _durations(item),
            "error": error,
            "stays": services.stay_lengths(item) if services.is_stay(item) else [],
            "data": data,
        },
        status=error.status if error else 200,
    )


@login_required
@require_POST
def waitlist_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Accept an offer (books through the normal path) or leave the waitlist."""
    try:
        if action == "accept":
            reservation = waitlist.accept(
                request.user,
                pk,
                declared_resident=request.POST.get("declared_resident") == "1",
                group=request.POST.get("group", ""),
            )
        elif action == "cancel":
            waitlist.cancel(request.user, pk)
            messages.success(request, _("대기 신청을 취소했습니다."))
            return redirect("reservations:mine")
        else:
            raise Http404
    except DasanError as error:
        if error.code == "unknown_waitlist_entry":
            raise Http404(str(error.message)) from None
        messages.error(request, str(error.message))
        return redirect("reservations:mine")
    if reservation.status == Status.PENDING_PAYMENT:
        order = services.order_for(reservation)
        if order is not None and order.is_pending:
            messages.success(request, _("예약을 잡아 두었습니다. 결제를 마치면 확정됩니다."))
            return redirect(order.get_absolute_url())
    elif reservation.status == Status.REQUESTED:
        messages.success(request, _("예약 신청을 받았습니다. 담당자가 승인하면 알려 드립니다."))
    elif reservation.status == Status.CONFIRMED:
        messages.success(request, _("예약이 확정되었습니다."))
    return redirect("reservations:detail", pk=reservation.pk)


@login_required
@require_POST
def lottery_apply(request: HttpRequest, pk: int) -> HttpResponse:
    """추첨 신청 from the resource page."""
    try:
        lottery = lotteries.get_lottery(pk)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    try:
        lotteries.apply(request.user, lottery, request.POST.get("party_size", "1"))
    except DasanError as error:
        messages.error(request, str(error.message))
        return redirect("reservations:resource", pk=lottery.resource_id)
    messages.success(request, _("추첨 신청을 받았습니다. 추첨 결과는 알림으로 알려 드립니다."))
    return redirect("reservations:mine")


@login_required
@require_POST
def lottery_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lotteries.withdraw(request.user, pk)
    except DasanError as error:
        if error.code == "unknown_lottery_application":
            raise Http404(str(error.message)) from None
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("추첨 신청을 취소했습니다."))
    return redirect("reservations:mine")


# --- staff pages --------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    """예약 관리: every resource by place, with today's bookings, and the approval queue."""
    today = timezone.localdate()
    units = []
    for unit in services.units():
        items = []
        for item in services.resources(unit=unit):
            count = services.day_reservations(item, today).filter(status__in=ACTIVE, kind=Kind.BOOKING).count()
            items.append({"resource": item, "today": count})
        units.append({"unit": unit, "resources": items})
    requests = list(services.pending_requests()[:50])
    for r in requests:
        audit.record_read(request.user, r, reason=_("예약 승인 대기 목록"))
        r.when = services.when_label(r)
    return render(request, "reservations/staff/index.html", {"units": units, "requests": requests, "today": today})


@staff_required
@require_GET
def staff_resource(request: HttpRequest, pk: int) -> HttpResponse:
    """One resource's calendar for a day or a week, with the actions on each booking."""
    item = _resource(pk)
    today = timezone.localdate()
    day = _day(request.GET.get("date"), today)
    span = "week" if request.GET.get("view") == "week" else "day"
    length = 7 if span == "week" else 1
    bookings = list(services.day_reservations(item, day, length))
    now = timezone.now()
    for r in bookings:
        if r.resident_id:
            audit.record_read(request.user, r, reason=_("시설 예약 현황"))
        r.when = services.when_label(r)
        r.can_decide = r.status == Status.REQUESTED
        r.can_check_in = (
            r.status == Status.CONFIRMED
            and r.kind == Kind.BOOKING
            and now < r.end
            and services.local(now).date() == services.local(r.begin).date()
        )
        r.can_no_show = r.status == Status.CONFIRMED and r.kind == Kind.BOOKING and now >= r.begin
        r.can_cancel = r.status in (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED)
        r.can_settle = r.status in (Status.CHECKED_IN, Status.NO_SHOW) and r.deposit_open and now >= r.begin
        r.discount_label = Discount(r.discount).label if r.discount else ""
    days = services.week(item, day, days=length)
    return render(
        request,
        "reservations/staff/resource.html",
        {
            "resource": item,
            "unit": item.unit,
            "day": day,
            "span": span,
            "bookings": bookings,
            "days": days,
            "rows": grid(days),
            "previous": day - dt.timedelta(days=length),
            "next": day + dt.timedelta(days=length),
            "last": day + dt.timedelta(days=length - 1),
            "here": request.get_full_path(),
        },
    )


def _back(request, reservation=None, resource=None):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    if resource is not None:
        return redirect("reservations_staff:resource", pk=resource.pk)
    return redirect("reservations_staff:index")


STAFF_ACTIONS = {
    "approve": (lambda staff, r, post: services.approve(staff, r), gettext_lazy("%(code)s: 승인했습니다.")),
    "deny": (
        lambda staff, r, post: services.deny(staff, r, post.get("reason", "")),
        gettext_lazy("%(code)s: 반려했습니다."),
    ),
    "check-in": (lambda staff, r, post: services.check_in(staff, r), gettext_lazy("%(code)s: 이용 확인했습니다.")),
    "no-show": (lambda staff, r, post: services.mark_no_show(staff, r), gettext_lazy("%(code)s: 노쇼로 처리했습니다.")),
    "cancel": (
        lambda staff, r, post: services.cancel(staff, r, reason=post.get("reason", "")),
        gettext_lazy("%(code)s: 취소했습니다."),
    ),
    "deposit": (
        lambda staff, r, post: services.settle_deposit(
            staff, r, withheld=post.get("withheld", "0"), reason=post.get("reason", "")
        ),
        gettext_lazy("%(code)s: 보증금을 정산했습니다."),
    ),
}


@staff_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in STAFF_ACTIONS:
        raise Http404
    run, done = STAFF_ACTIONS[action]
    try:
        reservation = services.staff_reservation(request.user, pk, reason=action)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    try:
        run(request.user, reservation, request.POST)
    except DasanError as error:
        messages.error(request, f"{reservation.code}: {error.message}")
    else:
        messages.success(request, done % {"code": reservation.code})
    return _back(request, resource=reservation.resource)


def _clock(day: dt.date, value: str, field: str) -> dt.datetime:
    try:
        time = dt.time.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DasanError(Code.INVALID_TIME, _("시각을 HH:MM 형식으로 적어 주세요."), field=field) from None
    return dt.datetime.combine(day, time, tzinfo=timezone.get_default_timezone())


@staff_required
@require_POST
def staff_block(request: HttpRequest, pk: int) -> HttpResponse:
    """사용 중지 for maintenance: a day, a start and an end time, a reason."""
    item = _resource(pk)
    try:
        day = services.parse_day(request.POST.get("date", ""))
        begin = _clock(day, request.POST.get("begin", ""), "begin")
        end_time = request.POST.get("end", "").strip()
        end = (
            _clock(day + dt.timedelta(days=1), "00:00", "end")
            if end_time in ("24:00", "24:00:00")
            else _clock(day, end_time, "end")
        )
        services.block(request.user, item, begin, end, request.POST.get("reason", ""))
    except DasanError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("사용 중지 시간을 등록했습니다."))
    return _back(request, resource=item)


def _month(value) -> tuple[int, int]:
    """``YYYY-MM`` from the query string; anything else is this month."""
    try:
        year, month = (int(part) for part in str(value or "").strip().split("-", 1))
        if not 2000 <= year <= 2100:
            raise ValueError
        dt.date(year, month, 1)
        return year, month
    except ValueError:
        today = timezone.localdate()
        return today.year, today.month


@staff_required
@require_GET
def staff_report(request: HttpRequest) -> HttpResponse:
    """월별 이용 현황: utilisation, bookings, revenue and no-shows per resource, with charts."""
    year, month = _month(request.GET.get("month"))
    data = reports.month_report(year, month)
    return render(
        request,
        "reservations/staff/report.html",
        {
            "report": data,
            "previous": (data.first - dt.timedelta(days=1)).replace(day=1),
            "following": data.last + dt.timedelta(days=1),
            "day_revenue": columns(
                "day-revenue",
                _("이용일별 수입 (환불 뺀 금액)"),
                [(f"{d.day}", amount) for d, amount in data.days],
                unit=_("원"),
            ),
            "utilisation": columns(
                "resource-utilisation",
                _("예약 대상별 이용률"),
                [(f"{f.resource.unit.name} {f.resource.name}", f.utilisation) for f in data.resources],
                unit="%",
                every=1,
            ),
        },
    )


def _moment(value: str, field: str) -> dt.datetime:
    try:
        return services.parse_time(str(value or "").strip(), field)
    except DasanError:
        raise
    except Exception:  # noqa: BLE001 - any unreadable input is a bad time
        raise DasanError(Code.INVALID_TIME, _("시각을 올바르게 골라 주세요."), field=field) from None


@staff_required
@require_http_methods(["GET", "POST"])
def staff_lotteries(request: HttpRequest) -> HttpResponse:
    """추첨 관리: every lottery, and a form to open one for a slot of a resource."""
    if request.method == "POST":
        try:
            day = services.parse_day(request.POST.get("date", ""))
            lotteries.create_lottery(
                request.user,
                request.POST.get("resource", ""),
                _clock(day, request.POST.get("begin", ""), "begin"),
                _clock(day, request.POST.get("end", ""), "end"),
                _moment(request.POST.get("opens_at", ""), "opens_at"),
                _moment(request.POST.get("closes_at", ""), "closes_at"),
                pay_deadline_hours=request.POST.get("pay_deadline_hours", "48"),
            )
        except DasanError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("추첨을 등록했습니다."))
        return redirect("reservations_staff:lotteries")
    return render(
        request,
        "reservations/staff/lotteries.html",
        {
            "lotteries": list(lotteries.lotteries()[:200]),
            "resources": list(services.resources()),
        },
    )


@staff_required
@require_POST
def staff_lottery_draw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lottery = lotteries.draw(request.user, pk)
    except DasanError as error:
        if error.code == "unknown_lottery":
            raise Http404(str(error.message)) from None
        messages.error(request, str(error.message))
        return redirect("reservations_staff:lotteries")
    messages.success(request, _("추첨했습니다."))
    return redirect("reservations_staff:lottery", pk=lottery.pk)


@staff_required
@require_GET
def staff_lottery(request: HttpRequest, pk: int) -> HttpResponse:
    """추첨 검증: the stored seed, the ranked applicants (names masked) and whether the
    order recomputed from the seed matches."""
    try:
        lottery = lotteries.get_lottery(pk)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    rows = [
        {"application": a, "name": lotteries.mask(getattr(a.resident, "name", ""))} for a in lotteries.ranked(lottery)
    ]
    return render(
        request,
        "reservations/staff/lottery.html",
        {
            "lottery": lottery,
            "rows": rows,
            "verified": lotteries.verify_draw(lottery) if lottery.seed else None,
            "applied": lottery.applications.filter(status="applied").count(),
        },
    )


# --- groups (이용 단체) -----------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def my_groups(request: HttpRequest) -> HttpResponse:
    """단체 등록: the representative's groups and the form to register one."""
    error = None
    if request.method == "POST":
        try:
            groups.register_group(
                request.user,
                request.POST.get("name", ""),
                members=request.POST.get("members", ""),
                description=request.POST.get("description", ""),
            )
        except DasanError as exc:
            error = exc
        else:
            messages.success(request, _("단체 등록을 신청했습니다. 담당자가 확인하면 알려 드립니다."))
            return redirect("reservations:groups")
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
    try:
        groups.withdraw_group(request.user, pk)
    except DasanError as error:
        raise Http404(str(error.message)) from None
    messages.success(request, _("단체 등록을 해지했습니다."))
    return redirect("reservations:groups")


@staff_required
@require_GET
def staff_groups(request: HttpRequest) -> HttpResponse:
    """단체 심사: groups waiting for a decision (oldest first) and the approved ones."""
    from .models import Group, GroupStatus

    pending = list(groups.pending_groups()[:200])
    approved = list(Group.objects.filter(status=GroupStatus.APPROVED).select_related("representative")[:500])
    for group in pending + approved:
        audit.record_read(request.user, group, reason=_("이용 단체 심사"))
    return render(request, "reservations/staff/groups.html", {"pending": pending, "approved": approved})


@staff_required
@require_POST
def staff_group_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("approve", "reject"):
        raise Http404
    try:
        group = groups.decide_group(
            request.user, pk, approve=action == "approve", reason=request.POST.get("reason", "")
        )
    except DasanError as error:
        if error.code == "unknown_group":
            raise Http404(str(error.message)) from None
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            (_("%(name)s: 승인했습니다.") if action == "approve" else _("%(name)s: 반려했습니다."))
            % {"name": group.name},
        )
    return redirect("reservations_staff:groups")
