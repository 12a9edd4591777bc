"""보증금 (deposits): paid with the fee, never discounted, returned after the use less what
staff withhold with a reason, returned in full on cancellation, never counted as revenue."""

from __future__ import annotations

import pytest

from dasan.core.audit import AuditEvent
from dasan.core.errors import DasanError
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.reservations import pricing, reports, selectors, services
from dasan.reservations import staff as staff_desk
from dasan.reservations.models import Status

from .conftest import at


@pytest.fixture
def hall(make_resource):
    """30,000원 an hour, 장애인 50 %, and a 100,000원 deposit."""
    return make_resource("다목적 강당", price=("hourly", 30_000), discounts={"disabled": 50}, deposit=100_000)


def refused(code, call, *args, **kwargs):
    with pytest.raises(DasanError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def paid_booking(resident, hall, staff, day, **kwargs):
    reservation = services.book(hall, at(day, "10:00"), at(day, "12:00"), actor=resident, **kwargs)
    payments.mark_paid_at_office(selectors.order_for(reservation), actor=staff)
    reservation.refresh_from_db()
    return reservation


def test_the_deposit_is_charged_with_the_fee_and_not_discounted(hall, resident, day):
    quote = pricing.quote(hall, at(day, "10:00"), at(day, "12:00"), discount="disabled")
    assert (quote.total, quote.deposit, quote.payable) == (30_000, 100_000, 130_000)
    reservation = services.book(
        hall, at(day, "10:00"), at(day, "12:00"), actor=resident, discount="disabled", expected_total=130_000
    )
    assert (reservation.price, reservation.deposit, reservation.payable) == (30_000, 100_000, 130_000)
    order = selectors.order_for(reservation)
    assert order.total_amount == 130_000
    assert any("보증금" in line.name and line.unit_price == 100_000 for line in order.lines.all())


def test_a_total_seen_without_the_deposit_is_refused_as_changed(hall, resident, day):
    error = refused(
        "price_changed", services.book, hall, at(day, "10:00"), at(day, "12:00"), actor=resident, expected_total=60_000
    )
    assert "160,000" in str(error.message)


def test_returning_the_deposit_after_use_refunds_it_and_tells_the_resident(hall, resident, staff, day):
    reservation = paid_booking(resident, hall, staff, day)
    refused("not_used", staff_desk.settle_deposit, reservation, actor=staff, now=at(day, "12:30"))  # not checked in yet
    staff_desk.check_in(reservation, actor=staff, now=at(day, "10:05"))
    settled = staff_desk.settle_deposit(reservation, actor=staff, now=at(day, "12:30"))
    assert (settled.deposit_returned, settled.deposit_withheld) == (100_000, 0)
    assert settled.refunded_amount == 100_000 and settled.status == Status.CHECKED_IN
    message = Message.objects.get(recipient=resident, template_key="reservations.deposit_settled")
    assert "100,000" in message.body
    refused("deposit_settled", staff_desk.settle_deposit, settled, actor=staff, now=at(day, "12:40"))
    assert AuditEvent.objects.filter(action="reservations.deposit_settled", actor=staff).count() == 1


def test_withholding_part_of_the_deposit_needs_a_reason_within_the_deposit(hall, resident, staff, day):
    reservation = paid_booking(resident, hall, staff, day)
    staff_desk.check_in(reservation, actor=staff, now=at(day, "10:05"))
    refused(
        "reason_required", staff_desk.settle_deposit, reservation, actor=staff, withheld=20_000, now=at(day, "12:30")
    )
    refused(
        "invalid_amount",
        staff_desk.settle_deposit,
        reservation,
        actor=staff,
        withheld=150_000,
        reason="파손",
        now=at(day, "12:30"),
    )
    refused(
        "invalid_amount", staff_desk.settle_deposit, reservation, actor=staff, withheld="많이", now=at(day, "12:30")
    )
    settled = staff_desk.settle_deposit(
        reservation, actor=staff, withheld="20,000", reason="의자 2개 파손", now=at(day, "12:30")
    )
    assert (settled.deposit_returned, settled.deposit_withheld, settled.refunded_amount) == (80_000, 20_000, 80_000)
    body = Message.objects.get(recipient=resident, template_key="reservations.deposit_settled").body
    assert "80,000" in body and "20,000" in body and "의자 2개 파손" in body


def test_cancelling_returns_the_whole_deposit_even_when_the_fee_is_not_refunded(make_resource, resident, staff, day):
    # The fee comes back only 30 days ahead; three days ahead the deposit still comes back whole.
    hall = make_resource("소강당", price=("fixed", 50_000), deposit=70_000, refund_rules=[[720, 100]])
    reservation = services.book(hall, at(day, "10:00"), at(day, "12:00"), actor=resident)
    payments.mark_paid_at_office(selectors.order_for(reservation), actor=staff)
    cancelled = services.cancel(reservation, actor=resident)
    assert cancelled.status == Status.CANCELLED
    assert (cancelled.refunded_amount, cancelled.deposit_returned) == (70_000, 70_000)
    assert cancelled.deposit_settled_at is not None


def test_deposits_are_not_revenue_in_the_monthly_report(hall, resident, make_resident, staff, day):
    kept = paid_booking(resident, hall, staff, day)
    staff_desk.check_in(kept, actor=staff, now=at(day, "10:05"))
    staff_desk.settle_deposit(kept, actor=staff, withheld=10_000, reason="청소비", now=at(day, "12:30"))
    report = reports.month_report(day.year, day.month)
    row = next(f for f in report.resources if f.resource == hall)
    assert row.revenue == 60_000  # two hours' fee; the deposit and its return are not revenue


def test_staff_see_the_deposit_and_cannot_settle_it_before_the_use(hall, resident, staff, staff_client, day):
    reservation = paid_booking(resident, hall, staff, day)  # `day` is at least three days ahead
    page = staff_client.get(f"/staff/reservations/r/{hall.pk}/?date={day:%Y-%m-%d}").content.decode()
    assert "보증금 100,000원" in page and "보증금 정산" not in page
    response = staff_client.post(f"/staff/reservations/b/{reservation.pk}/deposit/", {"withheld": "0"}, follow=True)
    reservation.refresh_from_db()
    assert reservation.deposit_settled_at is None and reservation.refunded_amount == 0
    assert "이용 확인 또는 노쇼 처리한 예약만 보증금을 정산할 수 있습니다" in response.content.decode()


def test_the_resident_sees_what_happened_to_the_deposit(hall, resident, resident_client, staff, day):
    reservation = paid_booking(resident, hall, staff, day)
    page = resident_client.get(f"/reservations/b/{reservation.pk}/").content.decode()
    assert "130,000" in page and "이용 뒤 담당자가 시설·물품을 확인하고 돌려드립니다" in page
    staff_desk.check_in(reservation, actor=staff, now=at(day, "10:05"))
    staff_desk.settle_deposit(reservation, actor=staff, withheld=5_000, reason="쓰레기 미처리", now=at(day, "12:30"))
    page = resident_client.get(f"/reservations/b/{reservation.pk}/").content.decode()
    assert "반환 95,000원, 공제 5,000원" in page and "쓰레기 미처리" in page
