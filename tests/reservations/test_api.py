"""The JSON API: resources, availability, booking with Idempotency-Key replay, the
error envelope, my reservations and cancellation."""

from __future__ import annotations

import pytest

from dasan.reservations.models import Reservation, Status

from .conftest import at

pytestmark = pytest.mark.django_db

API = "/api/v1/reservations"


def _body(resource, day, begin="10:00", end="12:00", **extra):
    return {
        "resource": resource.pk,
        "begin": at(day, begin).isoformat(),
        "end": at(day, end).isoformat(),
        "party_size": 2,
        **extra,
    }


def test_resources_and_availability(client, paid_court, court, day):
    resources = client.get(f"{API}/resources", {"type": "sports"}).json()
    names = {r["name"] for r in resources}
    assert {"배드민턴장 A", "유료 배드민턴장"} <= names
    paid = next(r for r in resources if r["id"] == paid_court.pk)
    assert paid["price"]["amount"] == 8_000 and {d["category"] for d in paid["price"]["discounts"]} == {
        "disabled",
        "senior",
    }
    assert paid["rules"]["refund_rules"] == [[168, 100], [24, 50]]
    slots = client.get(f"{API}/resources/{court.pk}/availability", {"date": day.isoformat()}).json()
    assert slots["closed"] == "" and len(slots["slots"]) == 9 and slots["slots"][0]["state"] == "free"
    bad = client.get(f"{API}/resources/{court.pk}/availability", {"date": "tomorrow"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_date"
    missing = client.get(f"{API}/resources/99999/availability", {"date": day.isoformat()})
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "unknown_resource"


def test_booking_replays_on_the_same_idempotency_key(resident_client, resident, paid_court, day):
    first = resident_client.post(
        f"{API}/bookings", _body(paid_court, day), content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    again = resident_client.post(
        f"{API}/bookings", _body(paid_court, day), content_type="application/json", headers={"Idempotency-Key": "k-1"}
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and Reservation.objects.count() == 1
    data = first.json()
    assert data["status"] == "pending_payment" and data["price"] == 16_000
    assert data["payment_url"].startswith("/payments/") and data["calendar_url"].endswith("calendar.ics")
    mine = resident_client.get(f"{API}/bookings").json()
    assert [r["id"] for r in mine] == [data["id"]]
    cancelled = resident_client.post(f"{API}/bookings/{data['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == Status.CANCELLED
    twice = resident_client.post(f"{API}/bookings/{data['id']}/cancel")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "not_cancellable"


def test_errors_come_in_the_envelope(client, resident, make_resident, court, day):
    anonymous = client.post(f"{API}/bookings", _body(court, day), content_type="application/json")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    client.force_login(resident)
    assert client.post(f"{API}/bookings", _body(court, day), content_type="application/json").status_code == 201
    client.force_login(make_resident())
    taken = client.post(f"{API}/bookings", _body(court, day, "11:00", "12:00"), content_type="application/json")
    assert taken.status_code == 409
    assert taken.json()["error"] == {
        "code": "slot_taken",
        "message": "이미 예약된 시간입니다. 다른 시간을 골라 주세요.",
        "details": {"field": "begin"},
    }
    client.force_login(make_resident(language="en"))
    english = client.post(f"{API}/bookings", _body(court, day, "11:00", "12:00"), content_type="application/json")
    assert english.json()["error"] == {
        "code": "slot_taken",
        "message": "That time is already booked. Please choose another.",
        "details": {"field": "begin"},
    }
    invalid = client.post(f"{API}/bookings", {**_body(court, day), "begin": "soon"}, content_type="application/json")
    assert invalid.status_code == 422 and invalid.json()["error"]["code"] == "invalid_input"
    aligned = client.post(f"{API}/bookings", _body(court, day, "13:30", "14:30"), content_type="application/json")
    assert aligned.status_code == 400 and aligned.json()["error"]["code"] == "not_slot_aligned"
    other = Reservation.objects.get()
    assert client.get(f"{API}/bookings/{other.pk}").json()["error"]["code"] == "reservation_not_found"
