"""The demo catalogue. Fees are those of the national fee rules as of 2026 — a city must
check the current amounts before going live (they are edited in the admin):

* 주민등록표 등·초본: 방문 발급 1통 400원, 무인민원발급기 200원, 정부24 무료
  (「주민등록법 시행규칙」 제18조, 별표 수수료).
* 가족관계증명서 등 등록사항별 증명서: 1통 1,000원, 무인발급기 500원
  (「가족관계의 등록 등에 관한 규칙」 수수료 규정).
* 토지대장 등본: 1필지 500원 (「공간정보의 구축 및 관리 등에 관한 법률 시행규칙」 별표 수수료).
* 지방세 납세증명서: 무료 (「지방세징수법」 제5조).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .models import DocumentType, Generator, Source

CATALOGUE = [
    {
        "code": "resident-copy",
        "name": "주민등록표 등본",
        "fee": 400,
        "fee_note": "무인민원발급기 200원, 정부24 무료",
        "legal_basis": "주민등록법 시행규칙 제18조",
        "processing_hours": 1,
        "required_info": "세대주와의 관계, 과거 주소 변동 포함 여부를 고릅니다. 주민등록번호는 받지 않고, 받을 때 신분증으로 확인합니다.",
        "options": [
            {"key": "past_addresses", "label": "과거 주소 변동 사항 포함"},
            {"key": "household_reason", "label": "세대 구성 사유 포함"},
        ],
    },
    {
        "code": "resident-abstract",
        "name": "주민등록표 초본",
        "fee": 400,
        "fee_note": "무인민원발급기 200원, 정부24 무료",
        "legal_basis": "주민등록법 시행규칙 제18조",
        "processing_hours": 1,
        "required_info": "주소 변동 기간과 병역 사항 포함 여부를 고릅니다.",
        "options": [
            {"key": "address_history", "label": "전체 주소 변동 사항 포함"},
            {"key": "military", "label": "병역 사항 포함"},
        ],
    },
    {
        "code": "family-relation",
        "name": "가족관계증명서",
        "fee": 1000,
        "fee_note": "무인민원발급기 500원",
        "legal_basis": "가족관계의 등록 등에 관한 법률 제15조",
        "processing_hours": 2,
        "required_info": "일반·상세 중 하나를 고릅니다. 본인·배우자·직계 가족만 신청할 수 있습니다.",
        "options": [{"key": "detailed", "label": "상세 증명서 (고르지 않으면 일반)"}],
    },
    {
        "code": "land-register",
        "name": "토지대장 등본",
        "fee": 500,
        "fee_note": "1필지당",
        "legal_basis": "공간정보의 구축 및 관리 등에 관한 법률 시행규칙",
        "processing_hours": 2,
        "identity_check": False,
        "required_info": "토지 소재지(지번)를 적습니다.",
    },
    {
        "code": "local-tax-payment",
        "name": "지방세 납세증명서",
        "fee": 0,
        "legal_basis": "지방세징수법 제5조",
        "processing_hours": 4,
        "required_info": "용도(관공서 제출, 대금 수령 등)를 적습니다.",
    },
    {
        "code": "facility-use",
        "name": "시설 사용 확인서",
        "fee": 0,
        "source": Source.CITY,
        "generator": Generator.FACILITY_USE,
        "identity_check": False,
        "processing_hours": 0,
        "description": "시 공공시설을 이용한 사실을 확인하는 문서. 이용을 마친 예약에 대해 바로 발급합니다.",
    },
    {
        "code": "complaint-result",
        "name": "민원 처리 결과 통지서",
        "fee": 0,
        "source": Source.CITY,
        "generator": Generator.COMPLAINT_RESULT,
        "identity_check": False,
        "processing_hours": 0,
        "legal_basis": "민원 처리에 관한 법률 제27조",
        "description": "답변을 마친 민원의 처리 결과를 알리는 문서.",
    },
]


def load_demo() -> None:
    """Create the catalogue (idempotent; existing rows the city edited are kept)."""
    with transaction.atomic():
        for position, spec in enumerate(CATALOGUE):
            DocumentType.objects.get_or_create(code=spec["code"], defaults={**spec, "position": position * 10})
        # The group a city puts its document clerks in (selectors.handles_requests /
        # handles_documents); nobody is in it in the demo (the demo admin is city-wide).
        group, _created = Group.objects.get_or_create(name="민원 서류 담당")
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="certificates", codename__in=["view_documentrequest", "view_issueddocument"]
            )
        )
