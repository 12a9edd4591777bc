"""At the counter: call next by the counter's services with priority first, one call at a
time, recall, served / no-show, transfer keeping the place; the hall display; statistics."""

from __future__ import annotations

import datetime as dt

from dasan.core.audit import AuditEvent
from dasan.queueing import selectors, services, stats
from dasan.queueing.models import TicketStatus

from .conftest import at
from .test_tickets import refused, take


def test_a_counter_calls_only_its_services_and_priority_first(office, types, counters, clerk, workday):
    passport = take(office, "passport", workday, "10:00")
    move = take(office, "move-in", workday, "10:01")
    seal = take(office, "seal", workday, "10:02")
    helped = take(office, "seal", workday, "10:03", needs_assistance=True)
    assert services.call_next(counters[2], actor=clerk, now=at(workday, "10:05")) == move  # 2 serves 전입신고 only
    assert services.call_next(counters[1], actor=clerk, now=at(workday, "10:05")) == helped
    assert services.call_next(counters[3], actor=clerk, now=at(workday, "10:05")) == passport
    refused("counter_busy", services.call_next, counters[1], actor=clerk, now=at(workday, "10:06"))
    services.finish(counters[1], TicketStatus.SERVED, actor=clerk, now=at(workday, "10:09"))
    assert services.call_next(counters[1], actor=clerk, now=at(workday, "10:10")) == seal
    services.finish(counters[2], TicketStatus.NO_SHOW, actor=clerk, now=at(workday, "10:10"))
    assert services.call_next(counters[2], actor=clerk, now=at(workday, "10:11")) is None  # nobody left for 전입신고
    assert AuditEvent.objects.filter(action="queueing.call", actor=clerk).count() == 4


def test_only_staff_work_a_counter(office, types, counters, resident, workday):
    take(office, "move-in", workday)
    refused("staff_only", services.call_next, counters[1], actor=resident, now=at(workday, "10:05"))


def test_transfer_sends_the_ticket_to_another_counter_keeping_its_place(office, types, counters, clerk, workday):
    first = take(office, "move-in", workday, "10:00")
    take(office, "move-in", workday, "10:01")
    services.call_next(counters[2], actor=clerk, now=at(workday, "10:05"))
    refused("transfer_target", services.transfer, counters[2], actor=clerk)
    moved = services.transfer(counters[2], actor=clerk, to_counter=counters[3].pk)
    assert moved.status == TicketStatus.WAITING and moved.target_counter == counters[3]
    # Counter 3 serves only passports, yet the ticket sent to it is called there first.
    assert services.call_next(counters[3], actor=clerk, now=at(workday, "10:06")) == first
    services.finish(counters[3], TicketStatus.SERVED, actor=clerk, now=at(workday, "10:08"))
    # Another service type: 전입신고 becomes 인감 and keeps its issue time.
    services.call_next(counters[2], actor=clerk, now=at(workday, "10:09"))
    retyped = services.transfer(counters[2], actor=clerk, to_service="seal")
    assert (
        retyped.service_type == types["seal"]
        and services.call_next(counters[1], actor=clerk, now=at(workday, "10:10")) == retyped
    )


def test_recall_and_the_hall_display_show_numbers_never_names(office, types, counters, clerk, make_resident, workday):
    someone = make_resident(name="정민원")
    ticket = take(office, "move-in", workday, "10:00", actor=someone)
    services.call_next(counters[1], actor=clerk, now=at(workday, "10:05"))
    services.recall(counters[1], actor=clerk, now=at(workday, "10:06"))
    ticket.refresh_from_db()
    assert ticket.recalled_at == at(workday, "10:06")
    board = selectors.board(office, now=at(workday, "10:06"))
    assert board["latest"] == ticket
    from django.template.loader import render_to_string

    page = render_to_string("queueing/_board.html", {"office": office, "board": board})
    assert ticket.number in page and "1번 창구" in page and "정민원" not in page
    refused("nothing_called", services.recall, counters[2], actor=clerk)


def test_statistics_by_hour_and_service(office, types, counters, clerk, workday):
    take(office, "move-in", workday, "10:00")
    take(office, "move-in", workday, "10:10")
    services.call_next(counters[1], actor=clerk, now=at(workday, "10:20"))
    services.finish(counters[1], TicketStatus.SERVED, actor=clerk, now=at(workday, "10:26"))
    services.call_next(counters[1], actor=clerk, now=at(workday, "10:30"))
    services.finish(counters[1], TicketStatus.NO_SHOW, actor=clerk, now=at(workday, "10:31"))
    report = stats.report(office=office, start=workday, end=workday)
    assert report.total.tickets == 2 and report.total.no_shows == 1
    assert report.total.median_wait == 20 and report.total.median_service == 6
    assert [f.label for f in report.by_hour] == ["10"]
    assert [f.label for f in report.by_service] == ["전입신고"]


def test_close_days_ends_yesterdays_live_tickets(office, types, workday):
    old = take(office, "move-in", workday, "10:00")
    assert services.close_days(now=at(workday + dt.timedelta(days=1), "08:00")) == 1
    old.refresh_from_db()
    assert old.status == TicketStatus.CLOSED
