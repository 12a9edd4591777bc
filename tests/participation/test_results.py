"""Results: stored when voting closes, explained per project, published with the Pabulib file
that reproduces them; tracking of funded projects; statistics that hide small counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from dasan.core.errors import DasanError
from dasan.notify.models import Message
from dasan.participation import pabulib, selectors, services, tally
from dasan.participation.models import Ballot, ResultLine, State

from .conftest import NOW

pytestmark = pytest.mark.django_db
AFTER = NOW + dt.timedelta(days=6)


@pytest.fixture
def voted(citywide, projects, make_verified_resident):
    """Five voters: 60+30 ×2, 30+20 ×2, 10 ×1 (approval within 100 million)."""
    picks = [(0, 1), (0, 1), (1, 2), (1, 2), (3,)]
    for n, chosen in enumerate(picks):
        person = make_verified_resident(birth_date=dt.date(1950 + 10 * (n % 3), 1, 1))
        services.vote(citywide, {str(projects[i].pk): 1 for i in chosen}, actor=person, now=NOW)
    return projects


def test_closing_stores_explained_results_and_the_open_data_reproduces_them(client, process, citywide, voted, admin):
    with pytest.raises(DasanError) as early:
        services.close_voting(process, actor=admin, now=NOW)
    assert early.value.code == "outside_phase"
    services.close_voting(process, actor=admin, now=AFTER)
    lines = {line.proposal_id: line for line in ResultLine.objects.filter(result__heading=citywide)}
    # greedy: 30 (4 votes) first, then 60 (2) and 20 (2, tie by id after 60): 60 fits, 20 does not, 10 does.
    assert [lines[p.pk].funded for p in voted] == [True, True, False, True]
    assert lines[voted[2].pk].reason == "over_remaining_budget" and lines[voted[2].pk].remaining_before == 10_000_000
    page = client.get(reverse("participation:results", args=[process.slug]))
    assert "결과는 투표가 끝난 뒤 공개합니다" in page.content.decode()  # not public before publishing
    services.publish_results(process, actor=admin, now=AFTER)
    page = client.get(reverse("participation:results", args=[process.slug])).content.decode()
    assert "남은 예산 10,000,000원이 비용 20,000,000원보다 적었습니다" in page
    assert {p.state for p in process.proposals.all()} == {State.SELECTED, State.NOT_SELECTED}
    pb = client.get(reverse("participation:open_data", args=[process.slug, citywide.pk]))
    assert pb.status_code == 200 and "attachment" in pb["Content-Disposition"]
    again = tally.tally(pabulib.load_pb(pb.content.decode()))
    assert set(again.funded) == {str(voted[i].pk) for i in (0, 1, 3)}


def test_the_open_data_names_no_one(citywide, voted):
    election = selectors.election_for(citywide)
    keys = set(Ballot.objects.values_list("voter_key", flat=True))
    assert len(election.ballots) == 5 and not {b.voter for b in election.ballots} & keys
    assert all(len(b.voter) == 16 for b in election.ballots)


def test_equal_shares_is_chosen_per_process(make_process, make_proposal, make_verified_resident, admin):
    process = make_process(rule="equal_shares")
    heading = process.headings.get(dong_name="")
    big, small = make_proposal(heading, 80_000_000), make_proposal(heading, 20_000_000)
    for n in range(4):
        services.vote(
            heading, {str(big.pk): 1} if n < 3 else {str(small.pk): 1}, actor=make_verified_resident(), now=NOW
        )
    services.close_voting(process, actor=admin, now=AFTER)
    reasons = dict(ResultLine.objects.values_list("proposal_id", "reason"))
    assert reasons[big.pk] == "funded_equal_shares"


def test_supporters_hear_about_a_funded_project(process, citywide, voted, admin, make_resident):
    fan = make_resident()
    project = voted[1]
    project.author = make_resident()
    project.save()
    from dasan.participation.models import Endorsement

    Endorsement.objects.create(proposal=project, resident=fan)
    services.close_voting(process, actor=admin, now=AFTER)
    services.publish_results(process, actor=admin, now=AFTER)
    project.refresh_from_db()
    services.add_milestone(project, actor=admin, title="설계", due=dt.date(2027, 7, 1))
    services.post_update(project, actor=admin, body="공사를 시작했습니다.", execution="in_progress", spent="12,000,000")
    told = set(Message.objects.filter(template_key="participation.update").values_list("recipient", flat=True))
    assert told == {fan.pk, project.author_id}
    assert "12,000,000" in Message.objects.filter(recipient=fan).latest("pk").body
    with pytest.raises(DasanError):
        services.post_update(voted[2], actor=admin, body="x", execution="done", spent=1)  # not funded


def test_statistics_hide_small_counts(client, make_process, make_proposal, make_verified_resident):
    from django.utils import timezone

    process = make_process(now=timezone.now())
    heading = process.headings.get(dong_name="")
    project = make_proposal(heading, 1_000_000)
    for n in range(12):
        dong = "역삼1동" if n < 10 else "삼성1동"
        services.vote(heading, {str(project.pk): 1}, actor=make_verified_resident(dong_name=dong))
    stats = selectors.statistics(process)
    assert ("역삼1동", 10, "10") in stats["by_dong"] and ("삼성1동", 2, "<10") in stats["by_dong"]
    page = client.get(reverse("participation:statistics", args=[process.slug])).content.decode()
    assert "&lt;10" in page and "<svg" in page


def test_the_assistant_can_say_when_a_dong_votes(process, make_process):
    answers = selectors.upcoming_votes("역삼1동", now=NOW - dt.timedelta(days=10))
    assert answers[0]["process"] == process.slug and not answers[0]["open"]
    assert answers[0]["headings"] == ["시 전체", "역삼1동"]
    assert selectors.upcoming_votes("삼성1동", now=NOW)[0]["headings"] == ["시 전체"]
    assert selectors.upcoming_votes("역삼1동", now=NOW + dt.timedelta(days=30)) == []


def test_withdrawn_projects_leave_the_ballot_but_not_other_choices(citywide, voted):
    voted[3].state = State.WITHDRAWN
    voted[3].save()
    election = selectors.election_for(citywide)
    assert str(voted[3].pk) not in {p.id for p in election.projects} and len(election.ballots) == 4
