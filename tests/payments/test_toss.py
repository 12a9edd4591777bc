"""The Toss Payments adapter against a local server speaking its v1 API: the card flow,
double confirmation, the PG's error codes, timeouts, refunds and webhooks."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from dasan.core.errors import DasanError
from dasan.core.models import AuditEvent
from dasan.payments import services
from dasan.payments.models import OrderStatus, Payment, PaymentStatus, Refund, RefundStatus

from .conftest import SECRET_KEY, pay_by_card

pytestmark = pytest.mark.django_db


def _confirm_error(order, params) -> DasanError:
    with pytest.raises(DasanError) as caught:
        services.confirm_payment(order, params)
    return caught.value


def test_card_payment_start_and_confirm(make_order, fake_toss, calls):
    order = make_order()
    step = services.start_payment(order, provider="tosspayments")
    created = fake_toss.requests[-1]["json"]
    assert created == {
        "method": "CARD",
        "amount": 35000,
        "orderId": order.public_id,
        "orderName": "소파 3인용 외 1건",
        "successUrl": f"https://city.example/payments/{order.public_id}/return/success/",
        "failUrl": f"https://city.example/payments/{order.public_id}/return/fail/",
    }
    assert step.redirect_url.endswith("/checkout")
    key = fake_toss.open_window(order)
    payment = services.confirm_payment(order, {"paymentKey": key, "orderId": order.public_id, "amount": "35000"})
    assert fake_toss.requests[-1]["json"] == {"paymentKey": key, "orderId": order.public_id, "amount": 35000}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and order.provider == "tosspayments"
    assert (payment.provider_reference, payment.amount, payment.method) == (key, 35000, "card")
    # Secrets and card numbers from the PG's answer are not kept.
    assert payment.raw["secret"] == "***" and payment.raw["card"]["number"] == "***"
    assert payment.raw["status"] == "DONE"
    assert calls.paid == [order.public_id]


def test_double_confirm_charges_once(make_order, fake_toss, calls):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    first = services.confirm_payment(order, params)
    second = services.confirm_payment(order, params)
    assert first.pk == second.pk
    assert fake_toss.charges() == 1
    assert Payment.objects.filter(order=order).count() == 1
    assert calls.paid == [order.public_id]


def test_a_second_different_payment_for_a_paid_order_is_refused(make_order, fake_toss):
    order = make_order()
    services.confirm_payment(order, pay_by_card(order, fake_toss))
    error = _confirm_error(order, {"paymentKey": "tpk_other", "orderId": order.public_id, "amount": 35000})
    assert (error.code, error.status) == ("already_paid", 409)
    assert fake_toss.charges() == 1


def test_tampered_amount_is_refused_before_the_pg_is_asked(make_order, fake_toss):
    order = make_order()
    params = pay_by_card(order, fake_toss) | {"amount": "100"}
    error = _confirm_error(order, params)
    assert error.code == "amount_mismatch" and error.details["expected"] == 35000
    assert "/v1/payments/confirm" not in fake_toss.paths()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert AuditEvent.objects.filter(action="payments.payment.amount_mismatch").exists()


def test_pg_approving_another_amount_is_cancelled_at_once(make_order, fake_toss, calls):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    fake_toss.tamper_amount = 100
    error = _confirm_error(order, params)
    assert error.code == "amount_mismatch"
    assert fake_toss.cancels() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and calls.paid == []


def test_card_refused_is_a_clear_error_and_the_payer_can_try_again(make_order, fake_toss):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    fake_toss.fail_next = [(403, "REJECT_CARD_PAYMENT")]
    error = _confirm_error(order, params)
    assert error.code == "payment_failed" and error.details["provider_code"] == "REJECT_CARD_PAYMENT"
    assert "카드사에서 결제를 거절했습니다" in str(error.message)
    failed = Payment.objects.get(order=order)
    assert (failed.status, failed.failure_code) == (PaymentStatus.FAILED, "REJECT_CARD_PAYMENT")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    # Same window, another try: approved, and the failed attempt stays as a record.
    services.confirm_payment(order, params)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert list(order.payments.values_list("status", flat=True).order_by("id")) == ["failed", "approved"]


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (404, "NOT_FOUND_PAYMENT_SESSION", "payment_failed"),
        (400, "PROVIDER_ERROR", "provider_unavailable"),
        (500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "provider_unavailable"),
        (401, "UNAUTHORIZED_KEY", "provider_unavailable"),
    ],
)
def test_pg_error_codes_map_to_our_errors(make_order, fake_toss, status, code, expected):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    fake_toss.fail_next = [(status, code)] * 2  # the confirm, and a lookup after a 5xx
    error = _confirm_error(order, params)
    assert error.code == expected and error.details["provider_code"] == code
    assert error.status == (503 if expected == "provider_unavailable" else 400)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_wrong_secret_key_is_reported_as_unavailable_not_as_the_payers_fault(make_order, fake_toss, settings):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    settings.DASAN = {**settings.DASAN, "PAYMENTS_TOSS_SECRET_KEY": "live_sk_wrong"}
    error = _confirm_error(order, params)
    assert (error.code, error.details["provider_code"]) == ("provider_unavailable", "UNAUTHORIZED_KEY")
    assert "설정" in str(error.message)


def test_timeout_is_a_clear_error_and_the_retry_charges_once(make_order, fake_toss, settings, calls):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    settings.DASAN = {**settings.DASAN, "PAYMENTS_TOSS_TIMEOUT": 0.2}
    # The PG approves but answers too late, and the lookup that follows is slow too.
    fake_toss.delays = [0.6, 0.6]
    error = _confirm_error(order, params)
    assert (error.code, error.status) == ("provider_unavailable", 503)
    assert "다시 시도" in str(error.message)
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    fake_toss.wait_idle()
    assert fake_toss.charges() == 1  # the money was in fact taken
    # The payer tries again: the PG says ALREADY_PROCESSED_PAYMENT, we look it up.
    payment = services.confirm_payment(order, params)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.amount == 35000
    assert fake_toss.charges() == 1
    assert calls.paid == [order.public_id]


def test_unreachable_pg_is_a_clear_error(make_order, fake_toss, settings):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    settings.DASAN = {**settings.DASAN, "PAYMENTS_TOSS_BASE_URL": "http://127.0.0.1:9"}
    error = _confirm_error(order, params)
    assert (error.code, error.details["provider_code"]) == ("provider_unavailable", "CONNECTION_ERROR")


def test_expired_or_cancelled_orders_are_refused_before_charging(make_order, fake_toss):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    services.cancel_order(order, reason="신청 취소")
    assert _confirm_error(order, params).code == "order_cancelled"
    order = make_order()
    params = pay_by_card(order, fake_toss)
    type(order).objects.filter(pk=order.pk).update(expires_at=order.created_at)
    assert _confirm_error(order, params).code == "order_expired"
    assert "/v1/payments/confirm" not in fake_toss.paths()


def test_card_refunds_partial_and_full_through_the_pg(make_order, fake_toss, staff, calls):
    order = make_order()
    payment = services.confirm_payment(order, pay_by_card(order, fake_toss))
    services.refund(order, 5000, "품목 변경", actor=staff)
    cancel = fake_toss.requests[-1]
    assert cancel["path"] == f"/v1/payments/{payment.provider_reference}/cancel"
    assert cancel["json"] == {"cancelReason": "품목 변경", "cancelAmount": 5000}
    assert cancel["idempotency_key"]
    with pytest.raises(DasanError) as caught:
        services.refund(payment, 30001, "초과", actor=staff)
    assert caught.value.code == "refund_exceeds_paid"
    assert fake_toss.cancels() == 1  # refused before asking the PG
    services.refund(payment, None, "전체 취소", actor=staff)
    assert fake_toss.payments[payment.provider_reference]["balanceAmount"] == 0
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == ("refunded", 35000)
    assert calls.refunded == [(order.public_id, 5000), (order.public_id, 30000)]
    assert all(r.provider_reference for r in Refund.objects.all())


def test_refund_retried_after_a_timeout_is_paid_back_once(make_order, fake_toss, settings, staff):
    order = make_order()
    payment = services.confirm_payment(order, pay_by_card(order, fake_toss))
    settings.DASAN = {**settings.DASAN, "PAYMENTS_TOSS_TIMEOUT": 0.2}
    fake_toss.delays = [0.6]  # the PG cancels but the answer comes too late
    with pytest.raises(DasanError) as caught:
        services.refund(order, 10000, "부분 취소", actor=staff)
    assert caught.value.code == "provider_unavailable"
    assert Refund.objects.get().status == RefundStatus.FAILED
    order.refresh_from_db()
    assert order.refunded_amount == 0
    fake_toss.wait_idle()
    # Staff try again: same key, the PG answers with its first result.
    services.refund(order, 10000, "부분 취소", actor=staff)
    assert fake_toss.cancels() == 1
    assert fake_toss.payments[payment.provider_reference]["balanceAmount"] == 25000
    order.refresh_from_db()
    assert order.refunded_amount == 10000


def test_pg_refusing_a_refund_is_recorded(make_order, fake_toss, staff, calls):
    order = make_order()
    services.confirm_payment(order, pay_by_card(order, fake_toss))
    fake_toss.fail_next = [(403, "NOT_CANCELABLE_PAYMENT")]
    with pytest.raises(DasanError) as caught:
        services.refund(order, 1000, "취소", actor=staff)
    assert caught.value.code == "refund_failed" and "환불할 수 없는 결제" in str(caught.value.message)
    order.refresh_from_db()
    assert order.refunded_amount == 0 and calls.refunded == []
    assert Refund.objects.get().failure_code == "NOT_CANCELABLE_PAYMENT"
    assert AuditEvent.objects.filter(action="payments.refund.failed").exists()


def test_webhook_is_verified_by_asking_the_pg(client, make_order, fake_toss, calls):
    order = make_order()
    params = pay_by_card(order, fake_toss)
    forged = {
        "eventType": "PAYMENT_STATUS_CHANGED",
        "data": {"paymentKey": "tpk_forged", "orderId": order.public_id, "status": "DONE", "totalAmount": 35000},
    }
    response = client.post("/payments/webhooks/tosspayments/", data=json.dumps(forged), content_type="application/json")
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    # The payer's browser never came back, but the PG did approve (e.g. our answer was lost).
    token = base64.b64encode(f"{SECRET_KEY}:".encode()).decode()
    httpx.post(
        f"{fake_toss.base_url}/v1/payments/confirm",
        headers={"Authorization": f"Basic {token}"},
        json={"paymentKey": params["paymentKey"], "orderId": order.public_id, "amount": 35000},
    )
    genuine = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"paymentKey": params["paymentKey"], "status": "DONE"}}
    response = client.post(
        "/payments/webhooks/tosspayments/", data=json.dumps(genuine), content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "paid"
    assert calls.paid == [order.public_id]
    # The browser comes back after all: nothing more is charged.
    assert services.confirm_payment(order, params).provider_reference == params["paymentKey"]
    assert fake_toss.charges() == 1 and calls.paid == [order.public_id]
