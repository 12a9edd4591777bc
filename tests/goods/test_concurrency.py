"""Many residents ordering the last packs at once, on PostgreSQL with real concurrent
connections: the stock is never oversold and never goes below zero."""

from __future__ import annotations

import pytest

from dasan.goods import services
from dasan.goods.models import Order, Product
from tests.concurrency import need_postgres, race

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_last_packs_are_never_oversold(make_resident, make_product, home, is_postgres):
    need_postgres(is_postgres)
    product = make_product("general-75", stock=3, monthly_limit=None)
    residents = [make_resident() for _ in range(THREADS)]

    results, errors = race(
        [lambda who=who: services.place_order({"general-75": 1}, home, actor=who).pk for who in residents]
    )

    assert len(results) == 3
    assert sorted(errors) == ["out_of_stock"] * (THREADS - 3)
    assert Product.objects.get(pk=product.pk).stock == 0
    assert Order.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_click_racing_orders_once(resident, make_product, home, is_postgres):
    need_postgres(is_postgres)
    product = make_product(stock=10, monthly_limit=None)

    results, errors = race(
        [lambda: services.place_order({"general-20": 2}, home, idempotency_key="same-form", actor=resident).pk] * 4
    )

    assert errors == [] and len(set(results)) == 1
    assert Product.objects.get(pk=product.pk).stock == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_household_racing_itself_stays_within_the_limit(resident, make_product, home, is_postgres):
    need_postgres(is_postgres)
    make_product(stock=100, monthly_limit=3)

    results, errors = race([lambda: services.place_order({"general-20": 1}, home, actor=resident).pk] * 6)

    assert len(results) == 3 and sorted(errors) == ["monthly_limit"] * 3
