"""The demo city (데모시): its profile and departments, loaded first by ``dasan demo``.

Safe to run again: it finds what it created before and only fills what is missing.
"""

from __future__ import annotations

from django.db import transaction

from .models import Department, Municipality

CITY = {
    "name": "데모시",
    "name_en": "Demo City",
    # 99xxx is not a real 시군구 code: the demo city must never be mistaken for a real one.
    "region_code": "99999",
    "phone": "02-120-0000",
    "email": "minwon@demo.dasan.local",
    "address": "데모시 시청로 1",
    "website": "http://127.0.0.1:8000/",
}

# (code, name, phone, parent code)
DEPARTMENTS = [
    ("1000", "데모시청", "02-120-0000", None),
    ("1100", "민원여권과", "02-120-1100", "1000"),
    ("1200", "청소행정과", "02-120-1200", "1000"),
    ("1300", "교통행정과", "02-120-1300", "1000"),
    ("1400", "복지정책과", "02-120-1400", "1000"),
    ("1500", "세무과", "02-120-1500", "1000"),
    ("1600", "체육시설관리사업소", "02-120-1600", "1000"),
    ("1700", "정보통신과", "02-120-1700", "1000"),
]


def department_name(code: str) -> str:
    return {c: n for c, n, _phone, _parent in DEPARTMENTS}[code]


@transaction.atomic
def load_demo() -> dict[str, Department]:
    """The city profile and its departments, by code."""
    if Municipality.current() is None:
        Municipality.objects.create(**CITY)
    by_code: dict[str, Department] = {}
    for code, name, phone, parent in DEPARTMENTS:
        dept, _created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "phone": phone, "parent": by_code.get(parent)}
        )
        by_code[code] = dept
    return by_code
