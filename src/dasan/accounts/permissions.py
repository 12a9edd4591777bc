"""Who may do what: the one permission rule every app uses (NetBox's ``restrict(user,
action)`` is the model), built on :mod:`dasan.accounts.scoping`.

- **Staff** (공무원) are signed-in, active users of kind ``staff``. The Django superuser flag
  alone makes nobody staff: it opens the admin site, not residents' records.
- **City-wide** staff are city administrators (role ``admin``) and staff who are superusers;
  they see every department's rows.
- **Managers** (부서장) are staff with role ``manager`` or city-wide staff: they route work
  between departments.
- Everyone else sees only their own rows, staff their department's (``scoping.visible``).

Services raise :class:`~dasan.core.errors.PermissionDenied` with code ``staff_only`` when a
non-staff user tries a staff action, and :class:`~dasan.core.errors.NotFound` when a row is
out of the user's scope (so its existence is not revealed).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dasan.core.errors import CoreCode, NotFound, PermissionDenied

from . import scoping
from .models import Kind, Role

#: The actions ``restrict`` and ``can`` understand; both read the same scope today
#: (whoever may see a row may act on it, subject to each service's own state checks).
ACTIONS = ("view", "change")

STAFF_ONLY_MESSAGE = _("담당 공무원만 할 수 있는 일입니다.")


def is_staff(user) -> bool:
    """A signed-in, active member of the city's staff."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and getattr(user, "is_active", False)
        and getattr(user, "kind", None) == Kind.STAFF
    )


def is_city_wide(user) -> bool:
    """Staff who see every department: city administrators and superusers among staff."""
    return is_staff(user) and (user.role == Role.ADMIN or user.is_superuser)


def is_manager(user) -> bool:
    """Staff who may route work between departments: managers and city-wide staff."""
    return is_staff(user) and (user.role == Role.MANAGER or is_city_wide(user))


def holds(user, perm: str) -> bool:
    """Staff granted the Django permission ``perm`` (``"payments.handle_any_order"``) in the
    admin, directly or through a group: a capability across departments (세입 담당).
    City-wide staff hold every one; non-staff hold none."""
    return is_staff(user) and (is_city_wide(user) or user.has_perm(perm))


#: 거주 확인 담당: the Django permission that lets staff confirm or refuse residents' residency
#: (grant it to a group in the admin: 민원 담당, 행정복지센터 staff). City-wide staff hold it.
RESIDENCY_PERMISSION = "accounts.change_residency"
#: 주민 명부 반입: uploading the resident list on the staff page (the command line needs no user).
ROSTER_PERMISSION = "accounts.add_rosterimport"


def can_confirm_residency(user) -> bool:
    """Whether ``user`` may see the residency queue and confirm or refuse declarations."""
    return holds(user, RESIDENCY_PERMISSION)


def can_import_roster(user) -> bool:
    """Whether ``user`` may replace the resident list from the staff page."""
    return holds(user, ROSTER_PERMISSION)


def require_holds(user, perm: str, message=None) -> None:
    """Raise ``staff_only`` for non-staff and ``forbidden`` for staff without ``perm``."""
    require_staff(user)
    if not holds(user, perm):
        raise PermissionDenied(CoreCode.FORBIDDEN, message or _("권한이 없습니다."))


def require_staff(user, message=None) -> None:
    """Raise ``PermissionDenied("staff_only")`` unless ``user`` is staff."""
    if not is_staff(user):
        raise PermissionDenied(CoreCode.STAFF_ONLY, message or STAFF_ONLY_MESSAGE)


def require_manager(user, message=None) -> None:
    """Raise ``PermissionDenied("forbidden")`` unless ``user`` is a manager (staff first)."""
    require_staff(user)
    if not is_manager(user):
        raise PermissionDenied(CoreCode.FORBIDDEN, message or _("권한이 없습니다."))


def _check(action: str) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {ACTIONS}")


def restrict(queryset: QuerySet, user, action: str = "view", **fields) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action`` (``owner_field=``,
    ``department_field=`` as in :func:`scoping.visible`)."""
    _check(action)
    return scoping.visible(user, queryset, **fields)


def can(user, action: str, obj, **fields) -> bool:
    """Whether ``user`` may ``action`` ``obj``: the same rule as :func:`restrict`."""
    _check(action)
    return scoping.can_view(user, obj, **fields)


def require(user, action: str, obj, **fields) -> None:
    """Raise ``NotFound`` unless ``user`` may ``action`` ``obj`` (hiding whether it exists)."""
    if not can(user, action, obj, **fields):
        raise NotFound()
