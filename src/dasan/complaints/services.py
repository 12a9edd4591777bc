"""민원 services: every change to a complaint happens here.

Views, the API, Open311, the admin, tasks and the demo call these functions;
none of them writes the models directly. Each change

* runs in one transaction, with the complaint's row locked so two staff members
  clicking at once cannot both move it;
* checks the workflow (:data:`TRANSITIONS`) and raises
  :class:`~dasan.core.errors.Conflict` for a step that is not allowed now;
* leaves a :class:`~dasan.complaints.models.ComplaintEvent` (the timeline), an
  audit record, and — for the steps residents are told about — a notification in
  the complaint's language, unless they asked for none.

Workflow::

    received ─▶ assigned ─▶ in_progress ─▶ answered ─▶ closed
        │           │            │   ▲
        │           │            ▼   │
        │           │         extended
        └───────────┴── any open status ─▶ transferred (이송) | withdrawn (취하)

The law this follows: 「민원 처리에 관한 법률」 (법) and its decree (시행령):
processing periods in :mod:`.deadlines`; 이송 of a complaint that belongs to
another agency with notice to the resident (법 제16조); one extension within the
length of the original period with the reason and the new date sent to the
resident, and one more with the resident's consent (시행령 제21조).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import re
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dasan.complaints.errors import Code
from dasan.core import audit, langdetect, pii
from dasan.core.errors import Conflict, CoreCode, DasanError, NotFound, PermissionDenied

from . import photos as photo_tools
from .models import (
    OPEN_STATUSES,
    Category,
    Channel,
    Complaint,
    ComplaintEvent,
    ComplaintPhoto,
    ContactPreference,
    EventKind,
    FormKind,
    Kind,
    NumberSequence,
    ParkingReport,
    PeriodUnit,
    Routing,
    Status,
    TranslationState,
)

logger = logging.getLogger(__name__)

__all__ = [
    "file_complaint",
    "file_parking_report",
    "consent_text",
    "assign",
    "bulk_reassign",
    "start",
    "answer",
    "close",
    "extend",
    "transfer",
    "withdraw",
    "add_note",
    "rate",
    "visible_complaints",
    "get_complaint",
    "timeline",
    "public_categories",
    "photo_for",
    "receipt_pdf",
    "normalize_plate",
    "verify_parking_report",
    "parking_content_hash",
    "next_number",
    "TRANSITIONS",
]

TITLE_MIN, TITLE_MAX = 2, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 5000
ANSWER_MIN, ANSWER_MAX = 5, 10000
REASON_MIN, REASON_MAX = 5, 1000
NOTE_MAX = 4000
COMMENT_MAX = 500
#: 시행령 제21조: one extension; a second only with the resident's consent.
MAX_EXTENSIONS = 2
#: A parking report's photos may be this old at most (a city policy, not the law:
#: an old photo proves little about a car still standing there).
PARKING_MAX_AGE = dt.timedelta(days=7)
#: Camera clocks drift; a photo "taken" this far in the future is still accepted.
CLOCK_SKEW = dt.timedelta(minutes=10)
PARKING_MIN_GAP = dt.timedelta(minutes=1)

#: Which statuses each step may start from (anything else is a Conflict).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assign": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "start": (Status.RECEIVED, Status.ASSIGNED),
    "extend": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "answer": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "close": (Status.ANSWERED,),
    "transfer": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "withdraw": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "rate": (Status.ANSWERED, Status.CLOSED),
}

_EARTH_RADIUS_M = 6_371_008.8
_SIX_PLACES = Decimal("0.000001")


# --- small helpers ------------------------------------------------------------------------------


def _now() -> dt.datetime:
    return timezone.now()


def _text(value) -> str:
    return str(value or "").strip()


def _length(value: str, *, code: str, label, minimum: int, maximum: int) -> str:
    if len(value) < minimum:
        if not value:
            raise DasanError(f"{code}_required", _("%(label)s을(를) 입력해 주세요.") % {"label": label})
        raise DasanError(
            f"{code}_too_short", _("%(label)s은(는) %(min)s자 이상 써 주세요.") % {"label": label, "min": minimum}
        )
    if len(value) > maximum:
        raise DasanError(
            f"{code}_too_long", _("%(label)s은(는) %(max)s자까지 쓸 수 있습니다.") % {"label": label, "max": maximum}
        )
    return value


def _language(language: str | None, resident=None) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    for candidate in (language, getattr(resident, "language", None), translation.get_language()):
        if not candidate:
            continue
        code = str(candidate).replace("_", "-").lower()
        if code in codes:
            return code
        if code.startswith("zh") and "zh-hans" in codes:
            return "zh-hans"
        base = code.split("-")[0]
        if base in codes:
            return base
    return settings.LANGUAGE_CODE


def _coordinate(value, low: int, high: int, label) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise DasanError(Code.LOCATION_INVALID, _("%(label)s 값이 올바르지 않습니다.") % {"label": label}) from None
    if not number.is_finite() or not (low <= number <= high):
        raise DasanError(
            Code.LOCATION_INVALID,
            _("%(label)s은(는) %(low)s에서 %(high)s 사이여야 합니다.") % {"label": label, "low": low, "high": high},
        )
    return number.quantize(_SIX_PLACES, rounding=ROUND_HALF_UP)


def _coordinates(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    lat = _coordinate(latitude, -90, 90, _("위도"))
    lng = _coordinate(longitude, -180, 180, _("경도"))
    if (lat is None) != (lng is None):
        raise DasanError(Code.LOCATION_INCOMPLETE, _("위치는 위도와 경도를 함께 보내야 합니다."))
    return lat, lng


def _phone(value: str) -> str:
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:].lstrip("0")
    if not digits:
        return ""
    if not re.fullmatch(r"0\d{8,10}", digits):
        raise DasanError(Code.CONTACT_PHONE_INVALID, _("연락처는 010-1234-5678처럼 숫자로 적어 주세요."))
    return digits


def _email(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise DasanError(Code.CONTACT_EMAIL_INVALID, _("이메일 주소가 올바르지 않습니다.")) from None
    return value


def _haversine_m(lat1, lng1, lat2, lng2) -> float:
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp = p2 - p1
    dl = math.radians(float(lng2) - float(lng1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _is_staff(user) -> bool:
    from dasan.accounts.models import Kind as UserKind

    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and (getattr(user, "kind", None) == UserKind.STAFF or getattr(user, "is_superuser", False))
    )


def _routes(user) -> bool:
    """Managers and city administrators route complaints out of the triage queue (분류 대기)."""
    from dasan.accounts.models import Role

    return _is_staff(user) and bool(user.is_superuser or user.role in (Role.MANAGER, Role.ADMIN))


def _not_found() -> NotFound:
    return NotFound(Code.COMPLAINT_NOT_FOUND, _("민원을 찾을 수 없습니다."))


def _require_staff(actor, complaint: Complaint) -> None:
    from dasan.accounts import scoping

    if not _is_staff(actor):
        raise PermissionDenied(CoreCode.STAFF_ONLY, _("담당 공무원만 할 수 있는 일입니다."))
    if complaint.department_id is None and _routes(actor):
        return
    if not scoping.can_view(actor, complaint):
        raise _not_found()


def _require_owner(resident, complaint: Complaint) -> None:
    if (
        resident is None
        or not getattr(resident, "is_authenticated", False)
        or complaint.resident_id is None
        or complaint.resident_id != resident.pk
    ):
        raise _not_found()


def _lock(complaint: Complaint) -> Complaint:
    try:
        return Complaint.objects.select_for_update().get(pk=complaint.pk)
    except Complaint.DoesNotExist:
        raise _not_found() from None


def _check_step(complaint: Complaint, step: str) -> None:
    if complaint.status not in TRANSITIONS[step]:
        messages = {
            "assign": _("이미 처리가 끝난 민원(%(status)s)은 배정할 수 없습니다."),
            "start": _("지금 상태(%(status)s)에서는 처리를 시작할 수 없습니다."),
            "extend": _("지금 상태(%(status)s)에서는 처리기간을 연장할 수 없습니다."),
            "answer": _("지금 상태(%(status)s)에서는 답변할 수 없습니다."),
            "close": _("답변이 끝난 민원만 종결할 수 있습니다. 지금 상태: %(status)s"),
            "transfer": _("지금 상태(%(status)s)에서는 이송할 수 없습니다."),
            "withdraw": _("지금 상태(%(status)s)에서는 취하할 수 없습니다."),
            "rate": _("답변을 받은 뒤에 만족도를 남길 수 있습니다. 지금 상태: %(status)s"),
        }
        raise Conflict(
            f"cannot_{step}", messages[step] % {"status": complaint.get_status_display()}, status_now=complaint.status
        )


def _event(
    complaint: Complaint,
    kind: str,
    *,
    actor=None,
    from_status: str = "",
    to_status: str = "",
    from_department=None,
    to_department=None,
    reason: str = "",
    internal: bool = False,
    data: dict | None = None,
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        from_department=from_department,
        to_department=to_department,
        reason=reason,
        internal=internal,
        data=data or {},
    )


def _audit(action: str, complaint: Complaint, actor=None, *, reason: str = "", data: dict | None = None) -> None:
    audit.record(
        f"complaints.{action}",
        actor=actor,
        target=complaint,
        reason=reason,
        data={"number": complaint.number, **(data or {})},
    )


def _local(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def complaint_url(complaint: Complaint, *, absolute: bool = True) -> str:
    """The resident's page of ``complaint``: absolute under ``DASAN["PUBLIC_URL"]``, else
    under the city's website, else just the path."""
    try:
        path = reverse("complaints:detail", args=[complaint.number])
    except NoReverseMatch:
        path = f"/complaints/{complaint.number}/"
    if not absolute:
        return path
    base = (settings.DASAN.get("PUBLIC_URL") or "").rstrip("/")
    if not base:
        from dasan.core.models import Municipality

        city = Municipality.current()
        base = (city.website if city and city.website else "").rstrip("/")
    return base + path if base else path


