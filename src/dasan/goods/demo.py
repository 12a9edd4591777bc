"""The demo city's garbage-bag shop: standard bags by use and size, food-waste bags and
stickers, with prices per pack of the kind Korean cities charge (illustrative figures
for 데모시, not any city's ordinance), stock, and monthly household limits.

``load_demo()`` is safe to run again: products are found by code and their stock and
prices are only set when the product is first created.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from dasan.core import timefmt
from dasan.core.models import Department

from .models import Product, ProductKind
from .services import set_price

# (code, name, kind, litres, pack size, price per pack, stock, monthly limit, description)
PRODUCTS = [
    ("general-5", "일반용 종량제봉투 5ℓ", ProductKind.GENERAL, 5, 10, 1_500, 200, 4, "1인 가구에 알맞은 작은 봉투"),
    ("general-10", "일반용 종량제봉투 10ℓ", ProductKind.GENERAL, 10, 10, 2_900, 300, 4, ""),
    ("general-20", "일반용 종량제봉투 20ℓ", ProductKind.GENERAL, 20, 10, 5_700, 300, 3, "가장 많이 쓰는 크기"),
    ("general-50", "일반용 종량제봉투 50ℓ", ProductKind.GENERAL, 50, 10, 14_300, 80, 2, ""),
    ("general-75", "일반용 종량제봉투 75ℓ", ProductKind.GENERAL, 75, 10, 21_400, 40, 1, "이사·대청소용 큰 봉투"),
    ("food-2", "음식물 종량제봉투 2ℓ", ProductKind.FOOD, 2, 20, 1_800, 150, 3, ""),
    ("food-3", "음식물 종량제봉투 3ℓ", ProductKind.FOOD, 3, 20, 2_600, 150, 3, ""),
    (
        "reuse-20",
        "재사용 종량제봉투 20ℓ",
        ProductKind.REUSE,
        20,
        10,
        5_700,
        60,
        2,
        "대형마트 장바구니로 쓰고 종량제봉투로 배출",
    ),
    (
        "sticker-food-3",
        "음식물 납부필증(스티커) 3ℓ 용기용",
        ProductKind.STICKER,
        3,
        10,
        1_300,
        100,
        5,
        "음식물 수거 용기에 붙이는 스티커",
    ),
]
# A price change already announced: the 20ℓ pack costs more from next New Year's Day,
# so the catalogue shows today's price and orders placed after that date the new one.
ANNOUNCED = [("general-20", 6_000)]


def load_demo() -> list[Product]:
    """Create the demo products (idempotent); returns them."""
    today = timefmt.local_date()
    since = today.replace(month=1, day=1)
    next_year = dt.date(today.year + 1, 1, 1)
    products = []
    with transaction.atomic():
        for position, (code, name, kind, litres, pack, price, stock, limit, description) in enumerate(PRODUCTS):
            product, created = Product.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "kind": kind,
                    "litres": litres,
                    "pack_size": pack,
                    "stock": stock,
                    "monthly_limit": limit,
                    "description": description,
                    "position": position * 10,
                },
            )
            if created:
                set_price(product, price, since)
            products.append(product)
        # 청소행정과 (the demo city's "1200", core.demo) sells the bags and handles their payments.
        Product.objects.filter(department__isnull=True).update(
            department=Department.objects.filter(code="1200").first()
        )
        by_code = {p.code: p for p in products}
        for code, price in ANNOUNCED:
            if not by_code[code].prices.filter(effective_from=next_year).exists():
                set_price(by_code[code], price, next_year)
    return products
