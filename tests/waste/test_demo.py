"""The demo city's districts and fee table; the resident tile; messages in four languages."""

from __future__ import annotations

from dasan.core.catalog import services as tiles
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.waste import selectors, streets
from dasan.waste.demo import DISTRICTS, load_demo
from dasan.waste.models import Crew, District, Variant


def test_load_demo_is_idempotent(db):
    first = load_demo()
    second = load_demo()
    assert first == second == {"districts": 5, "fees": 26, "rejected": 0, "bookings_added": 0}
    assert District.objects.count() == 5
    assert Variant.objects.count() == 26
    assert Variant.objects.filter(free=True).count() == 2
    assert [i.name for i in selectors.search_items("ㅅㅍ")] == ["소파"]
    # The demo city's roads place an address in its 행정동, and crews serve every district.
    assert streets.resolve("북문로 7").name == "북문동" and streets.resolve("중앙로 150").name == "북문동"
    assert sorted(d.name for c in Crew.objects.all() for d in c.districts.all()) == sorted(d[1] for d in DISTRICTS)


def test_resident_tile_is_registered(db, resident):
    assert "/waste/" in [tile.url for tile in tiles("resident", resident)]


def test_confirmation_comes_in_the_residents_language(book, make_resident, staff):
    vietnamese = make_resident(language="vi")
    booking = book(user=vietnamese)
    payments.mark_paid_at_office(selectors.order_for(booking), actor=staff)
    booking.refresh_from_db()
    message = Message.objects.get(template_key="waste.confirmed")
    assert message.language == "vi" and "Mã" in message.body and booking.number in message.body
