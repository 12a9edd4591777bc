"""관내 거주 확인 (residency): the state changes of a resident's declared 행정동 and date of birth.

A resident declares where they live and when they were born; the city confirms it or refuses
it with a reason. It confirms in one of three ways (:class:`~dasan.accounts.models.ResidencyMethod`):

- ``roster``: the declaration matches the resident list (주민 명부) the city imports
  (:mod:`dasan.accounts.roster`): the keyed hash of the person's mobile number and date of birth
  is in the list, with the same 행정동. This happens at once when they declare, and again after
  each import (a waiting declaration that now matches is confirmed; a roster confirmation that
  no longer matches — the person moved out or to another 행정동 — goes back to waiting, with
  the reason). ``actor`` is None: nobody but the list decided.
- ``proof``: a clerk read a document (주민등록표 등본, a tenancy contract).
- ``visit``: a clerk saw the person at the counter.

Only staff granted ``accounts.change_residency`` (and city-wide staff) confirm or refuse
(:func:`dasan.accounts.permissions.can_confirm_residency`). Services that serve residents only
read the result through :func:`dasan.accounts.selectors.verified_residency`; none of them keeps
its own copy. A changed declaration replaces the old one and needs confirming again, so a
person who moves out cannot keep voting on an old confirmation; the same declaration sent
twice changes nothing.
"""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts.errors import Code
from dasan.core import audit
from dasan.core.errors import Conflict, DasanError, PermissionDenied

from . import notifications, selectors
from .models import Dong, Residency, ResidencyMethod, ResidencyStatus
from .permissions import RESIDENCY_PERMISSION, require_holds

EARLIEST_BIRTH = date(1900, 1, 1)
NOT_A_CLERK = _(
    "거주를 확인할 권한이 없습니다. 시 관리자에게 거주 확인 권한(accounts.change_residency)을 요청해 주세요."
)
_BIRTH_FORMATS = (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), re.compile(r"(\d{4})(\d{2})(\d{2})"))


def invalid_birth_date() -> DasanError:
    return DasanError(
        Code.INVALID_BIRTH_DATE, _("생년월일을 확인해 주세요. 예: 1990-01-31 또는 19900131"), field="birth_date"
    )


def parse_birth_date(value, *, today: date | None = None) -> date:
    """A date of birth written ``YYYY-MM-DD`` or ``YYYYMMDD`` (or a ``date``), between 1900 and
    today; else DasanError ``invalid_birth_date``."""
    if isinstance(value, date):
        parsed = value
    else:
        text = str(value or "").strip()
        match = next((m for m in (p.fullmatch(text) for p in _BIRTH_FORMATS) if m), None)
        if match is None:
            raise invalid_birth_date()
        try:
            parsed = date(*(int(part) for part in match.groups()))
        except ValueError:
            raise invalid_birth_date() from None
    if not EARLIEST_BIRTH <= parsed <= (today or timezone.localdate()):
        raise invalid_birth_date()
    return parsed


def _invalid_dong(field: str = "dong_name") -> DasanError:
    return DasanError(Code.INVALID_DONG, _("사는 행정동을 40자 이내로 적어 주세요. 예: 역삼1동"), field=field)


def clean_place(dong_name: str = "", dong_code: str = "") -> tuple[str, str]:
    """(code, name) of a declared 행정동. When the city has a list (from its resident list),
    the place must be on it, by code or by a name that names one 행정동; otherwise any short
    name is taken as written."""
    name = " ".join(str(dong_name or "").split())
    code = str(dong_code or "").strip()
    if not Dong.objects.exists():
        if not name or len(name) > 40 or len(code) > 20:
            raise _invalid_dong()
        return code, name
    if code:
        dong = Dong.objects.filter(code=code).first()
    else:
        named = list(Dong.objects.filter(name=name)[:2]) if name else []
        dong = named[0] if len(named) == 1 else None
    if dong is None:
        raise DasanError(Code.INVALID_DONG, _("행정동 목록에서 사는 동을 골라 주세요."), field="dong_code")
    return dong.code, dong.name


def _unchanged(current: Residency | None, birth: date, code: str, name: str) -> bool:
    return (
        current is not None
        and current.status != ResidencyStatus.REJECTED
        and (current.birth_date, current.dong_code, current.dong_name) == (birth, code, name)
    )


