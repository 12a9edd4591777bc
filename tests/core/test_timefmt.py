"""Times as residents read them: stored in UTC, written in the city's zone (dasan.core.timefmt)."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.core import timefmt

UTC = dt.UTC


@pytest.fixture(autouse=True)
def seoul(settings):
    settings.TIME_ZONE = "Asia/Seoul"


def test_an_instant_is_written_in_seoul_time():
    assert timefmt.fmt(dt.datetime(2026, 12, 7, 5, 30, tzinfo=UTC)) == "2026-12-07 14:30"
    assert timefmt.fmt(dt.datetime(2026, 12, 7, 5, 30, 59, tzinfo=UTC), "%H:%M:%S") == "14:30:59"


def test_the_city_day_starts_at_15_utc():
    before = dt.datetime(2026, 12, 7, 14, 59, tzinfo=UTC)
    after = dt.datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    assert timefmt.local_date(before) == dt.date(2026, 12, 7)
    assert timefmt.local_date(after) == dt.date(2026, 12, 8)
    assert timefmt.fmt_date(before) == "2026-12-07"
    assert timefmt.fmt_date(after) == "2026-12-08"
    assert timefmt.fmt(after) == "2026-12-08 00:00"


def test_a_day_is_written_as_is():
    assert timefmt.fmt_date(dt.date(2026, 1, 5)) == "2026-01-05"


def test_nothing_is_written_for_no_time():
    assert timefmt.fmt(None) == ""
    assert timefmt.fmt_date(None) == ""
