"""Cancelling and expiring orders, the refund schedule helper, and the database's own
guards on money."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from dasan.core import schedule
from dasan.core.errors import DasanError
from dasan.payments import services
from dasan.payments.models import Order, OrderStatus, Payment
from dasan.payments.policy import RefundSchedule

pytestmark = pytest.mark.django_db


def test_stale_orders_expire_once_and_the_owner_is_told(make_order, staff, calls):
    stale, fresh, paid = make_order(), make_order(), make_order()
    services.mark_paid_at_office(paid, actor=staff)
    past = timezone.now() - dt.timedelta(minutes=1)
    Order.objects.filter(pk__in=[stale.pk, paid.pk]).update(expires_at=past)
    assert services.expire_stale_orders() == 1
    assert services.expire_stale_orders() == 0
    statuses = dict(Order.objects.values_list("public_id", "status"))
    assert statuses == {stale.public_id: "expired", fresh.public_id: "pending", paid.public_id: "paid"}
    assert calls.cancelled == [(stale.public_id, "expired")]
    assert "payments.expire_stale_orders" in [job.name for job in schedule.jobs()]


def test_cancel_a_pending_order_but_not_a_paid_one(make_order, staff, calls):
    order = make_order()
    services.cancel_order(order, actor=order.payer, reason="신청 취소")
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and calls.cancelled == [(order.public_id, "cancelled")]
    services.cancel_order(order)  # again: nothing changes, nobody is told twice
    assert len(calls.cancelled) == 1
    with pytest.raises(DasanError) as caught:
        services.start_payment(order)
    assert caught.value.code == "order_cancelled"
    paid = make_order()
    services.mark_paid_at_office(paid, actor=staff)
    with pytest.raises(DasanError) as caught:
        services.cancel_order(paid)
    assert caught.value.code == "already_paid"


def test_a_failing_owner_callback_rolls_the_payment_back(make_order, staff):
    order = make_order(reference="boom")

    def refuse(order):
        raise RuntimeError("owner could not record it")

    from dasan.core.appconfig import PaymentPurpose, register_payment_purpose

    undo = register_payment_purpose(PaymentPurpose("test.thing", paid=refuse))
    try:
        with pytest.raises(RuntimeError):
            services.mark_paid_at_office(order, actor=staff)
    finally:
        undo()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and not Payment.objects.exists()


def test_refund_schedule_by_notice():
    policy = RefundSchedule([(dt.timedelta(days=1), 50), (dt.timedelta(days=7), 100)])
    start = timezone.now() + dt.timedelta(days=10)
    assert policy.amount_for(30001, start, now=start - dt.timedelta(days=8)) == 30001
    assert policy.amount_for(30001, start, now=start - dt.timedelta(days=2)) == 15000  # rounded down
    assert policy.amount_for(30001, start, now=start - dt.timedelta(hours=3)) == 0
    assert policy.amount_for(0, start) == 0
    with pytest.raises(ValueError):
        RefundSchedule([(dt.timedelta(days=1), 120)])


def test_database_refuses_a_second_successful_payment_and_over_refunds(make_order, staff):
    order = make_order()
    services.mark_paid_at_office(order, actor=staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(order=order, provider="tosspayments", provider_reference="x", amount=35000)
    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(refunded_amount=35001)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.filter(order=order).update(refunded_amount=35001)
    with pytest.raises(IntegrityError), transaction.atomic():
        order.lines.filter(position=0).update(amount=1)
