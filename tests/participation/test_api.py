"""The API: processes, proposals, a ballot with an Idempotency-Key, results and open data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dasan.participation import services
from dasan.participation.models import Ballot, Phase

pytestmark = pytest.mark.django_db
API = "/api/v1/participation"


@pytest.fixture
def live(make_process):
    return make_process(Phase.VOTING, now=timezone.now())


def test_processes_and_proposals_are_public(client, live, make_proposal):
    heading = live.headings.get(dong_name="")
    make_proposal(heading, 5_000_000, title="그늘막")
    hidden = make_proposal(heading, 1_000_000, title="광고", hidden=True, hidden_reason="광고성 게시물")
    listed = client.get(f"{API}/processes").json()
    assert listed[0]["slug"] == live.slug and listed[0]["current_phase"] == "voting" and listed[0]["min_age"] == 14
    page = client.get(f"{API}/processes/{live.slug}/proposals").json()
    assert page["count"] == 2
    shown = {item["id"]: item for item in page["items"]}
    assert shown[hidden.pk]["title"] == "" and shown[hidden.pk]["hidden_reason"] == "광고성 게시물"
    assert client.get(f"{API}/processes/nope").status_code == 404
    assert (
        "/api/v1/participation/processes/{slug}/headings/{heading_id}/ballot"
        in client.get("/api/v1/openapi.json").json()["paths"]
    )


def test_a_ballot_retried_with_the_same_key_counts_once(client, live, make_proposal, make_verified_resident):
    heading = live.headings.get(dong_name="")
    a, b = make_proposal(heading, 5_000_000), make_proposal(heading, 6_000_000)
    client.force_login(make_verified_resident())
    url = f"{API}/processes/{live.slug}/headings/{heading.pk}/ballot"
    body = {"choices": {str(a.pk): 1}}
    first = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    again = client.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 200 and first.json() == again.json() == {
        "ballot": first.json()["ballot"],
        "version": 1,
    }
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"
    changed = client.post(
        url, {"choices": {str(b.pk): 1}}, content_type="application/json", headers={"Idempotency-Key": "k2"}
    )
    assert changed.json()["version"] == 2 and Ballot.objects.count() == 1
    over = client.post(url, {"choices": {str(a.pk): 1, "999999": 1}}, content_type="application/json")
    assert over.status_code == 400 and over.json()["error"]["code"] == "not_on_ballot"


def test_results_and_the_open_data_appear_once_published(
    client, make_process, make_proposal, make_verified_resident, admin
):
    process = make_process()
    heading = process.headings.get(dong_name="")
    project = make_proposal(heading, 5_000_000)
    from .conftest import NOW

    services.vote(heading, {str(project.pk): 1}, actor=make_verified_resident(), now=NOW)
    services.close_voting(process, actor=admin, now=NOW + dt.timedelta(days=6))
    assert client.get(f"{API}/processes/{process.slug}/results").json() == []
    assert client.get(f"{API}/processes/{process.slug}/results/{heading.pk}.pb").status_code == 404
    services.publish_results(process, actor=admin)
    results = client.get(f"{API}/processes/{process.slug}/results").json()
    line = next(r for r in results if r["heading"] == heading.pk)["lines"][0]
    assert line["funded"] and line["reason"] == "funded_by_votes" and line["votes"] == 1
    pb = client.get(f"{API}/processes/{process.slug}/results/{heading.pk}.pb")
    assert pb.status_code == 200 and "PROJECTS" in pb.content.decode()
