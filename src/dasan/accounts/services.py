"""State changes for residents and staff: sign-in, sign-up, language, API tokens.

Views, the API, the admin and management commands call these functions; none of
them writes accounts models directly. Reads (phone numbers, token lookups, the
authenticator's URI) are in :mod:`dasan.accounts.selectors`.

Residents sign in with a six-digit code sent by SMS to their mobile number (본인 확인 by
possession of the phone); the first successful code creates the account. Staff sign in
with a password and then a code from an authenticator app (RFC 6238 TOTP), each code
accepted once. Every step is rate-limited and audited.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from dasan.accounts.errors import Code
from dasan.core import audit, outbox, ratelimit
from dasan.core.conf import setting
from dasan.core.errors import DasanError, RateLimited

from .models import APIToken, Kind, OneTimeCode, Role
from .permissions import is_staff
from .selectors import (
    API_TOKEN_PREFIX,
    TOTP_INTERVAL,
    city_name,
    language_code,
    masked_phone,
    normalize_phone,
    token_for_plain,
    token_hash,
)

User = get_user_model()

# --- Policy -------------------------------------------------------------------
OTP_TEMPLATE = "accounts.otp_code"
OTP_LIFETIME = timedelta(minutes=3)
OTP_MAX_ATTEMPTS = 5
OTP_DIGITS = 6
# (key suffix, limit, window seconds)
OTP_SEND_LIMITS_PHONE = [("30s", 1, 30), ("1h", 5, 3600)]
OTP_SEND_LIMIT_IP = (20, 3600)
# Verification attempts (counted until a successful sign-in resets the phone's count).
OTP_VERIFY_LIMIT_PHONE = (10, 3600)
OTP_VERIFY_LIMIT_IP = (60, 3600)
# Staff passwords. A lockout keyed on the username alone let anyone lock a member of staff
# out with five wrong passwords, so failures are counted per username *and* address: the
# guesser is stopped, the owner signing in from elsewhere is not. A guess spread over many
# addresses is slowed by a per-username count of failures from all addresses together:
# past it, only addresses from which that username completed a sign-in (password and
# authenticator) in the last 90 days may try, so the owner at their usual desk still gets in
# while new addresses wait for the hour to end. The owner is e-mailed once an hour when
# their username sees repeated failures.
STAFF_PASSWORD_LIMIT_PAIR = (5, 15 * 60)  # per username + address
STAFF_PASSWORD_LIMIT_IP = (20, 15 * 60)  # per address, all usernames
STAFF_PASSWORD_LIMIT_USER = (50, 60 * 60)  # failures per username, all addresses
STAFF_PASSWORD_ALERT_AFTER = 5  # failures per username in that hour that e-mail the owner
STAFF_KNOWN_ADDRESS_SECONDS = 90 * 24 * 3600
STAFF_LOGIN_ALERT_TEMPLATE = "accounts.staff_login_failures"
STAFF_TOTP_LIMIT_USER = (5, 15 * 60)
TOTP_VALID_WINDOW = 1

_CODE_RE = re.compile(r"^\d{6}$")


def _err_staff_phone() -> DasanError:
    return DasanError(Code.STAFF_ACCOUNT, _("공무원 계정은 공무원 로그인을 이용해 주세요."), status=403)


# --- Rate limits ------------------------------------------------------------------------------
def _limit(key: str, limit: int, window: int) -> int:
    """Count one hit; return 0 when allowed, else the seconds to wait."""
    result = ratelimit.hit(key, limit=limit, window=window)
    return 0 if result.allowed else max(1, int(result.retry_after or 1))


def _enforce(keys: list[tuple[str, int, int]], *, action: str, data: dict) -> None:
    waits = [_limit(key, limit, window) for key, limit, window in keys]
    wait = max(waits, default=0)
    if wait:
        audit.record(action, data={**data, "retry_after": wait})
        raise RateLimited(retry_after=wait)


# --- Residents: one-time codes ----------------------------------------------------------
def _hash_code(phone: str, nonce: str, code: str) -> str:
    return salted_hmac("dasan.accounts.otp", f"{phone}:{nonce}:{code}", algorithm="sha256").hexdigest()


@dataclass
class OtpSent:
    """What the caller learns about a code that was sent."""

    phone: str
    expires_at: datetime
    code: str  # only for the demo page (DEBUG + DASAN_DEMO_SHOW_OTP=1); never log it

    @property
    def masked_phone(self) -> str:
        return masked_phone(self.phone)


def request_otp(phone: str, *, ip: str | None = None, language: str | None = None) -> OtpSent:
    """Send a fresh six-digit sign-in code to a mobile number.

    Normalises the number, applies the sending limits (per number: one every 30
    seconds and five an hour; per IP: twenty an hour), voids earlier codes for
    the number, stores only a hash of the new code and queues the SMS through
    notify. Raises DasanError("invalid_phone") or RateLimited."""
    phone = normalize_phone(phone)
    keys = [
        (f"accounts:otp-send:phone:{phone}:{suffix}", limit, window) for suffix, limit, window in OTP_SEND_LIMITS_PHONE
    ]
    if ip:
        keys.append((f"accounts:otp-send:ip:{ip}", *OTP_SEND_LIMIT_IP))
    _enforce(keys, action="accounts.otp_rate_limited", data={"phone": masked_phone(phone)})

    existing = User.objects.filter(phone=phone).only("language", "kind").first()
    if existing is not None and not existing.is_resident:
        # Staff sign in with password + TOTP; an SMS code must never bypass that.
        raise _err_staff_phone()
    # A known resident gets the SMS in their saved language; a new number in the page's.
    language = (
        (existing.language if existing else None) or language or translation.get_language() or settings.LANGUAGE_CODE
    )
    code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
    nonce = secrets.token_hex(16)
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(phone=phone, used_at__isnull=True, voided_at__isnull=True).update(voided_at=now)
        otp = OneTimeCode.objects.create(
            phone=phone,
            nonce=nonce,
            code_hash=_hash_code(phone, nonce, code),
            created_at=now,
            expires_at=now + OTP_LIFETIME,
        )
        outbox.send(
            OTP_TEMPLATE,
            recipient=existing,
            to=phone,
            channel=setting("OTP_CHANNEL"),
            context={"code": code, "minutes": int(OTP_LIFETIME.total_seconds() // 60), "city": city_name()},
            language=language,
            category="transactional",
        )
        audit.record("accounts.otp_requested", target=existing, data={"phone": masked_phone(phone), "otp_id": otp.pk})
    return OtpSent(phone=phone, expires_at=otp.expires_at, code=code)


def verify_otp(phone: str, code: str, *, ip: str | None = None, language: str | None = None):
    """Check a sign-in code and return the resident it signs in.

    A resident signs up by verifying their phone: a first successful code
    creates the account. Each code allows five tries and lasts three minutes.
    Raises DasanError("invalid_phone" | "otp_invalid" | "otp_expired" |
    "otp_attempts_exceeded" | "otp_not_requested" | "account_inactive") or
    RateLimited when a number or an address has failed too often."""
    phone = normalize_phone(phone)
    code = (code or "").strip()
    phone_key = f"accounts:otp-verify:phone:{phone}"
    keys = [(phone_key, *OTP_VERIFY_LIMIT_PHONE)]
    if ip:
        keys.append((f"accounts:otp-verify:ip:{ip}", *OTP_VERIFY_LIMIT_IP))
    _enforce(keys, action="accounts.login_locked", data={"phone": masked_phone(phone), "method": "otp"})

    # The attempt counter must survive the error we raise, so the transaction
    # commits first and the error is raised after it.
    with transaction.atomic():
        user, created, error = _use_code(phone, code, language=language)
    if error is not None:
        audit.record(
            "accounts.login_failed", data={"phone": masked_phone(phone), "method": "otp", "reason": error.code}
        )
        raise error
    ratelimit.reset(phone_key)
    if created:
        audit.record("accounts.signup", actor=user, target=user, data={"phone": masked_phone(phone)})
    audit.record("accounts.login", actor=user, target=user, data={"method": "otp"})
    return user


def _use_code(phone: str, code: str, *, language: str | None) -> tuple[object, bool, DasanError | None]:
    """Try ``code`` against the number's live code, counting the attempt (inside a
    transaction). Returns (resident, created, None) or (None, created, the error)."""
    now = timezone.now()
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(phone=phone, used_at__isnull=True, voided_at__isnull=True)
        .order_by("-created_at", "-id")
        .first()
    )
    if otp is None:
        return (
            None,
            False,
            DasanError(Code.OTP_NOT_REQUESTED, _("유효한 인증번호가 없습니다. 인증번호를 다시 요청해 주세요.")),
        )
    if otp.expires_at <= now:
        otp.voided_at = now
        otp.save(update_fields=["voided_at"])
        return (
            None,
            False,
            DasanError(Code.OTP_EXPIRED, _("인증번호의 입력 시간이 지났습니다. 인증번호를 다시 요청해 주세요.")),
        )
    otp.attempts += 1
    candidate = _hash_code(phone, otp.nonce, code) if _CODE_RE.match(code) else ""
    if not (candidate and hmac.compare_digest(candidate, otp.code_hash)):
        return None, False, _wrong_code(otp, now)
    otp.used_at = now
    otp.save(update_fields=["attempts", "used_at"])
    user, created = _resident_for_phone(phone, language=language)
    if not user.is_resident:
        return None, created, _err_staff_phone()
    if not user.is_active:
        return (
            None,
            created,
            DasanError(Code.ACCOUNT_INACTIVE, _("사용이 중지된 계정입니다. 시청에 문의해 주세요."), status=403),
        )
    return user, created, None


def _wrong_code(otp: OneTimeCode, now: datetime) -> DasanError:
    """Record a wrong try; the fifth voids the code."""
    left = OTP_MAX_ATTEMPTS - otp.attempts
    if left <= 0:
        otp.voided_at = now
        error = DasanError(
            Code.OTP_ATTEMPTS_EXCEEDED, _("입력 가능 횟수(5회)를 넘었습니다. 인증번호를 다시 요청해 주세요.")
        )
    else:
        error = DasanError(
            Code.OTP_INVALID,
            _("인증번호가 올바르지 않습니다. (남은 입력 횟수: %(left)d회)") % {"left": left},
            attempts_left=left,
        )
    otp.save(update_fields=["attempts", "voided_at"])
    return error


def _resident_for_phone(phone: str, *, language: str | None):
    existing = User.objects.filter(phone=phone).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _new_resident(phone, name="", language=language), True
    except IntegrityError:  # the same number verified twice at once
        return User.objects.get(phone=phone), False


def _new_resident(phone: str, *, name: str, language: str | None):
    language = language_code(language) if language else language_code(translation.get_language() or "ko", fallback=True)
    return User.objects.create_user(
        username=f"r-{secrets.token_hex(6)}", kind=Kind.RESIDENT, phone=phone, name=name, language=language
    )


def create_resident(phone: str, *, name: str = "", language: str | None = None, actor=None):
    """Create a resident (주민) account for a mobile number; username "r-<random>"."""
    phone = normalize_phone(phone)
    user = _new_resident(phone, name=name, language=language)
    audit.record("accounts.resident_created", actor=actor, target=user, data={"phone": masked_phone(phone)})
    return user


# --- Staff ----------------------------------------------------------------------------------------
def create_staff(
    username: str, password: str, *, name: str = "", department=None, role: str = Role.OFFICER, actor=None
):
    """Create a member of staff (공무원). They enrol an authenticator at first sign-in.

    City administrators (role "admin") get every permission in the back office;
    others reach it with the permissions their groups give."""
    if role not in Role.values:
        raise DasanError(Code.INVALID_ROLE, _("역할이 올바르지 않습니다."))
    if User.objects.filter(username=username).exists():
        raise DasanError(Code.USERNAME_TAKEN, _("이미 사용 중인 아이디입니다."), status=409)
    user = User.objects.create_user(
        username=username,
        password=password,
        kind=Kind.STAFF,
        name=name,
        department=department,
        role=role,
        is_staff=True,
        is_superuser=(role == Role.ADMIN),
    )
    audit.record(
        "accounts.staff_created",
        actor=actor,
        target=user,
        data={"role": role, "department": getattr(department, "code", None)},
    )
    return user


def _err_login_invalid() -> DasanError:
    return DasanError(Code.LOGIN_INVALID, _("아이디 또는 비밀번호가 올바르지 않습니다."))


def staff_login_password(username: str, password: str, *, ip: str | None = None):
    """First step of a staff sign-in: check the password.

    Returns the user; the caller keeps them as "pending" until the TOTP step.
    Refused with RateLimited, before the password is checked:

    - after five tries in fifteen minutes for a username from one address (a correct
      password resets that count), or twenty from one address for any usernames;
    - after fifty failures in an hour for a username from all addresses together, unless
      the address is one the username completed a sign-in from before (see
      :func:`staff_verify_totp`): a guess spread over many addresses is held back until the
      hour ends, while the owner at their usual address still signs in.

    The fifth failure in an hour for a username e-mails its owner (once that hour)."""
    username = (username or "").strip()
    name = username.lower()
    pair_key = f"accounts:staff-pw:user-ip:{name}:{ip or '-'}"
    keys = [(pair_key, *STAFF_PASSWORD_LIMIT_PAIR)]
    if ip:
        keys.append((f"accounts:staff-pw:ip:{ip}", *STAFF_PASSWORD_LIMIT_IP))
    locked = {"username": username[:64], "method": "password"}
    _enforce(keys, action="accounts.login_locked", data=locked)
    user_key = f"accounts:staff-pw:user:{name}"
    limit, window = STAFF_PASSWORD_LIMIT_USER
    throttled = ratelimit.peek(user_key, limit=limit, window=window)
    if not throttled.allowed and not _known_address(name, ip):
        audit.record("accounts.login_locked", data={**locked, "reason": "username_throttled"})
        raise RateLimited(retry_after=throttled.retry_after)

    user = User.objects.filter(username=username, kind=Kind.STAFF).first()
    if user is None:
        make_password(password)  # same work as a real check, so timing does not reveal usernames
        ok = False
    else:
        ok = user.check_password(password) and user.is_active
    if not ok:
        audit.record("accounts.login_failed", target=user, data={"username": username[:64], "method": "password"})
        failures = ratelimit.hit(user_key, limit=limit, window=window)
        count = limit - failures.remaining
        if user is not None and count >= STAFF_PASSWORD_ALERT_AFTER:
            _alert_owner(user, name, count)
        raise _err_login_invalid()
    ratelimit.reset(pair_key)
    audit.record("accounts.password_ok", actor=user, target=user)
    return user


def _known_address_key(name: str, ip: str) -> str:
    digest = salted_hmac("dasan.accounts.staff-address", f"{name}|{ip}", algorithm="sha256").hexdigest()
    return f"accounts:staff-known:{digest[:40]}"


def _known_address(name: str, ip: str | None) -> bool:
    """Whether ``name`` completed a sign-in from ``ip`` in the last 90 days."""
    return bool(ip) and bool(cache.get(_known_address_key(name, ip)))


def _remember_address(user, ip: str | None) -> None:
    if ip:
        cache.set(_known_address_key(user.username.lower(), ip), 1, timeout=STAFF_KNOWN_ADDRESS_SECONDS)


def _alert_owner(user, name: str, count: int) -> None:
    """E-mail a member of staff that their username sees repeated wrong passwords,
    at most once per window of the per-username count."""
    if not user.is_active or not user.email:
        return
    window = STAFF_PASSWORD_LIMIT_USER[1]
    if not ratelimit.hit(f"accounts:staff-pw:alerted:{name}", limit=1, window=window).allowed:
        return
    try:
        with transaction.atomic():
            outbox.send(
                STAFF_LOGIN_ALERT_TEMPLATE,
                recipient=user,
                to=user.email,
                channel="email",
                context={
                    "username": user.username,
                    "count": count,
                    "minutes": window // 60,
                    "city": city_name(),
                },
                language=user.language or settings.LANGUAGE_CODE,
                category="transactional",
            )
    except DasanError as error:  # e-mail switched off: the sign-in answer must not change
        audit.record("accounts.login_alert_failed", target=user, data={"reason": error.code})
        return
    audit.record("accounts.login_alert_sent", target=user, data={"username": user.username})


def _matching_step(secret: str, code: str, at: datetime | None = None) -> int | None:
    code = (code or "").strip().replace(" ", "")
    if not _CODE_RE.match(code) or not secret:
        return None
    totp = pyotp.TOTP(secret, interval=TOTP_INTERVAL)
    now_step = totp.timecode(at or timezone.now())
    found = None
    for step in range(now_step - TOTP_VALID_WINDOW, now_step + TOTP_VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _totp_limit(user) -> str:
    key = f"accounts:staff-totp:user:{user.pk}"
    _enforce(
        [(key, *STAFF_TOTP_LIMIT_USER)],
        action="accounts.login_locked",
        data={"username": user.username, "method": "totp"},
    )
    return key


def _accept_step(user, step: int) -> bool:
    """Record a used time-step; False when it (or a later one) was used before."""
    updated = (
        User.objects.filter(pk=user.pk)
        .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
        .update(totp_last_step=step)
    )
    if updated:
        user.totp_last_step = step
    return bool(updated)


def staff_verify_totp(user, code: str, *, ip: str | None = None):
    """Second step of a staff sign-in: check the authenticator code.

    Codes of the previous, current and next 30-second step are accepted, each at
    most once; the address of a completed sign-in is remembered as the username's (see
    :func:`staff_login_password`). Raises DasanError("totp_invalid" | "totp_replayed" |
    "totp_not_enrolled") or RateLimited after five failures in fifteen minutes."""
    if not user.totp_secret or not user.totp_confirmed_at:
        raise DasanError(Code.TOTP_NOT_ENROLLED, _("OTP 앱 등록이 필요합니다."))
    key = _totp_limit(user)
    step = _matching_step(user.totp_secret, code)
    if step is None:
        audit.record("accounts.login_failed", target=user, data={"username": user.username, "method": "totp"})
        raise DasanError(Code.TOTP_INVALID, _("OTP 인증번호가 올바르지 않습니다."))
    if not _accept_step(user, step):
        audit.record(
            "accounts.login_failed", target=user, data={"username": user.username, "method": "totp", "reason": "replay"}
        )
        raise DasanError(Code.TOTP_REPLAYED, _("이미 사용한 OTP 인증번호입니다. 다음 번호가 나오면 입력해 주세요."))
    ratelimit.reset(key)
    _remember_address(user, ip)
    audit.record("accounts.login", actor=user, target=user, data={"method": "password+totp"})
    return user


def start_totp_enrolment(user) -> str:
    """Give a member of staff without a confirmed authenticator a new secret."""
    if user.totp_confirmed_at:
        raise DasanError(Code.TOTP_ALREADY_ENROLLED, _("이미 OTP 앱을 등록했습니다."), status=409)
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.save(update_fields=["totp_secret"])
    return user.totp_secret


def confirm_totp_enrolment(user, code: str, *, ip: str | None = None):
    """Confirm an authenticator with its first code; this also completes the sign-in."""
    if user.totp_confirmed_at:
        raise DasanError(Code.TOTP_ALREADY_ENROLLED, _("이미 OTP 앱을 등록했습니다."), status=409)
    if not user.totp_secret:
        raise DasanError(Code.TOTP_NOT_ENROLLED, _("OTP 앱 등록이 필요합니다."))
    key = _totp_limit(user)
    step = _matching_step(user.totp_secret, code)
    if step is None:
        audit.record("accounts.totp_enrol_failed", target=user, data={"username": user.username})
        raise DasanError(Code.TOTP_INVALID, _("OTP 인증번호가 올바르지 않습니다."))
    user.totp_confirmed_at = timezone.now()
    user.totp_last_step = step
    user.save(update_fields=["totp_confirmed_at", "totp_last_step"])
    ratelimit.reset(key)
    _remember_address(user, ip)
    audit.record("accounts.totp_enrolled", actor=user, target=user)
    audit.record("accounts.login", actor=user, target=user, data={"method": "password+totp", "enrolment": True})
    return user


def reset_totp(user, *, actor=None):
    """Forget a staff member's authenticator (lost phone); they enrol again at next sign-in."""
    user.totp_secret = ""
    user.totp_confirmed_at = None
    user.totp_last_step = None
    user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
    audit.record("accounts.totp_reset", actor=actor, target=user)


