"""Complaints API (``/api/v1/complaints/``): categories, filing, one's own complaints.

Thin: reads go through :mod:`.selectors`, filing through :mod:`.intake`, every later
change through :mod:`.services`; a
:class:`~dasan.core.errors.DasanError` becomes the error envelope of ``dasan/api.py``.
Filing accepts an ``Idempotency-Key`` header so that a retry after a lost answer
returns the first complaint instead of filing a second one.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import Header, Query, Router, Schema, Status

from dasan.accounts.api_auth import session_or_token
from dasan.complaints.errors import Code
from dasan.core import idempotency
from dasan.core.errors import CoreCode, DasanError
from dasan.core.schemas import ErrorOut

from . import intake, selectors, services
from .forms import max_photo_bytes, max_photos
from .models import Channel, Complaint, FormKind
from .models import Status as ComplaintStatus
from .schemas import CategoryOut, ComplaintIn, ComplaintOut, ComplaintSummaryOut, RateIn

router = Router(tags=["complaints"])

PAGE_SIZE = 20
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ComplaintPageOut(Schema):
    items: list[ComplaintSummaryOut]
    count: int
    page: int
    pages: int


class PageQuery(Schema):
    page: int = NinjaField(1, ge=1, le=100_000)


# --- shaping ---------------------------------------------------------------------------


def _period(category) -> dict | None:
    try:
        from . import deadlines

        value, unit = deadlines.period_for(category, category.kind)
    except (ImportError, AttributeError, DasanError):
        return None
    return {"value": int(value), "unit": str(unit)}


def _category_out(category) -> dict:
    return {
        "code": category.code,
        "name": category.name,
        "description": category.description,
        "group": category.group,
        "kind": category.kind,
        "form": category.form,
        "department": category.department.name if category.department_id else None,
        "allows_anonymous": category.allows_anonymous,
        "requires_location": category.requires_location,
        "period": _period(category),
    }


def _summary_out(complaint: Complaint) -> dict:
    category = complaint.category
    return {
        "number": complaint.number,
        "title": complaint.title,
        "status": complaint.status,
        "status_label": str(complaint.get_status_display()),
        "category": category.code if category else None,
        "category_name": category.name if category else None,
        "received_at": complaint.received_at,
        "due_at": complaint.due_at,
        "answered_at": complaint.answered_at,
    }


def _float(value) -> float | None:
    return float(value) if value is not None else None


def _parking_out(complaint: Complaint) -> dict | None:
    try:
        parking = complaint.parking
    except Complaint.parking.RelatedObjectDoesNotExist:
        return None
    return {
        "plate": parking.plate,
        "place": parking.place,
        "observed_at": parking.observed_at,
        "signed_at": parking.signed_at,
    }


def _event_out(event) -> dict:
    shows_department = event.kind in ("assigned", "reassigned")
    return {
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "status": event.to_status or "",
        "status_label": str(event.get_to_status_display()) if event.to_status else "",
        "department": event.to_department.name if shows_department and event.to_department_id else None,
        "note": event.reason if event.kind in ("extended", "transferred") else "",
        "created_at": event.created_at,
    }


def complaint_out(complaint: Complaint) -> dict:
    """The API's view of one complaint, for its filer (JSON-ready after the schema)."""
    answered = (
        complaint.status in (ComplaintStatus.ANSWERED, ComplaintStatus.CLOSED) and complaint.answered_at is not None
    )
    duplicate_of = complaint.duplicate_of
    body = {
        **_summary_out(complaint),
        "description": complaint.description,
        "department": complaint.department.name if complaint.department_id else None,
        "channel": complaint.channel,
        "answer": complaint.answer,
        "answer_translated": complaint.answer_translated,
        "answer_translation": complaint.answer_translation,
        "address": complaint.address,
        "latitude": _float(complaint.latitude),
        "longitude": _float(complaint.longitude),
        "is_public": complaint.is_public,
        "is_anonymous": complaint.is_anonymous,
        "contact_preference": complaint.contact_preference,
        "linked_to_open_complaint": bool(duplicate_of and duplicate_of.is_open),
        "satisfaction": complaint.satisfaction,
        "satisfaction_comment": complaint.satisfaction_comment,
        "can_rate": answered and complaint.satisfaction is None,
        "can_withdraw": complaint.is_open,
        "photos": [
            {"id": p.pk, "url": reverse("complaints:photo", args=[p.pk]), "width": p.width, "height": p.height}
            for p in complaint.photos.all()
        ],
        "timeline": [_event_out(e) for e in selectors.timeline(complaint, for_staff=False)],
        "parking": _parking_out(complaint),
        "receipt_url": reverse("complaints:receipt", args=[complaint.number]),
    }
    return ComplaintOut.model_validate(body).model_dump(mode="json")


def _own(user, number: str) -> Complaint:
    """The caller's own complaint; someone else's answers 404 like a missing one."""
    complaint = selectors.find_own(user, number)
    if complaint is None:
        raise selectors.complaint_not_found()
    return complaint


# --- input -----------------------------------------------------------------------------


