"""An office open 09:00–18:00 (tickets until 17:30) with three counters, and a clock set
inside its hours on a business day, so tests do not depend on when they run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core import calendar
from dasan.queueing.models import Counter, Office, ServiceType


def at(day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=timezone.get_default_timezone())


@pytest.fixture
def workday():
    """Today if it is a business day, else the next one (tickets are dated by their day)."""
    d = timezone.localdate()
    while not calendar.is_business_day(d):
        d += dt.timedelta(days=1)
    return d


@pytest.fixture
def types(db):
    return {
        code: ServiceType.objects.create(code=code, name=name, prefix=prefix, default_minutes=minutes)
        for code, name, prefix, minutes in [
            ("move-in", "전입신고", "A", 10),
            ("seal", "인감", "B", 6),
            ("passport", "여권", "C", 12),
        ]
    }


@pytest.fixture
def office(db, city, types):
    office = Office.objects.create(code="city-hall", name="시청 종합민원실", notify_ahead=2)
    one = Counter.objects.create(office=office, number=1)
    one.service_types.set([types["move-in"], types["seal"]])
    two = Counter.objects.create(office=office, number=2)
    two.service_types.set([types["move-in"]])
    three = Counter.objects.create(office=office, number=3)
    three.service_types.set([types["passport"]])
    return office


@pytest.fixture
def counters(office):
    return {c.number: c for c in office.counters.all()}


@pytest.fixture
def clerk(make_staff, departments):
    return make_staff("counter-clerk", department=departments["root"])
