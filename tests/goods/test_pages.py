"""The shop's pages: a resident orders from the catalogue form, follows and cancels the
order; staff move deliveries along and adjust stock. Staff pages are for staff only."""

from __future__ import annotations

import re

import pytest

from dasan.core.models import AuditEvent
from dasan.goods import services
from dasan.goods.models import Order, OrderStatus, Product
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.payments.models import Order as PaymentOrder

from ..web.html_checks import accessibility_problems

pytestmark = pytest.mark.django_db

FORM = {"recipient_name": "김주민", "phone": "010-1234-5678", "address": "데모시 중앙로 12", "address_detail": "101동"}


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_catalogue_shows_prices_stock_and_limits(client, bags, food):
    response = client.get("/goods/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "일반용 종량제봉투 20ℓ" in html and "5,700원" in html and "재고 100묶음" in html
    assert "월 3묶음까지" in html
    assert "로그인하고 주문하기" in html  # anonymous visitors see the goods but sign in to order
    assert accessibility_problems(html) == []


def test_resident_orders_then_pays_and_double_submit_orders_once(resident_client, resident, bags, food):
    page = resident_client.get("/goods/").content.decode()
    assert "이번 달 3묶음 남음" in page
    form = {**FORM, "token": _token(page), "qty-general-20": "2", "qty-food-3": ""}

    first = resident_client.post("/goods/", form)
    second = resident_client.post("/goods/", form)  # the double click

    order = Order.objects.get(resident=resident)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/payments/{order.payment_order}/"
    assert Product.objects.get(pk=bags.pk).stock == 98
    assert PaymentOrder.objects.filter(payer=resident).count() == 1
    mine = resident_client.get("/goods/orders/").content.decode()
    assert order.number in mine and "결제 대기" in mine and "11,400원" in mine
    assert accessibility_problems(mine) == []


def test_limit_refusal_is_shown_on_the_form(resident_client, resident, bags, home):
    services.place_order({"general-20": 3}, home, actor=resident)
    page = resident_client.get("/goods/").content.decode()
    assert "이번 달 0묶음 남음" in page
    response = resident_client.post("/goods/", {**FORM, "token": _token(page), "qty-general-20": "1"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "한 가구가 한 달에 3묶음까지 주문할 수 있습니다" in html
    assert 'value="데모시 중앙로 12"' in html  # what was typed is kept
    assert accessibility_problems(html) == []


def test_tampered_price_field_is_ignored(resident_client, resident, bags):
    page = resident_client.get("/goods/").content.decode()
    resident_client.post("/goods/", {**FORM, "token": _token(page), "qty-general-20": "1", "price-general-20": "1"})
    assert Order.objects.get(resident=resident).total_amount == 5_700


def test_resident_sees_progress_and_can_cancel(resident_client, resident, bags, home):
    order = services.place_order({"general-20": 1}, home, actor=resident)
    html = resident_client.get(f"/goods/orders/{order.number}/").content.decode()
    assert "결제하기" in html and "주문 취소" in html
    assert accessibility_problems(html) == []

    resident_client.post(f"/goods/orders/{order.number}/cancel/")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Product.objects.get(pk=bags.pk).stock == 100


def test_another_residents_order_is_not_found(client, make_resident, bags, home):
    owner, other = make_resident(), make_resident()
    order = services.place_order({"general-20": 1}, home, actor=owner)
    client.force_login(other)
    assert client.get(f"/goods/orders/{order.number}/").status_code == 404
    assert client.post(f"/goods/orders/{order.number}/cancel/").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT


@pytest.mark.parametrize("url", ["/goods/staff/", "/goods/staff/stock/"])
def test_staff_pages_are_guarded(client, resident, url):
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/accounts/staff/login/" in anonymous["Location"]
    client.force_login(resident)
    assert client.get(url).status_code == 403
    assert client.post("/goods/staff/stock/", {"product": "general-20", "delta": "5", "reason": "x"}).status_code == 403


def test_status_change_by_a_resident_is_refused(client, resident, bags, home, staff):
    order = services.place_order({"general-20": 1}, home, actor=resident)
    payments.mark_paid_at_office(PaymentOrder.objects.get(public_id=order.payment_order), actor=staff)
    client.force_login(resident)
    assert client.post(f"/goods/staff/orders/{order.number}/status/", {"status": "preparing"}).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED


def test_staff_delivers_from_the_list_and_the_resident_is_told(staff_client, staff, resident, bags, home):
    order = services.place_order({"general-20": 1}, home, actor=resident)
    unpaid = services.place_order(
        {"general-20": 1},
        services.Delivery("박주민", "01099998888", "데모시 다른로 3"),
        actor=resident,
    )
    payments.mark_paid_at_office(PaymentOrder.objects.get(public_id=order.payment_order), actor=staff)

    html = staff_client.get("/goods/staff/").content.decode()
    assert order.number in html and "데모시 중앙로 12" in html
    assert unpaid.number not in html  # not paid: nothing to deliver yet
    assert "배송 준비(으)로" in html
    assert accessibility_problems(html) == []
    assert AuditEvent.objects.filter(action="personal_record.read", actor=staff, target_id=str(order.pk)).exists()

    for status in ("preparing", "shipping", "delivered"):
        response = staff_client.post(
            f"/goods/staff/orders/{order.number}/status/", {"status": status, "filter": "open"}
        )
        assert response.status_code == 302

    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert Message.objects.filter(recipient=resident, template_key="goods.delivered").exists()
    assert f'id="order-{order.number}"' not in staff_client.get("/goods/staff/").content.decode()


def test_staff_adjusts_stock_with_a_reason(staff_client, staff, bags):
    response = staff_client.post("/goods/staff/stock/", {"product": "general-20", "delta": "-101", "reason": "파손"})
    assert response.status_code == 400 and "재고보다 많이 뺄 수 없습니다" in response.content.decode()

    response = staff_client.post("/goods/staff/stock/", {"product": "general-20", "delta": "40", "reason": "4월 입고"})
    assert response.status_code == 302
    assert Product.objects.get(pk=bags.pk).stock == 140
    html = staff_client.get("/goods/staff/stock/").content.decode()
    assert "4월 입고" in html and "+40" in html
    assert accessibility_problems(html) == []
    assert AuditEvent.objects.filter(action="goods.stock.adjust", actor=staff).count() == 1


def test_api_orders_once_per_idempotency_key(resident_client, resident, bags):
    body = {"items": [{"product": "general-20", "quantity": 1}], **FORM}
    first = resident_client.post(
        "/api/v1/goods/orders", body, content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    again = resident_client.post(
        "/api/v1/goods/orders", body, content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert first.json()["total_amount"] == 5_700
    assert Order.objects.filter(resident=resident).count() == 1

    refused = resident_client.post(
        "/api/v1/goods/orders",
        {**body, "items": [{"product": "general-20", "quantity": 9}]},
        content_type="application/json",
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "monthly_limit"


def test_tiles_lead_to_the_shop_and_the_staff_page(client, resident, staff):
    client.force_login(resident)
    assert 'href="/goods/"' in client.get("/").content.decode()
    client.force_login(staff)
    assert 'href="/goods/staff/"' in client.get("/staff/").content.decode()
