"""What a resident sees as free: opening hours by period, closed dates, holidays,
buffers, other reservations and the booking window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core import calendar, timefmt
from dasan.reservations import availability, services
from dasan.reservations.models import ClosedDate, OpeningHours, OpeningPeriod

from .conftest import EVERY_DAY, at

pytestmark = pytest.mark.django_db


def _states(day_availability):
    return {f"{timefmt.local(s.begin):%H:%M}": s.state for s in day_availability.slots}


def test_slots_follow_the_opening_hours_with_a_lunch_break(make_resource, day):
    room = make_resource(hours=((EVERY_DAY, "09:00", "12:00"), (EVERY_DAY, "13:00", "15:00")))
    states = _states(availability.availability(room, day))
    assert list(states) == ["09:00", "10:00", "11:00", "13:00", "14:00"]
    assert set(states.values()) == {"free"}


def test_a_later_period_replaces_the_all_year_hours(make_resource, day):
    room = make_resource()
    summer = OpeningPeriod.objects.create(resource=room, name="여름", valid_from=day, valid_until=day)
    OpeningHours.objects.create(period=summer, weekday=day.weekday(), opens=dt.time(6), closes=dt.time(8))
    assert list(_states(availability.availability(room, day))) == ["06:00", "07:00"]
    after = day + dt.timedelta(days=1)
    assert min(_states(availability.availability(room, after))) == "09:00"


def test_closed_dates_and_holidays_close_the_day(make_resource, day):
    room = make_resource(opens_days_ahead=400)
    ClosedDate.objects.create(resource=room, date=day, reason="바닥 공사")
    closed = availability.availability(room, day)
    assert closed.slots == [] and closed.closed == "바닥 공사"

    today = timezone.localdate()
    holiday, name = next(
        (d, n) for d, n in calendar.holidays_between(today + dt.timedelta(days=2), today + dt.timedelta(days=380))
    )
    shut = availability.availability(room, holiday)
    assert shut.slots == [] and shut.closed == name
    room.open_on_holidays = True
    room.save()
    assert availability.availability(room, holiday).slots  # this one opens on holidays


def test_a_reservation_and_its_buffers_take_the_neighbouring_slots(make_resource, resident, day):
    # 30-minute slots, 30 minutes to clean up after each use.
    room = make_resource(slot_minutes=30, min_minutes=60, buffer_after_minutes=30)
    services.book(room, at(day, "10:00"), at(day, "11:00"), actor=resident)
    states = _states(availability.availability(room, day))
    # 09:30 would need its clean-up until 10:30; 11:00 falls in our clean-up.
    assert states["09:00"] == "free"
    assert states["09:30"] == states["10:00"] == states["10:30"] == states["11:00"] == "taken"
    assert states["11:30"] == "free"


def test_a_shared_resource_shows_the_seats_left(make_resource, make_resident, day):
    yoga = make_resource("요가 교실", capacity=5, exclusive=False)
    services.book(yoga, at(day, "10:00"), at(day, "11:00"), actor=make_resident(), party_size=2)
    slot = next(s for s in availability.availability(yoga, day).slots if timefmt.local(s.begin).hour == 10)
    assert slot.state == "free" and slot.remaining == 3


def test_booking_window_past_closed_and_not_open_yet(make_resource, day):
    room = make_resource(closes_hours_before=24, opens_days_ahead=3)
    now = at(day, "09:30")
    states = _states(availability.availability(room, day, now=now))
    assert states["09:00"] == "past" and states["10:00"] == "closed"
    far = availability.availability(room, day + dt.timedelta(days=10), now=now)
    assert {s.state for s in far.slots} == {"not_open"}
    assert far.opens_at == at(day + dt.timedelta(days=7), "00:00")
