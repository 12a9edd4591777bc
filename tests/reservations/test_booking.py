"""Booking: every refusal a resident can meet, instant and approval flows, payment,
expiry, cancellation refunds, staff decisions, blocks and no-show penalties."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from django.utils import timezone

from dasan.core import timefmt
from dasan.core.audit import AuditEvent
from dasan.core.errors import DasanError
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.payments.models import Order
from dasan.reservations import availability, pricing, selectors, services
from dasan.reservations import staff as staff_desk
from dasan.reservations.models import Penalty, PriceRule, Reservation, Status

from .conftest import at

pytestmark = pytest.mark.django_db


def refused(code, call, *args, **kwargs) -> DasanError:
    with pytest.raises(DasanError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


# --- refusals -----------------------------------------------------------------------------------


def test_times_outside_the_rules_are_refused_with_a_clear_code(court, resident, day):
    book = functools.partial(services.book, actor=resident)
    refused("past", book, court, at(day, "10:00"), at(day, "11:00"), now=at(day, "10:30"))
    refused("invalid_time", book, court, at(day, "11:00"), at(day, "10:00"))
    refused("invalid_time", book, court, "내일 10시", at(day, "11:00"))
    refused("outside_hours", book, court, at(day, "07:00"), at(day, "08:00"))
    refused("outside_hours", book, court, at(day, "17:00"), at(day, "19:00"))
    refused("not_slot_aligned", book, court, at(day, "10:30"), at(day, "11:30"))
    refused("not_slot_aligned", book, court, at(day, "10:00"), at(day, "11:30"))
    court.min_minutes = 120
    court.save()
    refused("too_short", book, court, at(day, "10:00"), at(day, "11:00"))
    refused("too_long", book, court, at(day, "10:00"), at(day, "14:00"))
    assert not Reservation.objects.exists()


def test_the_booking_window(make_resource, resident, day):
    room = make_resource(opens_days_ahead=2, closes_hours_before=24)
    error = refused(
        "window_not_open",
        services.book,
        room,
        at(day, "10:00"),
        at(day, "11:00"),
        actor=resident,
        now=at(day - dt.timedelta(days=3), "12:00"),
    )
    assert "부터 받습니다" in str(error.message)
    refused(
        "window_closed",
        services.book,
        room,
        at(day, "10:00"),
        at(day, "11:00"),
        actor=resident,
        now=at(day - dt.timedelta(days=1), "10:30"),
    )
    assert (
        services.book(
            room, at(day, "10:00"), at(day, "11:00"), actor=resident, now=at(day - dt.timedelta(days=1), "09:00")
        ).status
        == Status.CONFIRMED
    )


def test_overlapping_and_buffered_times_are_taken(make_resource, resident, make_resident, day):
    room = make_resource(buffer_before_minutes=60)
    services.book(room, at(day, "10:00"), at(day, "12:00"), actor=resident)
    other = make_resident()
    error = refused("slot_taken", services.book, room, at(day, "11:00"), at(day, "12:00"), actor=other)
    assert error.status == 409
    # 12:00 would need the hour before it to get ready: taken by the first booking.
    refused("slot_taken", services.book, room, at(day, "12:00"), at(day, "13:00"), actor=other)
    assert services.book(room, at(day, "13:00"), at(day, "14:00"), actor=other).status == Status.CONFIRMED


def test_party_size_and_capacity(make_resource, resident, make_resident, day):
    court = make_resource(capacity=6)
    refused(
        "invalid_party_size",
        services.book,
        court,
        at(day, "10:00"),
        at(day, "11:00"),
        actor=resident,
        party_size="두 명",
    )
    refused(
        "invalid_party_size", services.book, court, at(day, "10:00"), at(day, "11:00"), actor=resident, party_size=0
    )
    error = refused(
        "over_capacity", services.book, court, at(day, "10:00"), at(day, "11:00"), actor=resident, party_size=7
    )
    assert error.status == 400

    drills = make_resource("충전 드릴", capacity=5, exclusive=False, type="equipment", max_minutes=240)
    services.book(drills, at(day, "10:00"), at(day, "12:00"), actor=make_resident(), party_size=3)
    services.book(drills, at(day, "12:00"), at(day, "14:00"), actor=make_resident(), party_size=3)
    # 3 + 3 are never out at the same time, so 2 are left across 10–14.
    assert (
        services.book(drills, at(day, "10:00"), at(day, "14:00"), actor=make_resident(), party_size=2).party_size == 2
    )
    error = refused("over_capacity", services.book, drills, at(day, "11:00"), at(day, "12:00"), actor=make_resident())
    assert error.status == 409 and error.details["remaining"] == 0


def test_limits_on_the_resident(make_resource, resident, day, staff):
    court = make_resource(max_active_per_resident=1, residents_only=True)
    refused("residents_only", services.book, court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    first = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident, declared_resident=True)
    refused(
        "too_many_bookings",
        services.book,
        court,
        at(day, "14:00"),
        at(day, "15:00"),
        actor=resident,
        declared_resident=True,
    )
    services.cancel(first, actor=resident)
    assert services.book(court, at(day, "14:00"), at(day, "15:00"), actor=resident, declared_resident=True).is_active
    refused("login_required", services.book, court, at(day, "10:00"), at(day, "11:00"), actor=None)
    refused("unknown_resource", services.book, 99999, at(day, "10:00"), at(day, "11:00"), actor=resident)


def test_discounts_are_priced_and_must_be_offered(paid_court, court, resident, day):
    refused(
        "unknown_discount",
        services.book,
        paid_court,
        at(day, "10:00"),
        at(day, "12:00"),
        actor=resident,
        discount="vip",
    )
    refused(
        "discount_not_offered",
        services.book,
        paid_court,
        at(day, "10:00"),
        at(day, "12:00"),
        actor=resident,
        discount="veteran",
    )
    refused(
        "discount_not_offered",
        services.book,
        court,
        at(day, "10:00"),
        at(day, "12:00"),
        actor=resident,
        discount="disabled",
    )  # a free court has nothing to discount
    error = refused(
        "price_changed",
        services.book,
        paid_court,
        at(day, "10:00"),
        at(day, "12:00"),
        actor=resident,
        discount="disabled",
        expected_total=16_000,
    )
    assert error.status == 409 and "8,000원" in str(error.message)
    reservation = services.book(
        paid_court, at(day, "10:00"), at(day, "12:00"), actor=resident, discount="disabled", expected_total=8_000
    )
    assert (reservation.subtotal, reservation.discount_percent, reservation.price) == (16_000, 50, 8_000)
    order = Order.objects.get(public_id=reservation.order_id)
    assert order.total_amount == 8_000
    assert [line.amount for line in order.lines.all()] == [16_000, -8_000]


def test_prices_follow_their_effective_date_and_per_person_rules(make_resource, resident, day):
    yoga = make_resource("요가", capacity=20, exclusive=False, price=("fixed", 3_000), per_person=True)
    PriceRule.objects.create(resource=yoga, effective_from=day, kind="fixed", amount=4_000, per_person=True)
    earlier = pricing.quote(
        yoga, at(day - dt.timedelta(days=1), "10:00"), at(day - dt.timedelta(days=1), "11:00"), party_size=2
    )
    assert earlier.total == 6_000
    assert services.book(yoga, at(day, "10:00"), at(day, "11:00"), actor=resident, party_size=3).price == 12_000


def test_a_penalty_stops_booking(court, resident, day):
    Penalty.objects.create(resident=resident, until=timezone.now() + dt.timedelta(days=3), reason="노쇼")
    error = refused("no_show_penalty", services.book, court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    assert error.status == 403


# --- flows ----------------------------------------------------------------------------------------


def test_a_free_instant_booking_is_confirmed_and_the_resident_told(court, resident, day):
    reservation = services.book(
        court, at(day, "10:00"), at(day, "12:00"), actor=resident, party_size=4, purpose="동호회"
    )
    assert reservation.status == Status.CONFIRMED and reservation.order_id == ""
    assert Message.objects.filter(recipient=resident, template_key="reservations.confirmed").exists()
    assert AuditEvent.objects.filter(action="reservations.book", target_id=str(reservation.pk)).exists()


def test_residents_are_told_in_their_own_language(paid_court, make_resident, staff, day):
    vietnamese = make_resident(language="vi")
    reservation = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=vietnamese, discount="senior")
    payments.mark_paid_at_office(selectors.order_for(reservation), actor=staff)
    message = Message.objects.get(recipient=vietnamese, template_key="reservations.confirmed")
    assert "Đặt chỗ" in message.body and reservation.code in message.body
    assert "Từ 65 tuổi trở lên" in message.body  # the declared discount, in Vietnamese, to be proven on the day


def test_the_same_idempotency_key_books_once(court, resident, day):
    first = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident, idempotency_key="form-1")
    again = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident, idempotency_key="form-1")
    assert first.pk == again.pk and Reservation.objects.count() == 1


def test_payment_confirms_and_expiry_releases_the_slot(paid_court, resident, make_resident, staff, day):
    reservation = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    assert reservation.status == Status.PENDING_PAYMENT and reservation.price == 8_000
    order = selectors.order_for(reservation)
    assert order.total_amount == 8_000 and order.expires_at <= timezone.now() + dt.timedelta(minutes=61)
    payments.mark_paid_at_office(order, actor=staff)
    reservation.refresh_from_db()
    assert reservation.status == Status.CONFIRMED
    assert Message.objects.filter(recipient=resident, template_key="reservations.confirmed").exists()

    unpaid = services.book(paid_court, at(day, "14:00"), at(day, "15:00"), actor=resident)
    refused("slot_taken", services.book, paid_court, at(day, "14:00"), at(day, "15:00"), actor=make_resident())
    Order.objects.filter(public_id=unpaid.order_id).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert payments.expire_stale_orders() == 1
    unpaid.refresh_from_db()
    assert unpaid.status == Status.EXPIRED
    assert services.book(paid_court, at(day, "14:00"), at(day, "15:00"), actor=make_resident()).is_active


def test_approval_flow_free_and_paid(make_resource, resident, make_resident, staff, day):
    room = make_resource("대회의실", needs_approval=True)
    request = services.book(room, at(day, "10:00"), at(day, "11:00"), actor=resident)
    assert request.status == Status.REQUESTED
    assert Message.objects.filter(recipient=resident, template_key="reservations.requested").exists()
    refused(
        "slot_taken", services.book, room, at(day, "10:00"), at(day, "11:00"), actor=make_resident()
    )  # held meanwhile
    approved = staff_desk.approve(request, actor=staff)
    assert approved.status == Status.CONFIRMED and approved.decided_by == staff
    assert Message.objects.filter(recipient=resident, template_key="reservations.approved").exists()
    refused("not_requested", staff_desk.approve, approved, actor=staff)

    hall = make_resource("강당", needs_approval=True, price=("hourly", 50_000))
    paid = staff_desk.approve(services.book(hall, at(day, "10:00"), at(day, "12:00"), actor=resident), actor=staff)
    assert paid.status == Status.PENDING_PAYMENT and selectors.order_for(paid).total_amount == 100_000
    payments.mark_paid_at_office(selectors.order_for(paid), actor=staff)
    paid.refresh_from_db()
    assert paid.status == Status.CONFIRMED
    assert AuditEvent.objects.filter(action="reservations.approve", actor=staff).count() == 2


def test_deny_needs_a_reason_and_frees_the_slot(make_resource, resident, make_resident, staff, day):
    room = make_resource(needs_approval=True)
    request = services.book(room, at(day, "10:00"), at(day, "11:00"), actor=resident)
    refused("reason_required", staff_desk.deny, request, actor=staff, reason="  ")
    denied = staff_desk.deny(request, actor=staff, reason="시 행사와 겹칩니다")
    assert denied.status == Status.DENIED and denied.reason == "시 행사와 겹칩니다"
    message = Message.objects.get(recipient=resident, template_key="reservations.denied")
    assert "시 행사와 겹칩니다" in message.body
    assert services.book(room, at(day, "10:00"), at(day, "11:00"), actor=make_resident()).status == Status.REQUESTED
    refused("staff_only", staff_desk.deny, request, actor=resident, reason="주민은 못 함")


def test_requests_nobody_decided_expire_at_their_start(make_resource, resident, day):
    room = make_resource(needs_approval=True)
    request = services.book(room, at(day, "10:00"), at(day, "11:00"), actor=resident)
    assert services.expire_requests(now=at(day, "09:00")) == 0
    assert services.expire_requests(now=at(day, "10:00")) == 1
    request.refresh_from_db()
    assert request.status == Status.EXPIRED


@pytest.mark.parametrize(
    "before, refund", [(dt.timedelta(days=8), 8_000), (dt.timedelta(days=2), 4_000), (dt.timedelta(hours=12), 0)]
)
def test_cancellation_refunds_by_the_schedule(paid_court, resident, staff, before, refund):
    day = timezone.localdate() + dt.timedelta(days=12)
    reservation = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    payments.mark_paid_at_office(selectors.order_for(reservation), actor=staff)
    cancelled = services.cancel(reservation, actor=resident, now=reservation.begin - before)
    assert cancelled.status == Status.CANCELLED and cancelled.refunded_amount == refund
    message = Message.objects.get(recipient=resident, template_key="reservations.cancelled")
    assert (f"{refund:,}원" in message.body) == bool(refund)


def test_a_resource_keeps_its_own_refund_schedule_and_staff_refund_all(paid_court, resident, staff):
    paid_court.refund_rules = [[72, 100]]
    paid_court.save()
    day = timezone.localdate() + dt.timedelta(days=12)
    mine = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    payments.mark_paid_at_office(selectors.order_for(mine), actor=staff)
    assert services.cancel(mine, actor=resident, now=mine.begin - dt.timedelta(hours=48)).refunded_amount == 0
    theirs = services.book(paid_court, at(day, "12:00"), at(day, "13:00"), actor=resident)
    payments.mark_paid_at_office(selectors.order_for(theirs), actor=staff)
    by_city = services.cancel(theirs, actor=staff, reason="누수 공사", now=theirs.begin - dt.timedelta(hours=1))
    assert by_city.refunded_amount == 8_000 and by_city.reason == "누수 공사"


def test_cancelling_unpaid_cancels_the_order_and_late_or_twice_is_refused(paid_court, court, resident, day):
    reservation = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    services.cancel(reservation, actor=resident)
    assert Order.objects.get(public_id=reservation.order_id).status == "cancelled"
    refused("not_cancellable", services.cancel, reservation, actor=resident)
    started = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    refused("too_late", services.cancel, started, actor=resident, now=at(day, "10:10"))


def test_a_full_refund_on_the_payments_pages_cancels_the_reservation(paid_court, resident, staff, day):
    reservation = services.book(paid_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    order = selectors.order_for(reservation)
    payments.mark_paid_at_office(order, actor=staff)
    payments.refund(order, 8_000, "시설 고장", actor=staff)
    reservation.refresh_from_db()
    assert reservation.status == Status.CANCELLED and reservation.refunded_amount == 8_000


def test_block_time_for_maintenance(make_resource, resident, make_resident, staff, day):
    court = make_resource()
    taken = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    error = refused(
        "block_conflicts", staff_desk.block, court, at(day, "09:00"), at(day, "12:00"), actor=staff, reason="조명 교체"
    )
    assert error.details["reservations"] == [taken.code]
    refused("reason_required", staff_desk.block, court, at(day, "13:00"), at(day, "15:00"), actor=staff, reason="")
    refused("staff_only", staff_desk.block, court, at(day, "13:00"), at(day, "15:00"), actor=resident, reason="주민")
    blocked = staff_desk.block(court, at(day, "13:00"), at(day, "15:00"), actor=staff, reason="조명 교체")
    refused("slot_taken", services.book, court, at(day, "14:00"), at(day, "15:00"), actor=make_resident())
    states = {timefmt.local(s.begin).hour: s.state for s in availability.availability(court, day).slots}
    assert states[13] == states[14] == "taken" and states[15] == "free"
    assert AuditEvent.objects.filter(action="reservations.block", actor=staff).exists()
    services.cancel(blocked, actor=staff, reason="공사 연기")
    assert services.book(court, at(day, "14:00"), at(day, "15:00"), actor=make_resident()).is_active

    seats = make_resource("요가", capacity=10, exclusive=False)
    staff_desk.block(seats, at(day, "10:00"), at(day, "11:00"), actor=staff, reason="강사 결강")
    refused("slot_taken", services.book, seats, at(day, "10:00"), at(day, "11:00"), actor=make_resident())


def test_check_in_on_the_day_and_no_show_penalty(court, resident, staff, day):
    reservation = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident, discount="")
    refused("not_today", staff_desk.check_in, reservation, actor=staff, now=at(day - dt.timedelta(days=1), "10:00"))
    checked = staff_desk.check_in(reservation, actor=staff, now=at(day, "09:50"))
    assert checked.status == Status.CHECKED_IN
    refused("not_confirmed", staff_desk.mark_no_show, checked, actor=staff, now=at(day, "10:30"))

    later = services.book(court, at(day, "14:00"), at(day, "15:00"), actor=resident)
    refused("too_early", staff_desk.mark_no_show, later, actor=staff, now=at(day, "13:00"))
    staff_desk.mark_no_show(later, actor=staff, now=at(day, "14:20"))
    later.refresh_from_db()
    assert later.status == Status.NO_SHOW
    penalty = Penalty.objects.get(resident=resident)
    assert penalty.until == at(day, "14:20") + dt.timedelta(days=30)
    assert AuditEvent.objects.filter(action="reservations.no_show", actor=staff).exists()
    refused(
        "no_show_penalty",
        services.book,
        court,
        at(day, "16:00"),
        at(day, "17:00"),
        actor=resident,
        now=at(day, "14:30"),
    )


def test_no_show_penalty_length_is_a_setting(court, resident, staff, day, settings):
    settings.DASAN = {**settings.DASAN, "RESERVATIONS_NO_SHOW_PENALTY_DAYS": 0}
    reservation = services.book(court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    staff_desk.mark_no_show(reservation, actor=staff, now=at(day, "10:30"))
    assert not Penalty.objects.exists()
