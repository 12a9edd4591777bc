"""Staff and crew pages for bulky waste (``/staff/waste/``): the day's overview, route
sheets (print and CSV), the crew's scan page and the booking page where a crew records
what it found, and the month's totals. Thin: reads come from ``selectors``/``reports``,
every change is a service call. Lists with addresses are audited reads."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dasan.accounts.decorators import staff_required
from dasan.core import audit, timefmt
from dasan.core.charts import columns
from dasan.core.http import user_errors

from . import reports, selectors, services
from .models import OUTCOMES, BookingStatus, Crew, District


def _day(value: str | None) -> dt.date:
    return timefmt.parse_date(value) or timefmt.local_date()


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The day's collection at a glance: per district and per crew, with links to the sheets."""
    day = _day(request.GET.get("date"))
    overview = selectors.day_overview(day)
    by_district = {row.district.pk: row for row in overview}
    crews = []
    for crew in selectors.crews():
        rows = [by_district[d.pk] for d in crew.districts.all() if d.pk in by_district]
        crews.append(
            {
                "crew": crew,
                "districts": rows,
                "bookings": sum(r.bookings for r in rows),
                "items": sum(r.booked for r in rows),
            }
        )
    context = {
        "day": day,
        "previous": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "overview": overview,
        "crews": crews,
        "my_crew": selectors.crew_of(request.user),
        "totals": {
            "bookings": sum(r.bookings for r in overview),
            "items": sum(r.booked for r in overview),
            "collected": sum(r.done.get("collected", 0) for r in overview),
        },
    }
    return render(request, "waste/staff/index.html", context)


@staff_required
@require_GET
def route(request: HttpRequest) -> HttpResponse:
    """노선표: one crew's (or district's) bookings for a day, printable, or as CSV."""
    day = _day(request.GET.get("date"))
    crew = (
        Crew.objects.filter(pk=request.GET.get("crew") or 0, active=True).first()
        if str(request.GET.get("crew", "")).isdigit()
        else None
    )
    district = (
        District.objects.filter(pk=request.GET.get("district") or 0).first()
        if str(request.GET.get("district", "")).isdigit()
        else None
    )
    bookings = list(selectors.route(day, crew=crew, district=district))
    reason = _("대형폐기물 수거 노선표")
    for booking in bookings:
        audit.record_read(request.user, booking, reason=reason)
    scope = crew.name if crew else (district.name if district else _("전체 구역"))
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.route_csv(bookings), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="waste-route-{day.isoformat()}.csv"'
        return response
    return render(
        request,
        "waste/staff/route.html",
        {
            "day": day,
            "crew": crew,
            "district": district,
            "scope": scope,
            "bookings": bookings,
            "items": sum(b.item_count for b in bookings),
            "query": request.GET.urlencode(),
        },
    )


@staff_required
@require_GET
def scan(request: HttpRequest) -> HttpResponse:
    """The crew's phone page: scan the sticker's QR code (or type the number)."""
    text = request.GET.get("q", "").strip()[:300]
    error = None
    if text:
        number = selectors.parse_number(text)
        if number:
            return redirect("waste_staff:booking", number=number)
        error = _("배출번호를 읽지 못했습니다. W로 시작하는 번호를 확인해 주세요.")
    crew = selectors.crew_of(request.user)
    return render(
        request,
        "waste/staff/scan.html",
        {
            "text": text,
            "error": error,
            "crew": crew,
            "today": timefmt.local_date(),
        },
        status=400 if error else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def booking(request: HttpRequest, number: str) -> HttpResponse:
    """One sticker's booking for the crew: what was declared, where, and the buttons to
    record collected / not found / not as declared (with a note and a photo)."""
    booking, stale = selectors.staff_booking(request.user, number)
    error = None
    if request.method == "POST":
        with user_errors(flash=False) as outcome:
            booking = services.record_outcome(
                booking,
                request.POST.get("outcome", ""),
                actor=request.user,
                note=request.POST.get("note", ""),
                photo=request.FILES.get("photo"),
            )
        error = outcome.error
        if outcome.ok:
            messages.success(
                request,
                _("%(number)s: %(status)s(으)로 기록했습니다.")
                % {"number": booking.number, "status": booking.get_status_display()},
            )
            return redirect(reverse("waste_staff:scan"))
    context = {
        "booking": booking,
        "stale": stale,
        "lines": booking.lines.all(),
        "error": error,
        "outcomes": [(s.value, s.label) for s in OUTCOMES],
        "collectable": booking.status in selectors.ON_ROUTE and timefmt.local_date() >= booking.collection_date,
        "data": request.POST if error else {},
    }
    return render(request, "waste/staff/booking.html", context, status=error.status if error else 200)


@staff_required
@require_GET
def booking_photo(request: HttpRequest, number: str, kind: str) -> HttpResponse:
    booking, _stale = selectors.staff_booking(request.user, number)
    picture = booking.photo if kind == "resident" else booking.crew_photo
    if not picture:
        raise Http404(_("사진이 없습니다."))
    return FileResponse(picture.open("rb"), content_type="image/jpeg")


@staff_required
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    """월별 집계: counts, fees and refunds by collection day and district, and the last 12 months."""
    year, month = timefmt.parse_month(request.GET.get("month"))
    data = reports.month_report(year, month)
    won = _("원")
    previous = (data.first - dt.timedelta(days=1)).replace(day=1)
    following = data.last + dt.timedelta(days=1)
    context = {
        "report": data,
        "previous": previous,
        "following": following,
        "day_counts": columns(
            "day-counts", _("수거일별 배출신고 건수"), [(f"{d.day}", t.bookings) for d, t in data.days]
        ),
        "day_fees": columns(
            "day-fees", _("수거일별 수수료 (환불 뺀 금액)"), [(f"{d.day}", t.net) for d, t in data.days], unit=won
        ),
        "month_fees": columns(
            "month-fees",
            _("최근 12개월 수수료 (환불 뺀 금액)"),
            [(f"{m:%y.%m}", t.net) for m, t in data.months],
            unit=won,
            every=1,
        ),
        "statuses": {s.value: s.label for s in BookingStatus},
    }
    return render(request, "waste/staff/report.html", context)
