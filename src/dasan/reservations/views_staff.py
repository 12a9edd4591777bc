"""Staff pages of the reservation desk (공공시설 예약 관리, mounted at /staff/reservations/):
the approval queue, each resource's day or week with the actions on every booking, blocks,
the month report, lotteries and groups. Every view is ``staff_required``; the services
check again (``staff_only``). Errors are flashed on the page the form came from, and a
lookup that finds nothing is the 404 page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.core import audit, timefmt
from dasan.core.charts import columns
from dasan.core.errors import DasanError
from dasan.core.http import safe_next, user_errors
from dasan.core.pii import mask_name

from . import availability, groups, reports, selectors, services, staff
from . import lottery as lotteries
from .errors import Code
from .models import ACTIVE, Discount, Kind, Status
from .views import date_param, grid

# --- the desk --------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_index(request: HttpRequest) -> HttpResponse:
    """예약 관리: every resource by place, with today's bookings, and the approval queue."""
    today = timezone.localdate()
    units = []
    for unit in selectors.units():
        items = []
        for item in selectors.resources(unit=unit):
            count = selectors.day_reservations(item, today).filter(status__in=ACTIVE, kind=Kind.BOOKING).count()
            items.append({"resource": item, "today": count})
        units.append({"unit": unit, "resources": items})
    requests = list(selectors.pending_requests()[:50])
    for r in requests:
        audit.record_read(request.user, r, reason=_("예약 승인 대기 목록"))
        r.when = selectors.when_label(r)
    return render(request, "reservations/staff/index.html", {"units": units, "requests": requests, "today": today})


def _staff_row(r, now: dt.datetime):
    """A booking or block of the staff calendar, with the actions it allows now."""
    r.when = selectors.when_label(r)
    r.can_decide = r.status == Status.REQUESTED
    r.can_check_in = (
        r.status == Status.CONFIRMED
        and r.kind == Kind.BOOKING
        and now < r.end
        and timefmt.local_date(now) == timefmt.local_date(r.begin)
    )
    r.can_no_show = r.status == Status.CONFIRMED and r.kind == Kind.BOOKING and now >= r.begin
    r.can_cancel = r.status in (Status.PENDING_PAYMENT, Status.REQUESTED, Status.CONFIRMED)
    r.can_settle = r.status in (Status.CHECKED_IN, Status.NO_SHOW) and r.deposit_open and now >= r.begin
    r.discount_label = Discount(r.discount).label if r.discount else ""
    return r


@staff_required
@require_GET
def staff_resource(request: HttpRequest, pk: int) -> HttpResponse:
    """One resource's calendar for a day or a week, with the actions on each booking."""
    item = selectors.get_resource(pk)
    day = date_param(request.GET.get("date"), timezone.localdate())
    span = "week" if request.GET.get("view") == "week" else "day"
    length = 7 if span == "week" else 1
    now = timezone.now()
    bookings = []
    for r in selectors.day_reservations(item, day, length):
        if r.resident_id:
            audit.record_read(request.user, r, reason=_("시설 예약 현황"))
        bookings.append(_staff_row(r, now))
    days = availability.week(item, day, days=length)
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


def _back(request, resource):
    return redirect(safe_next(request, reverse("reservations_staff:resource", args=[resource.pk])))


