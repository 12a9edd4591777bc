"""The city's demo signing certificate (made by ``make_signing_cert`` into a temporary
folder), a used reservation to issue a 시설 사용 확인서 for, and staff who handle documents:
ordinary officers granted the permissions in a "민원 서류 담당" group, as a city does in
the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from ..reservations.conftest import at, make_resource, unit  # noqa: F401 - fixtures


@pytest.fixture
def signing(settings, tmp_path, city):
    path = tmp_path / "signing.p12"
    call_command("make_signing_cert", out=str(path), password="test-pass", city="테스트시")
    settings.DASAN = {**settings.DASAN, "SIGNING_P12": str(path), "SIGNING_P12_PASSWORD": "test-pass"}
    from dasan.certificates import signing as module

    for name in dir(module):  # cached signer/roots from another test's certificate
        func = getattr(module, name)
        if hasattr(func, "cache_clear"):
            func.cache_clear()
    return path


@pytest.fixture
def used_booking(make_resource, resident, make_staff, departments):
    from dasan.reservations import services
    from dasan.reservations.models import Reservation, Status

    hall = make_resource("소강당")
    day = dt.date.today() + dt.timedelta(days=3)
    booking = services.book(hall, at(day, "10:00"), at(day, "12:00"), actor=resident, purpose="주민 총회", party_size=5)
    # The use happened: checked in and over (set directly; the clock cannot be moved).
    Reservation.objects.filter(pk=booking.pk).update(
        status=Status.CHECKED_IN,
        begin=at(dt.date.today() - dt.timedelta(days=2), "10:00"),
        end=at(dt.date.today() - dt.timedelta(days=2), "12:00"),
        blocked_from=at(dt.date.today() - dt.timedelta(days=2), "10:00"),
        blocked_until=at(dt.date.today() - dt.timedelta(days=2), "12:00"),
    )
    booking.refresh_from_db()
    return booking


def grant(user, *codenames):
    """``user`` in the "민원 서류 담당" group holding ``certificates.<codename>`` permissions
    (a fresh instance: no cached permissions)."""
    group, _created = Group.objects.get_or_create(name="민원 서류 담당")
    for codename in codenames:
        group.permissions.add(Permission.objects.get(codename=codename, content_type__app_label="certificates"))
    user.groups.add(group)
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def clerk(make_staff, departments):
    """A counter clerk who handles document requests and city-issued documents."""
    return grant(
        make_staff("counter-clerk", department=departments["root"]), "view_documentrequest", "view_issueddocument"
    )