# --- Profile ---------------------------------------------------------------------------------
def set_language(user, code: str):
    """Set the language a user reads pages and messages in (ko, en, zh-hans, vi)."""
    code = language_code(code)
    if user.language != code:
        user.language = code
        user.save(update_fields=["language"])
        audit.record("accounts.language_changed", actor=user, target=user, data={"language": code})
    return user


def set_promo_opt_in(user, opt_in: bool):
    """Record consent (or its withdrawal) to news and promotional messages, with the time."""
    opt_in = bool(opt_in)
    if user.promo_opt_in != opt_in or user.promo_opt_in_at is None:
        user.promo_opt_in = opt_in
        user.promo_opt_in_at = timezone.now()
        user.save(update_fields=["promo_opt_in", "promo_opt_in_at"])
        audit.record("accounts.promo_consent", actor=user, target=user, data={"opt_in": opt_in})
    return user


def set_name(user, name: str):
    """Change the name shown to staff and on documents."""
    name = (name or "").strip()
    if len(name) > 60:
        raise DasanError(Code.INVALID_NAME, _("이름은 60자 이내로 입력해 주세요."))
    if user.name != name:
        user.name = name
        user.save(update_fields=["name"])
        audit.record("accounts.name_changed", actor=user, target=user)
    return user


def update_profile(user, *, language: str | None = None, promo_opt_in: bool | None = None, name: str | None = None):
    """Apply the changes a user made on "내 정보" in one transaction."""
    with transaction.atomic():
        if language is not None:
            set_language(user, language)
        if promo_opt_in is not None:
            set_promo_opt_in(user, promo_opt_in)
        if name is not None:
            set_name(user, name)
    return user


