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


def test_a_day_typed_in_a_form_or_a_query():
    assert timefmt.parse_date("2026-12-07") == dt.date(2026, 12, 7)
    assert timefmt.parse_date(" 2026-12-07 ") == dt.date(2026, 12, 7)
    # 23:30 in UTC is already the next morning in Seoul.
    assert timefmt.parse_date(dt.datetime(2026, 12, 7, 23, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 8)
    for slip in ("2026-13-01", "20266-01-01", "1999-12-31", "내일", "", None):
        assert timefmt.parse_date(slip) is None


def test_a_moment_without_an_offset_is_the_citys_time():
    moment = timefmt.parse_datetime("2026-12-04T10:30")
    assert moment.utcoffset() == dt.timedelta(hours=9)
    assert timefmt.parse_datetime("2026-12-04T10:30+00:00").utcoffset() == dt.timedelta(0)
    assert timefmt.parse_datetime("10:30") is None
    assert timefmt.parse_datetime("3000-01-01T00:00") is None


def test_a_report_month_falls_back_to_this_month():
    assert timefmt.parse_month("2026-03") == (2026, 3)
    today = timefmt.local_date()
    for slip in ("2026-13", "abc", "", None, "1900-01"):
        assert timefmt.parse_month(slip) == (today.year, today.month)
