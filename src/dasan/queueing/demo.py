"""The demo city's offices: 시청 민원실 with five counters and one 행정복지센터 with two."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from .models import PICKUP, Counter, Office, ServiceType

SERVICES = [
    ("move-in", "전입신고", "A", 10),
    ("seal", "인감", "B", 6),
    ("passport", "여권", "C", 12),
    ("certificate", "제증명", "D", 4),
    (PICKUP, "서류 수령", "P", 3),
]

OFFICES = [
    {
        "code": "city-hall",
        "name": "데모시청 종합민원실",
        "address": "데모시 시청로 1 1층",
        "phone": "02-120-1000",
        "counters": [
            (1, "", ["move-in", "seal"]),
            (2, "", ["move-in", "seal", "certificate"]),
            (3, "", ["certificate"]),
            (4, "여권", ["passport"]),
            (5, "여권", ["passport"]),
        ],
    },
    {
        "code": "jungang-dong",
        "name": "중앙동 행정복지센터",
        "address": "데모시 중앙로 45",
        "phone": "02-120-1400",
        "closes": dt.time(18),
        "cutoff": dt.time(17, 30),
        "counters": [(1, "", ["move-in", "seal", "certificate"]), (2, "", ["move-in", "certificate"])],
    },
]


def load_demo() -> list[Office]:
    """Create the demo offices, counters and service types (idempotent)."""
    made = []
    with transaction.atomic():
        types = {}
        for position, (code, name, prefix, minutes) in enumerate(SERVICES):
            types[code], _created = ServiceType.objects.get_or_create(
                code=code,
                defaults={"name": name, "prefix": prefix, "default_minutes": minutes, "position": position * 10},
            )
        for spec in OFFICES:
            office, created = Office.objects.get_or_create(
                code=spec["code"], defaults={"name": spec["name"], "address": spec["address"], "phone": spec["phone"]}
            )
            made.append(office)
            if not created:
                continue
            for number, name, codes in spec["counters"]:
                counter = Counter.objects.create(office=office, number=number, name=name)
                counter.service_types.set([types[c] for c in codes])
    return made
