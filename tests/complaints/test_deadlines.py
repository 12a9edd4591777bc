"""민원 처리기간: worked examples of 법 제19조 around real holidays.

Each expected answer is worked out by hand in the comments, from the holidays of
the `holidays` package (관공서의 공휴일에 관한 규정), so a reader can check it
against a paper calendar:

2025 추석 week: Fri 10-03 개천절, Sat 10-04, Sun 10-05 추석 전날, Mon 10-06 추석,
Tue 10-07 추석 다음날, Wed 10-08 대체공휴일, Thu 10-09 한글날 — nothing is a
business day from Fri 10-03 to Sun 10-12 except Fri 10-10.

2026: Mon–Wed 02-16..18 설날 연휴; Sun 03-01 삼일절 → Mon 03-02 대체공휴일;
Sat 10-03 개천절 → Mon 10-05 대체공휴일.

Working hours are the city's default: 09:00–12:00 and 13:00–18:00, 8 hours a day.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dasan.complaints import deadlines
from dasan.complaints.models import Complaint, Kind, PeriodUnit, Status
from dasan.core.errors import DasanError

SEOUL = ZoneInfo("Asia/Seoul")
UTC = dt.UTC


def kst(year, month, day, hour=0, minute=0):
    return dt.datetime(year, month, day, hour, minute, tzinfo=SEOUL)


@pytest.fixture(autouse=True)
def _city(city):
    """A city profile with the default working hours exists, as in every installation."""
    return city


# --- default periods --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (Kind.INQUIRY_LAW, (14, "days")),  # 시행령 제14조제1호
        (Kind.INQUIRY_PROCEDURE, (7, "days")),  # 시행령 제14조제2호
        (Kind.SUGGESTION, (14, "days")),  # 시행령 제15조
        (Kind.GRIEVANCE, (7, "days")),  # 시행령 제17조제1항
        (Kind.OTHER, (0, "immediate")),  # 시행령 제16조제1항: 즉시
        (Kind.STATUTORY, (7, "days")),  # 민원처리기준표 per 민원; the general fallback
    ],
)
def test_default_period_of_each_kind_is_the_decrees(kind, expected):
    assert deadlines.default_period(kind) == expected


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        deadlines.default_period("petition")


def test_a_category_period_overrides_the_default_of_its_kind(categories):
    pothole = categories["pothole"]  # 고충민원 without a period of its own
    assert deadlines.period_for(pothole, Kind.GRIEVANCE) == (7, "days")

    # The city decides potholes are answered within 3 days.
    pothole.period_value, pothole.period_unit = 3, PeriodUnit.DAYS
    pothole.save()
    assert deadlines.period_for(pothole, Kind.GRIEVANCE) == (3, "days")

    # 불법주정차 carries 7 days in the fixture; 질의(제도·절차) has none and uses its kind's.
    assert deadlines.period_for(categories["parking"], Kind.GRIEVANCE) == (7, "days")
    assert deadlines.period_for(categories["question"], Kind.INQUIRY_PROCEDURE) == (7, "days")
    # No category yet (waiting for triage): the default of the kind the resident chose.
    assert deadlines.period_for(None, Kind.SUGGESTION) == (14, "days")
    assert deadlines.period_for(None, Kind.OTHER) == (0, "immediate")


# --- periods of 5 days or less: working hours (법 제19조①) -------------------------


def test_three_days_filed_friday_afternoon_before_seollal():
    # 3 days = 24 working hours from the moment of receipt.
    # Fri 2026-02-13 16:00–18:00 →  2 h (22 left)
    # Sat, Sun; Mon–Wed 02-16..18 설날 연휴 → nothing counts
    # Thu 02-19 → 8 h (14 left); Fri 02-20 → 8 h (6 left)
    # Mon 02-23 09–12 → 3 h (3 left), 13–16 → done at 16:00.
    assert deadlines.due_at(kst(2026, 2, 13, 16), 3, "days") == kst(2026, 2, 23, 16)


def test_three_days_filed_thursday_afternoon_before_chuseok():
    # Thu 2025-10-02 16–18 → 2 h (22 left); Fri 10-03 … Sun 10-12 only Fri 10-10
    # counts → 8 h (14 left); Mon 10-13 → 8 h (6 left); Tue 10-14 09–12, 13–16.
    assert deadlines.due_at(kst(2025, 10, 2, 16), 3, "days") == kst(2025, 10, 14, 16)


def test_immediate_filed_at_half_past_five():
    # 즉시 = 3 working hours (시행령 제19조). Tue 2025-09-30 17:30–18:00 is half an
    # hour; the other 2½ hours run from Wed 10-01 09:00 → 11:30.
    assert deadlines.due_at(kst(2025, 9, 30, 17, 30), 0, "immediate") == kst(2025, 10, 1, 11, 30)
    # The same on the eve of the 추석 week: the next working hour after Thu 10-02
    # 18:00 is Fri 10-10 09:00 → 11:30 that day, eight calendar days later.
    assert deadlines.due_at(kst(2025, 10, 2, 17, 30), 0, "immediate") == kst(2025, 10, 10, 11, 30)


def test_lunch_break_is_not_working_time():
    # 1 day = 8 h from Mon 2025-09-15 12:30: counting starts at 13:00;
    # 13–18 → 5 h, then Tue 09–12 → 3 h → Tue 12:00.
    assert deadlines.due_at(kst(2025, 9, 15, 12, 30), 1, "days") == kst(2025, 9, 16, 12)


def test_five_and_six_days_meet_where_the_two_rules_change():
    # Mon 2025-09-15 starts a week without holidays.
    # 5 days from 09:00 = 40 working hours = Mon–Fri, ending Fri 18:00.
    assert deadlines.due_at(kst(2025, 9, 15, 9), 5, "days") == kst(2025, 9, 19, 18)
    # 6 days are counted in days with Monday as day 1 → day 6 is the next Monday,
    # ending with its working hours.
    assert deadlines.due_at(kst(2025, 9, 15, 9), 6, "days") == kst(2025, 9, 22, 18)
    # Filed at 15:00, 5 days run 40 h from 15:00: Mon 3 h + Tue–Fri 32 h + next
    # Mon 09–12, 13–15 → Mon 15:00; 6 days still end on that Monday at 18:00.
    assert deadlines.due_at(kst(2025, 9, 15, 15), 5, "days") == kst(2025, 9, 22, 15)
    assert deadlines.due_at(kst(2025, 9, 15, 15), 6, "days") == kst(2025, 9, 22, 18)


# --- periods of 6 days or more: days, first day counted (법 제19조②) ---------------


def test_seven_day_grievance_spanning_chuseok(categories):
    value, unit = deadlines.period_for(categories["waste"], Kind.GRIEVANCE)
    assert (value, unit) == (7, "days")
    # Day 1 Wed 10-01 (the day of receipt), day 2 Thu 10-02; Fri 10-03 … Thu 10-09
    # are holidays or the weekend; day 3 Fri 10-10; day 4–7 Mon 10-13 … Thu 10-16.
    assert deadlines.due_at(kst(2025, 10, 1, 10), value, unit) == kst(2025, 10, 16, 18)


def test_fourteen_day_inquiry_about_a_law():
    value, unit = deadlines.default_period(Kind.INQUIRY_LAW)
    # Days 1–4: Mon 09-29, Tue 09-30, Wed 10-01, Thu 10-02; day 5: Fri 10-10;
    # days 6–10: Mon 10-13 … Fri 10-17; days 11–14: Mon 10-20 … Thu 10-23.
    assert deadlines.due_at(kst(2025, 9, 29, 11), value, unit) == kst(2025, 10, 23, 18)


def test_a_filing_after_hours_counts_from_the_next_working_morning():
    # Filed on the web at 20:00 on Tue 2025-09-30: the office is closed, so the
    # complaint counts from Wed 10-01 09:00 and Wednesday is day 1 — the same
    # due date as a filing on Wednesday morning (Thu 10-16, see above).
    assert deadlines.counting_starts_at(kst(2025, 9, 30, 20)) == kst(2025, 10, 1, 9)
    assert deadlines.due_at(kst(2025, 9, 30, 20), 7, "days") == kst(2025, 10, 16, 18)
    # The same moment given in UTC (11:00Z = 20:00 KST) gives the same answer, in Seoul time.
    due = deadlines.due_at(dt.datetime(2025, 9, 30, 11, 0, tzinfo=UTC), 7, "days")
    assert due == kst(2025, 10, 16, 18)
    assert due.utcoffset() == dt.timedelta(hours=9)
    # One minute before closing, Tuesday itself is day 1: Tue 09-30, Wed, Thu,
    # Fri 10-10, Mon 10-13, Tue 10-14, Wed 10-15 (day 7) — a day earlier.
    assert deadlines.due_at(kst(2025, 9, 30, 17, 59), 7, "days") == kst(2025, 10, 15, 18)


def test_a_filing_during_the_holidays_counts_from_the_first_business_day():
    # Filed on Sat 2025-10-04 (추석 week): counting starts Fri 10-10 09:00.
    # Day 1 Fri 10-10; days 2–6 Mon 10-13 … Fri 10-17; day 7 Mon 10-20.
    assert deadlines.counting_starts_at(kst(2025, 10, 4, 11)) == kst(2025, 10, 10, 9)
    assert deadlines.due_at(kst(2025, 10, 4, 11), 7, "days") == kst(2025, 10, 20, 18)


def test_a_temporary_holiday_the_city_declares_moves_deadlines():
    from dasan.core.models import TemporaryHoliday

    received = kst(2025, 10, 1, 10)
    assert deadlines.due_at(received, 7, "days") == kst(2025, 10, 16, 18)

    # The city closes on Fri 10-10 (시민의 날). The only business day inside the
    # 추석 week disappears: day 3 becomes Mon 10-13 and day 7 Fri 10-17.
    # (Saving the row clears core.calendar's memo; inside a test transaction the
    # rows are read afresh anyway.)
    closure = TemporaryHoliday.objects.create(date=dt.date(2025, 10, 10), name="시민의 날")
    assert deadlines.due_at(received, 7, "days") == kst(2025, 10, 17, 18)
    # 즉시 filed Thu 10-02 17:30: half an hour that day, the rest on Mon 10-13.
    assert deadlines.due_at(kst(2025, 10, 2, 17, 30), 0, "immediate") == kst(2025, 10, 13, 11, 30)

    closure.delete()
    assert deadlines.due_at(received, 7, "days") == kst(2025, 10, 16, 18)


def test_the_law_counts_eight_hours_a_day_whatever_the_citys_day(city):
    # A city open 09:00–18:00 without a lunch break works 9 hours a day, but
    # 3 days are still 3 × 8 = 24 working hours (법 제19조① 후단):
    # Mon 2025-09-15 9 h, Tue 9 h (18), Wed 09:00 + 6 h → Wed 15:00.
    city.lunch_start = city.lunch_end = None
    city.save()
    assert deadlines.due_at(kst(2025, 9, 15, 9), 3, "days") == kst(2025, 9, 17, 15)


def test_a_day_counted_period_ends_when_the_city_closes(city):
    # A city working 08:00–17:00: the 7-day period of the 추석 example ends on
    # Thu 10-16 at its closing time, 17:00.
    city.work_start, city.work_end = dt.time(8), dt.time(17)
    city.save()
    assert deadlines.due_at(kst(2025, 10, 1, 10), 7, "days") == kst(2025, 10, 16, 17)


# --- weeks, months, years: the calendar (법 제19조③, 민법 제159조–제161조) -----------


def test_one_month_ending_on_a_saturday_moves_to_monday():
    # First day Thu 2025-10-02 → the corresponding day a month later is 11-02, so
    # the period ends the day before, Sat 11-01 (민법 제160조②). A Saturday end
    # moves to the next day (제161조), Sunday, itself a holiday → Mon 11-03.
    assert deadlines.due_at(kst(2025, 10, 2, 10), 1, "months") == kst(2025, 11, 3, 18)


def test_one_month_ending_on_a_saturday_before_a_substitute_holiday():
    # First day Fri 2026-09-04 → ends Sat 10-03 (also 개천절); Sun 10-04; Mon 10-05
    # is 개천절's 대체공휴일 → the period ends Tue 10-06.
    assert deadlines.due_at(kst(2026, 9, 4, 10), 1, "months") == kst(2026, 10, 6, 18)


def test_a_month_without_the_corresponding_day_ends_on_its_last_day():
    # First day Wed 2025-01-15 → ends Fri 02-14, an ordinary business day.
    assert deadlines.due_at(kst(2025, 1, 15, 10), 1, "months") == kst(2025, 2, 14, 18)
    # First day Fri 2026-01-30: February has no 30th, so the period ends on its
    # last day, Sat 02-28 (민법 제160조③) → Sun 03-01 삼일절 → Mon 03-02 대체공휴일
    # → Tue 03-03.
    assert deadlines.due_at(kst(2026, 1, 30, 10), 1, "months") == kst(2026, 3, 3, 18)


def test_weeks_count_every_calendar_day_unlike_days():
    # 2 weeks from Wed 2025-09-24 end on Tue 10-07 (14 calendar days, the first
    # included). That is 추석 다음날; Wed 10-08 대체공휴일 and Thu 10-09 한글날
    # follow → Fri 10-10.
    assert deadlines.due_at(kst(2025, 9, 24, 10), 2, "weeks") == kst(2025, 10, 10, 18)
    # 14 *days* skip the holidays instead: Wed 09-24 … Tue 09-30 (5), Wed 10-01,
    # Thu 10-02 (7), Fri 10-10 (8), Mon 10-13 … Fri 10-17 (13), Mon 10-20 (14).
    assert deadlines.due_at(kst(2025, 9, 24, 10), 14, "days") == kst(2025, 10, 20, 18)


def test_one_year_from_a_leap_day():
    # First day Thu 2024-02-29; 2025 has no 29 February → the last day of
    # February, Fri 2025-02-28 (민법 제160조③).
    assert deadlines.due_at(kst(2024, 2, 29, 10), 1, "years") == kst(2025, 2, 28, 18)


# --- extensions (시행령 제21조) -------------------------------------------------------


def test_an_extension_counts_from_the_day_after_the_due_date():
    # The 7-day grievance of the 추석 example was due Thu 2025-10-16 18:00.
    # Extended by 7 days: day 1 is Fri 10-17, days 2–6 Mon 10-20 … Fri 10-24,
    # day 7 Mon 10-27.
    assert deadlines.extend_due(kst(2025, 10, 16, 18), 7) == kst(2025, 10, 27, 18)


def test_a_short_extension_over_chuseok_counts_working_hours():
    # Due Thu 2025-10-02 18:00, extended by 5 days = 40 working hours from the
    # day after; Fri 10-03 … Thu 10-09 are holidays, so they run from Fri 10-10
    # 09:00: Fri 8 h, Mon 10-13 … Thu 10-16 32 h → Thu 10-16 18:00.
    assert deadlines.extend_due(kst(2025, 10, 2, 18), 5, "days") == kst(2025, 10, 16, 18)


def test_extending_a_deadline_that_falls_mid_day():
    # The 3-day period filed before 설날 was due Mon 2026-02-23 16:00. Three more
    # days start on Tue 02-24 09:00 → 24 working hours → Thu 02-26 18:00.
    assert deadlines.extend_due(kst(2026, 2, 23, 16), 3) == kst(2026, 2, 26, 18)


def test_an_extension_skips_a_city_closure():
    from dasan.core.models import TemporaryHoliday

    # The city is closed Fri 2025-10-17. Extending the 10-16 deadline by 7 days:
    # day 1 is now Mon 10-20, day 5 Fri 10-24, day 7 Tue 10-28.
    TemporaryHoliday.objects.create(date=dt.date(2025, 10, 17), name="청사 이전 휴무")
    assert deadlines.extend_due(kst(2025, 10, 16, 18), 7) == kst(2025, 10, 28, 18)


def test_an_extension_by_a_month():
    # Due Fri 2026-01-30 18:00; one more month counts from Sat 01-31, i.e. from
    # the next business day Mon 02-02 → the day before 03-02 is Sun 03-01 (삼일절)
    # → Mon 03-02 대체공휴일 → Tue 03-03.
    assert deadlines.extend_due(kst(2026, 1, 30, 18), 1, "months") == kst(2026, 3, 3, 18)


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "unit"), [(0, "days"), (-3, "days"), (7, "fortnights"), (0, "months")])
def test_a_period_that_makes_no_sense_is_a_user_error(value, unit):
    with pytest.raises(DasanError) as caught:
        deadlines.due_at(kst(2025, 9, 15, 10), value, unit)
    assert caught.value.code == "invalid_period"
    assert caught.value.status == 400
    assert str(caught.value.message) == "처리기간이 올바르지 않습니다."


def test_an_extension_of_zero_days_is_refused():
    with pytest.raises(DasanError) as caught:
        deadlines.extend_due(kst(2025, 10, 16, 18), 0)
    assert caught.value.code == "invalid_period"


def test_a_naive_datetime_is_a_programming_error():
    with pytest.raises(ValueError):
        deadlines.due_at(dt.datetime(2025, 9, 15, 10), 7, "days")


# --- SLA state ------------------------------------------------------------------------


def _complaint(status=Status.IN_PROGRESS, due=kst(2025, 10, 16, 18)):
    return Complaint(status=status, due_at=due, received_at=kst(2025, 10, 1, 10))


def test_sla_state_through_the_last_day():
    complaint = _complaint()
    assert deadlines.sla_state(complaint, now=kst(2025, 10, 15, 23, 59)) == "ok"
    assert deadlines.sla_state(complaint, now=kst(2025, 10, 16, 0, 0)) == "due_today"
    assert deadlines.sla_state(complaint, now=kst(2025, 10, 16, 17, 59)) == "due_today"
    # Exactly at the deadline the city is still in time.
    assert deadlines.sla_state(complaint, now=kst(2025, 10, 16, 18, 0)) == "due_today"
    assert deadlines.sla_state(complaint, now=kst(2025, 10, 16, 18, 1)) == "overdue"
    assert deadlines.sla_state(complaint, now=kst(2025, 11, 3, 9)) == "overdue"


def test_sla_state_uses_the_seoul_date_not_utcs():
    complaint = _complaint()
    # 2025-10-15 15:30Z is already 10-16 00:30 in Seoul: the last day has begun.
    assert deadlines.sla_state(complaint, now=dt.datetime(2025, 10, 15, 15, 30, tzinfo=UTC)) == "due_today"
    # 14:59Z is 23:59 on 10-15 in Seoul: not yet.
    assert deadlines.sla_state(complaint, now=dt.datetime(2025, 10, 15, 14, 59, tzinfo=UTC)) == "ok"


def test_an_extended_complaint_is_still_open_and_a_finished_one_is_done():
    late = kst(2025, 11, 3, 9)
    assert deadlines.sla_state(_complaint(Status.EXTENDED), now=late) == "overdue"
    assert deadlines.sla_state(_complaint(Status.RECEIVED), now=late) == "overdue"
    for status in (Status.ANSWERED, Status.CLOSED, Status.TRANSFERRED, Status.WITHDRAWN):
        assert deadlines.sla_state(_complaint(status), now=late) == "done"


def test_sla_state_defaults_to_the_current_time():
    from django.utils import timezone

    now = timezone.now()
    assert deadlines.sla_state(_complaint(due=now - dt.timedelta(hours=1))) == "overdue"
    assert deadlines.sla_state(_complaint(due=now + dt.timedelta(days=10))) == "ok"


# --- describing a period ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (7, "days", "7일"),
        (14, "days", "14일"),
        (0, "immediate", "즉시(3근무시간)"),
        (2, "weeks", "2주"),
        (1, "months", "1개월"),
        (1, "years", "1년"),
    ],
)
def test_describe_period_in_korean(value, unit, text):
    assert deadlines.describe_period(value, unit) == text


def test_describing_an_unknown_unit_is_refused():
    with pytest.raises(DasanError):
        deadlines.describe_period(3, "fortnights")
