"""Many residents racing for one slot on PostgreSQL with real concurrent connections,
and the exclusion constraint that refuses an overlap even without the service."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from dasan.reservations import services
from dasan.reservations.models import Reservation, Status
from tests.concurrency import need_postgres, race

from .conftest import at

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_residents_one_slot_exactly_one_wins(make_resource, make_resident, day, city, is_postgres):
    need_postgres(is_postgres)
    court = make_resource()
    residents = [make_resident() for _ in range(THREADS)]

    results, errors = race(
        [lambda who=who: services.book(court, at(day, "10:00"), at(day, "12:00"), actor=who).pk for who in residents]
    )

    assert len(results) == 1 and sorted(errors) == ["slot_taken"] * (THREADS - 1)
    assert Reservation.objects.filter(resource=court, status=Status.CONFIRMED).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_seats_are_never_oversold(make_resource, make_resident, day, city, is_postgres):
    need_postgres(is_postgres)
    yoga = make_resource("요가", capacity=5, exclusive=False)
    residents = [make_resident() for _ in range(THREADS)]

    results, errors = race(
        [lambda who=who: services.book(yoga, at(day, "10:00"), at(day, "11:00"), actor=who).pk for who in residents]
    )

    assert len(results) == 5 and sorted(errors) == ["over_capacity"] * (THREADS - 5)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_racing_itself_books_once(court, resident, day, city, is_postgres):
    need_postgres(is_postgres)
    results, errors = race(
        [
            lambda: (
                services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident, idempotency_key="same-form").pk
            )
        ]
        * 4
    )
    assert errors == [] and len(set(results)) == 1


def _row(resource, resident, begin, end, **extra):
    return Reservation.objects.create(
        resource=resource,
        resident=resident,
        status=Status.CONFIRMED,
        begin=begin,
        end=end,
        blocked_from=begin,
        blocked_until=end,
        exclusive=True,
        **extra,
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_exclusion_constraint_refuses_an_overlap_written_around_the_service(court, resident, day, is_postgres):
    need_postgres(is_postgres)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = 'reservations_no_overlap' AND contype = 'x'")
        assert cursor.fetchone() is not None
    _row(court, resident, at(day, "10:00"), at(day, "12:00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        _row(court, resident, at(day, "11:00"), at(day, "13:00"))
    # Touching ends do not overlap ('[)' ranges); inactive rows do not count.
    _row(court, resident, at(day, "12:00"), at(day, "13:00"))
    Reservation.objects.create(
        resource=court,
        resident=resident,
        status=Status.CANCELLED,
        begin=at(day, "10:30"),
        end=at(day, "11:30"),
        blocked_from=at(day, "10:30"),
        blocked_until=at(day, "11:30"),
    )
    # The buffered span is what counts.
    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.create(
            resource=court,
            resident=resident,
            status=Status.REQUESTED,
            begin=at(day, "13:30"),
            end=at(day, "14:00"),
            blocked_from=at(day, "12:30"),
            blocked_until=at(day, "14:00"),
        )
    assert Reservation.objects.filter(resource=court).count() == 3
