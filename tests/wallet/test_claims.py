"""Claims: eligibility, caps, duplicates and impossible hours parked for review, staff review,
QR check-in both ways, a resident's own report with a photo, and who sees what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dasan.wallet import selectors, services
from dasan.wallet.models import Claim, Event, Source

from .conftest import DAY, at, refused

pytestmark = pytest.mark.django_db


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(out, format="PNG")
    return SimpleUploadedFile("proof.png", out.getvalue(), content_type="image/png")


def test_only_verified_residents_of_the_right_age_on_open_days(
    programme, hourly, member, neighbour, make_resident, earn
):
    refused("wallet_not_eligible", earn, programme, make_resident(name="미확인"))
    refused("wallet_programme_closed", earn, programme, member, day=dt.date(2027, 1, 2))
    refused("wallet_not_eligible", earn, hourly, member)  # 36 years old; 50-75 only
    claim = earn(hourly, neighbour, minutes=90)
    assert claim.status == "credited" and claim.amount == 18_000  # 1.5 h x 12,000


def test_daily_and_monthly_caps_cut_the_reward(programme, member, earn, balance_of):
    assert earn(programme, member, ref="a").amount == 10_000
    assert earn(programme, member, ref="b").amount == 10_000
    capped = earn(programme, member, ref="c")  # daily cap 20,000 reached
    assert capped.status == "rejected" and capped.amount == 0
    for n, day in enumerate([DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)]):
        earn(programme, member, day=day, ref=f"m{n}")
    assert earn(programme, member, day=DAY + dt.timedelta(days=3), ref="m3").amount == 10_000
    last = earn(programme, member, day=DAY + dt.timedelta(days=4), ref="m4")
    assert balance_of(member) == 50_000 and last.status == "rejected"  # monthly cap 50,000
    next_month = earn(programme, member, day=dt.date(2026, 6, 1), ref="june")
    assert next_month.amount == 10_000


def test_a_duplicate_is_parked_and_credited_only_if_staff_approve(programme, member, earn, eco_staff, balance_of):
    earn(programme, member, ref="cleanup-7")
    twin = earn(programme, member, ref="cleanup-7")
    assert (twin.status, twin.review_reason) == ("review", "duplicate") and balance_of(member) == 10_000
    rejected = services.review(twin, approve=False, actor=eco_staff, note="같은 활동")
    assert rejected.status == "rejected" and balance_of(member) == 10_000
    refused("wallet_already_decided", services.review, rejected, approve=True, actor=eco_staff)


def test_impossible_hours_are_parked(programme, member, earn, balance_of):
    earn(programme, member, ref="morning", minutes=120, starts=dt.time(9), ends=dt.time(11))
    overlap = earn(programme, member, ref="overlap", minutes=60, starts=dt.time(10), ends=dt.time(11))
    assert overlap.review_reason == "velocity"
    too_long = earn(programme, member, ref="marathon", minutes=700)
    assert too_long.review_reason == "velocity" and balance_of(member) == 10_000


def test_an_empty_budget_parks_the_claim_until_topped_up(hourly, neighbour, earn, other_staff, balance_of):
    earn(hourly, neighbour, ref="long", minutes=8 * 60)  # 96,000 of 100,000
    waiting = earn(hourly, neighbour, ref="more", day=DAY + dt.timedelta(days=1), minutes=60)
    assert (waiting.status, waiting.review_reason) == ("review", "budget")
    services.fund(hourly, 50_000, key="top-up", actor=other_staff)
    approved = services.review(waiting, approve=True, actor=other_staff)
    assert approved.status == "credited" and balance_of(neighbour) == 108_000


def test_staff_check_a_resident_in_with_their_qr_code_once(programme, member, eco_staff, other_staff, balance_of):
    event = Event.objects.create(
        programme=programme, title="갑천 정화", date=DAY, starts_at=dt.time(9), ends_at=dt.time(11)
    )
    code = services.resident_code(member)
    refused("not_found", services.check_in, event, code, actor=other_staff)  # not their programme
    claim = services.check_in(event, code, actor=eco_staff, now=at(DAY))
    assert claim.source == Source.QR and claim.status == "credited" and balance_of(member) == 10_000
    refused("wallet_code_used", services.check_in, event, code, actor=eco_staff, now=at(DAY))
    refused("wallet_code_invalid", services.check_in, event, code + "x", actor=eco_staff)
    # A fresh code for the same event is a duplicate: parked, not paid twice.
    again = services.check_in(event, services.resident_code(member), actor=eco_staff, now=at(DAY))
    assert again.review_reason == "duplicate" and balance_of(member) == 10_000


def test_a_resident_scans_the_code_an_event_shows(programme, member, neighbour, balance_of):
    event = Event.objects.create(
        programme=programme, title="갑천 정화", date=DAY, starts_at=dt.time(9), ends_at=dt.time(11)
    )
    code = services.event_code(event)
    assert services.scan_event(code, actor=member, now=at(DAY)).status == "credited"
    assert services.scan_event(code, actor=neighbour, now=at(DAY)).status == "credited"
    refused("wallet_code_used", services.scan_event, code, actor=member, now=at(DAY))
    assert balance_of(member) == balance_of(neighbour) == 10_000


def test_a_self_report_waits_for_staff_with_its_photo(programme, member, eco_staff, balance_of):
    activity = services.Activity(activity_date=DAY, activity_ref="", description="동네 쓰레기 줍기")
    refused("wallet_evidence_required", services.self_report, programme, activity, None, actor=member)
    claim = services.self_report(programme, activity, photo(), actor=member, now=at(DAY))
    assert (claim.status, claim.review_reason) == ("review", "self_report") and claim.evidence
    assert balance_of(member) == 0
    assert list(selectors.claims_to_review(eco_staff)) == [claim]
    services.review(claim, approve=True, actor=eco_staff)
    assert balance_of(member) == 10_000


def test_residents_see_only_their_own_and_staff_only_their_department(
    programme, hourly, member, neighbour, earn, eco_staff, other_staff
):
    earn(programme, member)
    earn(programme, neighbour, ref="n")
    assert {c.resident for c in selectors.claims_of(member)} == {member}
    assert [e.amount for e in selectors.history(member)] == [10_000]
    assert list(selectors.staff_programmes(eco_staff)) == [programme]
    assert list(selectors.staff_programmes(other_staff)) == [hourly]
    refused("not_found", selectors.staff_programme, other_staff, programme.pk)
    refused("staff_only", selectors.staff_programmes, member)
    assert Claim.objects.count() == 2


def test_a_wrong_credit_is_taken_back_by_a_compensating_entry(programme, member, earn, eco_staff, balance_of):
    from dasan.wallet import ledger
    from dasan.wallet.models import Entry

    claim = earn(programme, member, ref="wrong")
    refused("wallet_programme_invalid", services.reverse, claim, actor=eco_staff, reason="")
    reversed_ = services.reverse(claim, actor=eco_staff, reason="참여하지 않은 활동")
    assert reversed_.status == "rejected" and balance_of(member) == 0
    assert ledger.budget_account(programme).balance == 1_000_000
    assert list(Entry.objects.filter(claim=claim).values_list("kind", flat=True).order_by("pk")) == ["earn", "reverse"]
    refused("wallet_already_decided", services.reverse, reversed_, actor=eco_staff, reason="다시")
    # The reversed credit no longer counts toward the daily cap.
    assert earn(programme, member, ref="x").amount == earn(programme, member, ref="y").amount == 10_000
