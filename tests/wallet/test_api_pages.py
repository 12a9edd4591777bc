"""What residents, partners and staff reach over HTTP: the API (conversion with an
Idempotency-Key, partner reports with a token, CSV), and the pages with their
check-your-answers step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dasan.wallet import services
from dasan.wallet.models import Claim, Conversion, Programme

from .conftest import DAY

pytestmark = pytest.mark.django_db
CARD = "9410123456780042"


def test_conversion_over_the_api_is_idempotent(client, operator, saver):
    client.force_login(saver)
    post = lambda amount, key: client.post(  # noqa: E731
        "/api/v1/wallet/conversions", {"amount": amount}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )
    first = post(12_000, "abc")
    again = post(12_000, "abc")
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert first.json()["status"] == "done" and operator.balance(CARD) == 12_000
    assert "Idempotent-Replayed" not in first and again["Idempotent-Replayed"] == "true"
    assert post(13_000, "abc").status_code == 422
    assert post(500, "small").json()["error"]["code"] == "wallet_below_minimum"
    assert client.get("/api/v1/wallet/balance").json()["balance"] == 18_000
    assert Conversion.objects.count() == 1


def test_the_api_shows_a_resident_only_their_own(client, programme, member, neighbour, earn):
    earn(programme, member)
    client.force_login(neighbour)
    assert client.get("/api/v1/wallet/balance").json()["balance"] == 0
    assert client.get("/api/v1/wallet/claims").json() == []
    assert client.get("/api/v1/wallet/history").json() == []
    client.force_login(member)
    assert [c["status"] for c in client.get("/api/v1/wallet/claims").json()] == ["credited"]
    today = timezone.localdate()  # the list is of programmes open today
    Programme.objects.filter(pk=programme.pk).update(starts_on=today - dt.timedelta(days=1), ends_on=today)
    assert [p["code"] for p in client.get("/api/v1/wallet/programmes").json()] == ["eco"]
    assert client.get("/api/v1/wallet/balance").status_code == 200
    client.logout()
    assert client.get("/api/v1/wallet/balance").status_code == 401


def test_partners_report_with_their_token_one_by_one_and_as_csv(client, programme, member, eco_staff):
    token, plain = services.issue_token(programme, "갑천 환경단체", actor=eco_staff)
    rows = [
        {"phone": "010-5555-0001", "activity_date": DAY.isoformat(), "activity_ref": "r-1"},
        {"phone": "010-9999-9999", "activity_date": DAY.isoformat(), "activity_ref": "r-2"},
    ]
    url = "/api/v1/wallet/partner/activities"
    answer = client.post(url, rows, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert [(r["ok"], r.get("status") or r["code"]) for r in answer.json()] == [
        (True, "credited"),
        (False, "wallet_resident_unknown"),
    ]
    assert client.post(url, rows, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    csv = "phone,activity_date,activity_ref,minutes\n01055550001,2026-05-12,r-1,60\n01055550001,2026-05-13,r-3,60\n"
    upload = SimpleUploadedFile("a.csv", csv.encode(), content_type="text/csv")
    answer = client.post(url + ".csv", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert [r.get("status") for r in answer.json()] == ["review", "credited"]  # r-1 again: a duplicate
    keyed = {"HTTP_AUTHORIZATION": f"Bearer {plain}", "HTTP_IDEMPOTENCY_KEY": "batch-7"}
    later = [{"phone": "01055550001", "activity_date": "2026-05-20", "activity_ref": "r-9"}]
    first = client.post(url, later, content_type="application/json", **keyed).json()
    assert client.post(url, later, content_type="application/json", **keyed).json() == first  # replayed
    assert first[0]["status"] == "credited" and Claim.objects.filter(activity_date="2026-05-20").count() == 1
    services.revoke_token(token, actor=eco_staff)
    assert (
        client.post(url, rows, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401
    )
    assert Claim.objects.filter(source="partner_csv").count() == 2


def test_a_resident_converts_after_checking_their_answers(client, operator, saver):
    client.force_login(saver)
    assert "30,000" in client.get(reverse("wallet:index")).content.decode()
    step = client.post(reverse("wallet:convert"), {"amount": "10,000"})
    assert step.status_code == 200 and "전환 내용 확인" in step.content.decode()
    assert operator.balance(CARD) == 0  # nothing happens before the confirmation
    key = step.context["request_key"]
    done = client.post(reverse("wallet:convert"), {"amount": "10000", "step": "confirm", "request_key": key})
    assert done.status_code == 302 and operator.balance(CARD) == 10_000
    client.post(reverse("wallet:convert"), {"amount": "10000", "step": "confirm", "request_key": key})  # resent
    assert operator.balance(CARD) == 10_000
    wrong = client.post(reverse("wallet:convert"), {"amount": "열만"})
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.content.decode()


def test_resident_pages_answer(client, programme, member):
    client.force_login(member)
    for name in ("programmes", "code", "scan", "report", "card"):
        assert client.get(reverse(f"wallet:{name}")).status_code == 200, name
    assert client.get(reverse("wallet:convert")).status_code == 302  # a card first
    today = timezone.localdate()  # the form offers the programmes open today
    Programme.objects.filter(pk=programme.pk).update(starts_on=today - dt.timedelta(days=400), ends_on=today)
    no_photo = {"programme": "eco", "activity_date": today.isoformat(), "minutes": "60", "description": "줍깅"}
    assert client.post(reverse("wallet:report"), no_photo).status_code == 400
    assert client.post(reverse("wallet:scan"), {"code": "forged"}).status_code == 400


def test_staff_pages_for_their_department(client, programme, member, earn, eco_staff, other_staff):
    from dasan.wallet.models import Event

    event = Event.objects.create(programme=programme, title="정화", date=DAY, starts_at=dt.time(9), ends_at=dt.time(10))
    earn(programme, member)
    earn(programme, member)  # a duplicate to review
    client.force_login(eco_staff)
    urls = [
        reverse("wallet_staff:index"),
        reverse("wallet_staff:programme", args=[programme.pk]),
        reverse("wallet_staff:programme_edit", args=[programme.pk]),
        reverse("wallet_staff:programme_new"),
        reverse("wallet_staff:event", args=[event.pk]),
        reverse("wallet_staff:claims"),
        reverse("wallet_staff:export"),
        reverse("wallet_staff:reconciliation"),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("wallet_staff:claims")).content.decode()
    assert "이*여" in page and "이참여" not in page  # names masked in lists
    export = client.get(reverse("wallet_staff:export"), {"since": "2026-01-01", "until": "2026-12-31"})
    assert export["Content-Type"].startswith("text/csv") and "earn" in export.content.decode("utf-8-sig")
    client.force_login(other_staff)
    assert client.get(reverse("wallet_staff:programme", args=[programme.pk])).status_code == 404
    assert client.get(reverse("wallet_staff:event", args=[event.pk])).status_code == 404


def test_the_api_is_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("balance", "history", "programmes", "claims", "conversions", "partner/activities"):
        assert f"/api/v1/wallet/{path}" in paths, path
    assert any(p["name"] == "Idempotency-Key" for p in paths["/api/v1/wallet/conversions"]["post"]["parameters"])
