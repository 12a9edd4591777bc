"""The demo city's bulky-waste set-up: collection districts, crews, a fee table, and
a few paid bookings on the next collection days so the crews' pages have a route.

``load_demo()`` is idempotent (run it twice, nothing doubles); ``dasan demo`` calls it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.db import transaction

from dasan.core.models import Department

from .fees import import_fees
from .models import Booking, Crew, District, Street

logger = logging.getLogger("dasan.waste")

DEMO_FEES = Path(__file__).parent / "data" / "demo_fees.csv"

# (code, 행정동, weekdays the crew works (Mon=0), items a day)
DISTRICTS = [
    ("9999951000", "중앙동", "024", 40),
    ("9999952000", "동부동", "135", 30),
    ("9999953000", "서부동", "024", 30),
    ("9999954000", "남산동", "13", 20),
    ("9999955000", "북문동", "01234", 50),
]


# (도로명, first number, last number, 행정동 code): the demo city's roads (None: the whole road).
STREETS = [
    ("중앙로", 1, 99, "9999951000"),
    ("시청길", None, None, "9999951000"),
    ("중앙로", 100, 299, "9999955000"),
    ("북문로", None, None, "9999955000"),
    ("동부로", None, None, "9999952000"),
    ("서부로", None, None, "9999953000"),
    ("남산로", None, None, "9999954000"),
    ("남산로12번길", None, None, "9999954000"),
]

# (crew, vehicle, phone, 행정동 served, member usernames)
CREWS = [
    ("1반 (중앙·북문)", "12가 3401", "02-120-1201", ["중앙동", "북문동"], ["cleaning"]),
    ("2반 (동부·서부·남산)", "12가 3402", "02-120-1202", ["동부동", "서부동", "남산동"], []),
]

# (resident phone, 행정동, address, placement, [(item, spec, quantity)])
SAMPLE_BOOKINGS = [
    (
        "01000000001",
        "중앙동",
        "중앙로 12, 101동",
        "1층 현관 옆 화단 앞",
        [("소파", "3인용", 1), ("서랍장", "4단이하", 2)],
    ),
    ("01000000002", "중앙동", "시청길 5", "대문 앞", [("냉장고(온장고 포함)", "300ℓ 미만", 1)]),
    ("01000000003", "중앙동", "중앙로 48-3", "건물 뒤 주차장", [("옷장(장롱)", "폭 1.2m 이상 1쪽", 1)]),
    (
        "01000000001",
        "북문동",
        "북문로 7",
        "경비실 옆",
        [("매트리스", "2인용(폭 1.2m 이상)", 1), ("식탁", "6인용 미만(목재)", 1)],
    ),
]


def load_demo() -> dict:
    """Create the demo districts and crews, import the demo fee table (in force from
    2026-01-01), and book a few sample collections (once; skipped without the demo residents)."""
    with transaction.atomic():
        for code, name, weekdays, capacity in DISTRICTS:
            District.objects.update_or_create(
                code=code, defaults={"name": name, "weekdays": weekdays, "daily_capacity": capacity, "active": True}
            )
        # 청소행정과 (the demo city's "1200", core.demo) handles bulky-waste payments.
        District.objects.filter(department__isnull=True).update(
            department=Department.objects.filter(code="1200").first()
        )
        report = import_fees(DEMO_FEES.read_bytes())
        for road, first, last, code in STREETS:
            Street.objects.update_or_create(
                name=road,
                first_number=first,
                defaults={"last_number": last, "district": District.objects.get(code=code)},
            )
        for name, vehicle, phone, served, members in CREWS:
            crew, _created = Crew.objects.update_or_create(name=name, defaults={"vehicle": vehicle, "phone": phone})
            crew.districts.set(District.objects.filter(name__in=served))
            from dasan.accounts.models import User

            crew.members.set(User.objects.filter(username__in=members))
    return {
        "districts": len(DISTRICTS),
        "fees": report.imported + report.updated + report.unchanged,
        "rejected": len(report.rejected),
        "bookings_added": load_sample_bookings(),
    }


def load_sample_bookings() -> int:
    """Paid bookings on each district's next open crew day, made through the services so
    they carry numbers, payments and notices like real ones."""
    from dasan.accounts.models import User
    from dasan.payments import services as payments

    from . import selectors, services
    from .models import Variant

    if Booking.objects.filter(idempotency_key__startswith="demo:").exists():
        return 0
    officer = User.objects.filter(username="cleaning").first()
    residents = {u.phone: u for u in User.objects.filter(phone__in={row[0] for row in SAMPLE_BOOKINGS})}
    if officer is None or len(residents) < len({row[0] for row in SAMPLE_BOOKINGS}):
        logger.info("demo bookings skipped: the demo residents and staff are not all there")
        return 0
    table = selectors.current_table()
    added = 0
    for i, (phone, district_name, address, placement, lines) in enumerate(SAMPLE_BOOKINGS):
        district = District.objects.get(name=district_name)
        days = selectors.available_days(district)
        if not days:
            continue
        day = days[0].date
        items = {
            Variant.objects.get(item__table=table, item__name=name, spec=spec).pk: qty for name, spec, qty in lines
        }
        booking = services.create_booking(
            actor=residents[phone],
            district=district,
            address=address,
            placement=placement,
            collection_date=day,
            items=items,
            idempotency_key=f"demo:{i}",
        )
        order = selectors.order_for(booking)
        if order is not None and order.is_pending:
            payments.mark_paid_at_office(order, actor=officer, note="demo")
        added += 1
    return added
