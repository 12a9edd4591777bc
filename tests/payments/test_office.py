"""Pay at the office / virtual account: the demo's provider."""

from __future__ import annotations

import json

import pytest

from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent
from dasan.payments import selectors, services
from dasan.payments.models import OrderStatus, Payment, PaymentStatus
from dasan.payments.providers.office import sign

pytestmark = pytest.mark.django_db


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 1:
            n = n * 2 - 9 if n * 2 > 9 else n * 2
        total += n
    return total % 10 == 0


def test_virtual_account_is_the_same_for_an_order_and_differs_between_orders(make_order):
    order, other = make_order(), make_order()
    step = services.start_payment(order)
    again = services.start_payment(order)
    assert step.kind == "virtual_account"
    assert step.account_number == again.account_number
    assert step.account_number != services.start_payment(other).account_number
    digits = step.account_number.replace("-", "")
    assert digits.startswith("790") and len(digits) == 14 and _luhn_ok(digits)
    assert step.bank == "NH농협은행"
    assert step.deadline == order.expires_at
    order.refresh_from_db()
    assert order.provider_data["account_number"] == step.account_number


def test_staff_mark_paid_once_and_owner_told_once(make_order, staff, calls):
    order = make_order()
    payment = services.mark_paid_at_office(order, actor=staff, method="cash", note="민원실 1번 창구")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.paid_amount == 35000 and order.paid_at
    assert (payment.amount, payment.method, payment.received_by, payment.status) == (
        35000,
        "cash",
        staff,
        PaymentStatus.APPROVED,
    )
    assert calls.paid == [order.public_id]
    # The double click at the counter.
    with pytest.raises(DasanError) as caught:
        services.mark_paid_at_office(order, actor=staff)
    assert caught.value.code == "already_paid" and caught.value.status == 409
    assert Payment.objects.filter(order=order).count() == 1
    assert calls.paid == [order.public_id]
    event = AuditEvent.objects.get(action="payments.payment.office")
    assert event.actor == staff and event.data["amount"] == 35000


def test_residents_cannot_mark_orders_paid(make_order, resident):
    order = make_order()
    with pytest.raises(DasanError) as caught:
        services.mark_paid_at_office(order, actor=resident)
    assert caught.value.status == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def _deposit(client, order, amount, *, transaction="TX-1", secret="deposit-secret", signature=None):
    body = json.dumps(
        {
            "orderId": order.public_id,
            "amount": amount,
            "transactionId": transaction,
            "depositedAt": "2025-03-14T10:15:00+09:00",
        }
    ).encode()
    return client.post(
        "/payments/webhooks/office/",
        data=body,
        content_type="application/json",
        headers={"X-Dasan-Signature": signature or sign(body, secret)},
    )


def test_signed_deposit_notice_pays_the_order_once(client, make_order, calls):
    order = make_order()
    response = _deposit(client, order, 35000)
    assert response.status_code == 200 and response.json() == {"ok": True, "order": order.public_id, "status": "paid"}
    # The bank's relay sends the same notice again.
    assert _deposit(client, order, 35000).json()["ok"] is True
    payment = Payment.objects.get(order=order)
    assert (payment.method, payment.provider_reference) == ("virtual_account", "deposit-TX-1")
    assert calls.paid == [order.public_id]


def test_deposit_with_bad_signature_changes_nothing(client, make_order):
    order = make_order()
    response = _deposit(client, order, 35000, secret="guessed")
    assert response.status_code == 403 and response.json()["error"]["code"] == "invalid_signature"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_deposit_of_the_wrong_amount_is_left_for_staff(client, make_order, calls):
    order = make_order()
    response = _deposit(client, order, 30000)
    assert response.status_code == 200
    assert response.json()["ok"] is False and response.json()["error"]["code"] == "amount_mismatch"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and calls.paid == []
    refused = AuditEvent.objects.get(action="payments.webhook.refused")
    assert refused.data["amount"] == 30000


def test_office_refunds_partial_then_the_rest_never_more(make_order, staff, calls):
    order = make_order()
    services.mark_paid_at_office(order, actor=staff)
    first = services.refund(order, 10000, "품목 1개 취소", actor=staff)
    order.refresh_from_db()
    assert (order.status, order.refunded_amount, selectors.refundable_amount(order)) == (
        "partially_refunded",
        10000,
        25000,
    )
    with pytest.raises(DasanError) as caught:
        services.refund(order, 25001, "너무 많이", actor=staff)
    assert caught.value.code == "refund_exceeds_paid"
    assert caught.value.details["refundable"] == 25000
    rest = services.refund(order, None, "수거 전 전체 취소", actor=staff)
    order.refresh_from_db()
    payment = Payment.objects.get(order=order)
    assert (first.amount, rest.amount) == (10000, 25000)
    assert (order.status, order.refunded_amount, payment.refunded_amount, payment.status) == (
        "refunded",
        35000,
        35000,
        "refunded",
    )
    assert calls.refunded == [(order.public_id, 10000), (order.public_id, 25000)]
    with pytest.raises(DasanError) as caught:
        services.refund(order, 1, "또", actor=staff)
    assert caught.value.code == "refund_exceeds_paid"
    assert AuditEvent.objects.filter(action="payments.refund").count() == 2


def test_refund_of_an_unpaid_order_or_bad_amount_is_refused(make_order, staff):
    order = make_order()
    with pytest.raises(DasanError) as caught:
        services.refund(order, 1000, "x", actor=staff)
    assert caught.value.code == "not_paid"
    services.mark_paid_at_office(order, actor=staff)
    for amount in (0, -5, True, 1.5):
        with pytest.raises(DasanError) as caught:
            services.refund(order, amount, "x", actor=staff)
        assert caught.value.code == "invalid_amount"
