"""Who sees which rows: residents their own, staff their department, admins everything."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from dasan.accounts.models import Role
from dasan.accounts.scoping import can_view, require_view, visible
from dasan.core.errors import NotFound

FIELDS = {"owner_field": "recipient", "department_field": "department"}


@pytest.fixture
def world(make_resident, make_staff, departments):
    from dasan.core.models import Department
    from dasan.notify.models import Message

    team = Department.objects.create(code="1110", name="재활용팀", parent=departments["waste"])
    a = make_resident(phone="01011110000", name="A")
    b = make_resident(phone="01022220000", name="B")

    def message(recipient, department):
        return Message.objects.create(
            recipient=recipient,
            to=recipient.phone,
            channel="console",
            template_key="t",
            template_version=1,
            language="ko",
            body="x",
            department=department,
        )

    rows = {
        "a_waste": message(a, departments["waste"]),
        "b_roads": message(b, departments["roads"]),
        "b_team": message(b, team),
    }
    people = {
        "a": a,
        "b": b,
        "officer": make_staff("officer", department=departments["waste"]),
        "manager": make_staff("manager", department=departments["waste"], role=Role.MANAGER),
        "roads": make_staff("roads", department=departments["roads"]),
        "admin": make_staff("admin", role=Role.ADMIN),
        "nodept": make_staff("nodept"),
    }
    return Message, rows, people


def _seen(Message, user):
    return set(visible(user, Message.objects.all(), **FIELDS).values_list("pk", flat=True))


def test_residents_see_only_their_own(world):
    Message, rows, people = world
    assert _seen(Message, people["a"]) == {rows["a_waste"].pk}
    assert _seen(Message, people["b"]) == {rows["b_roads"].pk, rows["b_team"].pk}
    assert not can_view(people["a"], rows["b_roads"], **FIELDS)
    assert can_view(people["a"], rows["a_waste"], **FIELDS)


def test_officers_see_their_department_only(world):
    Message, rows, people = world
    assert _seen(Message, people["officer"]) == {rows["a_waste"].pk}
    assert _seen(Message, people["roads"]) == {rows["b_roads"].pk}
    assert can_view(people["officer"], rows["a_waste"], **FIELDS)
    assert not can_view(people["officer"], rows["b_roads"], **FIELDS)
    assert not can_view(people["officer"], rows["b_team"], **FIELDS)


def test_managers_see_their_department_and_its_teams(world):
    Message, rows, people = world
    assert _seen(Message, people["manager"]) == {rows["a_waste"].pk, rows["b_team"].pk}
    assert can_view(people["manager"], rows["b_team"], **FIELDS)
    assert not can_view(people["manager"], rows["b_roads"], **FIELDS)


def test_admins_see_everything(world):
    Message, rows, people = world
    assert _seen(Message, people["admin"]) == {r.pk for r in rows.values()}
    assert can_view(people["admin"], rows["b_roads"], **FIELDS)


def test_anonymous_and_inactive_see_nothing(world):
    Message, rows, people = world
    assert _seen(Message, AnonymousUser()) == set()
    assert _seen(Message, None) == set()
    people["a"].is_active = False
    assert _seen(Message, people["a"]) == set()
    assert not can_view(AnonymousUser(), rows["a_waste"], **FIELDS)
    with pytest.raises(NotFound):
        require_view(AnonymousUser(), rows["a_waste"], **FIELDS)


def test_staff_without_a_department_see_nothing_of_others(world):
    Message, rows, people = world
    assert _seen(Message, people["nodept"]) == set()


def test_audit_events_scoped_by_actor_without_department(resident, make_resident, make_staff):
    from dasan.core.audit import record
    from dasan.core.models import AuditEvent

    other = make_resident(phone="01033334444")
    mine = record("x.test", actor=resident)
    record("x.test", actor=other)
    qs = visible(resident, AuditEvent.objects.filter(action="x.test"), owner_field="actor", department_field=None)
    assert list(qs.values_list("pk", flat=True)) == [mine.pk]
    admin = make_staff("admin2", role=Role.ADMIN)
    assert (
        visible(admin, AuditEvent.objects.filter(action="x.test"), owner_field="actor", department_field=None).count()
        == 2
    )
