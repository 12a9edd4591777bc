"""Capacity under concurrent bookings on PostgreSQL: never more items than the day holds."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from dasan.core.errors import DasanError
from dasan.waste import services
from dasan.waste.models import Booking, DayCapacity

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_oversell_a_day(is_postgres, fee_table, district, open_day, variant,
                                                  make_resident, city):
    if not is_postgres:
        # SQLite's test database fails concurrent writers instead of making them wait.
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    district.daily_capacity = 5
    district.save()
    residents = [make_resident() for _ in range(THREADS)]
    sofa = variant("소파", "2인용").pk
    results, errors = [], []
    barrier = threading.Barrier(THREADS)

    def run(user):
        try:
            barrier.wait()
            results.append(services.create_booking(
                user, district=district.pk, address="중앙로 1", collection_date=open_day, items={sofa: 1}).pk)
        except DasanError as exc:
            errors.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - anything else fails the test below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(user,)) for user in residents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 5 and errors == ["day_full"] * 3
    assert DayCapacity.objects.get(district=district, date=open_day).booked == 5
    assert Booking.objects.count() == 5