def record_logout(user) -> None:
    """Audit a sign-out (the session itself is ended by the caller)."""
    if user is not None and user.is_authenticated:
        audit.record("accounts.logout", actor=user, target=user)


# --- API tokens ---------------------------------------------------------------------------------
def issue_api_token(owner, name: str, *, actor=None) -> str:
    """Issue a bearer token for an integration; returns the plain token, shown once."""
    if not is_staff(owner):
        raise DasanError(Code.TOKEN_OWNER_NOT_STAFF, _("API 토큰은 공무원 계정만 가질 수 있습니다."))
    name = (name or "").strip()
    if not name:
        raise DasanError(Code.INVALID_NAME, _("토큰 이름을 입력해 주세요."))
    plain = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = APIToken.objects.create(name=name[:100], owner=owner, prefix=plain[:12], token_hash=token_hash(plain))
    audit.record("accounts.api_token_issued", actor=actor or owner, target=token, data={"prefix": token.prefix})
    return plain


def revoke_api_token(token: APIToken, *, actor=None) -> APIToken:
    """Revoke a token at once; requests carrying it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("accounts.api_token_revoked", actor=actor, target=token, data={"prefix": token.prefix})
    return token


def authenticate_api_token(plain: str):
    """The active owner of a valid, unrevoked token (noting when it was used), else None."""
    token = token_for_plain(plain)
    if token is None or token.revoked_at is not None or not token.owner.is_active:
        return None
    now = timezone.now()
    # One write a minute at most, so busy integrations do not hammer the row.
    if token.last_used_at is None or now - token.last_used_at > timedelta(seconds=60):
        APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.owner


__all__ = [
    "request_otp",
    "verify_otp",
    "create_resident",
    "create_staff",
    "staff_login_password",
    "staff_verify_totp",
    "start_totp_enrolment",
    "confirm_totp_enrolment",
    "reset_totp",
    "set_language",
    "set_promo_opt_in",
    "set_name",
    "update_profile",
    "record_logout",
    "issue_api_token",
    "revoke_api_token",
    "authenticate_api_token",
]