STAFF_ACTIONS = {
    "approve": (lambda r, actor, post: staff.approve(r, actor=actor), gettext_lazy("%(code)s: 승인했습니다.")),
    "deny": (
        lambda r, actor, post: staff.deny(r, actor=actor, reason=post.get("reason", "")),
        gettext_lazy("%(code)s: 반려했습니다."),
    ),
    "check-in": (lambda r, actor, post: staff.check_in(r, actor=actor), gettext_lazy("%(code)s: 이용 확인했습니다.")),
    "no-show": (
        lambda r, actor, post: staff.mark_no_show(r, actor=actor),
        gettext_lazy("%(code)s: 노쇼로 처리했습니다."),
    ),
    "cancel": (
        lambda r, actor, post: services.cancel(r, actor=actor, reason=post.get("reason", "")),
        gettext_lazy("%(code)s: 취소했습니다."),
    ),
    "deposit": (
        lambda r, actor, post: staff.settle_deposit(
            r, actor=actor, withheld=post.get("withheld", "0"), reason=post.get("reason", "")
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
    reservation = selectors.staff_reservation(request.user, pk, reason=action)
    with user_errors(flash=False) as outcome:
        run(reservation, request.user, request.POST)
    if outcome.ok:
        messages.success(request, done % {"code": reservation.code})
    else:
        messages.error(request, f"{reservation.code}: {outcome.message}")
    return _back(request, reservation.resource)


def _clock(day: dt.date, value: str, field: str) -> dt.datetime:
    try:
        time = dt.time.fromisoformat(str(value or "").strip())
    except ValueError:
        raise DasanError(Code.INVALID_TIME, _("시각을 HH:MM 형식으로 적어 주세요."), field=field) from None
    return availability.at(day, time)


@staff_required
@require_POST
def staff_block(request: HttpRequest, pk: int) -> HttpResponse:
    """사용 중지 for maintenance: a day, a start and an end time, a reason."""
    item = selectors.get_resource(pk)
    with user_errors(request) as outcome:
        day = availability.parse_day(request.POST.get("date", ""))
        begin = _clock(day, request.POST.get("begin", ""), "begin")
        end_time = request.POST.get("end", "").strip()
        end = (
            _clock(day + dt.timedelta(days=1), "00:00", "end")
            if end_time in ("24:00", "24:00:00")
            else _clock(day, end_time, "end")
        )
        staff.block(item, begin, end, actor=request.user, reason=request.POST.get("reason", ""))
    if outcome.ok:
        messages.success(request, _("사용 중지 시간을 등록했습니다."))
    return _back(request, item)


@staff_required
@require_GET
def staff_report(request: HttpRequest) -> HttpResponse:
    """월별 이용 현황: utilisation, bookings, revenue and no-shows per resource, with charts."""
    year, month = timefmt.parse_month(request.GET.get("month"))
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


@staff_required
@require_http_methods(["GET", "POST"])
def staff_lotteries(request: HttpRequest) -> HttpResponse:
    """추첨 관리: every lottery, and a form to open one for a slot of a resource."""
    if request.method == "POST":
        post = request.POST
        with user_errors(request) as outcome:
            day = availability.parse_day(post.get("date", ""))
            lotteries.create_lottery(
                post.get("resource", ""),
                _clock(day, post.get("begin", ""), "begin"),
                _clock(day, post.get("end", ""), "end"),
                availability.parse_time(post.get("opens_at", ""), "opens_at"),
                availability.parse_time(post.get("closes_at", ""), "closes_at"),
                actor=request.user,
                pay_deadline_hours=post.get("pay_deadline_hours", "48"),
            )
        if outcome.ok:
            messages.success(request, _("추첨을 등록했습니다."))
        return redirect("reservations_staff:lotteries")
    return render(
        request,
        "reservations/staff/lotteries.html",
        {
            "lotteries": list(lotteries.lotteries()[:200]),
            "resources": list(selectors.resources()),
        },
    )


@staff_required
@require_POST
def staff_lottery_draw(request: HttpRequest, pk: int) -> HttpResponse:
    with user_errors(request) as outcome:  # an unknown lottery: 404
        lottery = lotteries.draw(pk, actor=request.user)
    if not outcome.ok:
        return redirect("reservations_staff:lotteries")
    messages.success(request, _("추첨했습니다."))
    return redirect("reservations_staff:lottery", pk=lottery.pk)


@staff_required
@require_GET
def staff_lottery(request: HttpRequest, pk: int) -> HttpResponse:
    """추첨 검증: the stored seed, the ranked applicants (names masked) and whether the
    order recomputed from the seed matches."""
    lottery = lotteries.get_lottery(pk)
    rows = [{"application": a, "name": mask_name(getattr(a.resident, "name", ""))} for a in lotteries.ranked(lottery)]
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


@staff_required
@require_GET
def staff_groups(request: HttpRequest) -> HttpResponse:
    """단체 심사: groups waiting for a decision (oldest first) and the approved ones."""
    pending = list(groups.pending_groups()[:200])
    approved = list(groups.registered_groups()[:500])
    for group in pending + approved:
        audit.record_read(request.user, group, reason=_("이용 단체 심사"))
    return render(request, "reservations/staff/groups.html", {"pending": pending, "approved": approved})


@staff_required
@require_POST
def staff_group_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("approve", "reject"):
        raise Http404
    with user_errors(request) as outcome:  # an unknown group: 404
        group = groups.decide_group(
            pk, actor=request.user, approve=action == "approve", reason=request.POST.get("reason", "")
        )
    if outcome.ok:
        messages.success(
            request,
            (_("%(name)s: 승인했습니다.") if action == "approve" else _("%(name)s: 반려했습니다."))
            % {"name": group.name},
        )
    return redirect("reservations_staff:groups")
