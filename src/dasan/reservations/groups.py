"""이용 단체 (groups): a club or residents' association registers through its representative,
staff approve or reject it with a reason, and from then on the representative may book
resources that only registered groups may use (``Resource.groups_only``) in its name.

Who the members are is not kept: the city needs to know that the group exists, how many it
is and who answers for it, not everyone's name and phone."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.core import audit
from dasan.core.errors import Conflict, DasanError, NotFound, PermissionDenied

from . import notifications
from .errors import Code
from .models import Group, GroupStatus
from .rules import require_signed_in
from .selectors import STAFF_ONLY


def _clean(value, limit: int) -> str:
    return " ".join(str(value or "").split())[:limit]


def groups_for(resident):
    """The representative's groups, newest first (withdrawn ones included)."""
    if not getattr(resident, "pk", None):
        return Group.objects.none()
    return Group.objects.filter(representative=resident).order_by("-created_at", "-id")


def approved_groups(resident) -> list[Group]:
    return list(groups_for(resident).filter(status=GroupStatus.APPROVED).order_by("name"))


def registered_groups():
    """Every approved group (the staff list)."""
    return Group.objects.filter(status=GroupStatus.APPROVED).select_related("representative")


def pending_groups():
    return (
        Group.objects.filter(status=GroupStatus.PENDING).select_related("representative").order_by("created_at", "id")
    )


def register_group(name, *, actor, members=2, description: str = "") -> Group:
    """단체 등록 신청 by ``actor``, its representative. Refused: ``login_required`` (401),
    ``name_required``, ``invalid_members`` (a group is 2 to 10,000 people), ``group_exists``
    (409: the same representative already has a live group of that name)."""
    require_signed_in(actor)
    resident = actor
    name = _clean(name, 100)
    if not name:
        raise DasanError(Code.NAME_REQUIRED, _("단체 이름을 적어 주세요."), field="name")
    try:
        members = int(str(members).strip())
    except (TypeError, ValueError):
        members = 0
    if not 2 <= members <= 10_000:
        raise DasanError(Code.INVALID_MEMBERS, _("회원 수는 2명에서 10,000명 사이로 적어 주세요."), field="members")
    with transaction.atomic():
        if Group.objects.filter(representative=resident, name=name).exclude(status=GroupStatus.WITHDRAWN).exists():
            raise Conflict(Code.GROUP_EXISTS, _("같은 이름의 단체를 이미 등록했습니다."), field="name")
        group = Group.objects.create(
            name=name, representative=resident, members=members, description=_clean(description, 300)
        )
        audit.record("reservations.group_register", actor=resident, target=group, data={"members": members})
    return group


def decide_group(group, *, actor, approve: bool, reason: str = "") -> Group:
    """Staff approve or reject a pending group (a rejection needs ``reason_required``); the
    representative is told. ``staff_only`` (403), ``unknown_group`` (404), ``not_pending``
    (409) once decided."""
    require_staff(actor, STAFF_ONLY)
    staff = actor
    reason = _clean(reason, 300)
    if not approve and not reason:
        raise DasanError(Code.REASON_REQUIRED, _("반려 사유를 적어 주세요."), field="reason")
    pk = group.pk if isinstance(group, Group) else group
    with transaction.atomic():
        group = (
            Group.objects.select_for_update().filter(pk=pk).select_related("representative").first()
            if str(pk).isdigit()
            else None
        )
        if group is None:
            raise NotFound(Code.UNKNOWN_GROUP, _("등록된 단체가 아닙니다."))
        if group.status != GroupStatus.PENDING:
            raise Conflict(Code.NOT_PENDING, _("심사 중인 단체가 아닙니다."))
        group.status = GroupStatus.APPROVED if approve else GroupStatus.REJECTED
        group.reason, group.decided_by, group.decided_at = reason, staff, timezone.now()
        group.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        audit.record(
            "reservations.group_approve" if approve else "reservations.group_reject",
            actor=staff,
            target=group,
            reason=reason,
        )
        _notify(group)
    return group


def withdraw_group(group, *, actor) -> Group:
    """The representative (``actor``) ends the registration; bookings already made stay.
    Another's group, or none, is ``unknown_group`` (404)."""
    resident = actor
    pk = group.pk if isinstance(group, Group) else group
    with transaction.atomic():
        group = groups_for(resident).select_for_update().filter(pk=pk).first() if str(pk).isdigit() else None
        if group is None:
            raise NotFound(Code.UNKNOWN_GROUP, _("등록된 단체가 아닙니다."))
        if group.status == GroupStatus.WITHDRAWN:
            return group
        group.status = GroupStatus.WITHDRAWN
        group.save(update_fields=["status"])
        audit.record("reservations.group_withdraw", actor=resident, target=group)
    return group


def group_for_booking(resident, resource, group) -> Group | None:
    """The group a booking is made for, checked: only an approved group of this
    representative (``unknown_group`` 404, ``group_not_approved`` 403), and required on
    a groups-only resource (``group_required`` 403)."""
    value = group.pk if isinstance(group, Group) else str(group or "").strip()
    if not value:
        if resource.groups_only:
            raise PermissionDenied(
                Code.GROUP_REQUIRED,
                _("등록 단체만 예약할 수 있는 시설입니다. 단체를 등록하고 승인을 받은 뒤 예약해 주세요."),
                field="group",
            )
        return None
    found = groups_for(resident).filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise NotFound(Code.UNKNOWN_GROUP, _("등록된 단체가 아닙니다."), field="group")
    if found.status != GroupStatus.APPROVED:
        raise PermissionDenied(
            Code.GROUP_NOT_APPROVED,
            _("승인된 단체만 예약할 수 있습니다. (현재: %(status)s)") % {"status": found.get_status_display()},
            field="group",
        )
    return found


def _notify(group: Group) -> None:
    notifications.send(
        "reservations.group_decided",
        group.representative,
        {"group": group.name, "approved": group.status == GroupStatus.APPROVED, "reason": group.reason},
    )
