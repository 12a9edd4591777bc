"""Races on PostgreSQL with real concurrent clients: many confirmations of one order
charge once; many refunds of one payment never return more than was paid."""

from __future__ import annotations

import pytest

from dasan.payments import services
from dasan.payments.models import Order, Payment, Refund
from tests.concurrency import need_postgres, race

from .conftest import pay_by_card

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_charge_once(make_order, fake_toss, calls, is_postgres):
    need_postgres(is_postgres)
    order = make_order()
    params = pay_by_card(order, fake_toss)
    results, errors = race([lambda: services.confirm_payment(Order.objects.get(pk=order.pk), params).pk] * THREADS)
    assert errors == []
    assert len(results) == THREADS and len(set(results)) == 1
    assert Payment.objects.filter(order=order).count() == 1
    assert fake_toss.charges() == 1
    assert calls.paid == [order.public_id]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_staff_marks_pay_once(make_order, staff, calls, is_postgres):
    need_postgres(is_postgres)
    order = make_order()
    results, errors = race([lambda: services.mark_paid_at_office(order, actor=staff).pk] * THREADS)
    assert len(results) == 1 and errors == ["already_paid"] * (THREADS - 1)
    assert Payment.objects.filter(order=order).count() == 1
    assert calls.paid == [order.public_id]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_what_was_paid(make_order, fake_toss, staff, calls, is_postgres):
    need_postgres(is_postgres)
    order = make_order()  # 35,000원
    payment = services.confirm_payment(order, pay_by_card(order, fake_toss))
    results, errors = race([lambda: services.refund(order, 10000, "동시 환불", actor=staff).amount] * THREADS)
    assert results == [10000] * 3
    assert errors == ["refund_exceeds_paid"] * (THREADS - 3)
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.refunded_amount == payment.refunded_amount == 30000
    assert Refund.objects.filter(status="done").count() == 3
    assert fake_toss.cancels() == 3
    assert fake_toss.payments[payment.provider_reference]["balanceAmount"] == 5000
    assert len(calls.refunded) == 3
