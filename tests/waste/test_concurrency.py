"""Capacity and crew records under concurrency on PostgreSQL: a day never holds more
items than its capacity, whether by new bookings or by bookings moved to it, and two
crew phones scanning one sticker tell the resident once."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.waste import selectors, services
from dasan.waste.models import Booking, BookingStatus, DayCapacity
from tests.concurrency import need_postgres, race

THREADS = 8

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.postgres
def test_concurrent_bookings_never_oversell_a_day(
    is_postgres, fee_table, district, open_day, variant, make_resident, city
):
    need_postgres(is_postgres)
    district.daily_capacity = 5
    district.save()
    residents = [make_resident() for _ in range(THREADS)]
    sofa = variant("소파", "2인용").pk
    results, errors = race(
        [
            (
                lambda user=user: (
                    services.create_booking(
                        district=district.pk,
                        address="중앙로 1",
                        collection_date=open_day,
                        items={sofa: 1},
                        actor=user,
                    ).pk
                )
            )
            for user in residents
        ]
    )
    assert len(results) == 5 and errors == ["day_full"] * 3
    assert DayCapacity.objects.get(district=district, date=open_day).booked == 5
    assert Booking.objects.count() == 5


@pytest.mark.postgres
def test_concurrent_moves_to_one_day_never_oversell_it(
    is_postgres, fee_table, district, variant, make_resident, staff, city
):
    need_postgres(is_postgres)
    district.daily_capacity = 3
    district.save()
    first_day, second_day = (d.date for d in selectors.available_days(district)[:2])
    sofa = variant("소파", "2인용").pk
    bookings = []
    for day in (first_day, first_day, first_day, second_day, second_day):
        booking = services.create_booking(
            district=district.pk,
            address="중앙로 1",
            collection_date=day,
            items={sofa: 1},
            actor=make_resident(),
        )
        payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
        bookings.append(booking)
    # Three residents of the first day and both of the second swap days at once: the
    # second day holds 3, so exactly one of the first day's moves can get in, while
    # the second day's two moves free room on the first day.
    results, errors = race(
        [
            (
                lambda b=b, day=(second_day if b.collection_date == first_day else first_day): (
                    services.change_booking(b.pk, collection_date=day, actor=b.resident).collection_date
                )
            )
            for b in bookings
        ]
    )
    assert not [e for e in errors if e != "day_full"], errors
    booked = dict(DayCapacity.objects.filter(district=district).values_list("date", "booked"))
    counted = {
        day: Booking.objects.filter(collection_date=day, status=BookingStatus.CONFIRMED).count()
        for day in (first_day, second_day)
    }
    assert booked == counted and all(n <= 3 for n in booked.values()) and sum(booked.values()) == 5


@pytest.mark.postgres
def test_two_phones_scanning_one_sticker_tell_the_resident_once(is_postgres, book, staff, make_staff, departments):
    need_postgres(is_postgres)
    booking = book()
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    Booking.objects.filter(pk=booking.pk).update(collection_date=timezone.localdate())
    crew = [staff, make_staff("crew-2", department=departments["waste"])]
    results, errors = race(
        [(lambda who=who: services.record_outcome(booking, "collected", actor=who).status) for who in crew]
    )
    assert errors == [] and results == ["collected", "collected"]
    assert Message.objects.filter(template_key="waste.collected").count() == 1
