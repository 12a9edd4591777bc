"""One staff rule for every app (dasan.accounts.permissions): who counts as staff, who sees
the whole city, who routes work, and which rows each may see or change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from dasan.accounts import permissions
from dasan.accounts.models import Role
from dasan.core.errors import NotFound, PermissionDenied

FIELDS = {"owner_field": "recipient", "department_field": "department"}


@pytest.fixture
def people(make_resident, make_staff, departments):
    return {
        "resident": make_resident(phone="01011110000", name="주민"),
        "officer": make_staff("officer", department=departments["waste"]),
        "manager": make_staff("manager", department=departments["waste"], role=Role.MANAGER),
        "admin": make_staff("admin", department=departments["root"], role=Role.ADMIN),
        # The superuser flag on a resident opens the admin site, not residents' records.
        "superuser_resident": make_resident(phone="01099990000", name="슈퍼", is_superuser=True, is_staff=True),
        "inactive_officer": make_staff("gone", department=departments["waste"], is_active=False),
        "anonymous": AnonymousUser(),
    }


@pytest.fixture
def messages(people, departments):
    """Rows that belong to a department and (some) to a resident: notify's outbox."""
    from dasan.notify.models import Message

    def message(recipient, department):
        return Message.objects.create(
            recipient=recipient,
            to="01000000000",
            channel="console",
            template_key="t",
            template_version=1,
            language="ko",
            body="x",
            department=department,
        )

    return {
        "waste": message(None, departments["waste"]),
        "roads": message(None, departments["roads"]),
        "mine": message(people["resident"], departments["roads"]),
    }


@pytest.mark.parametrize(
    "who, staff, city_wide, manager",
    [
        ("resident", False, False, False),
        ("officer", True, False, False),
        ("manager", True, False, True),
        ("admin", True, True, True),
        ("superuser_resident", False, False, False),
        ("inactive_officer", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_who_is_staff(people, who, staff, city_wide, manager):
    user = people[who]
    assert permissions.is_staff(user) is staff
    assert permissions.is_city_wide(user) is city_wide
    assert permissions.is_manager(user) is manager


def test_a_superuser_among_staff_sees_the_whole_city(make_staff, departments):
    superuser = make_staff("root", department=departments["roads"], is_superuser=True)
    assert permissions.is_city_wide(superuser) and permissions.is_manager(superuser)


@pytest.mark.parametrize("who", ["resident", "superuser_resident", "inactive_officer", "anonymous"])
def test_staff_actions_refuse_everyone_else_with_staff_only(people, who):
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require_staff(people[who])
    assert excinfo.value.code == "staff_only" and excinfo.value.status == 403


def test_require_staff_keeps_the_callers_message(people):
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require_staff(people["resident"], "수거 기사만 볼 수 있습니다.")
    assert str(excinfo.value.message) == "수거 기사만 볼 수 있습니다."
    permissions.require_staff(people["officer"])  # staff pass


def test_routing_work_needs_a_manager(people):
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require_manager(people["officer"])
    assert excinfo.value.code == "forbidden"
    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require_manager(people["resident"])
    assert excinfo.value.code == "staff_only"
    permissions.require_manager(people["manager"])
    permissions.require_manager(people["admin"])


@pytest.mark.parametrize(
    "who, sees",
    [
        ("officer", {"waste"}),
        ("manager", {"waste"}),
        ("admin", {"waste", "roads", "mine"}),
        ("resident", {"mine"}),
        ("superuser_resident", set()),
        ("inactive_officer", set()),
        ("anonymous", set()),
    ],
)
def test_restrict_and_can_agree_on_a_department_scoped_queryset(people, messages, who, sees):
    from dasan.notify.models import Message

    user = people[who]
    visible = set(permissions.restrict(Message.objects.all(), user, **FIELDS).values_list("pk", flat=True))
    assert visible == {messages[name].pk for name in sees}
    for name, row in messages.items():
        assert permissions.can(user, "view", row, **FIELDS) is (name in sees)
        assert permissions.can(user, "change", row, **FIELDS) is (name in sees)


def test_a_row_out_of_scope_is_not_found(people, messages):
    with pytest.raises(NotFound):
        permissions.require(people["officer"], "change", messages["roads"], **FIELDS)
    permissions.require(people["officer"], "change", messages["waste"], **FIELDS)


def test_an_unknown_action_is_a_programming_error(people, messages):
    from dasan.notify.models import Message

    with pytest.raises(ValueError):
        permissions.restrict(Message.objects.all(), people["admin"], "delete", **FIELDS)
