"""Fixtures for the bulky-waste tests: the demo fee table, a district, a staff member."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.waste import selectors, services
from dasan.waste.demo import DEMO_FEES
from dasan.waste.fees import import_fees
from dasan.waste.models import District, Variant


@pytest.fixture
def fee_table(db):
    """The demo table (강릉시's standard-data rows renamed to 데모시), in force since 2026-01-01."""
    return import_fees(DEMO_FEES.read_bytes(), effective_from=dt.date(2020, 1, 1)).table


@pytest.fixture
def district(db):
    # Every weekday, so that the next open day is at most a holiday stretch away.
    return District.objects.create(code="9999951000", name="중앙동", weekdays="0123456", daily_capacity=10)


@pytest.fixture
def variant(fee_table):
    def find(name: str, spec: str) -> Variant:
        return Variant.objects.get(item__table=fee_table, item__name=name, spec=spec)

    return find


@pytest.fixture
def open_day(district):
    """The first collection day still open for booking."""
    return selectors.available_days(district)[0].date


@pytest.fixture
def staff(make_staff, departments):
    return make_staff("waste-officer", department=departments["waste"])


@pytest.fixture
def book(resident, district, open_day, variant, city):
    """Book a 3인용 소파 (10,000원) and a 300ℓ 미만 냉장고 (6,000원) unless told otherwise."""

    def make(user=None, items=None, **extra):
        if items is None:
            items = {variant("소파", "3인용").pk: 1, variant("냉장고(온장고 포함)", "300ℓ 미만").pk: 1}
        kwargs = {
            "district": district.pk,
            "address": "중앙로 12, 101동 1203호",
            "collection_date": open_day,
            "items": items,
            "placement": "1층 현관 앞",
            **extra,
        }
        return services.create_booking(**kwargs, actor=user or resident)

    return make
