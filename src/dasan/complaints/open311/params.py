"""Reading GeoReport v2 parameters: dates, the GET requests filters, and a POSTed
service request turned into the arguments of ``intake.file_complaint``.

Everything here raises :class:`~.errors.Open311Error` with every problem found, so a
client fixes its request in one round.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .. import models
from . import attributes
from .errors import Open311Error

__all__ = ["parse_datetime", "RequestFilter", "parse_filter", "NewRequest", "parse_new_request", "clean"]

MAX_WINDOW = dt.timedelta(days=90)
MAX_RESULTS = 1000
DESCRIPTION_MAX = 4000
ADDRESS_MAX = 200  # Complaint.address
NAME_MAX = 60  # Complaint.contact_name
MEDIA_URL_MAX = 500
TITLE_MAX = 60

# Control characters other than tab and newlines never belong in a request, and
# PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# "2026-03-01T09:00:00+09:00" sent unencoded in a query string arrives with the
# "+" turned into a space; put it back.
_PLUS_AS_SPACE = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")
_MOBILE = re.compile(r"^01[016789]\d{7,8}$")
_HANGUL = re.compile(r"^[\uac00-\ud7a3]+$")


def clean(value: str | None) -> str:
    return _CONTROL.sub("", value or "").strip()


def parse_datetime(text: str) -> dt.datetime | None:
    """An ISO 8601 date-time (or date) as an aware datetime; a value without an offset
    is read in the city's time zone. None when it is not one."""
    text = clean(text)
    if not text:
        return None
    text = _PLUS_AS_SPACE.sub(r"\1+\2", text)
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- GET requests ----------------------------------------------------------------------------
@dataclasses.dataclass
class RequestFilter:
    ids: list[str]
    service_codes: list[str]
    statuses: set[str]
    start: dt.datetime
    end: dt.datetime


def _csv(params, name: str) -> list[str]:
    return [part.strip() for value in params.getlist(name) for part in clean(value).split(",") if part.strip()]


def parse_filter(params, *, now: dt.datetime | None = None) -> RequestFilter:
    """The filters of GET requests. Without dates the window is the last 90 days;
    with one date it is the 90 days after the start or before the end; two dates may
    not be more than 90 days apart."""
    now = now or timezone.now()
    problems: list[str] = []
    ids = list(dict.fromkeys(_csv(params, "service_request_id")))[:MAX_RESULTS]
    codes = list(dict.fromkeys(_csv(params, "service_code")))
    statuses = set(_csv(params, "status"))
    unknown_statuses = statuses - {"open", "closed"}
    if unknown_statuses:
        problems.append(
            _("status는 open 또는 closed여야 합니다 (받은 값: %(value)s).")
            % {"value": ", ".join(sorted(unknown_statuses))}
        )
    dates = {}
    for name in ("start_date", "end_date"):
        raw = clean(params.get(name))
        if raw:
            dates[name] = parse_datetime(raw)
            if dates[name] is None:
                problems.append(
                    _("%(name)s의 날짜 형식이 올바르지 않습니다. ISO 8601로 보내 주세요, 예: 2026-03-01T00:00:00+09:00")
                    % {"name": name}
                )
    start, end = dates.get("start_date"), dates.get("end_date")
    if start and end:
        if end < start:
            problems.append(_("end_date가 start_date보다 앞섭니다."))
        elif end - start > MAX_WINDOW:
            problems.append(_("start_date와 end_date 사이는 90일을 넘을 수 없습니다."))
    elif start:
        end = start + MAX_WINDOW
    elif end:
        start = end - MAX_WINDOW
    elif "start_date" not in dates and "end_date" not in dates:
        start, end = now - MAX_WINDOW, now
    if problems:
        raise Open311Error(400, *problems)
    if codes:
        known = set(models.Category.objects.filter(code__in=codes).values_list("code", flat=True))
        missing = [code for code in codes if code not in known]
        if missing:
            raise Open311Error(
                404, *[_("service_code '%(code)s'인 서비스가 없습니다.") % {"code": code} for code in missing]
            )
    return RequestFilter(ids=ids, service_codes=codes, statuses=statuses, start=start, end=end)


# --- POST requests ---------------------------------------------------------------------------
@dataclasses.dataclass
class NewRequest:
    """A POSTed request, checked: the keyword arguments of ``file_complaint``."""

    kwargs: dict

    @property
    def category(self) -> models.Category:
        return self.kwargs["category"]


def _coordinate(raw: str, name: str, limit: float, problems: list[str]) -> Decimal | None:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not -limit <= value <= limit:
        problems.append(
            _("%(name)s은(는) -%(limit)d에서 %(limit)d 사이의 WGS84 좌표여야 합니다.") % {"name": name, "limit": limit}
        )
        return None
    return Decimal(str(value)).quantize(Decimal("0.000001"))


def _phone(raw: str, problems: list[str]) -> str:
    """A Korean phone number as digits (mobile or landline), as complaints keep them."""
    if not raw:
        return ""
    digits = re.sub(r"[\s\-().]", "", raw)
    if digits.startswith("+82"):
        digits = "0" + digits[3:].lstrip("0")
    if not re.fullmatch(r"0\d{8,10}", digits):
        problems.append(_("phone은 국내 전화번호여야 합니다. 예: 010-1234-5678"))
        return ""
    return digits


