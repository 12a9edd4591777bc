"""Reading accounts: phone numbers as people write them, who a sign-in or a token belongs to.

Nothing here changes a row (:mod:`dasan.accounts.services` does). Korean mobile numbers are
stored as digits only (``01012345678``) and shown back masked (``010-****-5678``), the way
Korean services show a number to its owner. API tokens are stored as a SHA-256 of the plain
token, which is shown once when issued: a copy of the table gives no working token.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

import pyotp
from django.conf import settings
from django.db.models import QuerySet
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from dasan.accounts.errors import Code
from dasan.core import audit
from dasan.core.errors import DasanError, NotFound
from dasan.core.pii import mask

from .models import APIToken, Dong, Kind, Residency, ResidencyStatus, RosterEntry, RosterImport, User
from .permissions import RESIDENCY_PERMISSION, require_holds

#: Authenticator apps (RFC 6238): a new six-digit code every 30 seconds.
TOTP_INTERVAL = 30
API_TOKEN_PREFIX = "dsn_"

_PHONE_RE = re.compile(r"^01[016789]\d{7,8}$")


def invalid_phone() -> DasanError:
    return DasanError(Code.INVALID_PHONE, _("휴대전화 번호를 확인해 주세요. 예: 010-1234-5678"))


# --- phone numbers ------------------------------------------------------------------------
def normalize_phone(raw: str | None) -> str:
    """Return a Korean mobile number as digits only ("01012345678").

    Accepts the usual ways people write it: 010-1234-5678, 010 1234 5678,
    01012345678, +82 10-1234-5678, +82 010 1234 5678, 82-10-1234-5678.
    Raises DasanError("invalid_phone") for anything that is not a mobile number."""
    if not raw:
        raise invalid_phone()
    text = str(raw).strip()
    if not re.fullmatch(r"\+?[\d\s\-().]+", text):
        raise invalid_phone()
    international = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    if international or (digits.startswith("82") and len(digits) in (11, 12, 13)):
        if not digits.startswith("82"):
            raise invalid_phone()
        digits = digits[2:]
        if not digits.startswith("0"):
            digits = "0" + digits
    if not _PHONE_RE.match(digits) or (digits.startswith("010") and len(digits) != 11):
        raise invalid_phone()
    return digits


def masked_phone(phone: str | None) -> str:
    """010-****-5678 for showing a phone number back to its owner or to staff."""
    if not phone:
        return ""
    if len(phone) >= 10:
        return f"{phone[:3]}-****-{phone[-4:]}"
    return mask(phone)


# --- languages ---------------------------------------------------------------------------------
def language_code(code: str | None, *, fallback: bool = False) -> str:
    """The supported language ``code`` names ("zh_Hans" → "zh-hans"). With ``fallback``, the
    closest one ("zh-tw" → "zh-hans", "en-us" → "en", else Korean); without, an unsupported
    code raises DasanError("invalid_language")."""
    codes = [c for c, _name in settings.LANGUAGES]
    code = (code or "").strip().lower().replace("_", "-")
    if code in codes:
        return code
    if fallback:
        base = code.split("-")[0]
        if base == "zh":
            return "zh-hans"
        return base if base in codes else settings.LANGUAGE_CODE
    raise DasanError(Code.INVALID_LANGUAGE, _("지원하지 않는 언어입니다."))


# --- people ------------------------------------------------------------------------------------
def phone_registered(phone: str) -> bool:
    """Whether an account already has this (normalised) number."""
    return User.objects.filter(phone=phone).exists()


def pending_staff(user_id) -> User | None:
    """The active member of staff half-way through signing in (password checked), or None."""
    return User.objects.filter(pk=user_id, kind=Kind.STAFF, is_active=True).first()


def active_staff():
    """Active staff, e.g. the people who may own an API token."""
    return User.objects.filter(kind=Kind.STAFF, is_active=True)


def city_name() -> str:
    """The city's name for sign-in texts and the authenticator entry ("다산" before it is set)."""
    try:
        from dasan.core.models import Municipality

        city = Municipality.current()
    except Exception:  # noqa: BLE001 - a missing profile must not stop a sign-in
        city = None
    return city.name if city else "다산"


# --- authenticator apps ---------------------------------------------------------------------
def totp(user) -> pyotp.TOTP:
    return pyotp.TOTP(user.totp_secret, interval=TOTP_INTERVAL)


