"""The payer's checkout page, the card PG's return URLs and the staff pages."""

from __future__ import annotations

import pytest

from dasan.core.models import AuditEvent
from dasan.payments import selectors, services
from dasan.payments.models import OrderStatus, Payment

pytestmark = pytest.mark.django_db


def test_checkout_shows_lines_total_and_the_virtual_account(client, make_order, resident):
    order = make_order(return_url="/waste/W-1/")
    client.force_login(resident)
    page = client.get(f"/payments/{order.public_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "소파 3인용" in html and "냉장고 300ℓ 이상" in html and "35,000원" in html
    assert 'href="/waste/W-1/"' in html
    # Both ways of paying are offered, each with a label.
    assert 'for="provider-office"' in html and 'for="provider-tosspayments"' in html
    response = client.post(f"/payments/{order.public_id}/start/", {"provider": "office"})
    assert response.status_code == 302 and response["Location"] == f"/payments/{order.public_id}/"
    html = client.get(f"/payments/{order.public_id}/").content.decode()
    account = selectors.next_step(type(order).objects.get(pk=order.pk)).account_number
    assert "입금하실 계좌" in html and account in html and "NH농협은행" in html


def test_checkout_is_private_to_the_payer(client, make_order, make_resident):
    order = make_order()
    assert client.get(f"/payments/{order.public_id}/").status_code == 302  # to sign-in
    client.force_login(make_resident())
    assert client.get(f"/payments/{order.public_id}/").status_code == 404
    assert client.post(f"/payments/{order.public_id}/start/", {"provider": "office"}).status_code == 404


def test_card_flow_through_the_pages(client, make_order, resident, fake_toss, calls):
    order = make_order()
    client.force_login(resident)
    response = client.post(f"/payments/{order.public_id}/start/", {"provider": "tosspayments"})
    assert response.status_code == 302 and response["Location"].startswith(fake_toss.base_url)
    created = fake_toss.requests[-1]["json"]
    assert created["successUrl"] == f"http://testserver/payments/{order.public_id}/return/success/"
    key = fake_toss.open_window(order)
    success = f"/payments/{order.public_id}/return/success/?paymentKey={key}&orderId={order.public_id}&amount=35000"
    response = client.get(success, follow=True)
    assert "결제가 완료되었습니다." in response.content.decode()
    assert "결제 결과" in response.content.decode()
    # Reloading the return page (or the double click that caused it) charges nothing more.
    client.get(success, follow=True)
    assert fake_toss.charges() == 1 and Payment.objects.filter(order=order).count() == 1
    assert calls.paid == [order.public_id]


def test_tampered_return_url_is_refused_with_a_message(client, make_order, resident, fake_toss):
    order = make_order()
    client.force_login(resident)
    client.post(f"/payments/{order.public_id}/start/", {"provider": "tosspayments"})
    key = fake_toss.open_window(order)
    response = client.get(
        f"/payments/{order.public_id}/return/success/?paymentKey={key}&orderId={order.public_id}&amount=100",
        follow=True,
    )
    assert "결제 금액이 주문 금액과 다릅니다" in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING


def test_fail_return_shows_our_message_not_the_query_text(client, make_order, resident):
    order = make_order()
    client.force_login(resident)
    response = client.get(
        f"/payments/{order.public_id}/return/fail/?code=PAY_PROCESS_CANCELED&message=Call+010-1234-5678", follow=True
    )
    html = response.content.decode()
    assert "결제를 취소하셨습니다." in html and "010-1234-5678" not in html


def test_expired_order_page_says_so_and_offers_no_payment(client, make_order, resident):
    order = make_order()
    type(order).objects.filter(pk=order.pk).update(expires_at=order.created_at)
    services.expire_stale_orders()
    client.force_login(resident)
    html = client.get(f"/payments/{order.public_id}/").content.decode()
    assert "결제 기한이 지나" in html and 'name="provider"' not in html


def test_staff_pages_mark_paid_and_refund(client, make_order, staff, resident, calls):
    order = make_order()
    client.force_login(resident)
    assert client.get("/payments/staff/").status_code == 403
    client.force_login(staff)
    listing = client.get("/payments/staff/", {"q": order.public_id}).content.decode()
    assert order.public_id in listing
    detail = client.get(f"/payments/staff/{order.public_id}/")
    assert detail.status_code == 200 and "35,000원 수납 처리" in detail.content.decode()
    assert AuditEvent.objects.filter(action="personal_record.read", actor=staff, target_id=str(order.pk)).exists()
    response = client.post(f"/payments/staff/{order.public_id}/mark-paid/", {"method": "card_terminal"}, follow=True)
    assert "수납 처리했습니다." in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and calls.paid == [order.public_id]
    response = client.post(
        f"/payments/staff/{order.public_id}/refund/", {"amount": "40,000", "reason": "과다"}, follow=True
    )
    assert "환불 가능한 금액(35,000원)보다 큽니다" in response.content.decode()
    response = client.post(
        f"/payments/staff/{order.public_id}/refund/", {"amount": "5,000", "reason": "품목 취소"}, follow=True
    )
    assert "5,000원을 환불했습니다." in response.content.decode()
    order.refresh_from_db()
    assert order.refunded_amount == 5000


def test_anonymous_staff_page_goes_to_staff_sign_in(client):
    response = client.get("/payments/staff/")
    assert response.status_code == 302 and "/accounts/staff/login/" in response["Location"]


def test_admin_is_read_only_and_its_actions_go_through_the_services(client, make_order, make_staff, calls):
    from dasan.accounts.models import Role

    admin_user = make_staff("cityadmin", role=Role.ADMIN, is_staff=True, is_superuser=True)
    order = make_order()
    client.force_login(admin_user)
    assert client.get("/admin/payments/order/").status_code == 200
    page = client.get(f"/admin/payments/order/{order.pk}/change/")
    assert page.status_code == 200 and 'name="total_amount"' not in page.content.decode()
    assert client.get("/admin/payments/order/add/").status_code == 403
    response = client.post(
        "/admin/payments/order/", {"action": "mark_paid_cash", "_selected_action": [order.pk]}, follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and calls.paid == [order.public_id]
    client.post("/admin/payments/order/", {"action": "refund_all", "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_amount == 35000
