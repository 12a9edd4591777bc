"""추첨제: the application window, duplicates, a reproducible draw (seed stored, anyone can
recompute it), the winner's pending-payment reservation, messages to everyone, and the
slot going to the next rank when the winner does not pay."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from dasan.core.audit import AuditEvent
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.payments.models import Order
from dasan.reservations import availability, services
from dasan.reservations import lottery as lotteries
from dasan.reservations.models import (
    ApplicationStatus,
    LotteryApplication,
    LotteryStatus,
    Reservation,
    Status,
)

from .conftest import at
from .test_booking import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_lottery(paid_court, staff, day):
    now = timezone.now()
    return lotteries.create_lottery(
        paid_court,
        at(day, "10:00"),
        at(day, "12:00"),
        now - dt.timedelta(hours=1),
        now + dt.timedelta(hours=1),
        actor=staff,
    )


def _closed(lottery):
    return lottery.applications_close_at + dt.timedelta(seconds=1)


def test_create_checks_hours_overlap_and_staff(paid_court, staff, resident, day):
    now = timezone.now()
    window = (now, now + dt.timedelta(hours=1))
    refused(
        "staff_only", lotteries.create_lottery, paid_court, at(day, "10:00"), at(day, "11:00"), *window, actor=resident
    )
    refused(
        "outside_hours", lotteries.create_lottery, paid_court, at(day, "19:00"), at(day, "20:00"), *window, actor=staff
    )
    refused(
        "invalid_window",
        lotteries.create_lottery,
        paid_court,
        at(day, "10:00"),
        at(day, "11:00"),
        now + dt.timedelta(hours=1),
        now,
        actor=staff,
    )
    services.book(paid_court, at(day, "14:00"), at(day, "15:00"), actor=resident)
    refused(
        "slot_taken", lotteries.create_lottery, paid_court, at(day, "14:00"), at(day, "16:00"), *window, actor=staff
    )
    lottery = lotteries.create_lottery(paid_court, at(day, "10:00"), at(day, "11:00"), *window, actor=staff)
    assert lottery.status == LotteryStatus.OPEN
    # An open lottery holds its slot against ordinary bookings and other lotteries.
    refused("slot_taken", services.book, paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    assert (
        next(s for s in availability.availability(paid_court, day).slots if s.begin == at(day, "10:00")).state
        == "taken"
    )
    refused(
        "slot_taken", lotteries.create_lottery, paid_court, at(day, "10:00"), at(day, "11:00"), *window, actor=staff
    )
    assert AuditEvent.objects.filter(action="reservations.lottery_create").exists()


def test_window_duplicates_and_withdraw(open_lottery, resident, make_resident):
    before = open_lottery.applications_open_at - dt.timedelta(seconds=1)
    refused("lottery_not_open", lotteries.apply, open_lottery, actor=resident, party_size=2, now=before)
    refused("lottery_closed", lotteries.apply, open_lottery, actor=resident, party_size=2, now=_closed(open_lottery))
    refused("login_required", lotteries.apply, open_lottery, actor=None, party_size=2)
    refused("invalid_party_size", lotteries.apply, open_lottery, actor=resident, party_size=0)
    application = lotteries.apply(open_lottery, actor=resident, party_size=2)
    refused("already_applied", lotteries.apply, open_lottery, actor=resident, party_size=1)
    other = make_resident()
    refused("unknown_lottery_application", lotteries.withdraw, application, actor=other)
    lotteries.withdraw(application, actor=resident)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_penalty_blocks_applying(open_lottery, resident, court, day):
    from dasan.reservations.models import Penalty

    reservation = services.book(court, at(day, "15:00"), at(day, "16:00"), actor=resident)
    Penalty.objects.create(resident=resident, reservation=reservation, until=timezone.now() + dt.timedelta(days=3))
    refused("no_show_penalty", lotteries.apply, open_lottery, actor=resident, party_size=1)


def test_draw_is_reproducible_and_notifies(open_lottery, staff, resident, make_resident):
    people = [
        make_resident(name="김민수"),
        make_resident(name="이영희", language="en"),
        make_resident(),
        make_resident(),
    ]
    applied = [lotteries.apply(open_lottery, actor=p, party_size=1) for p in people]
    refused("lottery_still_open", lotteries.draw, open_lottery, actor=staff)
    refused("staff_only", lotteries.draw, open_lottery, actor=resident, now=_closed(open_lottery))
    lottery = lotteries.draw(open_lottery, actor=staff, now=_closed(open_lottery))
    refused("already_drawn", lotteries.draw, lottery, actor=staff, now=_closed(open_lottery))
    assert lottery.status == LotteryStatus.DRAWN and len(lottery.seed) == 32
    ranked = lotteries.ranked(lottery)
    expected = sorted(a.pk for a in applied)
    random.Random(lottery.seed).shuffle(expected)
    assert [a.pk for a in ranked] == expected and [a.rank for a in ranked] == [1, 2, 3, 4]
    assert lotteries.shuffled([a.pk for a in applied], lottery.seed) == expected  # same seed, same order
    assert lotteries.verify_draw(lottery)
    event = AuditEvent.objects.get(action="reservations.lottery_draw")
    assert event.data["seed"] == lottery.seed and event.data["ranked"] == expected

    winner = ranked[0]
    assert winner.status == ApplicationStatus.WON
    reservation = winner.reservation
    assert reservation.status == Status.PENDING_PAYMENT and reservation.resident == winner.resident
    assert (reservation.begin, reservation.end) == (lottery.begin, lottery.end) and reservation.price == 16_000
    order = Order.objects.get(public_id=reservation.order_id)
    assert order.expires_at - lottery.drawn_at == dt.timedelta(hours=48)
    assert Message.objects.filter(recipient=winner.resident, template_key="reservations.lottery_won").count() == 1
    for loser in ranked[1:]:
        assert loser.status == ApplicationStatus.LOST
        assert Message.objects.filter(recipient=loser.resident, template_key="reservations.lottery_lost").count() == 1
    assert not Message.objects.filter(recipient=winner.resident, template_key="reservations.lottery_lost").exists()

    # Tampering with a rank breaks the verification.
    LotteryApplication.objects.filter(pk=ranked[0].pk).update(rank=99)
    LotteryApplication.objects.filter(pk=ranked[1].pk).update(rank=1)
    LotteryApplication.objects.filter(pk=ranked[0].pk).update(rank=2)
    assert not lotteries.verify_draw(lottery)


def test_unpaid_winner_goes_to_rank_two_until_exhausted(open_lottery, staff, make_resident):
    people = [make_resident(), make_resident(), make_resident()]
    for p in people:
        lotteries.apply(open_lottery, actor=p, party_size=1)
    lottery = lotteries.draw(open_lottery, actor=staff, now=_closed(open_lottery))
    first, second, third = lotteries.ranked(lottery)

    Order.objects.filter(public_id=first.reservation.order_id).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert payments.expire_stale_orders() == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ApplicationStatus.LAPSED and first.reservation.status == Status.EXPIRED
    assert second.status == ApplicationStatus.WON and second.reservation.status == Status.PENDING_PAYMENT
    assert Message.objects.filter(recipient=second.resident, template_key="reservations.lottery_won").exists()

    # Rank 2 cancels unpaid: rank 3 is offered; rank 3 pays; the slot is booked.
    services.cancel(second.reservation, actor=second.resident)
    third.refresh_from_db()
    assert third.status == ApplicationStatus.WON
    order = Order.objects.get(public_id=third.reservation.order_id)
    payments.mark_paid_at_office(order, actor=staff)
    third.refresh_from_db()
    assert third.status == ApplicationStatus.BOOKED and third.reservation.status == Status.CONFIRMED
    services.cancel(third.reservation, actor=staff, reason="점검")  # nobody is left in line
    third.refresh_from_db()
    lottery.refresh_from_db()
    assert third.status == ApplicationStatus.LAPSED and lottery.status == LotteryStatus.CLOSED
    assert (
        Reservation.objects.filter(resource=lottery.resource, status__in=("pending_payment", "confirmed")).count() == 0
    )
    assert lotteries.verify_draw(lottery)


def test_free_resource_winner_is_confirmed(court, staff, make_resident, day):
    now = timezone.now()
    lottery = lotteries.create_lottery(
        court,
        at(day, "10:00"),
        at(day, "11:00"),
        now - dt.timedelta(hours=1),
        now + dt.timedelta(minutes=5),
        actor=staff,
    )
    lotteries.apply(lottery, actor=make_resident(), party_size=1)
    lottery = lotteries.draw(lottery, actor=staff, now=_closed(lottery))
    (winner,) = lotteries.ranked(lottery)
    assert winner.status == ApplicationStatus.BOOKED and winner.reservation.status == Status.CONFIRMED


def test_empty_draw_closes(open_lottery, staff):
    lottery = lotteries.draw(open_lottery, actor=staff, now=_closed(open_lottery))
    assert lottery.status == LotteryStatus.CLOSED and lotteries.verify_draw(lottery)


# --- pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/reservations/lotteries/", "/staff/reservations/lotteries/{pk}/"])
def test_staff_lottery_pages_are_guarded(client, resident, open_lottery, path):
    url = path.format(pk=open_lottery.pk)
    assert client.get(url).status_code == 302  # to the staff login
    client.force_login(resident)
    assert client.get(url).status_code == 403
    assert client.post(f"/staff/reservations/lotteries/{open_lottery.pk}/draw/").status_code == 403
    assert client.post("/staff/reservations/lotteries/", {"resource": open_lottery.resource_id}).status_code == 403


def test_resident_applies_from_the_resource_page_and_sees_it_in_mine(resident_client, resident, open_lottery):
    page = resident_client.get(f"/reservations/r/{open_lottery.resource_id}/").content.decode()
    assert f"/reservations/l/{open_lottery.pk}/apply/" in page
    response = resident_client.post(f"/reservations/l/{open_lottery.pk}/apply/", {"party_size": "2"})
    assert response.status_code == 302
    application = LotteryApplication.objects.get(resident=resident)
    assert application.party_size == 2
    page = resident_client.get("/reservations/mine/").content.decode()
    assert "내 추첨 신청" in page and f"/reservations/a/{application.pk}/withdraw/" in page
    resident_client.post(f"/reservations/l/{open_lottery.pk}/apply/", {"party_size": "1"})  # twice: a message
    assert LotteryApplication.objects.filter(resident=resident).count() == 1
    resident_client.post(f"/reservations/a/{application.pk}/withdraw/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_staff_create_draw_and_audit_page(staff_client, staff, paid_court, make_resident, day):
    now = timezone.localtime()
    response = staff_client.post(
        "/staff/reservations/lotteries/",
        {
            "resource": paid_court.pk,
            "date": day.isoformat(),
            "begin": "10:00",
            "end": "12:00",
            "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "pay_deadline_hours": "24",
        },
    )
    assert response.status_code == 302
    from dasan.reservations.models import Lottery

    lottery = Lottery.objects.get()
    assert lottery.pay_deadline_hours == 24
    page = staff_client.get("/staff/reservations/lotteries/").content.decode()
    assert f"/staff/reservations/lotteries/{lottery.pk}/draw/" in page
    lotteries.apply(lottery, actor=make_resident(name="김민수"), party_size=1)
    lotteries.apply(lottery, actor=make_resident(name="박서연"), party_size=1)
    staff_client.post(f"/staff/reservations/lotteries/{lottery.pk}/draw/")  # too early: a message
    lottery.refresh_from_db()
    assert lottery.status == LotteryStatus.OPEN
    Lottery.objects.filter(pk=lottery.pk).update(applications_close_at=timezone.now() - dt.timedelta(seconds=1))
    response = staff_client.post(f"/staff/reservations/lotteries/{lottery.pk}/draw/")
    assert response.status_code == 302
    lottery.refresh_from_db()
    page = staff_client.get(f"/staff/reservations/lotteries/{lottery.pk}/").content.decode()
    assert lottery.seed in page and "김*수" in page and "박*연" in page and "김민수" not in page
    assert "일치" in page and "불일치" not in page
