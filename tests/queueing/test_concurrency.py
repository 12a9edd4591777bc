"""Many clients at once on PostgreSQL: no duplicate numbers, no ticket called twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from dasan.queueing import services
from dasan.queueing.models import Ticket, TicketStatus

from ..concurrency import need_postgres, race
from .conftest import at

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_residents_taking_numbers_at_once_get_distinct_consecutive_numbers(office, types, workday):
    need_postgres(connection.vendor == "postgresql")
    works = [lambda i=i: services.take_ticket(office, "move-in", now=at(workday, "10:00")) for i in range(16)]
    results, errors = race(works)
    assert errors == []
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert numbers == [f"A{n:03d}" for n in range(1, 17)]


def test_counters_calling_at_once_never_share_a_ticket(office, types, counters, clerk, workday):
    need_postgres(connection.vendor == "postgresql")
    for i in range(3):
        services.take_ticket(office, "move-in", now=at(workday, "10:00") + dt.timedelta(minutes=i))
    # Counters 1 and 2 both serve 전입신고; each calls three times in a race with the other.
    works = [
        lambda c=c: services.call_next(c, actor=clerk, now=at(workday, "10:30")) for c in (counters[1], counters[2])
    ]
    results, errors = race(works)
    called = [t for t in results if t is not None]
    assert len(called) == 2 and called[0].pk != called[1].pk and errors == []
    assert Ticket.objects.filter(status=TicketStatus.CALLED).count() == 2
    # The same counter pressed twice at once: one call, the other is told it is busy.
    services.finish(counters[1], TicketStatus.SERVED, actor=clerk, now=at(workday, "10:35"))
    results, errors = race([lambda: services.call_next(counters[1], actor=clerk, now=at(workday, "10:36"))] * 2)
    assert len([t for t in results if t is not None]) == 1 and errors == ["counter_busy"]
    assert Ticket.objects.filter(status=TicketStatus.WAITING).count() == 0