def _is_mobile(phone: str) -> bool:
    return bool(_MOBILE.match(phone))


def _contact_name(first: str, last: str) -> str:
    if first and last and _HANGUL.match(first) and _HANGUL.match(last):
        return last + first  # 김 + 민수 = 김민수: Korean names put the family name first
    return " ".join(part for part in (first, last) if part)


def _title(description: str, category: models.Category) -> str:
    first_line = description.strip().splitlines()[0].strip() if description.strip() else ""
    if len(first_line) < 2:  # complaints need a title of two characters at least
        return category.name
    return first_line if len(first_line) <= TITLE_MAX else first_line[: TITLE_MAX - 1] + "…"


def parse_new_request(params, category: models.Category, *, language: str | None = None) -> NewRequest:
    """Check a POSTed service request for ``category`` and build the complaint's arguments."""
    problems: list[str] = []

    # Location: lat and long, or address_string, or address_id (the spec asks for one).
    lat_raw, long_raw = clean(params.get("lat")), clean(params.get("long"))
    latitude = longitude = None
    if lat_raw or long_raw:
        if not (lat_raw and long_raw):
            problems.append(_("lat과 long은 함께 보내야 합니다."))
        else:
            latitude = _coordinate(lat_raw, "lat", 90, problems)
            longitude = _coordinate(long_raw, "long", 180, problems)
    address = clean(params.get("address_string"))
    address_id = clean(params.get("address_id"))
    if not (lat_raw or long_raw or address or address_id):
        problems.append(_("위치가 필요합니다: lat과 long, address_string, address_id 중 하나를 보내 주세요."))
    if address_id and not address:
        # No master address repository here: staff see the id as it was given.
        address = _("주소 ID %(id)s") % {"id": address_id}
    if len(address) > ADDRESS_MAX:
        problems.append(_("address_string은 %(max)d자를 넘을 수 없습니다.") % {"max": ADDRESS_MAX})

    description = clean(params.get("description"))
    if len(description) > DESCRIPTION_MAX:
        problems.append(_("description은 %(max)d자를 넘을 수 없습니다.") % {"max": DESCRIPTION_MAX})

    email = clean(params.get("email"))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("email 주소 형식이 올바르지 않습니다."))
    phone = _phone(clean(params.get("phone")), problems)
    name = _contact_name(clean(params.get("first_name")), clean(params.get("last_name")))
    if len(name) > NAME_MAX:
        problems.append(_("first_name과 last_name을 합쳐 %(max)d자를 넘을 수 없습니다.") % {"max": NAME_MAX})

    media_url = clean(params.get("media_url"))
    if media_url:
        try:
            if len(media_url) > MEDIA_URL_MAX:
                raise ValidationError("too long")
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            problems.append(_("media_url은 %(max)d자 이하의 http(s) 주소여야 합니다.") % {"max": MEDIA_URL_MAX})

    if not (name or phone or email) and not category.allows_anonymous:
        problems.append(
            _("'%(service)s'은(는) 익명으로 받지 않습니다. first_name·last_name, email, phone 중 하나를 보내 주세요.")
            % {"service": category.name}
        )

    try:
        answers = attributes.parse(category, params, parse_datetime=parse_datetime)
    except attributes.AttributeProblem as problem:
        problems.extend(problem.problems)
        answers = []

    if problems:
        raise Open311Error(400, *problems)

    # What staff read: the person's words, then the answers to the service's questions.
    with translation.override("ko"):
        body = [description] if description else []
        extra = [f"{attributes.label(attribute)}: {text}" for attribute, text in answers]
        if media_url:
            # Not fetched: staff open the link themselves if they need it.
            extra.append(_("첨부 링크(media_url): %(url)s") % {"url": media_url})
        if address_id and address != _("주소 ID %(id)s") % {"id": address_id}:
            extra.append(_("주소 ID: %(id)s") % {"id": address_id})
        if extra:
            body.append("\n".join(extra))
        text = "\n\n".join(body) or _("Open311로 접수된 '%(service)s' 요청입니다 (설명 없음).") % {
            "service": category.name
        }
        title = _title(description, category)

    anonymous = not (name or phone or email)
    # The city replies by e-mail when there is an address, else by SMS to a mobile;
    # a landline alone is kept for staff to call.
    if email:
        preference = models.ContactPreference.EMAIL
    elif _is_mobile(phone):
        preference = models.ContactPreference.SMS
    else:
        preference = models.ContactPreference.NONE
    return NewRequest(
        kwargs={
            "title": title,
            "description": text,
            "channel": models.Channel.OPEN311,
            "category": category,
            "anonymous": anonymous,
            "contact_name": name,
            "contact_phone": phone,
            "contact_email": email,
            "contact_preference": preference,
            "latitude": latitude,
            "longitude": longitude,
            "address": address,
            # Open311 requests are public: the client was told in the discovery
            # document and in every answer's service_notice.
            "is_public": True,
            "language": language,
        }
    )
