"""주민참여예산 is wired by its declarations alone: pages, the staff menu, the API, the demo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dasan.core import catalog
from dasan.core.appconfig import demo_loaders

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_user():
    from dasan.accounts.models import Kind, Role, User

    return User.objects.create_user(username="participation-staff", kind=Kind.STAFF, role=Role.OFFICER, name="직원")


def test_residents_see_the_page_and_its_tile(client):
    assert client.get(reverse("participation:index")).status_code == 200
    assert "participation.index" in {tile.key for tile in catalog.services("resident")}


def test_the_staff_page_is_for_staff_only(client, staff_user):
    url = reverse("participation_staff:index")
    assert client.get(url).status_code == 302  # to the staff sign-in
    client.force_login(staff_user)
    assert client.get(url).status_code == 200
    assert "participation.staff" in {tile.key for tile in catalog.services("staff", staff_user)}


def test_the_api_answers(client):
    response = client.get("/api/v1/participation/")
    assert response.status_code == 200 and response.json() == {"ready": True}


def test_the_demo_loader_is_declared():
    assert "participation" in [app.label for app, _load in demo_loaders()]


def test_the_demo_loads_a_voting_process_and_a_finished_one_and_runs_again(client, city):
    from dasan.participation.demo import load_demo
    from dasan.participation.models import Process, Result

    made = load_demo()
    assert load_demo() == made and Process.objects.count() == 2
    assert Result.objects.filter(heading__process__slug=made["finished"]).count() == 2
    for name in ("process", "proposals", "results", "tracking", "statistics"):
        for slug in made.values():
            assert client.get(reverse(f"participation:{name}", args=[slug])).status_code == 200
