"""대기 신청: joining a taken time, the offer when it frees up (held for the offered
resident), accepting through the normal booking path, declining, and expiry moving the
offer to the next person in line."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core.audit import AuditEvent
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.payments.models import Order
from dasan.reservations import availability, services, waitlist
from dasan.reservations import staff as staff_desk
from dasan.reservations.models import Reservation, Status, WaitlistEntry, WaitlistStatus

from .conftest import at
from .test_booking import refused

pytestmark = pytest.mark.django_db


def test_the_whole_cycle(court, resident, make_resident, staff, day, settings):
    settings.DASAN = {**getattr(settings, "DASAN", {}), "RESERVATIONS_WAITLIST_OFFER_MINUTES": 30}
    begin, end = at(day, "10:00"), at(day, "11:00")
    holder = services.book(court, begin, end, actor=resident)
    first, second, third = make_resident(), make_resident(language="en"), make_resident()
    refused("slot_free", waitlist.join, court, at(day, "12:00"), at(day, "13:00"), actor=first)
    refused("login_required", waitlist.join, court, begin, end, actor=None)
    a = waitlist.join(court, begin, end, actor=first)
    refused("already_waiting", waitlist.join, court, begin, end, actor=first)
    b = waitlist.join(court, begin, end, actor=second)
    c = waitlist.join(court, begin, end, actor=third)
    assert a.status == b.status == c.status == WaitlistStatus.WAITING
    refused("not_offered", waitlist.accept, a, actor=first)

    # The holder cancels: the oldest waiting entry is offered and told; the time is held for them.
    services.cancel(holder, actor=resident)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == WaitlistStatus.OFFERED and b.status == WaitlistStatus.WAITING
    assert a.offer_expires_at - a.offered_at == dt.timedelta(minutes=30)
    assert Message.objects.filter(recipient=first, template_key="reservations.waitlist_offer").exists()
    refused("slot_taken", services.book, court, begin, end, actor=make_resident())
    slot = next(s for s in availability.availability(court, day).slots if s.begin == begin)
    assert slot.state == "taken"
    refused("unknown_waitlist_entry", waitlist.accept, a, actor=second)  # someone else's entry

    # Accepting books through the normal path.
    reservation = waitlist.accept(a, actor=first)
    assert reservation.status == Status.CONFIRMED and reservation.resident == first
    a.refresh_from_db()
    assert a.status == WaitlistStatus.ACCEPTED and a.reservation == reservation
    assert waitlist.accept(a, actor=first).pk == reservation.pk  # a double click
    assert AuditEvent.objects.filter(action="reservations.waitlist_accept").exists()

    # Staff cancel it: the next one is offered; their offer expires; the third is offered.
    services.cancel(reservation, actor=staff, reason="점검")
    b.refresh_from_db()
    assert b.status == WaitlistStatus.OFFERED
    message = Message.objects.get(recipient=second, template_key="reservations.waitlist_offer")
    assert "free" in message.body
    assert waitlist.expire_offers(now=b.offer_expires_at - dt.timedelta(seconds=1)) == 0
    assert waitlist.expire_offers(now=b.offer_expires_at) == 1
    b.refresh_from_db()
    c.refresh_from_db()
    assert b.status == WaitlistStatus.EXPIRED and c.status == WaitlistStatus.OFFERED
    refused("offer_expired", waitlist.accept, c, actor=third, now=c.offer_expires_at)
    refused("not_offered", waitlist.accept, b, actor=second)

    # Declining (cancelling an offered entry) frees the time for everyone again.
    waitlist.cancel(c, actor=third)
    c.refresh_from_db()
    assert c.status == WaitlistStatus.CANCELLED
    refused("not_waiting", waitlist.cancel, c, actor=third)
    assert services.book(court, begin, end, actor=make_resident()).is_active


def test_refusals_of_book_surface_on_accept(make_resource, resident, make_resident, day):
    room = make_resource("주민 회의실", residents_only=True)
    holder = services.book(room, at(day, "10:00"), at(day, "11:00"), actor=resident, declared_resident=True)
    other = make_resident()
    entry = waitlist.join(room, at(day, "10:00"), at(day, "11:00"), actor=other)
    services.cancel(holder, actor=resident)
    entry.refresh_from_db()
    refused("residents_only", waitlist.accept, entry, actor=other)
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED  # still theirs until the deadline
    assert waitlist.accept(entry, actor=other, declared_resident=True).is_active


def test_denied_and_released_reservations_offer_the_slot(
    make_resource, paid_court, resident, make_resident, staff, day
):
    room = make_resource("대회의실", needs_approval=True)
    request = services.book(room, at(day, "10:00"), at(day, "11:00"), actor=resident)
    waiting = waitlist.join(room, at(day, "10:00"), at(day, "11:00"), actor=make_resident())
    staff_desk.deny(request, actor=staff, reason="행사")
    waiting.refresh_from_db()
    assert waiting.status == WaitlistStatus.OFFERED

    unpaid = services.book(paid_court, at(day, "14:00"), at(day, "15:00"), actor=resident)
    other = make_resident()
    entry = waitlist.join(paid_court, at(day, "14:00"), at(day, "15:00"), actor=other)
    Order.objects.filter(public_id=unpaid.order_id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert payments.expire_stale_orders() == 1
    entry.refresh_from_db()
    assert entry.status == WaitlistStatus.OFFERED
    reservation = waitlist.accept(entry, actor=other)
    assert reservation.status == Status.PENDING_PAYMENT and reservation.price == 8_000


def test_shared_resource_offers_only_what_fits(make_resource, make_resident, day):
    yoga = make_resource("요가", exclusive=False, capacity=3)
    two = services.book(yoga, at(day, "10:00"), at(day, "11:00"), actor=make_resident(), party_size=2)
    services.book(yoga, at(day, "10:00"), at(day, "11:00"), actor=make_resident(), party_size=1)
    big = waitlist.join(yoga, at(day, "10:00"), at(day, "11:00"), actor=make_resident(), party_size=3)
    small = waitlist.join(yoga, at(day, "10:00"), at(day, "11:00"), actor=make_resident(), party_size=2)
    services.cancel(two, actor=two.resident)
    big.refresh_from_db()
    small.refresh_from_db()
    assert big.status == WaitlistStatus.WAITING and small.status == WaitlistStatus.OFFERED


def test_pages(client, court, resident, make_resident, day):
    holder = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=make_resident())
    client.force_login(resident)
    page = client.get(f"/reservations/r/{court.pk}/", {"week": day.isoformat()}).content.decode()
    link = f"/reservations/r/{court.pk}/waitlist/?begin={day.isoformat()}T10:00"
    assert link in page
    from tests.web.html_checks import accessibility_problems

    form = client.get(link)
    assert form.status_code == 200 and accessibility_problems(form.content.decode()) == []
    assert client.get(f"/reservations/r/{court.pk}/waitlist/", {"begin": "garbage"}).status_code == 400
    bad = client.post(f"/reservations/r/{court.pk}/waitlist/", {"begin": f"{day.isoformat()}T10:00", "minutes": "x"})
    assert bad.status_code == 400
    response = client.post(
        f"/reservations/r/{court.pk}/waitlist/",
        {"begin": f"{day.isoformat()}T10:00", "minutes": "60", "party_size": "1"},
    )
    assert response.status_code == 302 and response["Location"] == "/reservations/mine/"
    entry = WaitlistEntry.objects.get()
    mine = client.get("/reservations/mine/").content.decode()
    assert "내 대기" in mine and "대기 중" in mine and accessibility_problems(mine) == []
    services.cancel(holder, actor=holder.resident)
    mine = client.get("/reservations/mine/").content.decode()
    assert "예약 제안" in mine and f"/reservations/w/{entry.pk}/accept/" in mine
    response = client.post(f"/reservations/w/{entry.pk}/accept/")
    reservation = Reservation.objects.get(resident=resident)
    assert response.status_code == 302 and response["Location"] == f"/reservations/b/{reservation.pk}/"
    assert client.post(f"/reservations/w/{entry.pk}/cancel/").status_code == 302  # over: a message, no 500
    assert client.post("/reservations/w/99999/accept/").status_code == 404
    client.force_login(make_resident())
    assert client.post(f"/reservations/w/{entry.pk}/cancel/").status_code == 404