def totp_provisioning_uri(user) -> str:
    """otpauth:// URI for authenticator apps (Google Authenticator, 네이버 등)."""
    return totp(user).provisioning_uri(name=user.username, issuer_name=f"Dasan {city_name()}")


# --- API tokens -------------------------------------------------------------------------------
def token_hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def token_for_plain(plain: str) -> APIToken | None:
    """The token row that a plain token belongs to (revoked or not), or None."""
    if not plain or not plain.startswith(API_TOKEN_PREFIX):
        return None
    return APIToken.objects.select_related("owner").filter(token_hash=token_hash(plain)).first()


# --- residency ----------------------------------------------------------------------------
def age_on(birth_date: date, on: date) -> int:
    """만 나이 on a given day (Civil Act art. 158, 2023): full years since birth; a person
    born on 29 February turns a year older on 1 March in common years."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - (1 if before_birthday else 0)


def residency_of(user) -> Residency | None:
    """The person's residency declaration, whatever its status, or None."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_resident", False):
        return None
    return Residency.objects.filter(user_id=user.pk).first()


def verified_residency(user) -> Residency | None:
    """The residency the city has confirmed, or None: what residents-only services ask."""
    residency = residency_of(user)
    return residency if residency is not None and residency.status == ResidencyStatus.VERIFIED else None


# --- the resident list (주민 명부) ---------------------------------------------------------------
#: The purpose string of the keyed hash: the same phone and birth date hash differently for any
#: other use of SECRET_KEY, so this table cannot be joined with anything else the city keeps.
ROSTER_SALT = "dasan.accounts.residency-roster"


def roster_key(phone: str, birth_date: date) -> str:
    """HMAC-SHA256 (SECRET_KEY) of a normalised mobile number and a date of birth: how the
    resident list stores a person, and how a declaration is looked up in it."""
    return salted_hmac(ROSTER_SALT, f"{phone}|{birth_date.isoformat()}", algorithm="sha256").hexdigest()


def place_matches(entry_code: str, entry_name: str, dong_code: str, dong_name: str) -> bool:
    """Whether a declared 행정동 is the resident list's: by code when the declaration has one."""
    if dong_code:
        return entry_code == dong_code
    return bool(dong_name) and entry_name == dong_name


def roster_confirms(user, birth_date: date, dong_code: str, dong_name: str) -> bool:
    """Whether the resident list has this person (phone + birth date) living in this 행정동."""
    phone = getattr(user, "phone", None)
    if not phone:
        return False
    entry = RosterEntry.objects.filter(key=roster_key(phone, birth_date)).only("dong_code", "dong_name").first()
    return entry is not None and place_matches(entry.dong_code, entry.dong_name, dong_code, dong_name)


def roster_places(keys) -> dict[str, tuple[str, str]]:
    """{key: (dong_code, dong_name)} of the resident list's rows among ``keys`` (one query)."""
    rows = RosterEntry.objects.filter(key__in=list(keys)).values_list("key", "dong_code", "dong_name")
    return {key: (code, name) for key, code, name in rows}


def last_roster_import() -> RosterImport | None:
    return RosterImport.objects.select_related("imported_by").first()


def dongs() -> list[Dong]:
    """The city's 행정동 from the last resident list, by name; empty before the first import."""
    return list(Dong.objects.all())


# --- residency for staff ------------------------------------------------------------------------
STAFF_NOT_CLERK = _(
    "거주 확인 담당만 볼 수 있습니다. 시 관리자에게 거주 확인 권한(accounts.change_residency)을 요청해 주세요."
)


def residency_queue(user) -> QuerySet:
    """확인 대기: declarations waiting for staff, oldest first (on ``residency_queue_idx``),
    for staff who may confirm residency; the caller audits what it shows."""
    require_holds(user, RESIDENCY_PERMISSION, STAFF_NOT_CLERK)
    return (
        Residency.objects.filter(status=ResidencyStatus.DECLARED)
        .select_related("user")
        .order_by("declared_at", "user_id")
    )


def residency_for_staff(user, resident_id, *, reason) -> Residency:
    """One declaration for a residency clerk, read audited (개인정보 열람)."""
    require_holds(user, RESIDENCY_PERMISSION, STAFF_NOT_CLERK)
    residency = Residency.objects.select_related("user", "verified_by").filter(user_id=resident_id).first()
    if residency is None:
        raise NotFound()
    audit.record_read(user, residency, reason=str(reason))
    return residency
