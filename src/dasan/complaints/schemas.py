"""Request and response schemas of the complaints API (``/api/v1/complaints/``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

ContactPreferenceLiteral = Literal["sms", "email", "kakao", "none"]

_EXAMPLE_NUMBER = "2026-000123"


class PeriodOut(Schema):
    value: int = Field(..., description="Length of the processing period; 0 with unit `immediate`.")
    unit: str = Field(..., description="`immediate`, `days` (business days), `weeks`, `months` or `years`.")


class CategoryOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "pothole",
                    "name": "도로 파손",
                    "description": "",
                    "group": "도로",
                    "kind": "grievance",
                    "form": "general",
                    "department": "도로과",
                    "allows_anonymous": False,
                    "requires_location": True,
                    "period": {"value": 7, "unit": "days"},
                }
            ]
        }
    )

    code: str = Field(..., description="Send this as `category` when filing.")
    name: str
    description: str = ""
    group: str = ""
    kind: str = Field(
        ...,
        description="민원 종류 under the 민원 처리에 관한 법률: statutory, inquiry_law, inquiry_procedure, suggestion, grievance, other.",
    )
    form: str = Field(
        ...,
        description="`general`, or `illegal_parking` (filed with the web form that takes two photos and a signature).",
    )
    department: str | None = Field(None, description="The department that handles it by default.")
    allows_anonymous: bool
    requires_location: bool
    period: PeriodOut | None = Field(None, description="The legal processing period the due date is counted from.")


class PhotoIn(Schema):
    content_base64: str = Field(
        ...,
        min_length=1,
        max_length=14_000_000,
        description="The image file (JPEG, PNG, HEIC...) encoded in base64. It is re-encoded as JPEG, resized, and its EXIF removed.",
    )


class ComplaintIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "보도블록이 깨져 있어요",
                    "description": "다산로 12 앞 보도블록 세 장이 깨져 걸려 넘어질 뻔했습니다.",
                    "category": "pothole",
                    "address": "다산로 12",
                    "latitude": 37.5665,
                    "longitude": 126.978,
                    "is_public": False,
                    "anonymous": False,
                    "contact_preference": "sms",
                    "photos": [],
                }
            ]
        }
    )

    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=4000)
    category: str | None = Field(
        None,
        max_length=40,
        description="A category `code` from `GET /categories`; leave out to let the city classify it.",
    )
    address: str = Field("", max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90, description="WGS 84; send with `longitude`.")
    longitude: float | None = Field(None, ge=-180, le=180)
    is_public: bool = Field(False, description="Show it (without name or contact) to other residents.")
    anonymous: bool = Field(
        False, description="Hide the filer's identity from staff; only where the category allows it."
    )
    contact_preference: ContactPreferenceLiteral = "sms"
    photos: list[PhotoIn] = Field(
        default_factory=list,
        max_length=10,
        description="Up to the city's photo limit (5 by default). The whole request may be at most 10 MB; base64 adds a third to each file.",
    )


class RateIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"score": 5, "comment": "빨리 고쳐 주셔서 고맙습니다."}]})

    score: int = Field(..., ge=1, le=5, description="1 (very dissatisfied) to 5 (very satisfied).")
    comment: str = Field("", max_length=500)


class PhotoOut(Schema):
    id: int
    url: str = Field(..., description="Served only to the filer and to staff in scope.")
    width: int
    height: int


class EventOut(Schema):
    kind: str
    kind_label: str
    status: str = Field("", description="The status after this step, if it changed.")
    status_label: str = ""
    department: str | None = None
    note: str = Field("", description="The reason given for an extension or a transfer.")
    created_at: dt.datetime


class ParkingOut(Schema):
    plate: str
    place: str
    observed_at: dt.datetime
    signed_at: dt.datetime


class ComplaintSummaryOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": _EXAMPLE_NUMBER,
                    "title": "보도블록이 깨져 있어요",
                    "status": "received",
                    "status_label": "접수",
                    "category": "pothole",
                    "category_name": "도로 파손",
                    "received_at": "2026-03-02T09:15:00+09:00",
                    "due_at": "2026-03-11T18:00:00+09:00",
                    "answered_at": None,
                }
            ]
        }
    )

    number: str = Field(..., description="접수번호, e.g. 2026-000123.")
    title: str
    status: str = Field(
        ..., description="received, assigned, in_progress, extended, answered, closed, transferred or withdrawn."
    )
    status_label: str = Field(..., description="The status in the request's language.")
    category: str | None = None
    category_name: str | None = None
    received_at: dt.datetime
    due_at: dt.datetime
    answered_at: dt.datetime | None = None


class ComplaintOut(ComplaintSummaryOut):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": _EXAMPLE_NUMBER,
                    "title": "보도블록이 깨져 있어요",
                    "description": "다산로 12 앞 보도블록 세 장이 깨져 걸려 넘어질 뻔했습니다.",
                    "status": "received",
                    "status_label": "접수",
                    "category": "pothole",
                    "category_name": "도로 파손",
                    "department": "도로과",
                    "channel": "api",
                    "received_at": "2026-03-02T09:15:00+09:00",
                    "due_at": "2026-03-11T18:00:00+09:00",
                    "answered_at": None,
                    "answer": "",
                    "address": "다산로 12",
                    "latitude": 37.5665,
                    "longitude": 126.978,
                    "is_public": False,
                    "is_anonymous": False,
                    "contact_preference": "sms",
                    "linked_to_open_complaint": False,
                    "satisfaction": None,
                    "satisfaction_comment": "",
                    "can_rate": False,
                    "can_withdraw": True,
                    "photos": [],
                    "timeline": [
                        {
                            "kind": "filed",
                            "kind_label": "접수",
                            "status": "received",
                            "status_label": "접수",
                            "department": None,
                            "note": "",
                            "created_at": "2026-03-02T09:15:00+09:00",
                        }
                    ],
                    "parking": None,
                    "receipt_url": "/complaints/2026-000123/receipt.pdf",
                }
            ]
        }
    )

    description: str
    department: str | None = None
    channel: str
    answer: str = ""
    answer_translated: str = Field("", description="The answer in the complaint's language, when it is not Korean.")
    answer_translation: str = Field(
        "",
        description="How answer_translated was made: machine, staff, needed (none yet: read answer) or empty (Korean).",
    )
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    is_public: bool
    is_anonymous: bool
    contact_preference: str
    linked_to_open_complaint: bool = Field(
        False,
        description="True when the city links it to an earlier open complaint about the same thing; both are answered together.",
    )
    satisfaction: int | None = None
    satisfaction_comment: str = ""
    can_rate: bool
    can_withdraw: bool
    photos: list[PhotoOut]
    timeline: list[EventOut]
    parking: ParkingOut | None = None
    receipt_url: str
