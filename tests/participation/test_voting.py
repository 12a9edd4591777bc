"""Voting: every refusal a resident can meet, changing a ballot, one ballot per person across
online and offline, the double entry of paper ballots, and a resubmitted page counted once."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from django.urls import reverse

from dasan.core.errors import DasanError
from dasan.participation import selectors, services
from dasan.participation.models import Ballot, BallotChoice, OfflineEntry, State

from .conftest import NOW

pytestmark = pytest.mark.django_db


def refused(code, call, *args, **kwargs) -> DasanError:
    with pytest.raises(DasanError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


def ids(*proposals, points=1):
    return {str(p.pk): points for p in proposals}


def test_a_resident_votes_and_changes_the_ballot_until_the_close(citywide, projects, voter):
    first = services.vote(citywide, ids(projects[0], projects[1]), actor=voter, now=NOW)
    again = services.vote(citywide, ids(projects[2]), actor=voter, now=NOW)
    assert again.pk == first.pk and again.version == 2
    assert Ballot.objects.count() == 1
    assert list(BallotChoice.objects.values_list("proposal", flat=True)) == [projects[2].pk]
    assert again.dong_name == "역삼1동" and again.age_band == "30대"
    refused("outside_phase", services.vote, citywide, ids(projects[3]), actor=voter, now=NOW + dt.timedelta(days=30))


def test_votes_outside_the_rules_are_refused_with_a_clear_message(citywide, projects, voter, make_process):
    vote = functools.partial(services.vote, citywide, actor=voter, now=NOW)
    error = refused("over_budget", vote, ids(*projects))  # 120 million of 100
    assert "20,000,000원" in str(error.message)
    refused("empty_ballot", vote, {})
    refused("invalid_points", vote, ids(projects[0], points=2))
    refused("outside_phase", vote, ids(projects[0]), now=NOW - dt.timedelta(days=20))
    projects[3].state = State.WITHDRAWN
    projects[3].save()
    refused("not_on_ballot", vote, ids(projects[3]))
    assert not Ballot.objects.exists()


def test_who_may_vote(citywide, local, projects, make_proposal, make_resident, make_verified_resident):
    vote = functools.partial(services.vote, citywide, ids(projects[0]), now=NOW)
    refused("not_resident", vote, actor=make_resident())  # signed in, residency not verified
    refused("sign_in_required", vote, actor=None)
    # 14 by default, counted on the last voting day (NOW + 5 days): 14 on 2027-05-20 may vote.
    refused("under_age", vote, actor=make_verified_resident(birth_date=dt.date(2013, 5, 21)))
    assert vote(actor=make_verified_resident(birth_date=dt.date(2013, 5, 19))).version == 1
    elsewhere = make_verified_resident(dong_name="삼성1동", dong_code="1168058000")
    assert vote(actor=elsewhere)  # the citywide heading is everyone's
    park = make_proposal(local, 5_000_000)
    refused("wrong_dong", services.vote, local, ids(park), actor=elsewhere, now=NOW)


def test_the_city_sets_the_minimum_age(citywide, projects, make_verified_resident, settings):
    settings.DASAN = {**settings.DASAN, "PARTICIPATION_MIN_AGE": 18}
    young = make_verified_resident(birth_date=dt.date(2011, 1, 1))
    refused("under_age", services.vote, citywide, ids(projects[0]), actor=young, now=NOW)


def test_approval_with_at_most_k_and_cumulative_points(make_process, make_proposal, voter):
    k = make_process(kind="approval_k", max_choices=2)
    heading = k.headings.get(dong_name="")
    a, b, c = (make_proposal(heading, 1_000_000) for _ in range(3))
    refused("too_many_choices", services.vote, heading, ids(a, b, c), actor=voter, now=NOW)
    assert services.vote(heading, ids(a, b), actor=voter, now=NOW)
    points = make_process(kind="cumulative", max_points=5)
    heading = points.headings.get(dong_name="")
    a, b = make_proposal(heading, 1_000_000), make_proposal(heading, 2_000_000)
    refused("too_many_points", services.vote, heading, {str(a.pk): 4, str(b.pk): 2}, actor=voter, now=NOW)
    refused("invalid_points", services.vote, heading, {str(a.pk): -1}, actor=voter, now=NOW)
    ballot = services.vote(heading, {str(a.pk): 3, str(b.pk): 2}, actor=voter, now=NOW)
    assert selectors.choices_of(ballot) == {a.pk: 3, b.pk: 2}


# --- offline ballots ------------------------------------------------------------------------------


def test_a_paper_ballot_counts_once_two_staff_typed_the_same(citywide, projects, clerk_a, clerk_b):
    enter = functools.partial(
        services.enter_offline,
        citywide,
        phone="010-5555-0001",
        birth_date=dt.date(1960, 3, 1),
        dong_name="역삼1동",
        now=NOW,
    )
    entry = enter(actor=clerk_a, choices=ids(projects[1], projects[2]))
    assert not Ballot.objects.exists()  # not counted before the second entry
    refused(
        "same_staff", services.confirm_offline, entry, actor=clerk_a, choices=ids(projects[1], projects[2]), now=NOW
    )
    refused("entry_mismatch", services.confirm_offline, entry, actor=clerk_b, choices=ids(projects[1]), now=NOW)
    refused("already_voted", enter, actor=clerk_b, choices=ids(projects[0]))  # typed twice: one entry waits
    ballot = services.confirm_offline(entry, actor=clerk_b, choices=ids(projects[2], projects[1]), now=NOW)
    assert ballot.source == "offline" and ballot.age_band == "60대"
    refused(
        "entry_done", services.confirm_offline, entry, actor=clerk_b, choices=ids(projects[1], projects[2]), now=NOW
    )
    refused("already_voted", enter, actor=clerk_a, choices=ids(projects[0]))


def test_one_person_cannot_vote_both_online_and_offline(citywide, projects, make_verified_resident, clerk_a, clerk_b):
    online = make_verified_resident(phone="01055550002")
    services.vote(citywide, ids(projects[0]), actor=online, now=NOW)
    refused(
        "already_voted",
        services.enter_offline,
        citywide,
        actor=clerk_a,
        phone="010 5555 0002",
        birth_date=dt.date(1990, 1, 1),
        dong_name="역삼1동",
        choices=ids(projects[1]),
        now=NOW,
    )
    paper = make_verified_resident(phone="01055550003")
    entry = services.enter_offline(
        citywide,
        actor=clerk_a,
        phone="01055550003",
        birth_date=dt.date(1990, 1, 1),
        dong_name="역삼1동",
        choices=ids(projects[1]),
        now=NOW,
    )
    services.confirm_offline(entry, actor=clerk_b, choices=ids(projects[1]), now=NOW)
    refused("voted_offline", services.vote, citywide, ids(projects[0]), actor=paper, now=NOW)
    assert Ballot.objects.count() == 2


def test_offline_voters_are_checked_like_online_ones(local, make_proposal, clerk_a):
    park = make_proposal(local, 5_000_000)
    enter = functools.partial(
        services.enter_offline, local, actor=clerk_a, phone="01055550004", choices=ids(park), now=NOW
    )
    refused("under_age", enter, birth_date=dt.date(2015, 1, 1), dong_name="역삼1동")
    refused("wrong_dong", enter, birth_date=dt.date(1980, 1, 1), dong_name="삼성1동")
    assert not OfflineEntry.objects.exists()


# --- the page ---------------------------------------------------------------------------------------


def test_the_ballot_page_checks_then_counts_a_resubmission_once(client, make_process, make_proposal, voter):
    from django.utils import timezone

    process = make_process(now=timezone.now())
    heading = process.headings.get(dong_name="")
    a, b = make_proposal(heading, 70_000_000), make_proposal(heading, 40_000_000)
    client.force_login(voter)
    url = reverse("participation:ballot", args=[process.slug, heading.pk])
    page = client.get(url)
    assert (
        page.status_code == 200
        and b"participation/ballot.js" in page.content
        and b'data-budget="100000000"' in page.content
    )
    over = client.post(url, {"choice": [a.pk, b.pk]})
    assert over.status_code == 400 and "예산(100,000,000원)을 넘습니다" in over.content.decode()
    check = client.post(url, {"choice": [a.pk]})
    assert check.status_code == 200 and "이대로 투표할까요?" in check.content.decode()
    token = check.context["token"]
    form = {"confirm": "1", "token": token, f"p-{a.pk}": "1"}
    first = client.post(url, form)
    again = client.post(url, form)  # the answer was lost; the browser sends the same form again
    assert first.status_code == again.status_code == 302 and first["Location"] == again["Location"]
    assert Ballot.objects.get().version == 1
