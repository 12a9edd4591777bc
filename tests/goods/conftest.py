"""Fixtures of the garbage-bag shop: a few products with prices, stock and limits."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.goods import services
from dasan.goods.models import Product, ProductKind


@pytest.fixture
def make_product(db):
    def make(
        code="general-20",
        *,
        name="일반용 종량제봉투 20ℓ",
        price=5_700,
        stock=100,
        monthly_limit=3,
        kind=ProductKind.GENERAL,
        litres=20,
    ):
        product = Product.objects.create(
            code=code, name=name, kind=kind, litres=litres, stock=stock, monthly_limit=monthly_limit
        )
        services.set_price(product, price, dt.date(2020, 1, 1))
        return product

    return make


@pytest.fixture
def bags(make_product):
    return make_product()


@pytest.fixture
def food(make_product):
    return make_product(
        "food-3",
        name="음식물 종량제봉투 3ℓ",
        price=2_600,
        stock=50,
        monthly_limit=None,
        kind=ProductKind.FOOD,
        litres=3,
    )


@pytest.fixture
def home():
    return services.Delivery(
        recipient_name="김주민", phone="010-1234-5678", address="데모시 중앙로 12", address_detail="101동 202호"
    )


@pytest.fixture
def staff(make_staff, departments):
    return make_staff("bag-officer", department=departments["waste"])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def resident_client(client, resident):
    client.force_login(resident)
    return client