# --- notifications ------------------------------------------------------------------------------


_PREFERRED_CHANNEL = {ContactPreference.SMS: "sms", ContactPreference.EMAIL: "email", ContactPreference.KAKAO: "kakao"}


def _recipient(complaint: Complaint) -> tuple[object, str | None, str | None] | None:
    """(user, explicit address, channel) to tell the resident through, or None."""
    from dasan.notify import channels

    preference = complaint.contact_preference
    if preference == ContactPreference.NONE:
        return None
    enabled = channels.enabled()
    wanted = _PREFERRED_CHANNEL.get(preference)
    user = complaint.resident
    phone = complaint.contact_phone or (getattr(user, "phone", "") or "")
    email = complaint.contact_email or (getattr(user, "email", "") or "")
    if preference == ContactPreference.EMAIL and email:
        return user, email if complaint.contact_email or user is None else None, "email" if "email" in enabled else None
    if preference in (ContactPreference.SMS, ContactPreference.KAKAO) and phone:
        channel = wanted if wanted in enabled else None
        return user, phone if complaint.contact_phone or user is None else None, channel
    # The chosen way is not possible (no number, no address): use what there is.
    if user is not None:
        return user, None, None
    if phone:
        return None, phone, None
    if email:
        return None, email, "email" if "email" in enabled else None
    return None


def _notify(complaint: Complaint, key: str, **context) -> None:
    """Queue template ``key`` for the complaint's resident in the complaint's language.

    A notification that cannot be queued (no usable address, a channel switched
    off) is logged; it never undoes the change the resident asked for."""
    from dasan.notify.services import enqueue

    target = _recipient(complaint)
    if target is None:
        return
    user, to, channel = target
    base = {
        "number": complaint.number,
        "title": complaint.title[:30],
        "due": _local(complaint.due_at),
        # A bare path is no use in a text message; without a public address, no link.
        "url": url if (url := complaint_url(complaint)).startswith("http") else "",
        "department": complaint.department.name if complaint.department_id else "",
    }
    base.update(context)
    try:
        with transaction.atomic():
            enqueue(
                key,
                recipient=user,
                to=to,
                channel=channel,
                context=base,
                language=complaint.language,
                department=complaint.department,
            )
    except DasanError as exc:
        logger.warning("complaint %s: notification %s not queued (%s)", complaint.number, key, exc.code)


# --- numbers ------------------------------------------------------------------------------------


def next_number(received_at: dt.datetime | None = None) -> str:
    """The next 접수번호 ``YYYY-NNNNNN`` for the year of ``received_at`` (Asia/Seoul).

    Must run inside the transaction that stores the complaint: the year's
    sequence row stays locked until it commits, so concurrent filings wait for
    each other and never share a number, and a rolled-back filing gives its
    number back."""
    year = timezone.localtime(received_at or _now()).year
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


# --- filing -------------------------------------------------------------------------------------


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


@dataclasses.dataclass
class _Routed:
    category: Category | None
    department: object
    routing: str
    suggested: Category | None = None
    confidence: float | None = None
    source: str = ""


def _route(category: Category | None, title: str, description: str) -> _Routed:
    if category is not None:
        return _Routed(category=category, department=category.department, routing=Routing.CATEGORY)
    try:
        from . import routing

        # Personal data never reaches the classifier (DESIGN: PII masked before any model).
        suggestion = routing.suggest(pii.mask(f"{title}\n{description}"))
    except Exception:  # noqa: BLE001 - a broken classifier must not stop a filing: staff triage it
        logger.exception("routing.suggest failed; complaint goes to triage")
        return _Routed(category=None, department=None, routing=Routing.TRIAGE)
    threshold = float(settings.DASAN.get("COMPLAINT_AUTO_ASSIGN", 0.6))
    suggested = getattr(suggestion, "category", None)
    confidence = float(getattr(suggestion, "confidence", 0.0) or 0.0)
    source = str(getattr(suggestion, "source", "") or "")
    if suggested is not None and suggested.is_active and confidence >= threshold:
        department = getattr(suggestion, "department", None) or suggested.department
        return _Routed(
            category=suggested,
            department=department,
            routing=Routing.AUTO,
            suggested=suggested,
            confidence=confidence,
            source=source,
        )
    return _Routed(
        category=None,
        department=None,
        routing=Routing.TRIAGE,
        suggested=suggested,
        confidence=confidence if suggested is not None else None,
        source=source,
    )


