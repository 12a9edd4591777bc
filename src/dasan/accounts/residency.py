"""관내 거주 확인 (residency): the state changes of a resident's declared 행정동 and date of birth.

A resident declares where they live and when they were born; the city confirms it (staff
read a proof or see the person, or the declaration matches the resident list the city
imports) or refuses it with a reason. Services that serve residents only read the result
through :func:`dasan.accounts.selectors.verified_residency`; none of them keeps its own copy.
A new declaration replaces the old one and needs confirming again, so a person who moves
out cannot keep voting on an old confirmation.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts.errors import Code
from dasan.core import audit
from dasan.core.errors import Conflict, DasanError, PermissionDenied

from .models import Residency, ResidencyMethod, ResidencyStatus
from .permissions import require_staff

EARLIEST_BIRTH = date(1900, 1, 1)


def _clean_dong(dong_name: str) -> str:
    name = " ".join(str(dong_name or "").split())
    if not name or len(name) > 40 or any(ord(ch) < 32 for ch in name):
        raise DasanError(Code.INVALID_DONG, _("사는 행정동을 40자 이내로 적어 주세요. 예: 역삼1동"), field="dong_name")
    return name


def _clean_birth(birth_date: date) -> date:
    if not isinstance(birth_date, date) or not EARLIEST_BIRTH <= birth_date <= timezone.localdate():
        raise DasanError(Code.INVALID_BIRTH_DATE, _("생년월일을 확인해 주세요."), field="birth_date")
    return birth_date


def declare(user, *, birth_date: date, dong_name: str, dong_code: str = "") -> Residency:
    """거주 신고: record (or replace) the person's declaration; it waits for confirmation."""
    if not getattr(user, "is_resident", False):
        raise PermissionDenied(Code.STAFF_ACCOUNT, _("주민 계정으로 신고해 주세요."))
    values = {
        "birth_date": _clean_birth(birth_date),
        "dong_name": _clean_dong(dong_name),
        "dong_code": str(dong_code or "").strip()[:20],
        "status": ResidencyStatus.DECLARED,
        "method": "",
        "declared_at": timezone.now(),
        "verified_at": None,
        "verified_by": None,
        "reason": "",
    }
    with transaction.atomic():
        residency, _created = Residency.objects.select_for_update().update_or_create(user=user, defaults=values)
        audit.record("residency.declared", actor=user, target=residency)
    return residency


def _locked(residency: Residency) -> Residency:
    return Residency.objects.select_for_update().get(pk=residency.pk)


def verify(residency: Residency, *, actor, method: str = ResidencyMethod.PROOF) -> Residency:
    """확인: a member of staff confirms the declaration (or the roster matched, ``actor=None``
    with ``method=roster``)."""
    if method not in ResidencyMethod.values:
        raise DasanError(Code.INVALID_RESIDENCY_METHOD, _("확인 방법을 골라 주세요."), field="method")
    if actor is not None or method != ResidencyMethod.ROSTER:
        require_staff(actor)
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
    return locked


def reject(residency: Residency, *, actor, reason: str) -> Residency:
    """확인 불가: staff cannot confirm it; the resident sees the reason and may declare again."""
    require_staff(actor)
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
    return locked
