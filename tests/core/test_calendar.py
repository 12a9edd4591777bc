"""Business calendar: real Korean dates, reasoned out in the comments."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dasan.core import calendar
from dasan.core.models import Municipality, TemporaryHoliday

D = dt.date
SEOUL = ZoneInfo("Asia/Seoul")


def at(y, m, d, hh=9, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _fresh_cache():
    calendar.invalidate_cache()
    yield
    calendar.invalidate_cache()


# --- 2025 추석 (Chuseok) ----------------------------------------------------------------
# 2025-10-03 Fri 개천절; 10-04 Sat; 10-05 Sun 추석 전날; 10-06 Mon 추석; 10-07 Tue 추석 다음날;
# 10-08 Wed 대체공휴일 (추석 전날 fell on a Sunday); 10-09 Thu 한글날; 10-10 Fri is the
# first business day after Thursday 10-02.


@pytest.mark.django_db
def test_chuseok_2025_days_are_holidays():
    for day in [D(2025, 10, 3), D(2025, 10, 5), D(2025, 10, 6), D(2025, 10, 7), D(2025, 10, 8), D(2025, 10, 9)]:
        assert calendar.is_holiday(day), day
        assert not calendar.is_business_day(day), day
    assert "대체" in calendar.holiday_name(D(2025, 10, 8))
    assert calendar.holiday_name(D(2025, 10, 6)) == "추석"
    # The Saturday in the middle is not a named holiday, but still no business day.
    assert not calendar.is_holiday(D(2025, 10, 4))
    assert not calendar.is_business_day(D(2025, 10, 4))


@pytest.mark.django_db
def test_chuseok_2025_next_business_day_and_add():
    assert calendar.next_business_day(D(2025, 10, 2)) == D(2025, 10, 10)
    assert calendar.add_business_days(D(2025, 10, 2), 1) == D(2025, 10, 10)
    # 10-10 Fri is day 1, then Mon 10-13 day 2.
    assert calendar.add_business_days(D(2025, 10, 2), 2) == D(2025, 10, 13)
    # Backwards from Fri 10-10 one business day is Thu 10-02.
    assert calendar.add_business_days(D(2025, 10, 10), -1) == D(2025, 10, 2)
    # n=0 on a holiday moves to the next business day; on a business day stays.
    assert calendar.add_business_days(D(2025, 10, 6), 0) == D(2025, 10, 10)
    assert calendar.add_business_days(D(2025, 10, 2), 0) == D(2025, 10, 2)


@pytest.mark.django_db
def test_holidays_between_chuseok_week():
    got = calendar.holidays_between(D(2025, 10, 1), D(2025, 10, 12))
    assert [d for d, _ in got] == [D(2025, 10, d) for d in (3, 5, 6, 7, 8, 9)]
    assert all(name for _, name in got)
    assert calendar.holidays_between(D(2025, 10, 12), D(2025, 10, 1)) == []


# --- 2024-10-01 국군의 날 (임시공휴일 declared in Sept 2024) ----------------------------------
# The installed ``holidays`` package already knows it, so it is a holiday without any
# row; in 2025 the same date is a normal Wednesday.


@pytest.mark.django_db
def test_armed_forces_day_2024_temporary_public_holiday():
    assert calendar.is_holiday(D(2024, 10, 1))
    assert calendar.is_business_day(D(2025, 10, 1))
    # Mon 2024-09-30 + 1 business day skips Tue 10-01, lands on Wed 10-02.
    assert calendar.add_business_days(D(2024, 9, 30), 1) == D(2024, 10, 2)


@pytest.mark.django_db
def test_temporary_holiday_row_covers_a_date_the_package_lacks():
    # A city closure (e.g. 시민의 날) on Wed 2025-11-12: a normal business day until declared.
    day = D(2025, 11, 12)
    assert calendar.is_business_day(day)
    TemporaryHoliday.objects.create(date=day, name="시민의 날")
    assert calendar.is_holiday(day)
    assert not calendar.is_business_day(day)
    assert calendar.holiday_name(day) == "시민의 날"
    # Tue 11-11 + 1 business day now skips to Thu 11-13.
    assert calendar.add_business_days(D(2025, 11, 11), 1) == D(2025, 11, 13)
    assert (day, "시민의 날") in calendar.holidays_between(D(2025, 11, 1), D(2025, 11, 30))


@pytest.mark.django_db
def test_temporary_holiday_delete_is_seen():
    row = TemporaryHoliday.objects.create(date=D(2025, 11, 12), name="시민의 날")
    assert calendar.is_holiday(D(2025, 11, 12))
    row.delete()
    assert not calendar.is_holiday(D(2025, 11, 12))


@pytest.mark.django_db(transaction=True)
def test_temporary_holiday_cache_is_invalidated_on_save_and_delete(django_assert_num_queries):
    # Outside a transaction the rows are memoised: a second call costs no query...
    day = D(2025, 11, 12)
    assert calendar.is_business_day(day)
    with django_assert_num_queries(0):
        assert calendar.is_business_day(day)
    # ...and saving or deleting a row clears the memo at once.
    row = TemporaryHoliday.objects.create(date=day, name="시민의 날")
    assert not calendar.is_business_day(day)
    row.delete()
    assert calendar.is_business_day(day)


@pytest.mark.django_db
def test_same_day_statutory_and_city_names_are_joined():
    TemporaryHoliday.objects.create(date=D(2025, 10, 9), name="시 휴무")
    assert calendar.holiday_name(D(2025, 10, 9)) == "한글날; 시 휴무"


@pytest.mark.django_db
def test_weekend_crossing_and_negative():
    # Fri 2025-11-14 + 1 → Mon 11-17; + 5 → Fri 11-21; Mon 11-17 - 1 → Fri 11-14.
    assert calendar.add_business_days(D(2025, 11, 14), 1) == D(2025, 11, 17)
    assert calendar.add_business_days(D(2025, 11, 14), 5) == D(2025, 11, 21)
    assert calendar.add_business_days(D(2025, 11, 17), -1) == D(2025, 11, 14)
    # Saturday + 0 → Monday.
    assert calendar.add_business_days(D(2025, 11, 15), 0) == D(2025, 11, 17)
    assert calendar.next_business_day(D(2025, 11, 14)) == D(2025, 11, 17)


@pytest.mark.django_db
def test_substitute_holiday_for_childrens_day_2025():
    # 2025-05-05 Mon is both 어린이날 and 부처님오신날; 05-06 Tue is their 대체공휴일.
    assert calendar.is_holiday(D(2025, 5, 6))
    assert calendar.add_business_days(D(2025, 5, 2), 1) == D(2025, 5, 7)


@pytest.mark.django_db
def test_datetime_input_is_read_in_seoul():
    # 2025-10-09 20:00 UTC is already Friday 10-10 05:00 in Seoul: a business day.
    assert calendar.is_business_day(dt.datetime(2025, 10, 9, 20, 0, tzinfo=dt.UTC))


# --- working hours -------------------------------------------------------------------


@pytest.mark.django_db
def test_working_hours_defaults_without_city():
    hours = calendar.working_hours()
    assert (hours.start, hours.end) == (dt.time(9), dt.time(18))
    assert hours.hours_per_day == 8


@pytest.mark.django_db
def test_working_hours_from_city(city):
    city.work_start = dt.time(9, 30)
    city.lunch_start = None
    city.lunch_end = None
    city.save()
    hours = calendar.working_hours()
    assert hours.start == dt.time(9, 30)
    assert hours.hours_per_day == 8.5


@pytest.mark.django_db
def test_add_working_hours_within_day_and_over_lunch():
    # Mon 2025-11-10 09:00 + 3h = 12:00 (stops at the lunch break, not 13:00).
    assert calendar.add_working_hours(at(2025, 11, 10, 9), 3) == at(2025, 11, 10, 12)
    # 11:00 + 2h: 11-12 is one hour, lunch skipped, 13-14 the second.
    assert calendar.add_working_hours(at(2025, 11, 10, 11), 2) == at(2025, 11, 10, 14)
    # 8 hours from the opening is the close of the same day, not next morning.
    assert calendar.add_working_hours(at(2025, 11, 10, 9), 8) == at(2025, 11, 10, 18)
    # Starting during lunch counts from 13:00.
    assert calendar.add_working_hours(at(2025, 11, 10, 12, 30), 1) == at(2025, 11, 10, 14)


@pytest.mark.django_db
def test_add_working_hours_across_weekend():
    # Fri 2025-11-14 17:00 + 2h: 1h Friday, then Mon 11-17 09:00-10:00.
    assert calendar.add_working_hours(at(2025, 11, 14, 17), 2) == at(2025, 11, 17, 10)
    # Started on Saturday night: counts from Monday morning.
    assert calendar.add_working_hours(at(2025, 11, 15, 22), 1) == at(2025, 11, 17, 10)


@pytest.mark.django_db
def test_add_working_hours_across_chuseok():
    # Thu 2025-10-02 16:00 + 24h (3 days of 8h): 2h on Thursday, then the break
    # 10-03..10-09, Fri 10-10 8h (total 10), Mon 10-13 8h (18), Tue 10-14 the last
    # 6h: 09-12 (3h), lunch, 13-16 (3h) → 16:00.
    assert calendar.add_working_hours(at(2025, 10, 2, 16), 24) == at(2025, 10, 14, 16)


@pytest.mark.django_db
def test_add_working_hours_accepts_timedelta_and_converts_zone():
    utc_start = dt.datetime(2025, 11, 10, 0, 0, tzinfo=dt.UTC)  # 09:00 in Seoul
    result = calendar.add_working_hours(utc_start, dt.timedelta(minutes=90))
    assert result == at(2025, 11, 10, 10, 30)
    assert result.tzinfo is not None


@pytest.mark.django_db
def test_add_working_hours_rejects_naive_and_negative():
    with pytest.raises(ValueError):
        calendar.add_working_hours(dt.datetime(2025, 11, 10, 9), 1)
    with pytest.raises(ValueError):
        calendar.add_working_hours(at(2025, 11, 10), -1)


@pytest.mark.django_db
def test_add_working_hours_uses_city_hours(city):
    Municipality.objects.filter(pk=city.pk).update(work_end=dt.time(17, 0))
    # With 17:00 closing, Mon 16:00 + 2h = Tue 10:00.
    assert calendar.add_working_hours(at(2025, 11, 10, 16), 2) == at(2025, 11, 11, 10)
