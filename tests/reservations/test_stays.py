"""Stays (숙박·대여): campsites booked by the night (check-in one day, check-out the
next morning) and equipment lent by the day, priced per night or day, never overlapping."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.reservations import availability, reports, selectors, services
from dasan.reservations.models import ClosedDate, ResourceType, Status

from .conftest import at
from .test_booking import refused


@pytest.fixture
def campsite(make_resource):
    """A campsite pitch: 30,000원 a night, 1–3 nights, check-in 14:00, check-out 11:00."""
    return make_resource(
        "오토캠핑 A-1",
        type=ResourceType.CAMPSITE,
        capacity=6,
        stay_unit="night",
        check_in_time=dt.time(14),
        check_out_time=dt.time(11),
        min_stay=1,
        max_stay=3,
        open_on_holidays=True,
        price=("daily", 30_000),
    )


@pytest.fixture
def tents(make_resource):
    """Five lendable tents, shared, 1–4 days, picked up 10:00 and returned by 18:00."""
    return make_resource(
        "대여 텐트",
        type=ResourceType.EQUIPMENT,
        capacity=5,
        exclusive=False,
        stay_unit="day",
        check_in_time=dt.time(10),
        check_out_time=dt.time(18),
        min_stay=1,
        max_stay=4,
        open_on_holidays=True,
    )


def nights(resource, day, n):
    return availability.stay_bounds(resource, day, n)


def test_two_nights_run_from_check_in_to_check_out_and_cost_two_nights(campsite, resident, day):
    begin, end = nights(campsite, day, 2)
    assert (begin, end) == (at(day, "14:00"), at(day + dt.timedelta(days=2), "11:00"))
    reservation = services.book(campsite, begin, end, actor=resident, party_size=4)
    assert reservation.status == Status.PENDING_PAYMENT and reservation.price == 60_000
    assert selectors.order_for(reservation).total_amount == 60_000
    label = selectors.when_label(reservation)
    assert f"{day:%Y-%m-%d}" in label and f"{day + dt.timedelta(days=2):%Y-%m-%d}" in label and "11:00" in label


def test_nights_never_overlap_but_check_out_day_can_be_the_next_check_in(campsite, resident, make_resident, day):
    services.book(campsite, *nights(campsite, day, 2), actor=resident)
    refused(
        "slot_taken", services.book, campsite, *nights(campsite, day + dt.timedelta(days=1), 1), actor=make_resident()
    )
    after = services.book(campsite, *nights(campsite, day + dt.timedelta(days=2), 1), actor=make_resident())
    assert after.is_active
    states = [availability.availability(campsite, day + dt.timedelta(days=i)).slots[0].state for i in range(4)]
    assert states == ["taken", "taken", "taken", "free"]


def test_stays_must_match_the_times_and_the_allowed_length(campsite, resident, day):
    refused(
        "not_slot_aligned",
        services.book,
        campsite,
        at(day, "13:00"),
        at(day + dt.timedelta(days=1), "11:00"),
        actor=resident,
    )
    refused("too_long", services.book, campsite, *nights(campsite, day, 4), actor=resident)
    refused("invalid_time", availability.stay_bounds, campsite, day, "0")


def test_a_closed_night_in_the_middle_refuses_the_whole_stay(campsite, resident, day):
    closed = day + dt.timedelta(days=1)
    ClosedDate.objects.create(resource=campsite, date=closed, reason="잔디 보수")
    error = refused("outside_hours", services.book, campsite, *nights(campsite, day, 3), actor=resident)
    assert closed.isoformat() in str(error.message) and "잔디 보수" in str(error.message)
    assert availability.availability(campsite, closed).closed == "잔디 보수"


def test_shared_equipment_counts_items_lent_over_the_same_days(tents, resident, make_resident, day):
    first = services.book(tents, *availability.stay_bounds(tents, day, 2), actor=resident, party_size=3)
    assert (first.begin, first.end) == (at(day, "10:00"), at(day + dt.timedelta(days=1), "18:00"))
    error = refused(
        "over_capacity",
        services.book,
        tents,
        *availability.stay_bounds(tents, day + dt.timedelta(days=1), 1),
        actor=make_resident(),
        party_size=3,
    )
    assert error.details["remaining"] == 2
    assert services.book(
        tents, *availability.stay_bounds(tents, day + dt.timedelta(days=2), 1), actor=make_resident(), party_size=5
    ).is_active


def test_the_booking_form_asks_for_nights(campsite, resident_client, resident, day):
    page = resident_client.get(f"/reservations/r/{campsite.pk}/book/?date={day:%Y-%m-%d}").content.decode()
    assert "입실일" in page and "숙박 (박)" in page and "입실 14:00, 다음 날 퇴실 11:00" in page
    response = resident_client.post(
        f"/reservations/r/{campsite.pk}/book/",
        {"date": f"{day:%Y-%m-%d}", "begin": f"{day:%Y-%m-%d}T14:00", "stay": "3", "party_size": "2", "token": "t-1"},
    )
    assert response.status_code == 302
    reservation = campsite.reservations.get()
    assert reservation.end == at(day + dt.timedelta(days=3), "11:00") and reservation.price == 90_000
    resource_page = resident_client.get(f"/reservations/r/{campsite.pk}/").content.decode()
    assert "1박당 30,000원" in resource_page


def test_utilisation_of_stays_counts_nights(campsite, resident, staff, day):
    from dasan.payments import services as payments

    reservation = services.book(campsite, *nights(campsite, day, 2), actor=resident)
    payments.mark_paid_at_office(selectors.order_for(reservation), actor=staff)
    report = reports.month_report(day.year, day.month)
    row = next(f for f in report.resources if f.resource == campsite)
    nights_in_month = sum(1 for i in range(2) if (day + dt.timedelta(days=i)).month == day.month)
    assert row.booked_minutes == 1440 * nights_in_month
    assert row.open_minutes % 1440 == 0 and row.open_minutes >= 1440 * nights_in_month


def test_the_api_describes_stays_and_books_nights(campsite, resident_client, day):
    api = "/api/v1/reservations"
    listed = next(r for r in resident_client.get(f"{api}/resources").json() if r["id"] == campsite.pk)
    assert listed["rules"]["stay_unit"] == "night" and listed["rules"]["check_in_time"] == "14:00:00"
    assert listed["price"]["kind"] == "daily"
    slots = resident_client.get(f"{api}/resources/{campsite.pk}/availability", {"date": day.isoformat()}).json()[
        "slots"
    ]
    assert len(slots) == 1 and slots[0]["state"] == "free"
    begin, end = nights(campsite, day, 2)
    made = resident_client.post(
        f"{api}/bookings",
        {"resource": campsite.pk, "begin": begin.isoformat(), "end": end.isoformat()},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["price"] == 60_000
    wrong = resident_client.post(
        f"{api}/bookings",
        {"resource": campsite.pk, "begin": begin.isoformat(), "end": (end + dt.timedelta(hours=1)).isoformat()},
        content_type="application/json",
    )
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "not_slot_aligned"


def test_a_popular_night_can_go_by_lottery(campsite, staff, resident, make_resident, day):
    from django.utils import timezone

    from dasan.reservations import lottery as lotteries

    now = timezone.now()
    begin, end = nights(campsite, day, 1)
    lottery = lotteries.create_lottery(
        campsite, begin, end, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1), actor=staff
    )
    refused("slot_taken", services.book, campsite, begin, end, actor=resident)  # held for the draw
    for person in (resident, make_resident()):
        lotteries.apply(lottery, actor=person, party_size=2)
    drawn = lotteries.draw(lottery, actor=staff, now=lottery.applications_close_at + dt.timedelta(seconds=1))
    winner = lotteries.ranked(drawn)[0].reservation
    assert (winner.begin, winner.end, winner.price) == (begin, end, 30_000)
