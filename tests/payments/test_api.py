"""The payments API: reading an order, starting and confirming its payment."""

from __future__ import annotations

import pytest

from dasan.payments.models import OrderStatus, Payment

from .conftest import pay_by_card

pytestmark = pytest.mark.django_db


def test_payer_reads_the_order(client, make_order, resident):
    order = make_order()
    client.force_login(resident)
    body = client.get(f"/api/v1/payments/orders/{order.public_id}").json()
    assert body["total_amount"] == 35000 and body["status"] == "pending"
    assert [l["amount"] for l in body["lines"]] == [15000, 20000]
    assert body["next_step"] is None


def test_others_get_the_error_envelope(client, make_order, make_resident):
    order = make_order()
    assert client.get(f"/api/v1/payments/orders/{order.public_id}").status_code == 401
    client.force_login(make_resident())
    response = client.get(f"/api/v1/payments/orders/{order.public_id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "order_not_found"


def test_start_returns_the_virtual_account(client, make_order, resident):
    order = make_order()
    client.force_login(resident)
    body = client.post(
        f"/api/v1/payments/orders/{order.public_id}/start", {"provider": "office"}, content_type="application/json"
    ).json()
    assert body["kind"] == "virtual_account" and body["account_number"].startswith("790-")
    assert (
        client.get(f"/api/v1/payments/orders/{order.public_id}").json()["next_step"]["account_number"]
        == body["account_number"]
    )


def test_confirm_with_idempotency_key_replays_and_charges_once(client, make_order, resident, fake_toss, calls):
    order = make_order()
    client.force_login(resident)
    params = pay_by_card(order, fake_toss)
    url = f"/api/v1/payments/orders/{order.public_id}/confirm"
    first = client.post(url, {"params": params}, content_type="application/json", headers={"Idempotency-Key": "k1"})
    again = client.post(url, {"params": params}, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["amount"] == 35000
    assert again["Idempotent-Replayed"] == "true"
    # A double click without a key is safe too.
    assert client.post(url, {"params": params}, content_type="application/json").status_code == 200
    assert fake_toss.charges() == 1 and Payment.objects.filter(order=order).count() == 1
    assert calls.paid == [order.public_id]


def test_confirm_errors_come_as_envelopes(client, make_order, resident, fake_toss):
    order = make_order()
    client.force_login(resident)
    params = pay_by_card(order, fake_toss)
    url = f"/api/v1/payments/orders/{order.public_id}/confirm"
    response = client.post(url, {"params": params | {"amount": 1}}, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "amount_mismatch"
    # The counter provider cannot be "confirmed" by the payer: only staff say it was paid.
    response = client.post(url, {"provider": "office", "params": {"amount": 35000}}, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "unknown_provider"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_payer_cannot_confirm_an_office_order_by_themselves(client, make_order, resident):
    order = make_order()  # the office provider
    client.force_login(resident)
    response = client.post(
        f"/api/v1/payments/orders/{order.public_id}/confirm",
        {"params": {"amount": 35000, "reference": "x"}},
        content_type="application/json",
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_provider_outage_is_not_stored_under_the_key(client, make_order, resident, fake_toss):
    order = make_order()
    client.force_login(resident)
    params = pay_by_card(order, fake_toss)
    url = f"/api/v1/payments/orders/{order.public_id}/confirm"
    fake_toss.fail_next = [(500, "UNKNOWN_PAYMENT_ERROR"), (500, "UNKNOWN_PAYMENT_ERROR")]
    response = client.post(url, {"params": params}, content_type="application/json", headers={"Idempotency-Key": "k2"})
    assert response.status_code == 503 and response.json()["error"]["code"] == "provider_unavailable"
    retry = client.post(url, {"params": params}, content_type="application/json", headers={"Idempotency-Key": "k2"})
    assert retry.status_code == 200 and retry.json()["status"] == "approved"
