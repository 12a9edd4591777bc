"""What a complaint's text fields may hold, and how a filing's raw values are read.

Intake (:mod:`.intake`, :mod:`.parking`) and the workflow (:mod:`.services`) share these
rules, so a title, a reason or an answer is held to the same length wherever it is
written, and a mistake comes back as a :class:`~dasan.core.errors.DasanError` whose code
names the field (``title_required``, ``reason_too_short``, ``answer_too_long``…) and whose
message says how to fix it, in the user's language.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from dasan.complaints.errors import Code
from dasan.core.errors import DasanError

TITLE_MIN, TITLE_MAX = 2, 200
DESCRIPTION_MIN, DESCRIPTION_MAX = 5, 5000
ANSWER_MIN, ANSWER_MAX = 5, 10000
REASON_MIN, REASON_MAX = 5, 1000
NOTE_MAX = 4000
COMMENT_MAX = 500

_SIX_PLACES = Decimal("0.000001")


def text(value) -> str:
    """``value`` as a string without surrounding white space (``""`` for None)."""
    return str(value or "").strip()


def length(value: str, *, code: str, label, minimum: int, maximum: int) -> str:
    """``value`` when its length is within bounds; else ``<code>_required``,
    ``<code>_too_short`` or ``<code>_too_long`` (members of the app's ``Code``: a field
    without its three codes there fails here) with a message naming ``label``."""
    if len(value) < minimum:
        if not value:
            raise DasanError(Code(f"{code}_required"), _("%(label)s을(를) 입력해 주세요.") % {"label": label})
        raise DasanError(
            Code(f"{code}_too_short"), _("%(label)s은(는) %(min)s자 이상 써 주세요.") % {"label": label, "min": minimum}
        )
    if len(value) > maximum:
        raise DasanError(
            Code(f"{code}_too_long"),
            _("%(label)s은(는) %(max)s자까지 쓸 수 있습니다.") % {"label": label, "max": maximum},
        )
    return value


def language(requested: str | None, resident=None) -> str:
    """The installation's language closest to ``requested``, else the resident's, else the
    page's, else the default (``zh-CN`` → ``zh-hans``, ``en-GB`` → ``en``)."""
    codes = [code for code, _name in settings.LANGUAGES]
    for candidate in (requested, getattr(resident, "language", None), translation.get_language()):
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


def coordinates(latitude, longitude) -> tuple[Decimal | None, Decimal | None]:
    """(latitude, longitude) to six places (about 10 cm), both or neither."""
    lat = _coordinate(latitude, -90, 90, _("위도"))
    lng = _coordinate(longitude, -180, 180, _("경도"))
    if (lat is None) != (lng is None):
        raise DasanError(Code.LOCATION_INCOMPLETE, _("위치는 위도와 경도를 함께 보내야 합니다."))
    return lat, lng


def phone(value: str) -> str:
    """A Korean phone number as digits only (``+82 10-…`` → ``010…``), or ``""``."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+82"):
        digits = "0" + digits[3:].lstrip("0")
    if not digits:
        return ""
    if not re.fullmatch(r"0\d{8,10}", digits):
        raise DasanError(Code.CONTACT_PHONE_INVALID, _("연락처는 010-1234-5678처럼 숫자로 적어 주세요."))
    return digits


def email(value: str) -> str:
    """A checked e-mail address, or ``""``."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise DasanError(Code.CONTACT_EMAIL_INVALID, _("이메일 주소가 올바르지 않습니다.")) from None
    return value
