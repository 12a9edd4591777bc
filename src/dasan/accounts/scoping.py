"""Who may see which rows: one rule for every app.

- anonymous: nothing;
- a resident (주민): the rows they own (``owner_field``);
- an officer (담당자): their department's rows, and rows they own;
- a department manager (부서장): their department and its sub-departments, and rows they own;
- a city administrator (시 관리자) or superuser: everything.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Kind, Role


def _department_ids(user) -> list[int]:
    if not user.department_id:
        return []
    ids = [user.department_id]
    if user.role == Role.MANAGER:
        from dasan.core.models import Department

        frontier = [user.department_id]
        # Departments are a shallow tree (국 > 과 > 팀); walk it level by level.
        while frontier:
            frontier = list(
                Department.objects.filter(parent_id__in=frontier).exclude(id__in=ids).values_list("id", flat=True)
            )
            ids.extend(frontier)
    return ids


def _active(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)


def _sees_all(user) -> bool:
    # City administrators, and superusers among staff (see accounts.permissions).
    return user.kind == Kind.STAFF and (user.is_superuser or user.role == Role.ADMIN)


def visible(
    user, queryset: QuerySet, *, owner_field: str | None = "resident", department_field: str | None = "department"
) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may see (see the module docstring)."""
    if not _active(user):
        return queryset.none()
    if _sees_all(user):
        return queryset
    if user.kind == Kind.RESIDENT:
        return queryset.filter(**{owner_field: user}) if owner_field else queryset.none()
    if user.kind == Kind.STAFF:
        condition = Q(pk__in=[])
        if department_field:
            ids = _department_ids(user)
            if ids:
                condition |= Q(**{f"{department_field}__in": ids})
        if owner_field:
            condition |= Q(**{owner_field: user})
        return queryset.filter(condition)
    return queryset.none()


def _value(obj, path: str):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part, None)
    return obj


def _pk(value):
    return getattr(value, "pk", value)


def can_view(user, obj, *, owner_field: str | None = "resident", department_field: str | None = "department") -> bool:
    """Whether ``user`` may see ``obj``; the same rule as ``visible`` for one object."""
    if obj is None or not _active(user):
        return False
    if _sees_all(user):
        return True
    if owner_field and _pk(_value(obj, owner_field)) == user.pk:
        return True
    if user.kind == Kind.STAFF and department_field:
        department = _pk(_value(obj, department_field))
        return department is not None and department in _department_ids(user)
    return False


def require_view(user, obj, **fields) -> None:
    """Raise core.errors.NotFound unless ``user`` may see ``obj`` (hiding whether it exists)."""
    from dasan.core.errors import NotFound

    if not can_view(user, obj, **fields):
        raise NotFound()
