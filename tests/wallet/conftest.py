"""Fixtures of the wallet tests: two programmes with budgets, their staff, verified residents,
and the local-currency operator's fake server (dasan.wallet.currency.fake) when present."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core.errors import DasanError

DAY = dt.date(2026, 5, 12)


def at(day: dt.date, hhmm: str = "10:00") -> dt.datetime:
    hour, minute = map(int, hhmm.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def refused(code, call, *args, **kwargs) -> DasanError:
    with pytest.raises(DasanError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


@pytest.fixture
def eco_staff(make_staff, departments):
    return make_staff("eco-officer", department=departments["waste"])


@pytest.fixture
def other_staff(make_staff, departments):
    return make_staff("roads-officer", department=departments["roads"])


@pytest.fixture
def programme(db, eco_staff, departments):
    """생태참여수당: 10,000 won per activity, 20,000 a day, 50,000 a month; 1,000,000 budget."""
    from dasan.wallet import services
    from dasan.wallet.models import Programme

    p = services.save_programme(
        Programme(
            code="eco",
            name="생태참여수당",
            department=departments["waste"],
            reward=10_000,
            daily_cap=20_000,
            monthly_cap=50_000,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
            points_valid_days=180,
        ),
        actor=eco_staff,
    )
    services.fund(p, 1_000_000, key="initial", actor=eco_staff, now=at(dt.date(2026, 1, 1)))
    return p


@pytest.fixture
def hourly(db, other_staff, departments):
    """돌봄참여소득: 12,000 won an hour, for residents aged 50-75; 100,000 budget (roads dept)."""
    from dasan.wallet import services
    from dasan.wallet.models import Programme, RewardUnit

    p = services.save_programme(
        Programme(
            code="care",
            name="돌봄참여소득",
            department=departments["roads"],
            unit=RewardUnit.HOUR,
            reward=12_000,
            min_age=50,
            max_age=75,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 12, 31),
        ),
        actor=other_staff,
    )
    services.fund(p, 100_000, key="initial", actor=other_staff, now=at(dt.date(2026, 1, 1)))
    return p


@pytest.fixture
def make_verified_resident(make_verified_resident):
    """The shared fixture (tests/conftest.py), living in the demo wallet city's 갈마1동."""

    def make(**resident):
        resident.setdefault("dong_name", "갈마1동")
        resident.setdefault("dong_code", "3017063000")
        return make_verified_resident(**resident)

    return make


@pytest.fixture
def member(make_verified_resident):
    return make_verified_resident(name="이참여", phone="01055550001")


@pytest.fixture
def neighbour(make_verified_resident):
    return make_verified_resident(name="박이웃", phone="01055550002", birth_date=dt.date(1960, 3, 3))


@pytest.fixture
def earn():
    """Credit ``resident`` from ``programme`` for one activity on ``day`` (a partner report)."""
    from dasan.wallet import services
    from dasan.wallet.models import Source

    def make(programme, resident, day=DAY, ref="a1", minutes=60, starts=None, ends=None):
        activity = services.Activity(
            activity_date=day, activity_ref=ref, minutes=minutes, starts_at=starts, ends_at=ends
        )
        return services.submit(programme, resident, activity, source=Source.PARTNER_API, now=at(day, "18:00"))

    return make


@pytest.fixture
def balance_of():
    from dasan.wallet import selectors

    return lambda user: selectors.balance(user)["balance"]


CHARGED = dt.datetime(2026, 5, 20, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


@pytest.fixture
def operator(settings):
    """The fake local-currency operator (a real HTTPS server on this machine), configured
    as the city's operator, forgetting everything from the test before; charges at CHARGED."""
    from dasan.wallet.currency import fake

    settings.DASAN = {**settings.DASAN, "WALLET_CURRENCY_ENGINE": "fake", "WALLET_CURRENCY_URL": ""}
    shared = fake.shared()
    shared.reset()
    shared.now = lambda: CHARGED
    return shared


@pytest.fixture
def saver(programme, member, earn):
    """``member`` with 30,000 won earned and a registered card."""
    from dasan.wallet import services

    for n in range(3):
        earn(programme, member, day=DAY + dt.timedelta(days=n), ref=f"s{n}")
    services.register_card("9410-1234-5678-0042", actor=member, now=at(DAY))
    return member


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Evidence photos written by a test go to its own folder, not var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
