"""이음 지갑 is wired by its declarations alone: pages, the staff menu, the API, the demo."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dasan.core import catalog
from dasan.core.appconfig import demo_loaders

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_user():
    from dasan.accounts.models import Kind, Role, User

    return User.objects.create_user(username="wallet-staff", kind=Kind.STAFF, role=Role.OFFICER, name="직원")


def test_residents_see_the_page_and_its_tile(client):
    assert client.get(reverse("wallet:index")).status_code == 200
    assert "wallet.index" in {tile.key for tile in catalog.services("resident")}


def test_the_staff_page_is_for_staff_only(client, staff_user):
    url = reverse("wallet_staff:index")
    assert client.get(url).status_code == 302  # to the staff sign-in
    client.force_login(staff_user)
    assert client.get(url).status_code == 200
    assert "wallet.staff" in {tile.key for tile in catalog.services("staff", staff_user)}


def test_the_api_answers(client):
    response = client.get("/api/v1/wallet/")
    assert response.status_code == 200 and response.json() == {"ready": True}


def test_the_demo_loader_is_declared():
    assert "wallet" in [app.label for app, _load in demo_loaders()]


def test_the_demo_makes_two_programmes_and_history_once():
    from dasan.accounts.demo import load_demo as people
    from dasan.core.demo import load_demo as city
    from dasan.wallet import ledger
    from dasan.wallet.demo import load_demo
    from dasan.wallet.models import Claim, Programme

    city()
    people()
    assert load_demo()["programmes"] == 2
    assert load_demo() == {"programmes": 0}
    assert set(Programme.objects.values_list("name", flat=True)) == {"생태참여수당", "돌봄참여소득"}
    assert Claim.objects.filter(status="credited").exists() and ledger.accounts_sum() == 0