def _find_duplicate(
    category: Category, latitude: Decimal, longitude: Decimal, received_at: dt.datetime, exclude_pk: int
) -> tuple[Complaint, float] | None:
    radius = float(settings.DASAN.get("COMPLAINT_DUPLICATE_RADIUS_M", 50))
    days = int(settings.DASAN.get("COMPLAINT_DUPLICATE_DAYS", 30))
    if radius <= 0 or days <= 0:
        return None
    # A bounding box first (index-friendly), then the exact distance.
    dlat = radius / 111_320.0
    dlng = radius / max(1.0, 111_320.0 * math.cos(math.radians(float(latitude))))
    candidates = (
        Complaint.objects.filter(
            category=category,
            status__in=OPEN_STATUSES,
            received_at__gte=received_at - dt.timedelta(days=days),
            received_at__lte=received_at,
            latitude__gte=float(latitude) - dlat,
            latitude__lte=float(latitude) + dlat,
            longitude__gte=float(longitude) - dlng,
            longitude__lte=float(longitude) + dlng,
        )
        .exclude(pk=exclude_pk)
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


def _store_photos(
    complaint: Complaint, prepared: Sequence[photo_tools.PreparedPhoto], *, start: int = 0, by_staff: bool = False
) -> list[ComplaintPhoto]:
    stored = []
    for offset, item in enumerate(prepared):
        photo = ComplaintPhoto(
            complaint=complaint,
            sha256=item.sha256,
            taken_at=item.taken_at,
            latitude=item.latitude,
            longitude=item.longitude,
            position=start + offset,
            uploaded_by_staff=by_staff,
        )
        photo.image.save(f"{item.sha256[:32]}.jpg", ContentFile(item.content), save=False)
        # Known from preparing it; the field would otherwise read the file back to learn them.
        photo.width, photo.height = item.width, item.height
        photo.save()
        stored.append(photo)
    return stored


def _received_at(value: dt.datetime | None) -> dt.datetime:
    now = _now()
    if value is None:
        return now
    if timezone.is_naive(value):
        raise DasanError(Code.RECEIVED_AT_INVALID, _("접수 일시에 시간대가 없습니다."))
    if value > now + CLOCK_SKEW:
        raise DasanError(Code.RECEIVED_AT_INVALID, _("접수 일시가 미래입니다."))
    return value


def _due(received_at: dt.datetime, category: Category | None, kind: str) -> dt.datetime:
    from . import deadlines

    value, unit = deadlines.period_for(category, kind)
    return deadlines.due_at(received_at, value, unit)


def _create(
    *,
    title: str,
    description: str,
    channel: str,
    routed: _Routed,
    kind: str,
    resident,
    anonymous: bool,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    contact_preference: str,
    latitude,
    longitude,
    address: str,
    is_public: bool,
    prepared,
    language: str,
    filed_by,
    source_reference: str,
    received_at: dt.datetime,
    link_duplicates: bool = True,
    translated: tuple[str, str, str] = ("", "", ""),
) -> Complaint:
    """Store a validated filing (inside the caller's transaction)."""
    complaint = Complaint.objects.create(
        number=next_number(received_at),
        channel=channel,
        language=language,
        kind=kind,
        category=routed.category,
        department=routed.department,
        routing=routed.routing,
        suggested_category=routed.suggested,
        suggestion_confidence=routed.confidence,
        resident=resident,
        is_anonymous=anonymous,
        contact_name=contact_name,
        contact_phone=contact_phone,
        contact_email=contact_email,
        contact_preference=contact_preference,
        filed_by=filed_by,
        title=title,
        description=description,
        latitude=latitude,
        longitude=longitude,
        address=address,
        is_public=is_public,
        status=Status.RECEIVED,
        received_at=received_at,
        due_at=_due(received_at, routed.category, kind),
        source_reference=source_reference,
        title_ko=translated[0],
        description_ko=translated[1],
        translation=translated[2],
    )
    _store_photos(complaint, prepared, by_staff=filed_by is not None)
    # The filer, unless anonymous: staff read the timeline, and it must not name them.
    actor = filed_by or (None if anonymous else resident)
    _event(
        complaint,
        EventKind.FILED,
        actor=actor,
        to_status=Status.RECEIVED,
        to_department=complaint.department,
        data={"channel": channel, "routing": routed.routing, "photos": len(prepared)},
    )
    if routed.routing != Routing.CATEGORY:
        # How the classifier decided, for staff (and for training it later).
        _event(
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
    _audit(
        "filed",
        complaint,
        filed_by or resident,
        data={"channel": channel, "routing": routed.routing, "category": getattr(routed.category, "code", None)},
    )

    duplicate = None
    if link_duplicates and complaint.category_id and latitude is not None:
        duplicate = _find_duplicate(complaint.category, latitude, longitude, received_at, complaint.pk)
    if duplicate is not None:
        original, distance = duplicate
        complaint.duplicate_of = original
        complaint.save(update_fields=["duplicate_of", "updated_at"])
        _event(
            complaint,
            EventKind.LINKED,
            data={"original": original.number, "distance_m": round(distance, 1)},
            reason=original.number,
        )
        _event(
            original,
            EventKind.LINKED,
            internal=True,
            reason=complaint.number,
            data={"duplicate": complaint.number, "distance_m": round(distance, 1)},
        )
        _audit("linked", complaint, None, data={"original": original.number, "distance_m": round(distance, 1)})
        # One message, not two: it says the complaint was received and what it joined.
        _notify(complaint, "complaints.linked", original=original.number)
    else:
        _notify(complaint, "complaints.received")
    return complaint


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
    return title_ko.text[:TITLE_MAX], description_ko.text[:DESCRIPTION_MAX], TranslationState.MACHINE


def _answer_for_resident(complaint: Complaint, text: str, translated: str) -> tuple[str, str]:
    """(answer_translated, state): the answer in the complaint's language when it is not
    Korean — a member of staff's own translation first, else the engine's, else flagged."""
    if complaint.language == "ko":
        return "", TranslationState.NOT_NEEDED
    translated = _text(translated)
    if translated:
        return translated[:ANSWER_MAX], TranslationState.STAFF
    from dasan import translation as mt

    machine = mt.translate_or_none(text, source="ko", target=complaint.language)
    if machine is None:
        return "", TranslationState.NEEDED
    return machine.text[:ANSWER_MAX], TranslationState.MACHINE


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
    """민원 접수: validate a filing, give it a 접수번호 and a due date, route it, store it.

    ``category`` (a Category or its code) decides the department, kind and period;
    without one the text goes through ``routing.suggest`` and is assigned
    automatically when the classifier is confident enough
    (``DASAN["COMPLAINT_AUTO_ASSIGN"]``), otherwise it waits in the triage queue.
    ``anonymous`` is allowed only where the category allows it: staff then see no
    name or contact, while a signed-in resident can still follow it. A complaint
    close to an open one of the same category (``COMPLAINT_DUPLICATE_RADIUS_M``
    within ``COMPLAINT_DUPLICATE_DAYS``) is linked to it. Photos are validated,
    cleaned of EXIF and, when the complaint has no location, lend it theirs.

    Raises :class:`DasanError` with a Korean message for anything to fix.
    """
    title = _length(_text(title), code="title", label=_("제목"), minimum=TITLE_MIN, maximum=TITLE_MAX)
    description = _length(
        _text(description), code="description", label=_("내용"), minimum=DESCRIPTION_MIN, maximum=DESCRIPTION_MAX
    )
    if channel not in Channel.values:
        raise DasanError(Code.CHANNEL_INVALID, _("알 수 없는 접수 경로입니다."))
    category = _category(category)
    if category is not None and category.form != FormKind.GENERAL:
        raise DasanError(Code.USE_PARKING_FORM, _("불법주정차 신고는 전용 신고 양식으로 해 주세요."))
    if kind and kind not in Kind.values:
        raise DasanError(Code.KIND_INVALID, _("알 수 없는 민원 종류입니다."))
    if contact_preference not in ContactPreference.values:
        raise DasanError(Code.CONTACT_PREFERENCE_INVALID, _("알림 받는 방법을 다시 골라 주세요."))
    latitude, longitude = _coordinates(latitude, longitude)
    address = _text(address)
    if len(address) > 200:
        raise DasanError(Code.ADDRESS_TOO_LONG, _("주소는 200자까지 쓸 수 있습니다."))
    source_reference = _text(source_reference)[:64]
    if resident is not None and not (getattr(resident, "is_authenticated", False) and resident.is_active):
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("로그인한 뒤에 신청해 주세요."))
    if filed_by is not None and not _is_staff(filed_by):
        raise PermissionDenied(CoreCode.STAFF_ONLY, _("담당 공무원만 대리 접수할 수 있습니다."))

    contact_name = _text(contact_name)
    if len(contact_name) > 60:
        raise DasanError(Code.CONTACT_NAME_TOO_LONG, _("이름은 60자까지 쓸 수 있습니다."))
    contact_phone = _phone(contact_phone)
    contact_email = _email(contact_email)
    if anonymous:
        if category is None or not category.allows_anonymous:
            raise DasanError(
                Code.ANONYMOUS_NOT_ALLOWED,
                _("이 민원 분류는 익명으로 신청할 수 없습니다. 익명을 해제하거나 다른 분류를 골라 주세요."),
            )
        # Nothing that names them is kept on the complaint; a signed-in resident
        # stays linked so they can follow it.
        contact_name = contact_phone = contact_email = ""
        if resident is None:
            contact_preference = ContactPreference.NONE
    else:
        phone = contact_phone or (getattr(resident, "phone", "") or "")
        email = contact_email or (getattr(resident, "email", "") or "")
        if resident is None and not (contact_name or phone or email):
            raise DasanError(
                Code.CONTACT_REQUIRED,
                _("신청인의 이름이나 연락처를 적어 주세요. 밝히고 싶지 않으면 익명으로 신청해 주세요."),
            )
        if contact_preference in (ContactPreference.SMS, ContactPreference.KAKAO) and not phone:
            raise DasanError(
                Code.CONTACT_PHONE_REQUIRED, _("문자나 카카오톡으로 알림을 받으려면 휴대전화 번호가 필요합니다.")
            )
        if contact_preference == ContactPreference.EMAIL and not email:
            raise DasanError(Code.CONTACT_EMAIL_REQUIRED, _("이메일로 알림을 받으려면 이메일 주소가 필요합니다."))

    prepared = photo_tools.prepare_many(photos)  # outside the transaction: decoding is slow
    if latitude is None:
        located = next((p for p in prepared if p.latitude is not None), None)
        if located is not None:
            latitude, longitude = located.latitude, located.longitude
    if category is not None and category.requires_location and latitude is None and not address:
        raise DasanError(
            Code.LOCATION_REQUIRED, _("이 민원은 위치가 필요합니다. 지도에서 위치를 고르거나 주소를 적어 주세요.")
        )

    received = _received_at(received_at)
    # Stored as written; a filing in English, Chinese or Vietnamese is answered (and told)
    # in that language whatever the page's, and staff read it with its Korean translation.
    written = written_language(title, description)
    language = written if written and written != "ko" else _language(language, resident)
    title_ko, description_ko, translation_state = _to_korean(title, description, written)
    # The router learnt from Korean complaints: it reads the translation when there is one.
    routed = _route(category, title_ko or title, description_ko or description)
    kind = kind or (routed.category.kind if routed.category else Kind.OTHER)
    with transaction.atomic():
        return _create(
            title=title,
            description=description,
            channel=channel,
            routed=routed,
            kind=kind,
            resident=resident,
            anonymous=bool(anonymous),
            contact_name=contact_name,
            contact_phone=contact_phone,
            contact_email=contact_email,
            contact_preference=contact_preference,
            latitude=latitude,
            longitude=longitude,
            address=address,
            is_public=bool(is_public),
            prepared=prepared,
            language=language,
            filed_by=filed_by,
            source_reference=source_reference,
            received_at=received,
            translated=(title_ko, description_ko, translation_state),
        )


# --- illegal parking (불법주정차 신고) ---------------------------------------------------------------

#: Usage letters (용도 기호) on Korean plates: private cars, commercial (buses, taxis,
#: trucks; 배 for parcel delivery), and rental cars (하·허·호).
PLATE_PRIVATE = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주"
PLATE_COMMERCIAL = "바사아자배"
PLATE_RENTAL = "하허호"
PLATE_LETTERS = PLATE_PRIVATE + PLATE_COMMERCIAL + PLATE_RENTAL
#: The region prefix of older plates (and of today's commercial ones).
PLATE_REGIONS = (
    "서울",
    "부산",
    "대구",
    "인천",
    "광주",
    "대전",
    "울산",
    "세종",
    "경기",
    "강원",
    "충북",
    "충남",
    "전북",
    "전남",
    "경북",
    "경남",
    "제주",
)
_PLATE = re.compile(
    rf"^(?:(?P<region>{'|'.join(PLATE_REGIONS)})(?P<rtype>\d{{1,2}})|(?P<type>\d{{2,3}}))"
    rf"(?P<letter>[{PLATE_LETTERS}])(?P<serial>\d{{4}})$"
)


def normalize_plate(value: str) -> str:
    """The plate ``value`` written the standard way (``12가3456``, ``123가4567``,
    ``서울12가3456``), or DasanError ``plate_invalid``."""
    text = re.sub(r"[\s\-·.]", "", str(value or ""))
    match = _PLATE.match(text)
    if match is None or match["serial"] == "0000" or set(match["type"] or "1") == {"0"}:
        raise DasanError(
            Code.PLATE_INVALID,
            _("차량번호를 확인해 주세요. 예: 12가3456, 123가4567, 서울12가3456"),
        )
    return text


def consent_text(language: str | None = None) -> str:
    """The statement a reporter of illegal parking agrees to and signs (in ``language``)."""
    with translation.override(_language(language)):
        return gettext(
            "본인은 위 차량이 신고한 일시와 장소에 주정차 금지 규정을 어기고 서 있는 것을 직접 보고 "
            "사진 두 장을 1분 이상 간격을 두고 촬영하였으며, 신고 내용이 사실임을 확인합니다. "
            "사실과 다른 신고로 다른 사람에게 피해를 주면 법에 따라 책임질 수 있음을 알고 있습니다. "
            "신고를 처리하기 위해 사진, 위치와 신고 내용을 담당 기관이 이용하는 데 동의합니다."
        )


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parking_payload(report: ParkingReport, photo_hashes: Sequence[str]) -> dict:
    complaint = report.complaint
    return {
        "v": 1,
        "number": complaint.number,
        "plate": report.plate,
        "place": report.place,
        "latitude": None if complaint.latitude is None else f"{Decimal(complaint.latitude):.6f}",
        "longitude": None if complaint.longitude is None else f"{Decimal(complaint.longitude):.6f}",
        "observed_at": _iso(report.observed_at),
        "first_photo_at": _iso(report.first_photo_at),
        "second_photo_at": _iso(report.second_photo_at),
        "photos": list(photo_hashes),
        "consent_text": report.consent_text,
        "signer_name": report.signer_name,
        "signed_at": _iso(report.signed_at),
    }


def parking_content_hash(report: ParkingReport, photo_hashes: Sequence[str] | None = None) -> str:
    """SHA-256 over the canonical JSON of what the reporter signed: the number, plate,
    place and position, the times, the photos' SHA-256, the statement, the signer
    and the signing time."""
    if photo_hashes is None:
        photo_hashes = list(report.complaint.photos.order_by("position", "id").values_list("sha256", flat=True))
    canonical = json.dumps(
        _parking_payload(report, photo_hashes), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def verify_parking_report(report: ParkingReport) -> bool:
    """Whether the stored report (and its photos) is still what was signed."""
    report = ParkingReport.objects.select_related("complaint").get(pk=report.pk)
    stored_photos = list(report.complaint.photos.order_by("position", "id"))
    for photo in stored_photos:
        # The hash binds the photos' recorded SHA-256; check the files still match it.
        try:
            with photo.image.open("rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() != photo.sha256:
                    return False
        except (FileNotFoundError, OSError, ValueError):
            return False
    expected = parking_content_hash(report, [p.sha256 for p in stored_photos])
    return hmac.compare_digest(expected, report.content_hash)


def _parking_category() -> Category:
    category = (
        Category.objects.filter(form=FormKind.ILLEGAL_PARKING, is_active=True)
        .select_related("department")
        .order_by("order", "code")
        .first()
    )
    if category is None:
        raise DasanError(Code.PARKING_UNAVAILABLE, _("지금은 불법주정차 신고를 받지 않습니다."), status=503)
    return category


def file_parking_report(
    *,
    resident,
    plate: str,
    place: str,
    latitude,
    longitude,
    photos: Sequence,
    signer_name: str,
    consent: bool,
    observed_at: dt.datetime | None = None,
    description: str = "",
    channel: str = "web",
    language: str | None = None,
) -> Complaint:
    """불법주정차 신고: a signed-in resident reports a vehicle with two photos taken at
    least a minute apart (their EXIF times are the evidence) and signs a statement.

    The statement, the signer and the signing time are bound to the report by a
    SHA-256 content hash (:func:`verify_parking_report` checks it later).
    """
    if resident is None or not getattr(resident, "is_authenticated", False) or not resident.is_active:
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("불법주정차 신고는 로그인한 뒤에 할 수 있습니다."))
    plate = normalize_plate(plate)
    place = _length(_text(place), code="place", label=_("위반 장소"), minimum=2, maximum=200)
    signer_name = _length(_text(signer_name), code="signer_name", label=_("서명자 이름"), minimum=2, maximum=60)
    description = _text(description)
    if len(description) > DESCRIPTION_MAX:
        raise DasanError(
            Code.DESCRIPTION_TOO_LONG, _("내용은 %(max)s자까지 쓸 수 있습니다.") % {"max": DESCRIPTION_MAX}
        )
    if not consent:
        raise DasanError(Code.CONSENT_REQUIRED, _("신고 내용이 사실임을 확인하고 동의해야 신고할 수 있습니다."))
    if channel not in Channel.values:
        raise DasanError(Code.CHANNEL_INVALID, _("알 수 없는 접수 경로입니다."))
    latitude, longitude = _coordinates(latitude, longitude)
    uploads = [p for p in (photos or ()) if p is not None]
    if len(uploads) != 2:
        raise DasanError(
            Code.PARKING_TWO_PHOTOS, _("같은 자리에서 1분 이상 간격을 두고 찍은 사진 두 장을 올려 주세요.")
        )
    category = _parking_category()

    prepared = [photo_tools.prepare(upload) for upload in uploads]
    if any(p.taken_at is None for p in prepared):
        raise DasanError(
            Code.PARKING_PHOTO_TIME_MISSING,
            _(
                "사진에 촬영 시각 정보(EXIF)가 없습니다. 휴대전화 카메라로 찍은 원본 사진을 올려 주세요. "
                "메신저로 받거나 편집한 사진에는 촬영 시각이 남지 않습니다."
            ),
        )
    prepared.sort(key=lambda p: p.taken_at)
    first, second = prepared
    now = _now()
    if second.taken_at - first.taken_at < PARKING_MIN_GAP:
        raise DasanError(Code.PARKING_PHOTOS_TOO_CLOSE, _("두 사진의 촬영 시각이 1분 이상 차이 나야 합니다."))
    if second.taken_at > now + CLOCK_SKEW:
        raise DasanError(
            Code.PARKING_PHOTO_IN_FUTURE, _("사진의 촬영 시각이 지금보다 뒤입니다. 휴대전화 시계를 확인해 주세요.")
        )
    if now - first.taken_at > PARKING_MAX_AGE:
        raise DasanError(
            Code.PARKING_PHOTO_TOO_OLD,
            _("촬영한 지 %(days)s일이 지난 사진으로는 신고할 수 없습니다.") % {"days": PARKING_MAX_AGE.days},
        )
    if latitude is None:
        located = next((p for p in prepared if p.latitude is not None), None)
        if located is not None:
            latitude, longitude = located.latitude, located.longitude
    if latitude is None:
        raise DasanError(Code.LOCATION_REQUIRED, _("위반 장소의 위치를 지도에서 골라 주세요."))
    if observed_at is None:
        observed_at = first.taken_at
    elif timezone.is_naive(observed_at) or observed_at > now + CLOCK_SKEW:
        raise DasanError(Code.OBSERVED_AT_INVALID, _("위반 일시가 올바르지 않습니다."))

    language = _language(language, resident)
    # Title and summary are case data for the city's staff, written in Korean.
    title = f"불법주정차 신고 {plate}"
    summary = (
        f"차량번호: {plate}\n위반 장소: {place}\n위반 일시: {_local(observed_at)}\n"
        f"사진 촬영: {_local(first.taken_at, '%Y-%m-%d %H:%M:%S')}, {_local(second.taken_at, '%Y-%m-%d %H:%M:%S')}"
    )
    full_description = f"{summary}\n\n{description}" if description else summary
    contact_preference = (
        ContactPreference.SMS
        if resident.phone
        else (ContactPreference.EMAIL if resident.email else ContactPreference.NONE)
    )
    routed = _Routed(category=category, department=category.department, routing=Routing.CATEGORY)
    signed_at = now.replace(microsecond=0)
    with transaction.atomic():
        complaint = _create(
            title=title,
            description=full_description,
            channel=channel,
            routed=routed,
            kind=category.kind,
            resident=resident,
            anonymous=False,
            contact_name="",
            contact_phone="",
            contact_email="",
            contact_preference=contact_preference,
            latitude=latitude,
            longitude=longitude,
            address=place,
            is_public=False,
            prepared=prepared,
            language=language,
            filed_by=None,
            source_reference="",
            received_at=now,
            link_duplicates=False,
        )
        report = ParkingReport(
            complaint=complaint,
            plate=plate,
            observed_at=observed_at,
            first_photo_at=first.taken_at,
            second_photo_at=second.taken_at,
            place=place,
            consent_text=consent_text(language),
            signer_name=signer_name,
            signed_at=signed_at,
        )
        report.content_hash = parking_content_hash(report, [first.sha256, second.sha256])
        report.save()
        _audit("parking_signed", complaint, resident, data={"content_hash": report.content_hash})
    return complaint


# --- workflow -----------------------------------------------------------------------------------


def _department(department):
    from dasan.core.models import Department

    if not isinstance(department, Department):
        department = Department.objects.filter(pk=getattr(department, "pk", department)).first()
    if department is None or not department.is_active:
        raise DasanError(Code.DEPARTMENT_INVALID, _("배정할 수 없는 부서입니다."))
    return department


def _done(original: Complaint, locked: Complaint) -> Complaint:
    if original is not locked:
        original.refresh_from_db()
    return original


def _assign_locked(complaint: Complaint, *, department, actor, assignee=None, reason: str = "") -> bool:
    """Assign an already locked complaint; True when something changed."""
    _require_staff(actor, complaint)
    _check_step(complaint, "assign")
    if assignee is not None:
        from dasan.accounts.models import Kind as UserKind

        if assignee.kind != UserKind.STAFF or not assignee.is_active or assignee.department_id != department.pk:
            raise DasanError(Code.ASSIGNEE_INVALID, _("담당자는 배정할 부서의 직원이어야 합니다."))
    old_department = complaint.department
    old_status = complaint.status
    moved = old_department is None or old_department.pk != department.pk
    if not moved and old_status != Status.RECEIVED and (assignee is None or assignee.pk == complaint.assignee_id):
        raise Conflict(
            Code.ALREADY_ASSIGNED, _("이미 %(department)s에 배정된 민원입니다.") % {"department": department.name}
        )
    if moved:
        complaint.department = department
        complaint.routing = Routing.STAFF
        complaint.assignee = assignee
        complaint.status = Status.ASSIGNED
    else:
        if assignee is not None:
            complaint.assignee = assignee
        if old_status == Status.RECEIVED:
            complaint.status = Status.ASSIGNED
    complaint.save(update_fields=["department", "routing", "assignee", "status", "updated_at"])
    # A staff member moving it between departments is what the classifier learns from.
    kind = EventKind.REASSIGNED if moved and old_department is not None else EventKind.ASSIGNED
    _event(
        complaint,
        kind,
        actor=actor,
        from_status=old_status,
        to_status=complaint.status,
        from_department=old_department,
        to_department=department,
        reason=reason,
        data={
            "assignee": getattr(assignee, "pk", None),
            "by_staff": True,
            "from_triage": old_department is None,
            "category": getattr(complaint.category, "code", None),
        },
    )
    _audit(
        "reassigned" if kind == EventKind.REASSIGNED else "assigned",
        complaint,
        actor,
        reason=reason,
        data={
            "from": getattr(old_department, "code", None),
            "to": department.code,
            "assignee": getattr(assignee, "pk", None),
        },
    )
    if moved or old_status == Status.RECEIVED:
        _notify(complaint, "complaints.assigned", department=department.name)
    return True


def assign(complaint: Complaint, *, department, actor, assignee=None, reason: str = "") -> Complaint:
    """담당 배정: give the complaint to ``department`` (and optionally a named
    ``assignee`` there). Moving it from one department to another records a
    ``reassigned`` event with both departments; the resident is told which
    department now handles it."""
    department = _department(department)
    reason = _text(reason)[:REASON_MAX]
    with transaction.atomic():
        locked = _lock(complaint)
        _assign_locked(locked, department=department, actor=actor, assignee=assignee, reason=reason)
    return _done(complaint, locked)


def bulk_reassign(numbers: list[str], *, department, actor, reason: str) -> int:
    """Move the complaints numbered ``numbers`` to ``department`` with one reason.

    Only complaints the actor may handle and that are still open move; the rest
    are left as they are. Returns how many moved."""
    department = _department(department)
    reason = _length(_text(reason), code="reason", label=_("옮기는 사유"), minimum=2, maximum=REASON_MAX)
    if not _is_staff(actor):
        raise PermissionDenied(CoreCode.STAFF_ONLY, _("담당 공무원만 할 수 있는 일입니다."))
    wanted = sorted({str(n).strip() for n in numbers or () if str(n).strip()})
    if not wanted:
        raise DasanError(Code.NOTHING_SELECTED, _("옮길 민원을 하나 이상 고르세요."))
    moved = 0
    with transaction.atomic():
        ids = list(
            visible_complaints(actor)
            .filter(number__in=wanted, status__in=TRANSITIONS["assign"])
            .values_list("pk", flat=True)
        )
        for locked in Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if locked.status not in TRANSITIONS["assign"] or locked.department_id == department.pk:
                continue
            _assign_locked(locked, department=department, actor=actor, reason=reason)
            moved += 1
    return moved


def start(complaint: Complaint, *, actor) -> Complaint:
    """처리 시작: the department starts working on it (the actor becomes the
    assignee when there is none)."""
    with transaction.atomic():
        locked = _lock(complaint)
        _require_staff(actor, locked)
        _check_step(locked, "start")
        if locked.department_id is None:
            raise Conflict(Code.NOT_ROUTED, _("담당 부서를 먼저 정해야 합니다."))
        old = locked.status
        locked.status = Status.IN_PROGRESS
        if locked.assignee_id is None:
            locked.assignee = actor
        locked.save(update_fields=["status", "assignee", "updated_at"])
        _event(locked, EventKind.STATUS, actor=actor, from_status=old, to_status=Status.IN_PROGRESS)
        _audit("started", locked, actor)
    return _done(complaint, locked)


def answer(complaint: Complaint, *, actor, text: str, translated: str = "") -> Complaint:
    """답변: record the department's answer; the resident is told it is there.

    For a complaint in another language the answer goes back in that language too:
    ``translated`` (the member of staff's own), else the city's engine, else it is
    flagged "needs translation" and the resident sees the Korean with a note."""
    text = _length(_text(text), code="answer", label=_("답변"), minimum=ANSWER_MIN, maximum=ANSWER_MAX)
    answer_translated, answer_state = _answer_for_resident(complaint, text, translated)  # before the lock: HTTP
    with transaction.atomic():
        locked = _lock(complaint)
        _require_staff(actor, locked)
        _check_step(locked, "answer")
        if locked.department_id is None:
            raise Conflict(Code.NOT_ROUTED, _("담당 부서를 먼저 정해야 합니다."))
        old = locked.status
        locked.status = Status.ANSWERED
        locked.answer = text
        locked.answer_translated, locked.answer_translation = answer_translated, answer_state
        locked.answered_at = _now()
        locked.answered_by = actor
        if locked.assignee_id is None:
            locked.assignee = actor
        locked.save(
            update_fields=[
                "status",
                "answer",
                "answer_translated",
                "answer_translation",
                "answered_at",
                "answered_by",
                "assignee",
                "updated_at",
            ]
        )
        _event(
            locked,
            EventKind.ANSWERED,
            actor=actor,
            from_status=old,
            to_status=Status.ANSWERED,
            data={"length": len(text), "on_time": locked.answered_at <= locked.due_at},
        )
        _audit("answered", locked, actor, data={"on_time": locked.answered_at <= locked.due_at})
        _notify(locked, "complaints.answered")
    return _done(complaint, locked)


def translate(
    complaint: Complaint, *, actor, title_ko: str = "", description_ko: str = "", answer_translated: str | None = None
) -> Complaint:
    """A member of staff's own translation: the filing into Korean, and/or the answer into
    the complaint's language. It replaces a machine translation and clears the flag."""
    title_ko, description_ko = _text(title_ko)[:TITLE_MAX], _text(description_ko)[:DESCRIPTION_MAX]
    with transaction.atomic():
        locked = _lock(complaint)
        _require_staff(actor, locked)
        fields = []
        if description_ko:
            locked.title_ko, locked.description_ko = title_ko or locked.title_ko, description_ko
            locked.translation = TranslationState.STAFF
            fields += ["title_ko", "description_ko", "translation"]
        if answer_translated is not None and _text(answer_translated):
            if not locked.answer:
                raise Conflict(Code.NOT_ANSWERED, _("답변을 먼저 보내야 합니다."))
            locked.answer_translated = _text(answer_translated)[:ANSWER_MAX]
            locked.answer_translation = TranslationState.STAFF
            fields += ["answer_translated", "answer_translation"]
        if not fields:
            raise DasanError(Code.TRANSLATION_EMPTY, _("번역한 내용을 적어 주세요."))
        locked.save(update_fields=[*fields, "updated_at"])
        _event(
            locked,
            EventKind.NOTE,
            actor=actor,
            internal=True,
            reason="번역 입력",
            data={"fields": [f for f in fields if not f.endswith("translation")]},
        )
        _audit("translated", locked, actor, data={"fields": fields})
    return _done(complaint, locked)


def close(complaint: Complaint, *, actor=None) -> Complaint:
    """종결: close an answered complaint (staff, the resident who filed it, or the
    system when ``actor`` is None — see ``tasks.close_answered``)."""
    with transaction.atomic():
        locked = _lock(complaint)
        if actor is not None:
            if locked.resident_id is not None and locked.resident_id == getattr(actor, "pk", None):
                pass
            else:
                _require_staff(actor, locked)
        _check_step(locked, "close")
        locked.status = Status.CLOSED
        locked.closed_at = _now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _event(locked, EventKind.STATUS, actor=actor, from_status=Status.ANSWERED, to_status=Status.CLOSED)
        _audit("closed", locked, actor)
    return _done(complaint, locked)


def _period_days(complaint: Complaint) -> int:
    """The original period's length in days, the most one extension may add (시행령 제21조)."""
    from . import deadlines

    value, unit = deadlines.period_for(complaint.category, complaint.kind)
    per_unit = {PeriodUnit.DAYS: 1, PeriodUnit.WEEKS: 7, PeriodUnit.MONTHS: 30, PeriodUnit.YEARS: 365}
    # 즉시 (3 working hours) cannot be extended by less than a day here; one day is the least.
    return max(1, int(value) * per_unit.get(unit, 0))


def extend(complaint: Complaint, *, actor, days: int, reason: str, resident_consented: bool = False) -> Complaint:
    """처리기간 연장 (시행령 제21조): push the due date back by ``days`` business days
    (counted as :func:`deadlines.extend_due` does) for ``reason``.

    Once, by at most the length of the original period, and before the period
    has run out; a second extension only with ``resident_consented``. The
    resident is told the reason and the new date."""
    from . import deadlines

    reason = _length(_text(reason), code="reason", label=_("연장 사유"), minimum=REASON_MIN, maximum=REASON_MAX)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise DasanError(Code.DAYS_INVALID, _("연장할 기간을 숫자(일)로 적어 주세요.")) from None
    with transaction.atomic():
        locked = _lock(complaint)
        _require_staff(actor, locked)
        _check_step(locked, "extend")
        if locked.extended_count >= MAX_EXTENSIONS or (locked.extended_count >= 1 and not resident_consented):
            raise Conflict(
                Code.ALREADY_EXTENDED,
                _("처리기간은 한 번만 연장할 수 있습니다. 다시 연장하려면 신청인의 동의가 필요합니다.")
                if locked.extended_count < MAX_EXTENSIONS
                else _("처리기간은 더 연장할 수 없습니다."),
            )
        limit = _period_days(locked)
        if days < 1 or days > limit:
            raise DasanError(
                Code.DAYS_INVALID, _("연장 기간은 1일에서 %(max)s일(원래 처리기간) 사이여야 합니다.") % {"max": limit}
            )
        now = _now()
        if now > locked.due_at:
            raise Conflict(Code.EXTENSION_TOO_LATE, _("처리기간이 이미 지났습니다. 연장은 처리기간 안에 해야 합니다."))
        old_status, old_due = locked.status, locked.due_at
        locked.due_at = deadlines.extend_due(old_due, days, PeriodUnit.DAYS)
        locked.extended_count += 1
        locked.status = Status.EXTENDED
        locked.save(update_fields=["due_at", "extended_count", "status", "updated_at"])
        _event(
            locked,
            EventKind.EXTENDED,
            actor=actor,
            from_status=old_status,
            to_status=Status.EXTENDED,
            reason=reason,
            data={
                "days": days,
                "previous_due": old_due.isoformat(),
                "new_due": locked.due_at.isoformat(),
                "resident_consented": resident_consented,
            },
        )
        _audit("extended", locked, actor, reason=reason, data={"days": days, "new_due": locked.due_at})
        _notify(locked, "complaints.extended", reason=reason)
    return _done(complaint, locked)


def transfer(complaint: Complaint, *, actor, agency: str, reason: str) -> Complaint:
    """이송 (법 제16조): the complaint belongs to another agency; it goes there and
    the resident is told where and why. Nothing more happens to it here."""
    agency = _length(_text(agency), code="agency", label=_("이송 기관"), minimum=2, maximum=100)
    reason = _length(_text(reason), code="reason", label=_("이송 사유"), minimum=REASON_MIN, maximum=REASON_MAX)
    with transaction.atomic():
        locked = _lock(complaint)
        _require_staff(actor, locked)
        _check_step(locked, "transfer")
        old = locked.status
        locked.status = Status.TRANSFERRED
        locked.transferred_to = agency
        locked.closed_at = _now()
        locked.save(update_fields=["status", "transferred_to", "closed_at", "updated_at"])
        _event(
            locked,
            EventKind.TRANSFERRED,
            actor=actor,
            from_status=old,
            to_status=Status.TRANSFERRED,
            reason=reason,
            data={"agency": agency},
        )
        _audit("transferred", locked, actor, reason=reason, data={"agency": agency})
        _notify(locked, "complaints.transferred", agency=agency, reason=reason)
    return _done(complaint, locked)


def withdraw(complaint: Complaint, *, resident) -> Complaint:
    """취하: the resident who filed it withdraws it while it is still open."""
    with transaction.atomic():
        locked = _lock(complaint)
        _require_owner(resident, locked)
        _check_step(locked, "withdraw")
        old = locked.status
        locked.status = Status.WITHDRAWN
        locked.closed_at = _now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        _event(
            locked,
            EventKind.WITHDRAWN,
            actor=None if locked.is_anonymous else resident,
            from_status=old,
            to_status=Status.WITHDRAWN,
        )
        _audit("withdrawn", locked, resident)
    return _done(complaint, locked)


def add_note(complaint: Complaint, *, actor, text: str) -> ComplaintEvent:
    """내부 메모: a note for colleagues, never shown to the resident."""
    text = _length(_text(text), code="note", label=_("메모"), minimum=1, maximum=NOTE_MAX)
    with transaction.atomic():
        locked = _lock(complaint)
        _require_staff(actor, locked)
        event = _event(locked, EventKind.NOTE, actor=actor, reason=text, internal=True)
        _audit("note", locked, actor)
    return event


def rate(complaint: Complaint, *, resident, score: int, comment: str = "") -> Complaint:
    """만족도: the resident who filed it rates the answer once (1 to 5)."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DasanError(Code.SCORE_INVALID, _("만족도는 1에서 5 사이로 골라 주세요."))
    comment = _text(comment)
    if len(comment) > COMMENT_MAX:
        raise DasanError(Code.COMMENT_TOO_LONG, _("의견은 %(max)s자까지 쓸 수 있습니다.") % {"max": COMMENT_MAX})
    with transaction.atomic():
        locked = _lock(complaint)
        _require_owner(resident, locked)
        _check_step(locked, "rate")
        if locked.satisfaction is not None:
            raise Conflict(Code.ALREADY_RATED, _("이미 만족도를 남겼습니다."))
        locked.satisfaction = score
        locked.satisfaction_comment = comment
        locked.save(update_fields=["satisfaction", "satisfaction_comment", "updated_at"])
        _event(locked, EventKind.RATED, actor=None if locked.is_anonymous else resident, data={"score": score})
        _audit("rated", locked, resident, data={"score": score})
    return _done(complaint, locked)


# --- reading ------------------------------------------------------------------------------------


def visible_complaints(user) -> QuerySet[Complaint]:
    """The complaints ``user`` may see: residents their own; staff their department's
    (managers with its sub-departments); city administrators all. Managers also see
    the triage queue (complaints no department owns yet), which they route."""
    from dasan.accounts import scoping

    rows = scoping.visible(user, Complaint.objects.all())
    if _routes(user):
        rows = Complaint.objects.filter(Q(pk__in=rows.values("pk")) | Q(department__isnull=True))
    return rows


def get_complaint(user, number: str, *, reason: str = "") -> Complaint:
    """One complaint by its 접수번호, or NotFound when ``user`` may not see it
    (whether it exists is not revealed). Staff reads are recorded in the audit log."""
    complaint = (
        visible_complaints(user)
        .filter(number=str(number or "").strip())
        .select_related("category", "department", "assignee", "resident", "duplicate_of")
        .first()
    )
    if complaint is None:
        raise _not_found()
    if _is_staff(user):
        audit.record_read(user, complaint, reason=reason or "민원 열람")
    return complaint


def timeline(complaint: Complaint, *, for_staff: bool) -> list[ComplaintEvent]:
    """The complaint's history, oldest first; residents do not see internal events."""
    events = complaint.events.select_related("actor", "from_department", "to_department")
    if not for_staff:
        events = events.filter(internal=False)
    return list(events.order_by("created_at", "id"))


def public_categories(*, anonymous_only: bool = False) -> QuerySet[Category]:
    """The categories residents may file under (active ones, in the city's order)."""
    rows = Category.objects.filter(is_active=True).select_related("department")
    if anonymous_only:
        rows = rows.filter(allows_anonymous=True)
    return rows.order_by("order", "code")


def photo_for(user, photo_id: int) -> ComplaintPhoto:
    """A complaint photo, for the resident who filed it or staff who may see the complaint."""
    try:
        photo_id = int(photo_id)
    except (TypeError, ValueError):
        raise NotFound(Code.PHOTO_NOT_FOUND, _("사진을 찾을 수 없습니다.")) from None
    photo = ComplaintPhoto.objects.select_related("complaint").filter(pk=photo_id).first()
    if photo is None or not visible_complaints(user).filter(pk=photo.complaint_id).exists():
        raise NotFound(Code.PHOTO_NOT_FOUND, _("사진을 찾을 수 없습니다."))
    if _is_staff(user):
        audit.record_read(user, photo, reason=f"민원 사진 {photo.complaint.number}")
    return photo


def receipt_pdf(complaint: Complaint) -> bytes:
    """접수증 as a PDF (with the signed statement for an illegal-parking report)."""
    from .receipts import render

    return render(complaint)
