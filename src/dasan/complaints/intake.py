"""민원 접수 (intake): a filing becomes a complaint with a 접수번호, a due date and a department.

Every channel files through :func:`file_complaint` — the resident pages, the API, Open311,
the counter, the assistant's hand-off — and the illegal-parking form through
:mod:`.parking`, which stores its report the same way (:func:`store`).

* **접수번호** ``YYYY-NNNNNN``: one sequence per year (Asia/Seoul), taken inside the
  transaction that stores the complaint, so concurrent filings never share a number and
  a rolled-back filing gives its number back.
* **처리기간** (due date): the category's period, else the legal period of the complaint's
  kind (「민원 처리에 관한 법률 시행령」, :mod:`.deadlines`), counted from receipt.
* **Routing**: a chosen category decides the department. Without one, the text (masked:
  personal data never reaches a model) goes through ``routing.suggest``; it is assigned
  when the classifier is at least ``COMPLAINT_AUTO_ASSIGN`` sure, else it waits in the
  triage queue (분류 대기) for a manager.
* **Duplicates**: a complaint of the same category within ``COMPLAINT_DUPLICATE_RADIUS_M``
  of an open one filed in the last ``COMPLAINT_DUPLICATE_DAYS`` days is linked to the
  first report of that issue, and the resident is told which.
* **Languages**: a complaint is stored as written. A filing in English, Chinese or
  Vietnamese is answered in that language and carries a Korean translation for staff (the
  city's engine, else flagged "needs translation").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts import permissions
from dasan.complaints.errors import Code
from dasan.core import langdetect, pii
from dasan.core.conf import setting
from dasan.core.errors import CoreCode, DasanError, PermissionDenied

from . import changes, deadlines, inputs
from . import photos as photo_tools
from .models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Complaint,
    ComplaintPhoto,
    ContactPreference,
    EventKind,
    FormKind,
    Kind,
    NumberSequence,
    Routing,
    Status,
    TranslationState,
)

logger = logging.getLogger(__name__)

__all__ = ["CLOCK_SKEW", "Filing", "Routed", "file_complaint", "next_number", "store", "written_language"]

#: Camera and client clocks drift; a time this far in the future is still accepted.
CLOCK_SKEW = dt.timedelta(minutes=10)

_EARTH_RADIUS_M = 6_371_008.8


# --- numbers ------------------------------------------------------------------------------------


def next_number(received_at: dt.datetime | None = None) -> str:
    """The next 접수번호 ``YYYY-NNNNNN`` for the year of ``received_at`` (Asia/Seoul).

    Must run inside the transaction that stores the complaint: the year's
    sequence row stays locked until it commits, so concurrent filings wait for
    each other and never share a number, and a rolled-back filing gives its
    number back."""
    year = timezone.localtime(received_at or timezone.now()).year
    sequence = NumberSequence.objects.select_for_update().filter(year=year).first()
    if sequence is None:
        try:
            with transaction.atomic():
                NumberSequence.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another filing created the year's row first; lock theirs
        sequence = NumberSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{year}-{sequence.last:06d}"


# --- routing ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Routed:
    """Where a filing goes: its category and department, and how that was decided."""

    category: Category | None
    department: object
    routing: str
    suggested: Category | None = None
    confidence: float | None = None
    source: str = ""

    @classmethod
    def by_category(cls, category: Category) -> Routed:
        return cls(category=category, department=category.department, routing=Routing.CATEGORY)


def _category(value) -> Category | None:
    if value is None or value == "":
        return None
    if isinstance(value, Category):
        category = value
    else:
        category = Category.objects.filter(code=str(value).strip()).select_related("department").first()
        if category is None:
            raise DasanError(Code.CATEGORY_UNKNOWN, _("알 수 없는 민원 분류입니다."))
    if not category.is_active:
        raise DasanError(Code.CATEGORY_INACTIVE, _("이 민원 분류는 지금 받지 않습니다. 다른 분류를 골라 주세요."))
    return category


def _route(category: Category | None, title: str, description: str) -> Routed:
    if category is not None:
        return Routed.by_category(category)
    try:
        from . import routing

        # Personal data never reaches the classifier (DESIGN: PII masked before any model).
        suggestion = routing.suggest(pii.mask(f"{title}\n{description}"))
    except Exception:  # noqa: BLE001 - a broken classifier must not stop a filing: staff triage it
        logger.exception("routing.suggest failed; complaint goes to triage")
        return Routed(category=None, department=None, routing=Routing.TRIAGE)
    threshold = float(setting("COMPLAINT_AUTO_ASSIGN"))
    suggested = getattr(suggestion, "category", None)
    confidence = float(getattr(suggestion, "confidence", 0.0) or 0.0)
    source = str(getattr(suggestion, "source", "") or "")
    if suggested is not None and suggested.is_active and confidence >= threshold:
        department = getattr(suggestion, "department", None) or suggested.department
        return Routed(
            category=suggested,
            department=department,
            routing=Routing.AUTO,
            suggested=suggested,
            confidence=confidence,
            source=source,
        )
    return Routed(
        category=None,
        department=None,
        routing=Routing.TRIAGE,
        suggested=suggested,
        confidence=confidence if suggested is not None else None,
        source=source,
    )


# --- duplicates ---------------------------------------------------------------------------------


def _haversine_m(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _find_duplicate(complaint: Complaint) -> tuple[Complaint, float] | None:
    """The open complaint ``complaint`` repeats (the first report of the issue) and how far
    apart they are, or None."""
    radius = float(setting("COMPLAINT_DUPLICATE_RADIUS_M"))
    days = int(setting("COMPLAINT_DUPLICATE_DAYS"))
    if radius <= 0 or days <= 0:
        return None
    latitude, longitude, received_at = complaint.latitude, complaint.longitude, complaint.received_at
    # A bounding box first (index-friendly), then the exact distance.
    dlat = radius / 111_320.0
    dlng = radius / max(1.0, 111_320.0 * math.cos(math.radians(float(latitude))))
    candidates = (
        Complaint.objects.filter(
            category=complaint.category,
            status__in=OPEN_STATUSES,
            received_at__gte=received_at - dt.timedelta(days=days),
            received_at__lte=received_at,
            latitude__gte=float(latitude) - dlat,
            latitude__lte=float(latitude) + dlat,
            longitude__gte=float(longitude) - dlng,
            longitude__lte=float(longitude) + dlng,
        )
        .exclude(pk=complaint.pk)
        .select_related("duplicate_of")
        .order_by("received_at", "id")
    )
    best = None
    for other in candidates:
        distance = _haversine_m(latitude, longitude, other.latitude, other.longitude)
        if distance <= radius and (best is None or distance < best[1]):
            best = (other, distance)
    if best is None:
        return None
    other, distance = best
    # Link to the first report of the issue, so every duplicate points at one complaint.
    root = other.duplicate_of if other.duplicate_of_id and other.duplicate_of.is_open else other
    return root, distance


def _link_duplicate(complaint: Complaint) -> Complaint | None:
    """Link ``complaint`` to the open complaint it repeats; the original, or None."""
    if not complaint.category_id or complaint.latitude is None:
        return None
    duplicate = _find_duplicate(complaint)
    if duplicate is None:
        return None
    original, distance = duplicate
    complaint.duplicate_of = original
    complaint.save(update_fields=["duplicate_of", "updated_at"])
    metres = round(distance, 1)
    changes.record_event(
        complaint, EventKind.LINKED, data={"original": original.number, "distance_m": metres}, reason=original.number
    )
    changes.record_event(
        original,
        EventKind.LINKED,
        internal=True,
        reason=complaint.number,
        data={"duplicate": complaint.number, "distance_m": metres},
    )
    changes.record_audit("linked", complaint, None, data={"original": original.number, "distance_m": metres})
    return original


# --- storing ------------------------------------------------------------------------------------


@dataclasses.dataclass
class Filing:
    """A validated filing, ready to store with :func:`store`."""

    title: str
    description: str
    channel: str
    routed: Routed
    kind: str
    language: str
    received_at: dt.datetime
    resident: object = None
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    contact_preference: str = ContactPreference.SMS
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address: str = ""
    is_public: bool = False
    photos: Sequence[photo_tools.PreparedPhoto] = ()
    filed_by: object = None
    source_reference: str = ""
    #: (title_ko, description_ko, TranslationState)
    translated: tuple[str, str, str] = ("", "", TranslationState.NOT_NEEDED)


def _store_photos(complaint: Complaint, prepared: Sequence[photo_tools.PreparedPhoto], *, by_staff: bool) -> None:
    for position, item in enumerate(prepared):
        photo = ComplaintPhoto(
            complaint=complaint,
            sha256=item.sha256,
            taken_at=item.taken_at,
            latitude=item.latitude,
            longitude=item.longitude,
            position=position,
            uploaded_by_staff=by_staff,
        )
        photo.image.save(f"{item.sha256[:32]}.jpg", ContentFile(item.content), save=False)
        # Known from preparing it; the field would otherwise read the file back to learn them.
        photo.width, photo.height = item.width, item.height
        photo.save()


def _insert(filing: Filing) -> Complaint:
    routed = filing.routed
    value, unit = deadlines.period_for(routed.category, filing.kind)
    return Complaint.objects.create(
        number=next_number(filing.received_at),
        channel=filing.channel,
        language=filing.language,
        kind=filing.kind,
        category=routed.category,
        department=routed.department,
        routing=routed.routing,
        suggested_category=routed.suggested,
        suggestion_confidence=routed.confidence,
        resident=filing.resident,
        is_anonymous=filing.anonymous,
        contact_name=filing.contact_name,
        contact_phone=filing.contact_phone,
        contact_email=filing.contact_email,
        contact_preference=filing.contact_preference,
        filed_by=filing.filed_by,
        title=filing.title,
        description=filing.description,
        latitude=filing.latitude,
        longitude=filing.longitude,
        address=filing.address,
        is_public=filing.is_public,
        status=Status.RECEIVED,
        received_at=filing.received_at,
        due_at=deadlines.due_at(filing.received_at, value, unit),
        source_reference=filing.source_reference,
        title_ko=filing.translated[0],
        description_ko=filing.translated[1],
        translation=filing.translated[2],
    )


def _record_filing(complaint: Complaint, filing: Filing) -> None:
    routed = filing.routed
    # The filer, unless anonymous: staff read the timeline, and it must not name them.
    actor = filing.filed_by or (None if filing.anonymous else filing.resident)
    changes.record_event(
        complaint,
        EventKind.FILED,
        actor=actor,
        to_status=Status.RECEIVED,
        to_department=complaint.department,
        data={"channel": filing.channel, "routing": routed.routing, "photos": len(filing.photos)},
    )
    if routed.routing != Routing.CATEGORY:
        # How the classifier decided, for staff (and for training it later).
        changes.record_event(
            complaint,
            EventKind.NOTE,
            internal=True,
            to_department=complaint.department,
            reason="자동 분류" if routed.routing == Routing.AUTO else "분류 대기",
            data={
                "routing": routed.routing,
                "suggested_category": getattr(routed.suggested, "code", None),
                "confidence": routed.confidence,
                "source": routed.source,
            },
        )
    changes.record_audit(
        "filed",
        complaint,
        filing.filed_by or filing.resident,
        data={"channel": filing.channel, "routing": routed.routing, "category": getattr(routed.category, "code", None)},
    )


def store(filing: Filing, *, link_duplicates: bool = True) -> Complaint:
    """Store a validated filing (inside the caller's transaction): the complaint, its photos,
    its first events and audit record, a link to the complaint it repeats, and the resident's
    message (received, or received and linked: one message, not two)."""
    complaint = _insert(filing)
    _store_photos(complaint, filing.photos, by_staff=filing.filed_by is not None)
    _record_filing(complaint, filing)
    original = _link_duplicate(complaint) if link_duplicates else None
    if original is not None:
        changes.notify_resident(complaint, "complaints.linked", original=original.number)
    else:
        changes.notify_resident(complaint, "complaints.received")
    return complaint


# --- filing -------------------------------------------------------------------------------------


def written_language(title: str, description: str) -> str | None:
    """The language a filing is written in (None when too little text to tell)."""
    return langdetect.detect(f"{title}\n{description}")


def _to_korean(title: str, description: str, written: str | None) -> tuple[str, str, str]:
    """(title_ko, description_ko, state) of a filing: nothing to do for Korean; the city's
    engine when it runs one (the text is masked before it leaves); else "needs translation"."""
    if not written or written == "ko":
        return "", "", TranslationState.NOT_NEEDED
    from dasan import translation as mt

    title_ko = mt.translate_or_none(title, source=written, target="ko")
    description_ko = mt.translate_or_none(description, source=written, target="ko") if title_ko else None
    if title_ko is None or description_ko is None:
        return "", "", TranslationState.NEEDED
    return (
        title_ko.text[: inputs.TITLE_MAX],
        description_ko.text[: inputs.DESCRIPTION_MAX],
        TranslationState.MACHINE,
    )


def _received_at(value: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise DasanError(Code.RECEIVED_AT_INVALID, _("접수 일시에 시간대가 없습니다."))
    if value > now + CLOCK_SKEW:
        raise DasanError(Code.RECEIVED_AT_INVALID, _("접수 일시가 미래입니다."))
    return value


def _check_filer(resident, filed_by) -> None:
    if resident is not None and not (getattr(resident, "is_authenticated", False) and resident.is_active):
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("로그인한 뒤에 신청해 주세요."))
    if filed_by is not None and not permissions.is_staff(filed_by):
        raise PermissionDenied(CoreCode.STAFF_ONLY, _("담당 공무원만 대리 접수할 수 있습니다."))


def _title_and_description(title, description) -> tuple[str, str]:
    title = inputs.length(
        inputs.text(title), code="title", label=_("제목"), minimum=inputs.TITLE_MIN, maximum=inputs.TITLE_MAX
    )
    description = inputs.length(
        inputs.text(description),
        code="description",
        label=_("내용"),
        minimum=inputs.DESCRIPTION_MIN,
        maximum=inputs.DESCRIPTION_MAX,
    )
    return title, description


def _check_kind(category: Category | None, kind: str | None, contact_preference: str) -> None:
    if category is not None and category.form != FormKind.GENERAL:
        raise DasanError(Code.USE_PARKING_FORM, _("불법주정차 신고는 전용 신고 양식으로 해 주세요."))
    if kind and kind not in Kind.values:
        raise DasanError(Code.KIND_INVALID, _("알 수 없는 민원 종류입니다."))
    if contact_preference not in ContactPreference.values:
        raise DasanError(Code.CONTACT_PREFERENCE_INVALID, _("알림 받는 방법을 다시 골라 주세요."))


@dataclasses.dataclass
class _Contact:
    name: str
    phone: str
    email: str
    preference: str


def _contact(category: Category | None, resident, anonymous: bool, given: _Contact) -> _Contact:
    """Who to tell, checked against the way they chose; nothing that names an anonymous filer."""
    name = inputs.text(given.name)
    if len(name) > 60:
        raise DasanError(Code.CONTACT_NAME_TOO_LONG, _("이름은 60자까지 쓸 수 있습니다."))
    contact = _Contact(name, inputs.phone(given.phone), inputs.email(given.email), given.preference)
    if anonymous:
        if category is None or not category.allows_anonymous:
            raise DasanError(
                Code.ANONYMOUS_NOT_ALLOWED,
                _("이 민원 분류는 익명으로 신청할 수 없습니다. 익명을 해제하거나 다른 분류를 골라 주세요."),
            )
        # Nothing that names them is kept on the complaint; a signed-in resident
        # stays linked so they can follow it.
        preference = ContactPreference.NONE if resident is None else contact.preference
        return _Contact("", "", "", preference)
    phone = contact.phone or (getattr(resident, "phone", "") or "")
    email = contact.email or (getattr(resident, "email", "") or "")
    if resident is None and not (contact.name or phone or email):
        raise DasanError(
            Code.CONTACT_REQUIRED,
            _("신청인의 이름이나 연락처를 적어 주세요. 밝히고 싶지 않으면 익명으로 신청해 주세요."),
        )
    if contact.preference in (ContactPreference.SMS, ContactPreference.KAKAO) and not phone:
        raise DasanError(
            Code.CONTACT_PHONE_REQUIRED, _("문자나 카카오톡으로 알림을 받으려면 휴대전화 번호가 필요합니다.")
        )
    if contact.preference == ContactPreference.EMAIL and not email:
        raise DasanError(Code.CONTACT_EMAIL_REQUIRED, _("이메일로 알림을 받으려면 이메일 주소가 필요합니다."))
    return contact


def photo_position(prepared, latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """(latitude, longitude) as given, else the first photo's GPS position, else (None, None)."""
    if latitude is None:
        located = next((p for p in prepared if p.latitude is not None), None)
        if located is not None:
            return located.latitude, located.longitude
    return latitude, longitude


def file_complaint(
    *,
    title: str,
    description: str,
    channel: str,
    category: Category | str | None = None,
    kind: str | None = None,
    resident=None,
    anonymous: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    contact_preference: str = "sms",
    latitude=None,
    longitude=None,
    address: str = "",
    is_public: bool = False,
    photos: Iterable = (),
    language: str | None = None,
    filed_by=None,
    source_reference: str = "",
    received_at: dt.datetime | None = None,
) -> Complaint:
    """민원 접수: validate a filing, give it a 접수번호 and a due date, route it, store it
    (the module docstring).

    ``category`` is a Category or its code. ``resident`` is the signed-in resident filing
    it; ``filed_by`` the member of staff filing it for someone at the counter; neither for
    Open311. ``anonymous`` is allowed only where the category allows it: staff then see no
    name or contact, while a signed-in resident can still follow it. Photos are validated,
    cleaned of EXIF and, when the complaint has no location, lend it theirs.

    Raises :class:`DasanError` with a message in the user's language for anything to fix.
    """
    title, description = _title_and_description(title, description)
    if channel not in Channel.values:
        raise DasanError(Code.CHANNEL_INVALID, _("알 수 없는 접수 경로입니다."))
    category = _category(category)
    _check_kind(category, kind, contact_preference)
    latitude, longitude = inputs.coordinates(latitude, longitude)
    address = inputs.text(address)
    if len(address) > 200:
        raise DasanError(Code.ADDRESS_TOO_LONG, _("주소는 200자까지 쓸 수 있습니다."))
    _check_filer(resident, filed_by)
    contact = _contact(
        category, resident, anonymous, _Contact(contact_name, contact_phone, contact_email, contact_preference)
    )
    prepared = photo_tools.prepare_many(photos)  # outside the transaction: decoding is slow
    latitude, longitude = photo_position(prepared, latitude, longitude)
    if category is not None and category.requires_location and latitude is None and not address:
        raise DasanError(
            Code.LOCATION_REQUIRED, _("이 민원은 위치가 필요합니다. 지도에서 위치를 고르거나 주소를 적어 주세요.")
        )
    received = _received_at(received_at)
    # Stored as written; a filing in English, Chinese or Vietnamese is answered (and told)
    # in that language whatever the page's, and staff read it with its Korean translation.
    written = written_language(title, description)
    translated = _to_korean(title, description, written)
    # The router learnt from Korean complaints: it reads the translation when there is one.
    routed = _route(category, translated[0] or title, translated[1] or description)
    filing = Filing(
        title=title,
        description=description,
        channel=channel,
        routed=routed,
        kind=kind or (routed.category.kind if routed.category else Kind.OTHER),
        language=written if written and written != "ko" else inputs.language(language, resident),
        received_at=received,
        resident=resident,
        anonymous=bool(anonymous),
        contact_name=contact.name,
        contact_phone=contact.phone,
        contact_email=contact.email,
        contact_preference=contact.preference,
        latitude=latitude,
        longitude=longitude,
        address=address,
        is_public=bool(is_public),
        photos=prepared,
        filed_by=filed_by,
        source_reference=inputs.text(source_reference)[:64],
        translated=translated,
    )
    with transaction.atomic():
        return store(filing)
