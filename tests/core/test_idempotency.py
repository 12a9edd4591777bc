"""Idempotency keys: replay, mismatch, in-progress, errors, pruning, real concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from dasan.core import idempotency
from dasan.core.errors import Conflict, DasanError
from dasan.core.idempotency import IdempotencyMismatch, Replay
from dasan.core.models import IdempotencyRecord


class Producer:
    def __init__(self, result=(201, {"id": 1, "name": "대형폐기물"})):
        self.calls = 0
        self.result = result

    def __call__(self):
        self.calls += 1
        return self.result


def run(produce, key="k-1", payload=None, owner="user:1", scope="waste.report"):
    return idempotency.run(key, scope=scope, owner=owner, payload=payload or {"a": 1, "b": [1, 2]}, produce=produce)


@pytest.mark.django_db
def test_first_call_produces_and_retry_replays():
    produce = Producer()
    first = run(produce)
    assert first == Replay(
        status=201, body={"id": 1, "name": "대형폐기물"}, content_type="application/json", replayed=False
    )
    again = run(produce, payload={"b": [1, 2], "a": 1})  # key order does not matter
    assert again.replayed is True
    assert (again.status, again.body) == (201, {"id": 1, "name": "대형폐기물"})
    assert produce.calls == 1


@pytest.mark.django_db
def test_same_key_different_payload_is_refused():
    run(Producer())
    with pytest.raises(IdempotencyMismatch) as info:
        run(Producer(), payload={"a": 2})
    assert info.value.status == 422
    assert info.value.code == "idempotency_key_reused"
    assert "Idempotency-Key" in str(info.value.message)


@pytest.mark.django_db
def test_keys_are_separate_per_owner_and_scope():
    produce = Producer()
    run(produce, owner="user:1")
    run(produce, owner="user:2")
    run(produce, scope="other.scope")
    assert produce.calls == 3


@pytest.mark.django_db
def test_owner_may_be_a_user(resident):
    produce = Producer()
    run(produce, owner=resident)
    assert IdempotencyRecord.objects.get().owner == f"user:{resident.pk}"


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "   ", None, "x" * 201])
def test_invalid_keys(key):
    with pytest.raises(DasanError) as info:
        run(Producer(), key=key)
    assert info.value.status == 400 and info.value.code == "idempotency_key_invalid"


@pytest.mark.django_db
def test_key_of_200_chars_is_fine():
    assert run(Producer(), key="k" * 200).status == 201


@pytest.mark.django_db
def test_in_progress_duplicate_gets_conflict():
    # A record without a status is a first request still running.
    IdempotencyRecord.objects.create(
        key="k-1", scope="waste.report", owner="user:1", request_hash=idempotency.payload_hash({"a": 1, "b": [1, 2]})
    )
    with pytest.raises(Conflict) as info:
        run(Producer())
    assert info.value.status == 409 and info.value.code == "idempotency_in_progress"


@pytest.mark.django_db
def test_abandoned_in_progress_record_is_taken_over():
    record = IdempotencyRecord.objects.create(
        key="k-1", scope="waste.report", owner="user:1", request_hash=idempotency.payload_hash({"a": 1, "b": [1, 2]})
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    produce = Producer()
    assert run(produce).replayed is False
    assert produce.calls == 1


@pytest.mark.django_db
def test_dasan_error_is_stored_and_replayed():
    calls = []

    def produce():
        calls.append(1)
        raise Conflict("slot_full", "이미 마감된 시간입니다.")

    with pytest.raises(Conflict):
        run(produce)
    with pytest.raises(DasanError) as info:
        run(produce)
    assert (info.value.status, info.value.code, str(info.value.message)) == (
        409,
        "slot_full",
        "이미 마감된 시간입니다.",
    )
    assert info.value.replayed is True
    assert len(calls) == 1


@pytest.mark.django_db
def test_dasan_error_rolls_back_the_producers_writes(departments):
    from dasan.core.models import Department

    def produce():
        Department.objects.create(code="9999", name="임시")
        raise DasanError("invalid", "잘못된 요청")

    with pytest.raises(DasanError):
        run(produce)
    assert not Department.objects.filter(code="9999").exists()


@pytest.mark.django_db
def test_unexpected_error_frees_the_key():
    def boom():
        raise RuntimeError("network down")

    with pytest.raises(RuntimeError):
        run(boom)
    assert not IdempotencyRecord.objects.exists()
    produce = Producer()
    assert run(produce).replayed is False
    assert produce.calls == 1


@pytest.mark.django_db
def test_text_bytes_and_http_response_bodies():
    from django.http import HttpResponse

    assert run(lambda: (200, "완료"), key="t").body == "완료"
    replay = run(lambda: (200, "완료"), key="t")
    assert replay.body == "완료" and replay.content_type.startswith("text/plain") and replay.replayed
    assert run(lambda: HttpResponse("<p>ok</p>", status=202), key="h", payload=b"raw bytes").status == 202
    replay = run(lambda: None, key="h", payload=b"raw bytes")
    assert (replay.status, replay.body, replay.replayed) == (202, "<p>ok</p>", True)
    response = replay.to_response()
    assert response.status_code == 202 and response["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_non_json_native_values_are_stored_as_json():
    first = run(lambda: (201, {"when": dt.date(2025, 10, 10), "fee": 12000}))
    assert first.body == {"when": "2025-10-10", "fee": 12000}


def test_payload_hash_is_canonical():
    assert idempotency.payload_hash({"a": 1, "b": "가"}) == idempotency.payload_hash({"b": "가", "a": 1})
    assert idempotency.payload_hash(b"abc") == idempotency.payload_hash("abc")
    assert len(idempotency.payload_hash({})) == 64


@pytest.mark.django_db
def test_prune_removes_records_older_than_a_day():
    run(Producer(), key="old")
    run(Producer(), key="new")
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    assert idempotency.prune() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_prune_is_a_scheduled_job():
    from dasan.core.schedule import jobs

    job = {j.name: j for j in jobs()}["core.prune_idempotency"]
    assert job.every_seconds == 3600 and job.func is idempotency.prune


# --- real concurrency (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_run_produce_once(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises writers, no real concurrency")
    started = threading.Event()
    release = threading.Event()
    calls = []

    def slow_produce():
        calls.append(1)
        started.set()
        release.wait(10)
        return 201, {"id": 7}

    outcomes = []
    lock = threading.Lock()

    def client(produce):
        try:
            result = run(produce, key="race")
            with lock:
                outcomes.append(("ok", result.replayed))
        except Conflict as exc:
            with lock:
                outcomes.append(("conflict", exc.code))
        finally:
            connection.close()

    first = threading.Thread(target=client, args=(slow_produce,))
    first.start()
    assert started.wait(10)
    # While the first request is inside produce(), eight duplicates arrive at once.
    others = [threading.Thread(target=client, args=(slow_produce,)) for _ in range(8)]
    for t in others:
        t.start()
    for t in others:
        t.join(10)
    release.set()
    first.join(10)
    assert len(calls) == 1
    assert outcomes.count(("ok", False)) == 1
    assert outcomes.count(("conflict", "idempotency_in_progress")) == 8
    # Once it finished, a retry replays the stored answer.
    replay = run(slow_produce, key="race")
    assert replay.replayed and replay.body == {"id": 7}
    assert len(calls) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_requests_only_one_wins(is_postgres):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises writers, no real concurrency")
    barrier = threading.Barrier(10)
    calls = []
    lock = threading.Lock()
    outcomes = []

    def produce():
        with lock:
            calls.append(1)
        return 201, {"ok": True}

    def client():
        try:
            barrier.wait(10)
            result = run(produce, key="burst")
            with lock:
                outcomes.append("replayed" if result.replayed else "produced")
        except Conflict:
            with lock:
                outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert len(calls) == 1
    assert outcomes.count("produced") == 1
    assert len(outcomes) == 10
    assert IdempotencyRecord.objects.filter(key="burst").count() == 1
