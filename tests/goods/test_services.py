"""Ordering garbage bags through the services, with the real payments app (office
provider) underneath: limits, stock reservation, payment outcomes, delivery status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core.errors import DasanError
from dasan.core.idempotency import IdempotencyMismatch
from dasan.core.models import AuditEvent
from dasan.goods import selectors, services
from dasan.goods.models import OrderStatus, Product
from dasan.notify.models import Message
from dasan.payments import services as payments
from dasan.payments.models import Order as PaymentOrder

pytestmark = pytest.mark.django_db


def _stock(product) -> int:
    return Product.objects.get(pk=product.pk).stock


def _payment(order) -> PaymentOrder:
    return PaymentOrder.objects.get(public_id=order.payment_order)


def test_order_reserves_stock_and_asks_for_payment_at_city_prices(resident, bags, food, home):
    order = services.place_order({"general-20": 2, "food-3": 1}, home, actor=resident)

    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert order.total_amount == 2 * 5_700 + 2_600
    assert _stock(bags) == 98 and _stock(food) == 49
    payment = _payment(order)
    assert payment.purpose == "goods" and payment.total_amount == order.total_amount
    assert selectors.payment_url(order) == f"/payments/{payment.public_id}/"


def test_price_follows_the_effective_date(resident, bags, home):
    today = timezone.localdate()
    services.set_price(bags, 9_999, today + dt.timedelta(days=1))  # announced, not yet in force
    assert services.place_order({"general-20": 1}, home, actor=resident).total_amount == 5_700
    services.set_price(bags, 6_000, today)
    assert services.place_order({"general-20": 1}, home, actor=resident).total_amount == 6_000


def test_monthly_limit_per_household_is_refused_in_korean(resident, bags, home):
    services.place_order({"general-20": 2}, home, actor=resident)

    with pytest.raises(DasanError) as refused:
        services.place_order({"general-20": 2}, home, actor=resident)

    assert refused.value.code == "monthly_limit" and refused.value.status == 409
    assert "한 달에 3묶음까지" in str(refused.value.message)
    assert "1묶음" in str(refused.value.message)  # what is still allowed
    assert _stock(bags) == 98  # the refused order reserved nothing
    services.place_order({"general-20": 1}, home, actor=resident)  # the rest of the month's allowance


def test_limit_counts_per_household_not_per_city(make_resident, bags, home):
    first, second = make_resident(), make_resident()
    services.place_order({"general-20": 3}, home, actor=first)
    assert services.place_order({"general-20": 3}, home, actor=second).total_amount == 3 * 5_700


def test_cancelled_orders_do_not_count_against_the_limit(resident, bags, home):
    order = services.place_order({"general-20": 3}, home, actor=resident)
    services.cancel_order(order, actor=resident)
    services.place_order({"general-20": 3}, home, actor=resident)


def test_last_months_orders_do_not_count(resident, bags, home):
    order = services.place_order({"general-20": 3}, home, actor=resident)
    start, _end = selectors.month_bounds()
    type(order).objects.filter(pk=order.pk).update(created_at=start - dt.timedelta(hours=1))
    services.place_order({"general-20": 3}, home, actor=resident)


def test_more_than_the_stock_is_refused(resident, make_product, home):
    make_product("general-75", name="일반용 종량제봉투 75ℓ", stock=1, monthly_limit=None)
    with pytest.raises(DasanError) as refused:
        services.place_order({"general-75": 2}, home, actor=resident)
    assert refused.value.code == "out_of_stock" and "남은 수량: 1묶음" in str(refused.value.message)


@pytest.mark.parametrize(
    "items, code",
    [
        ({"general-20": 0}, "empty_order"),
        ({}, "empty_order"),
        ({"general-20": -1}, "invalid_quantity"),
        ({"general-20": "1.5"}, "invalid_quantity"),
        ({"general-20": "두 개"}, "invalid_quantity"),
        ({"general-20": 100}, "invalid_quantity"),
        ({"no-such-bag": 1}, "unknown_product"),
    ],
)
def test_bad_items_are_refused(resident, bags, home, items, code):
    with pytest.raises(DasanError) as refused:
        services.place_order(items, home, actor=resident)
    assert refused.value.code == code
    assert _stock(bags) == 100


def test_withdrawn_product_cannot_be_ordered(resident, bags, home):
    Product.objects.filter(pk=bags.pk).update(is_active=False)
    with pytest.raises(DasanError) as refused:
        services.place_order({"general-20": 1}, home, actor=resident)
    assert refused.value.code == "unknown_product"


def test_delivery_address_and_phone_are_required(resident, bags):
    with pytest.raises(DasanError) as refused:
        services.place_order({"general-20": 1}, services.Delivery("김주민", "010-1234-5678", ""), actor=resident)
    assert refused.value.details["field"] == "address"
    with pytest.raises(DasanError) as refused:
        services.place_order({"general-20": 1}, services.Delivery("김주민", "12", "데모시 중앙로 12"), actor=resident)
    assert refused.value.details["field"] == "phone"


def test_staff_cannot_order_as_a_household(staff, bags, home):
    with pytest.raises(DasanError) as refused:
        services.place_order({"general-20": 1}, home, actor=staff)
    assert refused.value.status == 403


def test_same_key_orders_once(resident, bags, home):
    first = services.place_order({"general-20": 1}, home, idempotency_key="form-abc", actor=resident)
    again = services.place_order({"general-20": 1}, home, idempotency_key="form-abc", actor=resident)

    assert again.pk == first.pk
    assert resident.goods_orders.count() == 1 and PaymentOrder.objects.filter(purpose="goods").count() == 1
    assert _stock(bags) == 99
    with pytest.raises(IdempotencyMismatch):
        services.place_order({"general-20": 2}, home, idempotency_key="form-abc", actor=resident)


def test_paid_order_is_confirmed_and_the_resident_told(resident, bags, home, staff):
    order = services.place_order({"general-20": 1}, home, actor=resident)

    payments.mark_paid_at_office(_payment(order), actor=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    message = Message.objects.get(recipient=resident, template_key="goods.received")
    assert order.number in message.body and "5,700원" in message.body


def test_expired_payment_releases_the_stock(resident, bags, home):
    order = services.place_order({"general-20": 3}, home, actor=resident)
    assert _stock(bags) == 97
    PaymentOrder.objects.filter(public_id=order.payment_order).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    assert payments.expire_stale_orders() == 1

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert _stock(bags) == 100
    assert order.events.last().note == "결제 기한 지남"
    payments.expire_stale_orders()  # nothing released twice
    assert _stock(bags) == 100


def test_resident_cancel_before_payment_releases_stock(resident, bags, home):
    order = services.place_order({"general-20": 2}, home, actor=resident)
    services.cancel_order(order, actor=resident)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and _stock(bags) == 100
    assert _payment(order).status == "cancelled"
    services.cancel_order(order, actor=resident)  # again: nothing more happens
    assert _stock(bags) == 100


def test_cancel_after_payment_refunds_in_full(resident, bags, home, staff):
    order = services.place_order({"general-20": 2}, home, actor=resident)
    payments.mark_paid_at_office(_payment(order), actor=staff)

    services.cancel_order(order, actor=resident)

    order.refresh_from_db()
    payment = _payment(order)
    assert order.status == OrderStatus.CANCELLED and _stock(bags) == 100
    assert payment.refunded_amount == payment.paid_amount == 11_400
    assert Message.objects.filter(recipient=resident, template_key="goods.cancelled").exists()


def test_resident_cannot_cancel_once_preparation_started(resident, bags, home, staff):
    order = services.place_order({"general-20": 1}, home, actor=resident)
    payments.mark_paid_at_office(_payment(order), actor=staff)
    services.change_status(order, OrderStatus.PREPARING, actor=staff)
    with pytest.raises(DasanError) as refused:
        services.cancel_order(order, actor=resident)
    assert refused.value.code == "cannot_cancel"


def test_delivery_status_changes_notify_the_resident(resident, bags, home, staff):
    order = services.place_order({"general-20": 1}, home, actor=resident)
    payments.mark_paid_at_office(_payment(order), actor=staff)

    for status in (OrderStatus.PREPARING, OrderStatus.SHIPPING, OrderStatus.DELIVERED):
        services.change_status(order, status, actor=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    keys = list(Message.objects.filter(recipient=resident).order_by("pk").values_list("template_key", flat=True))
    assert keys == ["goods.received", "goods.preparing", "goods.shipping", "goods.delivered"]
    assert "배송이 완료되었습니다" in Message.objects.get(template_key="goods.delivered").body
    assert AuditEvent.objects.filter(action="goods.order.status", actor=staff).count() == 3


def test_message_is_in_the_residents_language(make_resident, bags, home, staff):
    viet = make_resident(language="vi")
    order = services.place_order({"general-20": 1}, home, actor=viet)
    payments.mark_paid_at_office(_payment(order), actor=staff)
    assert "đã được thanh toán" in Message.objects.get(recipient=viet).body


def test_status_cannot_skip_steps_or_be_set_before_payment(resident, bags, home, staff):
    order = services.place_order({"general-20": 1}, home, actor=resident)
    with pytest.raises(DasanError) as refused:
        services.change_status(order, OrderStatus.PREPARING, actor=staff)
    assert refused.value.code == "invalid_transition" and "결제 대기" in str(refused.value.message)
    payments.mark_paid_at_office(_payment(order), actor=staff)
    with pytest.raises(DasanError):
        services.change_status(order, OrderStatus.DELIVERED, actor=staff)
    with pytest.raises(DasanError) as refused:
        services.change_status(order, OrderStatus.PREPARING, actor=resident)
    assert refused.value.status == 403


def test_stock_adjustment_is_audited_and_never_below_zero(bags, staff, resident):
    services.adjust_stock(bags, "50", actor=staff, reason="3월 입고")
    assert _stock(bags) == 150
    event = AuditEvent.objects.get(action="goods.stock.adjust")
    assert event.actor == staff and event.reason == "3월 입고" and event.data["delta"] == 50

    with pytest.raises(DasanError) as refused:
        services.adjust_stock(bags, -151, actor=staff, reason="파손")
    assert refused.value.code == "stock_negative" and "현재 재고: 150묶음" in str(refused.value.message)
    with pytest.raises(DasanError) as refused:
        services.adjust_stock(bags, -1, actor=staff, reason="  ")
    assert refused.value.code == "reason_required"
    with pytest.raises(DasanError) as refused:
        services.adjust_stock(bags, 5, actor=resident, reason="입고")
    assert refused.value.status == 403
    assert _stock(bags) == 150


def test_database_refuses_negative_stock(bags):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(pk=bags.pk).update(stock=-1)


def test_demo_loads_once(db):
    from dasan.goods.demo import load_demo

    first = load_demo()
    Product.objects.filter(code="general-20").update(stock=7)
    second = load_demo()
    assert [p.pk for p in first] == [p.pk for p in second]
    assert Product.objects.get(code="general-20").stock == 7
    catalogue = dict((p.code, price) for p, price in selectors.catalogue())
    assert catalogue["general-20"] == 5_700 and catalogue["food-2"] == 1_800
    assert len(catalogue) == 9


def test_full_refund_from_the_payments_desk_cancels_and_restocks(resident, bags, home, staff):
    order = services.place_order({"general-20": 2}, home, actor=resident)
    payment = _payment(order)
    payments.mark_paid_at_office(payment, actor=staff)

    payments.refund(payment, 5_700, "봉투 1묶음 파손", actor=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED and _stock(bags) == 98  # partial: still delivered

    payments.refund(payment, None, "주민 요청", actor=staff)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and _stock(bags) == 100
    assert order.events.last().note == "주민 요청"


def test_the_selling_department_handles_the_orders_payment(bags, food, home, resident, departments, make_staff):
    """Issue 15, item 3: the products' department (``Product.department``, 청소행정과) owns the
    payment order; products of several departments, or of none, leave it to city-wide staff."""
    from dasan.payments import selectors as payment_selectors

    Product.objects.filter(pk=bags.pk).update(department=departments["waste"])
    order = PaymentOrder.objects.get(
        public_id=services.place_order({"general-20": 1}, home, actor=resident).payment_order
    )
    assert order.department == departments["waste"]
    assert payment_selectors.can_handle(make_staff("bag-clerk", department=departments["waste"]), order)
    assert not payment_selectors.can_handle(make_staff("roads", department=departments["roads"]), order)
    mixed = services.place_order({"general-20": 1, "food-3": 1}, home, actor=resident)
    assert PaymentOrder.objects.get(public_id=mixed.payment_order).department is None
