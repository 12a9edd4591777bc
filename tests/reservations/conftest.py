"""Fixtures of the reservation desk: a place, resources built to order, a day that
is open for booking, staff."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core import calendar
from dasan.reservations.models import (
    OpeningHours,
    OpeningPeriod,
    PriceDiscount,
    PriceRule,
    Resource,
    ResourceType,
    Unit,
)

EVERY_DAY = (0, 1, 2, 3, 4, 5, 6)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    """An aware datetime in Asia/Seoul."""
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def unit(db, city):
    return Unit.objects.create(
        name="시민체육관", address="테스트시 체육로 10, 2층", phone="02-120-1610", accessibility="정문 경사로, 승강기"
    )


@pytest.fixture
def make_resource(unit):
    """A resource open every day (09:00–18:00 unless ``hours`` says otherwise), free
    unless ``price=(kind, amount)`` is given, with any rule overridden by keyword."""

    counter = {"n": 0}

    def make(
        name=None,
        *,
        hours=((EVERY_DAY, "09:00", "18:00"),),
        price=None,
        per_person=False,
        discounts=None,
        deposit=0,
        since=dt.date(2020, 1, 1),
        **rules,
    ):
        counter["n"] += 1
        defaults = {
            "type": ResourceType.SPORTS,
            "capacity": 6,
            "slot_minutes": 60,
            "min_minutes": 60,
            "max_minutes": 180,
            "opens_days_ahead": 60,
            "closes_hours_before": 1,
            "max_active_per_resident": 5,
        }
        resource = Resource.objects.create(
            unit=unit, name=name or f"배드민턴장 {counter['n']}", **{**defaults, **rules}
        )
        period = OpeningPeriod.objects.create(resource=resource, name="연중", valid_from=since)
        for days, opens, closes in hours:
            for d in days:
                OpeningHours.objects.create(
                    period=period, weekday=d, opens=dt.time.fromisoformat(opens), closes=dt.time.fromisoformat(closes)
                )
        if price is not None:
            kind, amount = price
            rule = PriceRule.objects.create(
                resource=resource,
                effective_from=since,
                kind=kind,
                amount=amount,
                per_person=per_person,
                deposit=deposit,
            )
            for category, percent in (discounts or {}).items():
                PriceDiscount.objects.create(rule=rule, category=category, percent=percent)
        return resource

    return make


@pytest.fixture
def court(make_resource):
    """An exclusive court, free of charge, 60-minute slots, 1–3 hours."""
    return make_resource("배드민턴장 A")


@pytest.fixture
def paid_court(make_resource):
    """8,000원 an hour; 장애인 50 %, 65세 이상 30 %."""
    return make_resource("유료 배드민턴장", price=("hourly", 8_000), discounts={"disabled": 50, "senior": 30})


@pytest.fixture
def day():
    """A business day (not a holiday) from three days ahead: inside every test booking window."""
    d = timezone.localdate() + dt.timedelta(days=3)
    while not calendar.is_business_day(d):
        d += dt.timedelta(days=1)
    return d


@pytest.fixture
def staff(make_staff, departments):
    return make_staff("facility-officer", department=departments["root"])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client
