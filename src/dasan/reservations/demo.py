"""The demo city's reservation desk: a sports centre, the city hall annex, a campsite
and a tool library, with resources, weekly hours, prices and discounts of the kind
Korean cities set (illustrative figures for 데모시, not any city's ordinance).

``load_demo()`` is safe to run again: units and resources are found by name, and their
hours and prices are only set when the resource is first created. Each unit belongs to a
department of the demo city (체육시설관리사업소 "1600" runs the sports centre and the
campsite): its staff handle the bookings' payments.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from dasan.core.models import Department

from .models import (
    Discount,
    OpeningHours,
    OpeningPeriod,
    PriceDiscount,
    PriceKind,
    PriceRule,
    Resource,
    ResourceType,
    StayUnit,
    Unit,
)

WEEKDAYS = (0, 1, 2, 3, 4)
WEEKEND = (5, 6)
EVERY_DAY = WEEKDAYS + WEEKEND
# What Korean public facilities commonly grant (감면), in percent.
USUAL_DISCOUNTS = {Discount.DISABLED: 50, Discount.VETERAN: 50, Discount.SENIOR: 30, Discount.MULTI_CHILD: 20}

UNITS = [
    {
        "name": "시민체육관",
        "department": "1600",
        "address": "데모시 체육로 10",
        "phone": "02-120-1610",
        "description": "배드민턴장 두 면과 다목적 강당이 있는 실내 체육관입니다.",
        "accessibility": "정문 경사로, 승강기, 장애인 화장실(1층), 장애인 주차 4면.",
        "resources": [
            {
                "name": "배드민턴장 A",
                "type": ResourceType.SPORTS,
                "capacity": 6,
                "slot_minutes": 60,
                "min_minutes": 60,
                "max_minutes": 120,
                "max_active_per_resident": 2,
                "description": "복식 경기 한 면. 실내화 필수.",
                "hours": [(WEEKDAYS, "06:00", "22:00"), (WEEKEND, "08:00", "18:00")],
                "price": (PriceKind.HOURLY, 8_000, False, {Discount.RESIDENT: 20, **USUAL_DISCOUNTS}),
            },
            {
                "name": "배드민턴장 B",
                "type": ResourceType.SPORTS,
                "capacity": 6,
                "slot_minutes": 60,
                "min_minutes": 60,
                "max_minutes": 120,
                "max_active_per_resident": 2,
                "description": "복식 경기 한 면. 실내화 필수.",
                "hours": [(WEEKDAYS, "06:00", "22:00"), (WEEKEND, "08:00", "18:00")],
                "price": (PriceKind.HOURLY, 8_000, False, {Discount.RESIDENT: 20, **USUAL_DISCOUNTS}),
            },
            {
                "name": "다목적 강당",
                "type": ResourceType.HALL,
                "capacity": 300,
                "slot_minutes": 60,
                "min_minutes": 120,
                "max_minutes": 480,
                "buffer_before_minutes": 60,
                "buffer_after_minutes": 60,
                "opens_days_ahead": 60,
                "closes_hours_before": 72,
                "max_active_per_resident": 1,
                "needs_approval": True,
                "description": "무대와 음향 설비가 있는 강당. 행사 1시간 전부터 준비, 끝난 뒤 1시간 정리 시간을 둡니다.",
                "refund_rules": [[336, 100], [168, 50], [72, 20]],
                "hours": [(EVERY_DAY, "09:00", "21:00")],
                "deposit": 100_000,
                "price": (PriceKind.HOURLY, 50_000, False, USUAL_DISCOUNTS),
            },
            {
                "name": "풋살장",
                "type": ResourceType.SPORTS,
                "capacity": 14,
                "slot_minutes": 60,
                "min_minutes": 60,
                "max_minutes": 120,
                "max_active_per_resident": 2,
                "groups_only": True,
                "description": "인조잔디 풋살장. 등록한 동호회·주민 모임만 예약할 수 있습니다.",
                "hours": [(WEEKEND, "08:00", "18:00")],
                "price": (PriceKind.HOURLY, 20_000, False, {Discount.RESIDENT: 20, **USUAL_DISCOUNTS}),
            },
            {
                "name": "시민 요가 교실",
                "type": ResourceType.CLASS,
                "capacity": 20,
                "exclusive": False,
                "slot_minutes": 60,
                "min_minutes": 60,
                "max_minutes": 60,
                "max_active_per_resident": 4,
                "opens_days_ahead": 14,
                "closes_hours_before": 2,
                "description": "화·목 저녁 초급 요가. 매트는 빌려 드립니다.",
                "hours": [((1, 3), "19:00", "20:00")],
                "price": (PriceKind.FIXED, 3_000, True, {Discount.SENIOR: 50, Discount.DISABLED: 50}),
            },
        ],
    },
    {
        "name": "시청 별관",
        "department": "1000",
        "address": "데모시 시청로 1 별관",
        "phone": "02-120-1100",
        "description": "시민 누구나 쓸 수 있는 회의실입니다.",
        "accessibility": "승강기, 장애인 화장실(각 층). 청각장애인용 보청 루프(대회의실).",
        "resources": [
            {
                "name": "소회의실 1",
                "type": ResourceType.MEETING_ROOM,
                "capacity": 10,
                "slot_minutes": 30,
                "min_minutes": 60,
                "max_minutes": 180,
                "residents_only": True,
                "max_active_per_resident": 2,
                "description": "10명 회의 탁자, 화이트보드, TV 화면 연결.",
                "hours": [(WEEKDAYS, "09:00", "12:00"), (WEEKDAYS, "13:00", "18:00")],
            },
            {
                "name": "대회의실",
                "type": ResourceType.MEETING_ROOM,
                "capacity": 40,
                "slot_minutes": 60,
                "min_minutes": 60,
                "max_minutes": 240,
                "needs_approval": True,
                "buffer_after_minutes": 30,
                "closes_hours_before": 48,
                "max_active_per_resident": 1,
                "description": "40석, 빔프로젝터, 마이크 2대.",
                "hours": [(WEEKDAYS, "09:00", "18:00")],
                "price": (PriceKind.HOURLY, 20_000, False, {Discount.RESIDENT: 50, **USUAL_DISCOUNTS}),
            },
        ],
    },
    {
        "name": "데모 캠핑장",
        "department": "1600",
        "address": "데모시 강변로 200",
        "phone": "02-120-1620",
        "description": "강변 피크닉 데크(당일)와 오토캠핑 사이트(1박부터). 관리동은 09:00–18:00에 엽니다.",
        "accessibility": "관리동까지 포장 보도, 장애인 화장실(관리동). 데크 3번은 휠체어로 오를 수 있습니다.",
        "resources": [
            {
                "name": f"피크닉 데크 {n}",
                "type": ResourceType.CAMPSITE,
                "capacity": 8,
                "slot_minutes": 240,
                "min_minutes": 240,
                "max_minutes": 480,
                "open_on_holidays": True,
                "max_active_per_resident": 1,
                "description": "그늘막, 탁자, 개수대. 화기는 지정 구역에서만.",
                "accessibility": "휠체어 진입 가능" if n == 3 else "",
                "hours": [(EVERY_DAY, "10:00", "18:00")],
                "price": (PriceKind.FIXED, 15_000, False, {Discount.RESIDENT: 30, **USUAL_DISCOUNTS}),
            }
            for n in (1, 2, 3)
        ]
        + [
            {
                "name": f"오토캠핑 사이트 {n}",
                "type": ResourceType.CAMPSITE,
                "capacity": 6,
                "stay_unit": StayUnit.NIGHT,
                "check_in_time": dt.time(14),
                "check_out_time": dt.time(11),
                "min_stay": 1,
                "max_stay": 2,
                "open_on_holidays": True,
                "max_active_per_resident": 1,
                "opens_days_ahead": 30,
                "closes_hours_before": 24,
                "refund_rules": [[168, 100], [72, 50], [24, 20]],
                "description": "차 한 대와 텐트 한 동이 들어가는 사이트. 전기 사용 가능, 개수대·샤워장은 관리동.",
                "hours": [(EVERY_DAY, "09:00", "18:00")],
                "deposit": 20_000,
                "price": (PriceKind.DAILY, 30_000, False, {Discount.RESIDENT: 20, **USUAL_DISCOUNTS}),
            }
            for n in (1, 2)
        ],
    },
    {
        "name": "공구 도서관",
        "department": "1000",
        "address": "데모시 중앙로 45 주민센터 1층",
        "phone": "02-120-1400",
        "description": "가정용 공구를 무료로 빌려 드립니다. 신분증을 가지고 오세요.",
        "accessibility": "1층, 문턱 없음.",
        "resources": [
            {
                "name": "충전 드릴",
                "type": ResourceType.EQUIPMENT,
                "capacity": 5,
                "exclusive": False,
                "slot_minutes": 240,
                "min_minutes": 240,
                "max_minutes": 480,
                "residents_only": True,
                "max_active_per_resident": 1,
                "buffer_after_minutes": 0,
                "description": "배터리 2개 포함. 반납할 때 충전하지 않아도 됩니다.",
                "hours": [(WEEKDAYS, "10:00", "18:00")],
            },
            {
                "name": "접이식 사다리",
                "type": ResourceType.EQUIPMENT,
                "capacity": 3,
                "exclusive": False,
                "slot_minutes": 240,
                "min_minutes": 240,
                "max_minutes": 480,
                "residents_only": True,
                "max_active_per_resident": 1,
                "description": "2.5m 알루미늄 사다리.",
                "hours": [(WEEKDAYS, "10:00", "18:00")],
            },
        ],
    },
]

RULE_FIELDS = {
    "capacity",
    "exclusive",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "opens_days_ahead",
    "closes_hours_before",
    "max_active_per_resident",
    "residents_only",
    "needs_approval",
    "open_on_holidays",
    "refund_rules",
    "description",
    "accessibility",
    "groups_only",
    "stay_unit",
    "check_in_time",
    "check_out_time",
    "min_stay",
    "max_stay",
}


def load_demo() -> list[Resource]:
    """Create the demo units and resources (idempotent); returns the resources."""
    since = timezone.localdate().replace(month=1, day=1)
    created_resources = []
    with transaction.atomic():
        for u in UNITS:
            unit, _created = Unit.objects.get_or_create(
                name=u["name"], defaults={key: u[key] for key in ("address", "phone", "description", "accessibility")}
            )
            # The department that handles its payments (the demo city's codes, core.demo).
            Unit.objects.filter(pk=unit.pk, department__isnull=True).update(
                department=Department.objects.filter(code=u["department"]).first()
            )
            for position, spec in enumerate(u["resources"]):
                defaults = {key: value for key, value in spec.items() if key in RULE_FIELDS}
                resource, created = Resource.objects.get_or_create(
                    unit=unit, name=spec["name"], defaults={"type": spec["type"], "position": position * 10, **defaults}
                )
                created_resources.append(resource)
                if not created:
                    continue
                period = OpeningPeriod.objects.create(resource=resource, name="연중", valid_from=since)
                for days, opens, closes in spec["hours"]:
                    OpeningHours.objects.bulk_create(
                        OpeningHours(
                            period=period,
                            weekday=d,
                            opens=dt.time.fromisoformat(opens),
                            closes=dt.time.fromisoformat(closes),
                        )
                        for d in days
                    )
                if "price" in spec:
                    kind, amount, per_person, discounts = spec["price"]
                    rule = PriceRule.objects.create(
                        resource=resource,
                        effective_from=since,
                        kind=kind,
                        amount=amount,
                        per_person=per_person,
                        deposit=spec.get("deposit", 0),
                    )
                    PriceDiscount.objects.bulk_create(
                        PriceDiscount(rule=rule, category=c, percent=p) for c, p in discounts.items()
                    )
    return created_resources
