"""Races on PostgreSQL with real concurrent clients: many confirmations of one order
charge once; many refunds of one payment never return more than was paid."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dasan.core.errors import DasanError
from dasan.payments import services
from dasan.payments.models import Order, Payment, Refund

from .conftest import pay_by_card

THREADS = 8


def _race(work) -> tuple[list, list]:
    results, errors = [], []
    barrier = threading.Barrier(THREADS)

    def run():
        try:
            barrier.wait()
            results.append(work())
        except DasanError as exc:
            errors.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - anything else fails the test below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def _need_postgres(is_postgres):
    if not is_postgres:
        # SQLite's shared-cache test database fails concurrent writers ("table is
        # locked") instead of making them wait, so the race cannot be run there.
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_charge_once(make_order, fake_toss, calls, is_postgres):
    _need_postgres(is_postgres)
    order = make_order()
    params = pay_by_card(order, fake_toss)
    results, errors = _race(lambda: services.confirm_payment(Order.objects.get(pk=order.pk), params).pk)
    assert errors == []
    assert len(results) == THREADS and len(set(results)) == 1
    assert Payment.objects.filter(order=order).count() == 1
    assert fake_toss.charges() == 1
    assert calls.paid == [order.public_id]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_staff_marks_pay_once(make_order, staff, calls, is_postgres):
    _need_postgres(is_postgres)
    order = make_order()
    results, errors = _race(lambda: services.mark_paid_at_office(order, actor=staff).pk)
    assert len(results) == 1 and errors == ["already_paid"] * (THREADS - 1)
    assert Payment.objects.filter(order=order).count() == 1
    assert calls.paid == [order.public_id]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_what_was_paid(make_order, fake_toss, staff, calls, is_postgres):
    _need_postgres(is_postgres)
    order = make_order()  # 35,000원
    payment = services.confirm_payment(order, pay_by_card(order, fake_toss))
    results, errors = _race(lambda: services.refund(order, 10000, "동시 환불", actor=staff).amount)
    assert results == [10000] * 3
    assert errors == ["refund_exceeds_paid"] * (THREADS - 3)
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.refunded_amount == payment.refunded_amount == 30000
    assert Refund.objects.filter(status="done").count() == 3
    assert fake_toss.cancels() == 3
    assert fake_toss.payments[payment.provider_reference]["balanceAmount"] == 5000
    assert len(calls.refunded) == 3
