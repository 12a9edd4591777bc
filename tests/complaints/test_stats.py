"""The public statistics page (민원 처리 현황): counts by category and department, the
median time to answer and the share answered on time, for 30/90/365 days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from dasan.complaints import intake, services, stats
from dasan.complaints.models import Complaint

from ..web.html_checks import accessibility_problems

STATS = "/complaints/stats/"


def _file(category, resident, *, days_ago: float = 0, title="민원", **extra):
    extra.setdefault("description", "민원 내용입니다.")
    extra.setdefault("address", "다산로 1")
    received = timezone.now() - dt.timedelta(days=days_ago) if days_ago else None
    return intake.file_complaint(
        title=title, channel="web", category=category, resident=resident, received_at=received, **extra
    )


def _table_row(html: str, table_id: str, label: str) -> tuple[str, str]:
    table = re.search(rf'<table class="cx-table" id="{table_id}">.*?</table>', html, re.S).group(0)
    row = re.search(
        rf'<th scope="row">{re.escape(label)}</th><td class="num">(\d+)</td><td class="num">([\d.]+)%</td>', table
    )
    assert row, f"{label!r} is not in #{table_id}"
    return row.group(1), row.group(2)


@pytest.fixture
def officer(make_staff, departments):
    return make_staff("waste-officer", department=departments["waste"])


def test_counts_match_what_was_filed(client, city, resident, categories):
    for _ in range(3):
        _file(categories["waste"], resident)
    _file(categories["pothole"], resident)
    _file(categories["pothole"], resident, days_ago=45)  # outside the last 30 days

    response = client.get(STATS)  # public: no sign-in

    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'id="figure-total">\s*4건', html)
    assert _table_row(html, "by-category-table", "쓰레기 무단투기") == ("3", "75.0")
    assert _table_row(html, "by-category-table", "도로 파손") == ("1", "25.0")
    assert _table_row(html, "by-department-table", "청소행정과") == ("3", "75.0")
    assert _table_row(html, "by-department-table", "도로과") == ("1", "25.0")
    assert accessibility_problems(html) == []

    longer = client.get(STATS, {"days": 90}).content.decode()
    assert re.search(r'id="figure-total">\s*5건', longer)
    assert _table_row(longer, "by-category-table", "도로 파손") == ("2", "40.0")
    assert 'href="?days=90" aria-current="page"' in longer


def test_unknown_period_falls_back_to_thirty_days(client, city):
    html = client.get(STATS, {"days": "7; drop table"}).content.decode()
    assert 'href="?days=30" aria-current="page"' in html
    assert "이 기간에 접수된 민원이 없습니다." in html
    assert "아직 답변 없음" in html


def test_median_time_and_share_on_time(resident, officer, categories):
    quick = _file(categories["waste"], resident, days_ago=3)
    slow = _file(categories["waste"], resident, days_ago=20)
    overdue = _file(categories["waste"], resident, days_ago=60)  # never answered, long past its due date
    _file(categories["waste"], resident)  # open and not yet due: punctuality unknown
    withdrawn = _file(categories["waste"], resident, days_ago=70)
    services.withdraw(withdrawn, actor=resident)

    # Answer times set exactly where the services would have stamped "now".
    services.answer(services.start(quick, actor=officer), actor=officer, text="처리했습니다.")
    services.answer(services.start(slow, actor=officer), actor=officer, text="처리했습니다.")
    Complaint.objects.filter(pk=quick.pk).update(answered_at=quick.received_at + dt.timedelta(days=1))
    Complaint.objects.filter(pk=slow.pk).update(answered_at=slow.received_at + dt.timedelta(days=4))
    slow.refresh_from_db()
    Complaint.objects.filter(pk=slow.pk).update(due_at=slow.received_at + dt.timedelta(days=2))

    now = timezone.now()
    figures = stats.compute(90, now=now)

    assert figures.total == 5
    assert figures.answered == 2
    assert figures.median_answer == dt.timedelta(days=2, hours=12)  # mean of the middle two of 1 and 4 days
    # Known outcomes: quick (on time), slow (late), overdue (late); withdrawn and the fresh one are left out.
    assert (figures.timed, figures.on_time) == (3, 1)
    assert figures.on_time_share == 33.3
    assert overdue.pk in Complaint.objects.filter(answered_at__isnull=True, due_at__lt=now).values_list("pk", flat=True)


def test_the_page_shows_the_median_and_share(client, city, resident, officer, categories):
    complaint = _file(categories["waste"], resident, days_ago=5)
    services.answer(services.start(complaint, actor=officer), actor=officer, text="처리했습니다.")
    Complaint.objects.filter(pk=complaint.pk).update(
        answered_at=complaint.received_at + dt.timedelta(days=1, hours=3),
        due_at=complaint.received_at + dt.timedelta(days=7),
    )

    html = client.get(STATS).content.decode()

    assert re.search(r'id="figure-median">\s*1일 3시간', html)
    assert re.search(r'id="figure-on-time">\s*100.0%', html)
    assert "기한 안에 답변 1건, 기한을 넘김 0건" in html


def test_median_of_an_odd_count_is_the_middle_one(resident, officer, categories):
    for days in (1, 2, 9):
        complaint = _file(categories["waste"], resident, days_ago=10)
        services.answer(services.start(complaint, actor=officer), actor=officer, text="처리했습니다.")
        Complaint.objects.filter(pk=complaint.pk).update(answered_at=complaint.received_at + dt.timedelta(days=days))
    assert stats.compute(30).median_answer == dt.timedelta(days=2)


def test_a_median_under_a_day_is_shown_in_hours_and_minutes(client, city, resident, officer, categories):
    complaint = _file(categories["waste"], resident, days_ago=2)
    services.answer(complaint, actor=officer, text="처리했습니다.")
    Complaint.objects.filter(pk=complaint.pk).update(
        answered_at=complaint.received_at + dt.timedelta(hours=3, minutes=20)
    )

    html = client.get(STATS).content.decode()

    assert re.search(r'id="figure-median">\s*3시간 20분', html)
