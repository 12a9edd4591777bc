"""Proposals from a resident's idea to the department's review: writing, editing until review,
support, comments, moderation with visible reasons, merging duplicates, feasibility."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from django.urls import reverse
from django.utils import timezone

from dasan.core.errors import DasanError
from dasan.notify.models import Message
from dasan.participation import services
from dasan.participation.models import Endorsement, Phase, Proposal, State

from .conftest import NOW

pytestmark = pytest.mark.django_db


def refused(code, call, *args, **kwargs) -> DasanError:
    with pytest.raises(DasanError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    return info.value


@pytest.fixture
def open_call(make_process):
    return make_process(Phase.PROPOSALS)


def submit(process, author, **fields):
    values = {
        "title": "공원 그늘막",
        "body": "여름에 아이들이 쉴 그늘이 없습니다. 연락 010-1234-5678",
        "estimated_cost": "5,000,000",
        "now": NOW,
    }
    values.update(fields)
    heading = values.pop("heading", None) or process.headings.get(dong_name="")
    return services.submit_proposal(process, actor=author, heading=heading, **values)


def test_a_proposal_from_idea_to_review(open_call, resident, make_staff, departments):
    proposal = submit(open_call, resident)
    assert proposal.state == State.PUBLISHED and proposal.estimated_cost == 5_000_000
    assert "010-1234-5678" not in proposal.body  # personal data masked before anyone sees it
    services.edit_proposal(
        proposal, actor=resident, title="공원 그늘막 설치", body=proposal.body, estimated_cost=6_000_000
    )
    officer = make_staff("parks", department=departments["roads"])
    refused(
        "reason_required",
        services.record_feasibility,
        proposal,
        actor=officer,
        legal=True,
        technical=False,
        cost=6_000_000,
        now=NOW,
    )
    review = services.record_feasibility(proposal, actor=officer, legal=True, technical=True, cost="7,500,000", now=NOW)
    proposal.refresh_from_db()
    assert review.feasible and proposal.state == State.FEASIBLE and proposal.voting_cost == 7_500_000
    assert Message.objects.filter(recipient=resident, template_key="participation.reviewed").exists()
    refused(
        "not_editable",
        services.edit_proposal,
        proposal,
        actor=resident,
        title="다른 제목",
        body=proposal.body,
        estimated_cost=1,
    )
    services.answer_review(proposal, actor=resident, body="감사합니다. 비용이 늘어난 이유가 궁금합니다.")
    other = submit(open_call, resident, title="두 번째 제안")
    review = services.record_feasibility(
        other, actor=officer, legal=False, technical=True, cost=1, reason="사유지입니다.", now=NOW
    )
    other.refresh_from_db()
    assert other.state == State.INFEASIBLE and review.reason == "사유지입니다."


def test_what_a_proposal_must_have(open_call, resident, make_resident, make_process):
    refused("invalid_proposal", submit, open_call, resident, title="")
    refused("invalid_proposal", submit, open_call, resident, body="짧음")
    refused("invalid_proposal", submit, open_call, resident, estimated_cost="많이")
    refused("invalid_proposal", submit, open_call, resident, estimated_cost=200_000_000)  # over the heading's budget
    refused("outside_phase", submit, open_call, resident, now=NOW + dt.timedelta(days=20))
    refused("sign_in_required", submit, open_call, None)
    proposal = submit(open_call, resident)
    refused(
        "not_author", services.edit_proposal, proposal, actor=make_resident(), title="x", body="y", estimated_cost=1
    )
    assert Proposal.objects.count() == 1


def test_residents_support_and_comment_once(open_call, resident, make_resident):
    proposal = submit(open_call, resident)
    neighbour = make_resident()
    services.endorse(proposal, actor=neighbour, now=NOW)
    refused("already_endorsed", services.endorse, proposal, actor=neighbour, now=NOW)
    refused("outside_phase", services.endorse, proposal, actor=make_resident(), now=NOW + dt.timedelta(days=30))
    proposal.refresh_from_db()
    assert proposal.endorsements_count == 1
    note = services.comment(proposal, actor=neighbour, body="저도 필요합니다. 제 번호 010-9876-5432")
    assert "9876" not in note.body


def test_moderation_hides_with_a_visible_reason(client, make_process, resident, make_resident, make_staff, departments):
    process = make_process(Phase.PROPOSALS, now=timezone.now())
    proposal = submit(process, resident, now=timezone.now())
    rude = services.comment(proposal, actor=make_resident(), body="욕설이 담긴 댓글")
    reporter = make_resident()
    services.report(proposal, actor=reporter, reason="욕설", comment=rude)
    refused("invalid_state", services.report, proposal, actor=reporter, reason="욕설", comment=rude)
    moderator = make_staff("moderator", department=departments["root"])
    refused("staff_only", services.hide, rude, actor=reporter, reason="욕설")
    refused("reason_required", services.hide, rude, actor=moderator, reason="")
    services.hide(rude, actor=moderator, reason="욕설이 있어 숨겼습니다")
    services.hide(proposal, actor=moderator, reason="광고성 게시물")
    page = client.get(reverse("participation:proposal", args=[proposal.pk])).content.decode()
    assert "광고성 게시물" in page and "욕설이 있어 숨겼습니다" in page
    assert "욕설이 담긴 댓글" not in page and "공원 그늘막" not in page
    assert Message.objects.filter(recipient=resident, template_key="participation.hidden").exists()
    client.force_login(moderator)
    assert "광고성" not in client.get(reverse("participation_staff:index")).content.decode()  # reports resolved


def test_staff_merge_duplicates_with_a_visible_link(
    client, make_process, resident, make_resident, make_staff, departments
):
    process = make_process(Phase.PROPOSALS, now=timezone.now())
    first = submit(process, resident, now=timezone.now())
    duplicate = submit(process, make_resident(), title="놀이터 그늘", now=timezone.now())
    fan = make_resident()
    services.endorse(duplicate, actor=fan)
    staff = make_staff("merger", department=departments["root"])
    refused("invalid_state", services.merge, first, into=first, actor=staff)
    services.merge(duplicate, into=first, actor=staff)
    first.refresh_from_db()
    assert first.endorsements_count == 1 and Endorsement.objects.filter(proposal=first, resident=fan).exists()
    page = client.get(reverse("participation:proposal", args=[duplicate.pk])).content.decode()
    assert reverse("participation:proposal", args=[first.pk]) in page and "비슷한 제안과 합쳐졌습니다" in page


def test_the_wizard_asks_one_thing_per_page_and_checks_before_posting(client, make_process, make_verified_resident):
    process = make_process(Phase.PROPOSALS, now=timezone.now())
    heading = process.headings.get(dong_name="")
    client.force_login(make_verified_resident())
    step = functools.partial(reverse, "participation:new_step")
    assert client.post(step(args=[process.slug, "heading"]), {}).status_code == 400
    client.post(step(args=[process.slug, "heading"]), {"heading": heading.pk})
    client.post(step(args=[process.slug, "idea"]), {"title": "벤치 설치", "body": "산책로에 쉴 곳이 필요합니다."})
    client.post(step(args=[process.slug, "cost"]), {"estimated_cost": "3000000"})
    client.post(step(args=[process.slug, "place"]), {"place": "하천 산책로"})
    check = client.get(step(args=[process.slug, "check"])).content.decode()
    assert "제안 내용을 확인해 주세요" in check and "벤치 설치" in check and "3000000" in check
    done = client.post(step(args=[process.slug, "check"]))
    made = Proposal.objects.get()
    assert done["Location"] == reverse("participation:proposal", args=[made.pk]) and made.place == "하천 산책로"
