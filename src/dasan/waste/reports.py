"""Read-only figures and exports for staff: the month's totals (counts, fees, refunds)
by day and district, the last twelve months, and the route sheet as CSV. Everything
is counted by **collection day** (수거일), the day the crews work, and says so on the page."""

from __future__ import annotations

import calendar as month_calendar
import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from .models import OUTCOMES, Booking, BookingStatus

# A booking whose fee was paid: on the route, or cancelled after payment (it has a number).
PAID = Q(status__in=[BookingStatus.CONFIRMED, *OUTCOMES]) | Q(status=BookingStatus.CANCELLED, number__isnull=False)


@dataclass
class Totals:
    bookings: int = 0
    items: int = 0
    collected: int = 0
    not_found: int = 0
    mismatch: int = 0
    cancelled: int = 0
    fees: int = 0
    refunds: int = 0

    @property
    def net(self) -> int:
        return self.fees - self.refunds


@dataclass
class MonthReport:
    first: dt.date
    last: dt.date
    totals: Totals
    days: list[tuple[dt.date, Totals]] = field(default_factory=list)
    districts: list[tuple[str, Totals]] = field(default_factory=list)
    months: list[tuple[dt.date, Totals]] = field(default_factory=list)


def _aggregate(queryset) -> dict:
    return queryset.aggregate(**_aggregate_kwargs())


def _totals(values: dict) -> Totals:
    return Totals(**{key: values.get(key) or 0 for key in Totals.__dataclass_fields__})


def month_report(year: int, month: int) -> MonthReport:
    """Totals of one month by collection day and by district, with the twelve months up to it."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, month_calendar.monthrange(year, month)[1])
    in_month = Booking.objects.filter(collection_date__range=(first, last))
    report = MonthReport(first, last, _totals(_aggregate(in_month)))
    by_day = {row["collection_date"]: row for row in in_month.values("collection_date").annotate(**_aggregate_kwargs())}
    report.days = [
        (first + dt.timedelta(days=i), _totals(by_day.get(first + dt.timedelta(days=i), {})))
        for i in range((last - first).days + 1)
    ]
    report.districts = [
        (row["district__name"], _totals(row))
        for row in in_month.values("district__name").annotate(**_aggregate_kwargs()).order_by("district__name")
    ]
    start = dt.date(year - 1, month, 1) if month == 12 else dt.date(year - 1, month + 1, 1)
    by_month = {
        row["month"]: row
        for row in Booking.objects.filter(collection_date__range=(start, last))
        .annotate(month=TruncMonth("collection_date"))
        .values("month")
        .annotate(**_aggregate_kwargs())
    }
    months, cursor = [], start
    while cursor <= first:
        key = next((k for k in by_month if (k.year, k.month) == (cursor.year, cursor.month)), None)
        months.append((cursor, _totals(by_month.get(key, {}))))
        cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    report.months = months
    return report


def _aggregate_kwargs() -> dict:
    on_route = Q(status__in=[BookingStatus.CONFIRMED, *OUTCOMES])
    return {
        "bookings": Count("pk", filter=on_route),
        "items": Sum("item_count", filter=on_route),
        "collected": Count("pk", filter=Q(status=BookingStatus.COLLECTED)),
        "not_found": Count("pk", filter=Q(status=BookingStatus.NOT_FOUND)),
        "mismatch": Count("pk", filter=Q(status=BookingStatus.MISMATCH)),
        "cancelled": Count("pk", filter=Q(status=BookingStatus.CANCELLED, number__isnull=False)),
        "fees": Sum("total_fee", filter=PAID),
        "refunds": Sum("refunded_amount", filter=PAID),
    }


def route_csv(bookings) -> bytes:
    """The route sheet as CSV, UTF-8 with a byte-order mark so that Excel in Korean
    opens the Hangul correctly; one row per booking."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            _("순번"),
            _("배출번호"),
            _("수거일"),
            _("행정동"),
            _("상세 주소"),
            _("배출 장소"),
            _("품목"),
            _("수량"),
            _("수수료(원)"),
            _("상태"),
            _("수거 메모"),
        ]
    )
    for i, booking in enumerate(bookings, 1):
        lines = list(booking.lines.all())
        writer.writerow(
            [
                i,
                booking.number,
                booking.collection_date.isoformat(),
                booking.district.name,
                booking.address,
                booking.placement,
                "; ".join(f"{line.item_name} {line.spec} × {line.quantity}" for line in lines),
                booking.item_count,
                booking.total_fee,
                booking.get_status_display(),
                booking.outcome_note,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