def declare(user, *, birth_date: date, dong_name: str, dong_code: str = "") -> Residency:
    """거주 신고: record (or replace) the person's declaration. It is confirmed at once when the
    resident list has them in that 행정동; otherwise it waits for staff. Declaring the same
    thing again (a retry, a double click) changes nothing."""
    if not getattr(user, "is_resident", False):
        raise PermissionDenied(Code.STAFF_ACCOUNT, _("주민 계정으로 신고해 주세요."))
    birth = parse_birth_date(birth_date)
    code, name = clean_place(dong_name, dong_code)
    with transaction.atomic():
        current = Residency.objects.select_for_update().filter(user=user).first()
        if _unchanged(current, birth, code, name):
            residency = current
        else:
            values = {
                "birth_date": birth,
                "dong_name": name,
                "dong_code": code,
                "status": ResidencyStatus.DECLARED,
                "method": "",
                "declared_at": timezone.now(),
                "verified_at": None,
                "verified_by": None,
                "reason": "",
            }
            residency, _created = Residency.objects.update_or_create(user=user, defaults=values)
            audit.record("residency.declared", actor=user, target=residency, data={"dong": name})
        if residency.status == ResidencyStatus.DECLARED and selectors.roster_confirms(user, birth, code, name):
            # The resident is on the page and sees it confirmed: no message.
            residency = verify(residency, actor=None, method=ResidencyMethod.ROSTER, notify=False)
    return residency


def _locked(residency: Residency) -> Residency:
    return Residency.objects.select_for_update().select_related("user").get(pk=residency.pk)


def verify(residency: Residency, *, actor, method: str = ResidencyMethod.PROOF, notify: bool = True) -> Residency:
    """확인: a residency clerk confirms the declaration (or the resident list matched,
    ``actor=None`` with ``method=roster``). The resident is told unless ``notify`` is False."""
    if method not in ResidencyMethod.values:
        raise DasanError(Code.INVALID_RESIDENCY_METHOD, _("확인 방법을 골라 주세요."), field="method")
    if actor is not None or method != ResidencyMethod.ROSTER:
        require_holds(actor, RESIDENCY_PERMISSION, NOT_A_CLERK)
    with transaction.atomic():
        locked = _locked(residency)
        if locked.status == ResidencyStatus.VERIFIED:
            raise Conflict(Code.RESIDENCY_ALREADY_VERIFIED, _("이미 거주가 확인되었습니다."))
        locked.status = ResidencyStatus.VERIFIED
        locked.method = method
        locked.verified_at = timezone.now()
        locked.verified_by = actor
        locked.reason = ""
        locked.save(update_fields=["status", "method", "verified_at", "verified_by", "reason"])
        audit.record("residency.verified", actor=actor, target=locked, data={"method": method})
        if notify:
            notifications.send("accounts.residency_verified", locked.user, {"dong": locked.dong_name})
    return locked


def reject(residency: Residency, *, actor, reason: str) -> Residency:
    """확인 불가: the clerk cannot confirm it; the resident is told the reason and may declare again."""
    require_holds(actor, RESIDENCY_PERMISSION, NOT_A_CLERK)
    reason = " ".join(str(reason or "").split())[:200]
    if not reason:
        raise DasanError(Code.REASON_REQUIRED, _("확인할 수 없는 이유를 적어 주세요."), field="reason")
    with transaction.atomic():
        locked = _locked(residency)
        locked.status = ResidencyStatus.REJECTED
        locked.method = ""
        locked.verified_at = None
        locked.verified_by = actor
        locked.reason = reason
        locked.save(update_fields=["status", "method", "verified_at", "verified_by", "reason"])
        audit.record("residency.rejected", actor=actor, target=locked, reason=reason)
        notifications.send("accounts.residency_rejected", locked.user, {"reason": reason})
    return locked


def withdraw_roster_confirmation(residency: Residency, *, reason: str) -> Residency | None:
    """After a new resident list: a confirmation that came from the old list and no longer
    matches goes back to waiting, with ``reason``. Confirmations staff made stand. None when
    there was nothing to withdraw (it changed in the meantime)."""
    with transaction.atomic():
        locked = _locked(residency)
        if locked.status != ResidencyStatus.VERIFIED or locked.method != ResidencyMethod.ROSTER:
            return None
        locked.status = ResidencyStatus.DECLARED
        locked.method = ""
        locked.verified_at = None
        locked.verified_by = None
        locked.reason = str(reason)[:200]
        locked.save(update_fields=["status", "method", "verified_at", "verified_by", "reason"])
        audit.record("residency.roster_withdrawn", actor=None, target=locked, reason=locked.reason)
        notifications.send("accounts.residency_withdrawn", locked.user, {"dong": locked.dong_name})
    return locked
