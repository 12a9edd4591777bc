"""The staff desk through its pages: review, paper ballots typed twice, close and publish."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from dasan.participation.models import Ballot, OfflineEntry, Phase, State

pytestmark = pytest.mark.django_db


def test_review_and_paper_ballots_through_the_pages(client, make_process, make_proposal, clerk_a, clerk_b):
    process = make_process(Phase.VOTING, now=timezone.now())
    heading = process.headings.get(dong_name="")
    waiting = make_proposal(heading, 4_000_000, state=State.PUBLISHED)
    project = make_proposal(heading, 5_000_000)
    client.force_login(clerk_a)
    assert waiting.title in client.get(reverse("participation_staff:index")).content.decode()
    refused = client.post(
        reverse("participation_staff:review", args=[waiting.pk]), {"legal": "no", "technical": "yes", "cost": "4000000"}
    )
    assert refused.status_code == 400 and "이유를 적어 주세요" in refused.content.decode()
    url = reverse("participation_staff:offline", args=[process.slug])
    form = {
        "heading": heading.pk,
        "phone": "010-7777-0001",
        "birth_date": "1970-02-02",
        "dong_name": "역삼1동",
        "choice": [project.pk],
    }
    assert client.post(url, form).status_code == 302
    entry = OfflineEntry.objects.get()
    confirm = reverse("participation_staff:confirm", args=[entry.pk])
    assert client.post(confirm, {"choice": [project.pk]}).status_code == 403  # the same clerk
    client.force_login(clerk_b)
    assert client.post(confirm, {"choice": []}).status_code == 400
    assert client.post(confirm, {"choice": [project.pk]}).status_code == 302
    assert Ballot.objects.get().source == "offline"
    early = client.post(reverse("participation_staff:close", args=[process.slug]), follow=True)
    assert "투표 기간이 끝난 뒤에 마감할 수 있습니다" in early.content.decode()