def _decode_photos(data: ComplaintIn) -> list[io.BytesIO]:
    if len(data.photos) > max_photos():
        raise DasanError(
            Code.TOO_MANY_PHOTOS,
            _("사진은 %(count)d장까지 올릴 수 있습니다.") % {"count": max_photos()},
            field="photos",
        )
    photos = []
    for index, photo in enumerate(data.photos, start=1):
        try:
            content = base64.b64decode(photo.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise DasanError(
                CoreCode.PHOTO_INVALID,
                _("%(n)d번째 사진을 읽을 수 없습니다. base64로 보내 주세요.") % {"n": index},
                field="photos",
            ) from None
        if not content:
            raise DasanError(
                CoreCode.PHOTO_INVALID, _("%(n)d번째 사진이 비어 있습니다.") % {"n": index}, field="photos"
            )
        if len(content) > max_photo_bytes():
            raise DasanError(
                CoreCode.PHOTO_TOO_LARGE,
                _("사진 한 장은 %(mb)dMB를 넘을 수 없습니다.") % {"mb": max_photo_bytes() // (1024 * 1024)},
                status=413,
                field="photos",
            )
        stream = io.BytesIO(content)
        stream.name = f"photo-{index}.jpg"
        photos.append(stream)
    return photos


def _category_for(code: str | None):
    if not code:
        return None
    category = selectors.public_categories().filter(code=code).first()
    if category is None:
        raise DasanError(
            Code.UNKNOWN_CATEGORY, _("알 수 없는 분류입니다: %(code)s") % {"code": code[:40]}, field="category"
        )
    if category.form == FormKind.ILLEGAL_PARKING:
        raise DasanError(
            Code.CATEGORY_NEEDS_FORM,
            _("불법주정차 신고는 사진 두 장과 전자 서명이 필요해 누리집의 신고 양식으로만 접수합니다."),
            field="category",
        )
    return category


def _coordinate(value: float | None) -> Decimal | None:
    if value is None or not math.isfinite(value):
        return None
    return Decimal(str(round(value, 6)))


# --- operations ------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None, summary="Complaint categories")
def categories(request: HttpRequest):
    """The categories residents can file under, with their department and legal processing period."""
    return [_category_out(c) for c in selectors.public_categories()]


@router.post(
    "/", response={201: ComplaintOut, **ERRORS, 413: ErrorOut}, auth=session_or_token, summary="File a complaint"
)
def create(
    request: HttpRequest,
    data: ComplaintIn,
    response: HttpResponse,
    idempotency_key: str | None = Header(
        None,
        alias="Idempotency-Key",
        max_length=idempotency.MAX_KEY_LENGTH,
        description="Any unique string per filing (a UUID); a retry with the same key returns the first answer.",
    ),
):
    """File a complaint as the signed-in resident. Answers 201 with its number and due date.

    Send an ``Idempotency-Key`` header: a retry with the same key and body returns the
    first answer (with ``Idempotent-Replayed: true``) instead of filing twice; the
    same key with another body answers 422 ``idempotency_key_reused``."""
    user = request.auth
    if (data.latitude is None) != (data.longitude is None):
        raise DasanError(Code.LOCATION_INCOMPLETE, _("위도와 경도를 함께 보내 주세요."), field="latitude")

    def produce():
        category = _category_for(data.category)
        complaint = intake.file_complaint(
            title=data.title,
            description=data.description,
            channel=Channel.API,
            category=category,
            resident=user,
            anonymous=data.anonymous,
            contact_preference=data.contact_preference,
            latitude=_coordinate(data.latitude),
            longitude=_coordinate(data.longitude),
            address=data.address,
            is_public=data.is_public,
            photos=_decode_photos(data),
            language=translation.get_language(),
        )
        return 201, complaint_out(complaint)

    if not idempotency_key:
        return Status(*produce())
    replay = idempotency.run(
        idempotency_key, scope="complaints.create", owner=user, payload=data.model_dump(mode="json"), produce=produce
    )
    if replay.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(replay.status, replay.body)


@router.get("/", response={200: ComplaintPageOut, 401: ErrorOut}, auth=session_or_token, summary="My complaints")
def my_complaints(request: HttpRequest, query: Query[PageQuery]):
    """The signed-in person's own complaints, newest first, 20 a page."""
    user = request.auth
    complaints = selectors.own_complaints(user).select_related("category").order_by("-received_at", "-id")
    count = complaints.count()
    pages = max(1, math.ceil(count / PAGE_SIZE))
    page = min(query.page, pages)
    items = complaints[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {"items": [_summary_out(c) for c in items], "count": count, "page": page, "pages": pages}


@router.get(
    "/{number}",
    response={200: ComplaintOut, 401: ErrorOut, 404: ErrorOut},
    auth=session_or_token,
    summary="One of my complaints",
)
def complaint_detail(request: HttpRequest, number: str):
    """One of your complaints by its number (2026-000123), with its timeline and answer."""
    return complaint_out(_own(request.auth, number))


@router.post("/{number}/rate", response={200: ComplaintOut, **ERRORS}, auth=session_or_token, summary="Rate the answer")
def rate(request: HttpRequest, number: str, data: RateIn):
    """만족도 평가: 1-5 and a comment, once the complaint has been answered (409 before that or if rated)."""
    complaint = services.rate(_own(request.auth, number), actor=request.auth, score=data.score, comment=data.comment)
    return complaint_out(complaint)


@router.post(
    "/{number}/withdraw", response={200: ComplaintOut, **ERRORS}, auth=session_or_token, summary="Withdraw a complaint"
)
def withdraw(request: HttpRequest, number: str):
    """취하: take back a complaint that is still open (409 once it has been answered or closed)."""
    complaint = services.withdraw(_own(request.auth, number), actor=request.auth)
    return complaint_out(complaint)
