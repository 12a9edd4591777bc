"""불법주정차 신고: a resident reports an illegally parked vehicle with two photos and a
signed statement.

What the report must carry follows the 안전신문고 practice for resident reports of illegal
parking (주민신고제): the plate, the place and time, and two photos of the same vehicle
from the same spot taken **at least a minute apart** — their EXIF capture times are the
evidence, so an edited or forwarded photo without them is refused — no older than a
week (:data:`PARKING_MAX_AGE`, a city policy: an old photo proves little about a car
still standing there).

The reporter signs a statement (:func:`consent_text`) that what they report is true. The
statement, the signer, the signing time, the report's details and the photos' SHA-256
are bound together by a content hash over their canonical JSON
(:func:`parking_content_hash`); :func:`verify_parking_report` checks later that neither
the stored report nor its photo files changed since it was signed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dasan.complaints.errors import Code
from dasan.core import timefmt
from dasan.core.errors import DasanError, PermissionDenied

from . import changes, inputs, intake
from . import photos as photo_tools
from .models import Category, Channel, Complaint, ContactPreference, FormKind, ParkingReport

__all__ = [
    "PARKING_MAX_AGE",
    "PARKING_MIN_GAP",
    "consent_text",
    "file_parking_report",
    "normalize_plate",
    "parking_content_hash",
    "verify_parking_report",
]

#: A parking report's photos may be this old at most.
PARKING_MAX_AGE = dt.timedelta(days=7)
#: The least time between the two photos.
PARKING_MIN_GAP = dt.timedelta(minutes=1)

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
_SECONDS = "%Y-%m-%d %H:%M:%S"


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
    with translation.override(inputs.language(language)):
        return gettext(
            "본인은 위 차량이 신고한 일시와 장소에 주정차 금지 규정을 어기고 서 있는 것을 직접 보고 "
            "사진 두 장을 1분 이상 간격을 두고 촬영하였으며, 신고 내용이 사실임을 확인합니다. "
            "사실과 다른 신고로 다른 사람에게 피해를 주면 법에 따라 책임질 수 있음을 알고 있습니다. "
            "신고를 처리하기 위해 사진, 위치와 신고 내용을 담당 기관이 이용하는 데 동의합니다."
        )


# --- the content hash ---------------------------------------------------------------------------


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


# --- filing -------------------------------------------------------------------------------------


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


@dataclasses.dataclass
class _Statement:
    plate: str
    place: str
    signer_name: str
    description: str


def _statement(resident, plate, place, signer_name, description, consent: bool, channel: str) -> _Statement:
    """The report's written parts, checked in the order a reporter reads the form."""
    if resident is None or not getattr(resident, "is_authenticated", False) or not resident.is_active:
        raise PermissionDenied(Code.LOGIN_REQUIRED, _("불법주정차 신고는 로그인한 뒤에 할 수 있습니다."))
    plate = normalize_plate(plate)
    place = inputs.length(inputs.text(place), code="place", label=_("위반 장소"), minimum=2, maximum=200)
    signer_name = inputs.length(
        inputs.text(signer_name), code="signer_name", label=_("서명자 이름"), minimum=2, maximum=60
    )
    description = inputs.text(description)
    if len(description) > inputs.DESCRIPTION_MAX:
        raise DasanError(
            Code.DESCRIPTION_TOO_LONG, _("내용은 %(max)s자까지 쓸 수 있습니다.") % {"max": inputs.DESCRIPTION_MAX}
        )
    if not consent:
        raise DasanError(Code.CONSENT_REQUIRED, _("신고 내용이 사실임을 확인하고 동의해야 신고할 수 있습니다."))
    if channel not in Channel.values:
        raise DasanError(Code.CHANNEL_INVALID, _("알 수 없는 접수 경로입니다."))
    return _Statement(plate, place, signer_name, description)


