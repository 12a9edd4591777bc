"""Creating orders: totals from lines, refusals of bad input, idempotency, who may see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.core.errors import DasanError
from dasan.core.idempotency import IdempotencyMismatch
from dasan.core.models import AuditEvent
from dasan.payments import selectors
from dasan.payments.models import Order, OrderStatus
from dasan.payments.services import Line

from .conftest import PURPOSE

pytestmark = pytest.mark.django_db


def test_order_total_is_the_sum_of_its_lines(make_order, resident):
    order = make_order()
    assert order.total_amount == 15000 + 2 * 10000
    assert order.status == OrderStatus.PENDING
    assert order.payer == resident
    assert [(l.name, l.unit_price, l.quantity, l.amount) for l in order.lines.all()] == [
        ("소파 3인용", 15000, 1, 15000),
        ("냉장고 300ℓ 이상", 10000, 2, 20000),
    ]
    assert order.title == "소파 3인용 외 1건"
    assert order.provider == "office"
    assert order.expires_at > timezone.now() + dt.timedelta(hours=23)
    assert order.get_absolute_url() == f"/payments/{order.public_id}/"
    assert AuditEvent.objects.filter(action="payments.order.create", target_id=str(order.pk)).exists()


def test_discount_line_lowers_the_total(make_order):
    order = make_order([Line("체육관 2시간", 40000, 1), ("관내 거주자 감면 50%", -20000, 1)])
    assert order.total_amount == 20000


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [Line("소파", 15000, 0)],
        [Line("소파", 15000, -1)],
        [Line("", 15000, 1)],
        [Line("소파", True, 1)],
        [Line("소파", "15,000", 1)],
        [Line("소파", 1000, 1), Line("할인", -5000, 1)],
    ],
    ids=["empty", "zero-qty", "negative-qty", "no-name", "bool-price", "text-price", "negative-total"],
)
def test_bad_lines_are_refused(make_order, lines):
    with pytest.raises(DasanError) as caught:
        make_order(lines)
    assert caught.value.code == "invalid_order"
    assert str(caught.value.message)
    assert Order.objects.count() == 0


def test_unknown_or_disabled_provider_is_refused(make_order, settings):
    with pytest.raises(DasanError) as caught:
        make_order(provider="bitcoin")
    assert caught.value.code == "unknown_provider"
    settings.DASAN = {**settings.DASAN, "PAYMENTS_PROVIDERS": "office"}
    with pytest.raises(DasanError) as caught:
        make_order(provider="tosspayments")
    assert caught.value.code == "unknown_provider"


def test_return_url_must_stay_on_this_site(make_order):
    assert make_order(return_url="/waste/W-1/").return_url == "/waste/W-1/"
    for url in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        with pytest.raises(DasanError):
            make_order(return_url=url)


def test_past_deadline_is_refused(make_order):
    with pytest.raises(DasanError) as caught:
        make_order(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert caught.value.code == "invalid_order"


def test_free_order_is_paid_at_once_and_owner_told_once(make_order, calls):
    order = make_order([Line("폐가전 무상 수거", 0, 2)])
    assert order.status == OrderStatus.PAID
    assert order.total_amount == order.paid_amount == 0
    assert calls.paid == [order.public_id]
    assert not order.payments.exists()


def test_same_idempotency_key_returns_the_first_order(make_order, make_resident):
    first = make_order(idempotency_key="booking-7")
    again = make_order(idempotency_key="booking-7")
    assert again.pk == first.pk
    assert Order.objects.count() == 1
    with pytest.raises(IdempotencyMismatch):
        make_order([Line("소파 1인용", 5000, 1)], idempotency_key="booking-7")
    # Another payer may use the same key for their own order.
    other = make_order(payer=make_resident(), idempotency_key="booking-7")
    assert other.pk != first.pk


def test_only_the_payer_and_staff_see_an_order(make_order, make_resident, make_staff, departments):
    order = make_order()
    assert selectors.get_order(order.payer, order.public_id) == order
    with pytest.raises(DasanError) as caught:
        selectors.get_order(make_resident(), order.public_id)
    assert caught.value.status == 404
    with pytest.raises(DasanError) as caught:  # another department's officer
        selectors.get_order(make_staff("roads1", department=departments["roads"]), order.public_id)
    assert caught.value.status == 404
    officer = make_staff("officer1", department=departments["waste"])
    assert selectors.get_order(officer, order.public_id, reason="문의 응대") == order
    read = AuditEvent.objects.get(action="personal_record.read", target_id=str(order.pk))
    assert read.actor == officer and read.reason == "문의 응대"


def test_orders_for_finds_an_owner_objects_orders(make_order):
    first = make_order(reference="77")
    second = make_order(reference="77")
    make_order(reference="78")
    assert list(selectors.orders_for(PURPOSE, "77")) == [second, first]
