"""Fixtures for the web shell's tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def staff_officer(make_staff, departments):
    return make_staff("officer1", department=departments["waste"])


@pytest.fixture
def city_admin(make_staff, departments):
    from dasan.accounts.models import Role

    return make_staff("admin1", department=departments["root"], role=Role.ADMIN)
