"""The staff month report: utilisation, bookings, revenue less refunds, no-shows, charts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.reservations import reports
from dasan.reservations.models import Reservation, Status

from .conftest import EVERY_DAY, at

pytestmark = pytest.mark.django_db

MONTH = dt.date(2031, 3, 1)  # March 2031: 31 days


def _r(resource, resident, day, begin, end, status, price=0, refunded=0, paid=True):
    b, e = at(day, begin), at(day, end)
    return Reservation.objects.create(
        resource=resource,
        resident=resident,
        status=status,
        begin=b,
        end=e,
        blocked_from=b,
        blocked_until=e,
        subtotal=price,
        price=price,
        refunded_amount=refunded,
        confirmed_at=timezone.now() if paid else None,
    )


def _no_holidays(monkeypatch):
    from dasan.core import calendar

    monkeypatch.setattr(calendar, "is_holiday", lambda day: False)


def test_month_figures(make_resource, resident, monkeypatch):
    _no_holidays(monkeypatch)
    court = make_resource("코트", hours=((EVERY_DAY, "10:00", "12:00"),))  # 2 h a day → 62 h in March
    make_resource("회의실", hours=(((0,), "09:00", "10:00"),))  # Mondays only
    d = dt.date(2031, 3, 4)
    _r(court, resident, d, "10:00", "12:00", Status.CONFIRMED, price=16_000)
    _r(court, resident, d + dt.timedelta(days=1), "10:00", "11:00", Status.CHECKED_IN, price=8_000, refunded=0)
    _r(court, resident, d + dt.timedelta(days=2), "10:00", "11:00", Status.NO_SHOW, price=8_000)
    _r(court, resident, d + dt.timedelta(days=3), "10:00", "11:00", Status.CANCELLED, price=8_000, refunded=4_000)
    _r(court, resident, d + dt.timedelta(days=4), "10:00", "11:00", Status.EXPIRED, price=8_000, paid=False)
    _r(court, resident, dt.date(2031, 4, 1), "10:00", "12:00", Status.CONFIRMED, price=16_000)  # next month
    data = reports.month_report(2031, 3)
    by_name = {f.resource.name: f for f in data.resources}
    c = by_name["코트"]
    assert c.open_minutes == 31 * 120 and c.booked_minutes == 180
    assert c.utilisation == round(180 * 100 / 3720)
    assert c.bookings == 3 and c.no_shows == 1
    assert c.revenue == 16_000 + 8_000 + 8_000 + 4_000
    assert by_name["회의실"].open_minutes == 5 * 60 and by_name["회의실"].utilisation == 0  # 5 Mondays
    days = dict(data.days)
    assert len(days) == 31 and days[d] == 16_000 and days[d + dt.timedelta(days=3)] == 4_000
    assert data.revenue == 36_000 and data.no_shows == 1 and data.bookings == 3


def test_report_page(staff_client, make_resource, resident, monkeypatch):
    _no_holidays(monkeypatch)
    court = make_resource("코트")
    _r(court, resident, dt.date(2031, 3, 4), "10:00", "12:00", Status.CONFIRMED, price=16_000)
    index = staff_client.get("/staff/reservations/").content.decode()
    assert "/staff/reservations/report/" in index
    page = staff_client.get("/staff/reservations/report/", {"month": "2031-03"}).content.decode()
    assert "2031-03" in page and "16,000" in page and 'id="day-revenue-caption"' in page
    assert 'id="resource-utilisation-caption"' in page and "코트" in page
    from tests.web.html_checks import accessibility_problems

    assert accessibility_problems(page) == []
    today = timezone.localdate()
    for bad in ("garbage", "2031-13", "9999-01", "", "2031-02-30x"):
        response = staff_client.get("/staff/reservations/report/", {"month": bad})
        assert response.status_code == 200
        assert f"{today:%Y-%m}" in response.content.decode()


def test_report_is_staff_only(client, resident):
    response = client.get("/staff/reservations/report/")
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(resident)
    assert client.get("/staff/reservations/report/").status_code == 403
