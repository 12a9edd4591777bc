"""The demo city's reservation desk loads once, again without duplicates, and can be booked."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dasan.reservations import availability, selectors, services
from dasan.reservations.demo import load_demo
from dasan.reservations.models import OpeningHours, PriceRule, Resource, Unit

pytestmark = pytest.mark.django_db


def test_demo_loads_idempotently_with_every_kind_of_resource(city):
    load_demo()
    counts = (Unit.objects.count(), Resource.objects.count(), OpeningHours.objects.count(), PriceRule.objects.count())
    load_demo()
    assert (
        Unit.objects.count(),
        Resource.objects.count(),
        OpeningHours.objects.count(),
        PriceRule.objects.count(),
    ) == counts
    assert {"시민체육관", "시청 별관", "데모 캠핑장", "공구 도서관"} <= set(Unit.objects.values_list("name", flat=True))
    assert set(Resource.objects.values_list("type", flat=True)) == {
        "sports",
        "meeting_room",
        "campsite",
        "hall",
        "equipment",
        "class",
    }


def test_a_demo_court_can_be_booked(city, resident):
    load_demo()
    court = Resource.objects.get(name="배드민턴장 A")
    for offset in range(1, 15):
        day = timezone.localdate() + timezone.timedelta(days=offset)
        free = availability.availability(court, day).free
        if free:
            break
    reservation = services.book(court, free[0].begin, free[0].end, actor=resident, discount="senior")
    assert reservation.price == 8_000 * 70 // 100 and selectors.order_for(reservation) is not None
