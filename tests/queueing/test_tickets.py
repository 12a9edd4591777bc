"""Taking a number: consecutive numbers per service, reset each day, refused outside
hours and on holidays, one live ticket per resident, the count ahead and the wait."""

from __future__ import annotations

import datetime as dt

import pytest

from dasan.core import calendar
from dasan.core.errors import DasanError
from dasan.notify.models import Message
from dasan.queueing import selectors, services
from dasan.queueing.models import Channel, Ticket, TicketStatus

from .conftest import at


def refused(code, call, *args, **kwargs):
    with pytest.raises(DasanError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def take(office, service, day, hhmm="10:00", **kwargs):
    return services.take_ticket(office, service, now=at(day, hhmm), **kwargs)


def test_numbers_follow_each_other_per_service_and_start_again_the_next_day(office, types, workday):
    first, second = take(office, "move-in", workday), take(office, "move-in", workday, "10:01")
    seal = take(office, "seal", workday, "10:02")
    assert (first.number, second.number, seal.number) == ("A001", "A002", "B001")
    following = workday + dt.timedelta(days=1)
    while not calendar.is_business_day(following):
        following += dt.timedelta(days=1)
    assert take(office, "move-in", following).number == "A001"


def test_tickets_are_refused_outside_hours_on_holidays_and_for_services_not_offered(office, types, workday):
    assert "09:00" in str(refused("office_closed", take, office, "move-in", workday, "08:30").message)
    assert "17:30" in str(refused("office_closed", take, office, "move-in", workday, "17:30").message)
    sunday = workday + dt.timedelta(days=(6 - workday.weekday()))
    refused("office_closed", take, office, "move-in", sunday)
    from dasan.queueing.models import ServiceType

    ServiceType.objects.create(code="vehicle", name="자동차 등록", prefix="V")
    refused("service_not_offered", take, office, "vehicle", workday)
    refused("unknown_service", take, office, "nothing", workday)
    refused("unknown_office", services.take_ticket, "nowhere", "move-in")
    refused("invalid_phone", take, office, "move-in", workday, phone="12345")


def test_one_live_ticket_per_resident_and_office(office, types, resident, workday):
    mine = take(office, "move-in", workday, actor=resident)
    error = refused("already_waiting", take, office, "seal", workday, "10:05", actor=resident)
    assert error.details["number"] == mine.number and error.status == 409
    services.cancel(mine)
    assert take(office, "seal", workday, "10:06", actor=resident).number == "B001"


def test_ahead_counts_priority_first_and_the_estimate_uses_recent_service_times(
    office, types, counters, clerk, workday
):
    a1, a2, a3 = (take(office, "move-in", workday, f"10:0{i}") for i in range(3))
    helped = take(office, "move-in", workday, "10:05", needs_assistance=True)
    assert helped.priority and selectors.ahead(helped) == 0
    assert [selectors.ahead(t) for t in (a1, a2, a3)] == [1, 2, 3]
    # No history yet: the type's default, 10 minutes, × 3 ahead ÷ 2 counters serving 전입신고.
    estimate = selectors.estimate(a3, now=at(workday, "10:06"))
    assert (estimate.ahead, estimate.minutes, estimate.from_history, estimate.counters) == (3, 15, False, 2)
    # Three served in 4 minutes each: the estimate follows what really happens.
    for start in ("10:10", "10:20", "10:30"):
        services.call_next(counters[2], actor=clerk, now=at(workday, start))
        services.finish(counters[2], TicketStatus.SERVED, actor=clerk, now=at(workday, start) + dt.timedelta(minutes=4))
    remaining = Ticket.objects.filter(status=TicketStatus.WAITING).get()
    assert remaining == a3 and selectors.ahead(a3) == 0
    assert selectors.service_minutes(office, types["move-in"])[0] == 4


def test_kiosk_tickets_without_an_account_can_get_the_text(office, types, counters, clerk, workday):
    first = take(office, "passport", workday, channel=Channel.KIOSK)
    mine = take(office, "passport", workday, "10:01", channel=Channel.KIOSK, phone="010-7777-8888")
    take(office, "passport", workday, "10:02", channel=Channel.KIOSK, phone="010-7777-9999")
    assert mine.phone == "01077778888" and mine.resident is None
    services.call_next(counters[3], actor=clerk, now=at(workday, "10:10"))  # `first` goes to counter 3
    near = Message.objects.filter(template_key="queueing.near").order_by("id")
    assert [m.to for m in near] == ["01077778888", "01077779999"]  # 2 or fewer ahead, told once each
    services.finish(counters[3], TicketStatus.SERVED, actor=clerk, now=at(workday, "10:15"))
    services.call_next(counters[3], actor=clerk, now=at(workday, "10:16"))
    assert Message.objects.filter(template_key="queueing.near").count() == 2
    called = Message.objects.get(template_key="queueing.called", to="01077778888")
    assert "3번 창구" in called.body and mine.number in called.body and first.status == TicketStatus.WAITING
