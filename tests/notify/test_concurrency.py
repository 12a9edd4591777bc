"""Several workers delivering the same messages at once send each exactly once
(row locks with SKIP LOCKED on PostgreSQL, IMMEDIATE transactions on SQLite)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from dasan.notify.models import Message, Status
from dasan.notify.services import enqueue
from dasan.notify.tasks import deliver_message


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_send_each_message_once(make_resident, fake_nhn, is_postgres):
    if not is_postgres:
        # The test database on SQLite is a shared-cache in-memory file, where
        # concurrent writers fail with "table is locked" instead of waiting.
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    messages = [enqueue("test.hello", recipient=make_resident(), context={"number": n}) for n in range(8)]
    ids = [m.pk for m in messages]
    errors = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            for pk in ids:
                deliver_message(pk)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert set(Message.objects.values_list("status", flat=True)) == {Status.SENT}
    assert [fake_nhn.copies(m.reference) for m in messages] == [1] * 8
    assert all(m.attempts == 1 for m in Message.objects.all())