def _photos(uploads: Sequence, now: dt.datetime) -> list[photo_tools.PreparedPhoto]:
    """The two photos, oldest first, with capture times a minute apart and recent enough."""
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
    if second.taken_at - first.taken_at < PARKING_MIN_GAP:
        raise DasanError(Code.PARKING_PHOTOS_TOO_CLOSE, _("두 사진의 촬영 시각이 1분 이상 차이 나야 합니다."))
    if second.taken_at > now + intake.CLOCK_SKEW:
        raise DasanError(
            Code.PARKING_PHOTO_IN_FUTURE, _("사진의 촬영 시각이 지금보다 뒤입니다. 휴대전화 시계를 확인해 주세요.")
        )
    if now - first.taken_at > PARKING_MAX_AGE:
        raise DasanError(
            Code.PARKING_PHOTO_TOO_OLD,
            _("촬영한 지 %(days)s일이 지난 사진으로는 신고할 수 없습니다.") % {"days": PARKING_MAX_AGE.days},
        )
    return prepared


def _filing(
    statement: _Statement, category: Category, resident, prepared, position, observed_at, channel, language, now
) -> intake.Filing:
    """The complaint a report files: title and summary are case data for the city's staff, in Korean."""
    latitude, longitude = position
    first, second = prepared
    summary = (
        f"차량번호: {statement.plate}\n위반 장소: {statement.place}\n위반 일시: {timefmt.fmt(observed_at)}\n"
        f"사진 촬영: {timefmt.fmt(first.taken_at, _SECONDS)}, {timefmt.fmt(second.taken_at, _SECONDS)}"
    )
    contact_preference = (
        ContactPreference.SMS
        if resident.phone
        else (ContactPreference.EMAIL if resident.email else ContactPreference.NONE)
    )
    return intake.Filing(
        title=f"불법주정차 신고 {statement.plate}",
        description=f"{summary}\n\n{statement.description}" if statement.description else summary,
        channel=channel,
        routed=intake.Routed.by_category(category),
        kind=category.kind,
        language=language,
        received_at=now,
        resident=resident,
        contact_preference=contact_preference,
        latitude=latitude,
        longitude=longitude,
        address=statement.place,
        photos=prepared,
        translated=("", "", ""),
    )


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
    """불법주정차 신고 by a signed-in resident (the module docstring): the complaint, filed to
    the parking category's department, and its signed :class:`ParkingReport`."""
    statement = _statement(resident, plate, place, signer_name, description, consent, channel)
    latitude, longitude = inputs.coordinates(latitude, longitude)
    uploads = [p for p in (photos or ()) if p is not None]
    if len(uploads) != 2:
        raise DasanError(
            Code.PARKING_TWO_PHOTOS, _("같은 자리에서 1분 이상 간격을 두고 찍은 사진 두 장을 올려 주세요.")
        )
    category = _parking_category()  # before the slow decoding: is the city taking reports at all?
    now = timezone.now()
    prepared = _photos(uploads, now)
    latitude, longitude = intake.photo_position(prepared, latitude, longitude)
    if latitude is None:
        raise DasanError(Code.LOCATION_REQUIRED, _("위반 장소의 위치를 지도에서 골라 주세요."))
    if observed_at is None:
        observed_at = prepared[0].taken_at
    elif timezone.is_naive(observed_at) or observed_at > now + intake.CLOCK_SKEW:
        raise DasanError(Code.OBSERVED_AT_INVALID, _("위반 일시가 올바르지 않습니다."))
    language = inputs.language(language, resident)
    filing = _filing(
        statement, category, resident, prepared, (latitude, longitude), observed_at, channel, language, now
    )
    with transaction.atomic():
        complaint = intake.store(filing, link_duplicates=False)
        report = ParkingReport(
            complaint=complaint,
            plate=statement.plate,
            observed_at=observed_at,
            first_photo_at=prepared[0].taken_at,
            second_photo_at=prepared[1].taken_at,
            place=statement.place,
            consent_text=consent_text(language),
            signer_name=statement.signer_name,
            signed_at=now.replace(microsecond=0),
        )
        report.content_hash = parking_content_hash(report, [p.sha256 for p in prepared])
        report.save()
        changes.record_audit("parking_signed", complaint, resident, data={"content_hash": report.content_hash})
    return complaint
