"""이용 단체: a representative registers a group, staff approve or reject it with a reason,
and only an approved group's representative books a groups-only resource in its name."""

from __future__ import annotations

import pytest

from dasan.core.audit import AuditEvent
from dasan.notify.models import Message
from dasan.reservations import groups, services
from dasan.reservations.models import GroupStatus

from .conftest import at
from .test_booking import refused


@pytest.fixture
def club_court(make_resource):
    return make_resource("동호회 전용 코트", groups_only=True)


def test_registering_checks_the_name_the_size_and_duplicates(resident):
    refused("name_required", groups.register_group, "  ", actor=resident, members=10)
    refused("invalid_members", groups.register_group, "배드민턴 동호회", actor=resident, members=1)
    refused("invalid_members", groups.register_group, "배드민턴 동호회", actor=resident, members="열")
    group = groups.register_group(" 배드민턴   동호회 ", actor=resident, members="24", description="매주 화요일 저녁")
    assert (group.name, group.members, group.status) == ("배드민턴 동호회", 24, GroupStatus.PENDING)
    refused("group_exists", groups.register_group, "배드민턴 동호회", actor=resident, members=10)
    refused("login_required", groups.register_group, "다른 모임", actor=None, members=3)


def test_staff_decide_and_the_representative_is_told(resident, staff):
    group = groups.register_group("마을 합창단", actor=resident, members=15)
    refused("staff_only", groups.decide_group, group, actor=resident, approve=True)
    refused("reason_required", groups.decide_group, group, actor=staff, approve=False)
    approved = groups.decide_group(group, actor=staff, approve=True)
    assert approved.status == GroupStatus.APPROVED and approved.decided_by == staff
    refused("not_pending", groups.decide_group, group, actor=staff, approve=False, reason="중복")
    body = Message.objects.get(recipient=resident, template_key="reservations.group_decided").body
    assert "마을 합창단" in body and "승인" in body
    rejected = groups.decide_group(
        groups.register_group("두 번째 모임", actor=resident, members=3),
        actor=staff,
        approve=False,
        reason="활동 내용을 확인할 수 없습니다",
    )
    assert rejected.status == GroupStatus.REJECTED
    assert (
        AuditEvent.objects.filter(action__in=["reservations.group_approve", "reservations.group_reject"]).count() == 2
    )


def test_only_an_approved_groups_representative_books_a_groups_only_resource(
    club_court, court, resident, make_resident, staff, day
):
    error = refused("group_required", services.book, club_court, at(day, "10:00"), at(day, "11:00"), actor=resident)
    assert error.status == 403
    group = groups.register_group("배드민턴 동호회", actor=resident, members=24)
    refused(
        "group_not_approved",
        services.book,
        club_court,
        at(day, "10:00"),
        at(day, "11:00"),
        actor=resident,
        group=group.pk,
    )
    groups.decide_group(group, actor=staff, approve=True)
    someone_else = make_resident()
    refused(
        "unknown_group",
        services.book,
        club_court,
        at(day, "10:00"),
        at(day, "11:00"),
        actor=someone_else,
        group=group.pk,
    )
    booked = services.book(club_court, at(day, "10:00"), at(day, "11:00"), actor=resident, group=group.pk)
    assert booked.group == group
    # A group may also book an ordinary resource in its name, and a person still books alone.
    assert services.book(court, at(day, "12:00"), at(day, "13:00"), actor=resident, group=group.pk).group == group
    assert services.book(court, at(day, "14:00"), at(day, "15:00"), actor=resident).group is None
    groups.withdraw_group(group, actor=resident)
    refused(
        "group_not_approved",
        services.book,
        club_court,
        at(day, "15:00"),
        at(day, "16:00"),
        actor=resident,
        group=group.pk,
    )


def test_the_pages_register_approve_and_book(club_court, resident, resident_client, staff, day):
    from django.test import Client

    staff_client = Client()
    staff_client.force_login(staff)
    response = resident_client.post("/reservations/groups/", {"name": "강변 러닝 크루", "members": "12"}, follow=True)
    assert "단체 등록을 신청했습니다" in response.content.decode()
    bad = resident_client.post("/reservations/groups/", {"name": "", "members": "12"})
    assert bad.status_code == 400 and "단체 이름을 적어 주세요" in bad.content.decode()
    group = groups.groups_for(resident).get()

    pending = staff_client.get("/staff/reservations/groups/").content.decode()
    assert "강변 러닝 크루" in pending
    staff_client.post(f"/staff/reservations/groups/{group.pk}/approve/")
    group.refresh_from_db()
    assert group.status == GroupStatus.APPROVED

    form = resident_client.get(f"/reservations/r/{club_court.pk}/book/?date={day:%Y-%m-%d}").content.decode()
    assert "강변 러닝 크루" in form and 'name="group"' in form
    resident_client.post(
        f"/reservations/r/{club_court.pk}/book/",
        {
            "date": f"{day:%Y-%m-%d}",
            "begin": f"{day:%Y-%m-%d}T10:00",
            "minutes": "60",
            "party_size": "6",
            "group": str(group.pk),
            "token": "g-1",
        },
    )
    reservation = club_court.reservations.get()
    assert reservation.group == group
    assert "강변 러닝 크루" in resident_client.get(f"/reservations/b/{reservation.pk}/").content.decode()


def test_my_reservations_lists_lottery_applications_in_the_page(paid_court, staff, resident, resident_client, day):
    import datetime as dt

    from django.utils import timezone

    from dasan.reservations import lottery as lotteries

    now = timezone.now()
    lottery = lotteries.create_lottery(
        paid_court,
        at(day, "10:00"),
        at(day, "11:00"),
        now - dt.timedelta(hours=1),
        now + dt.timedelta(hours=1),
        actor=staff,
    )
    lotteries.apply(lottery, actor=resident, party_size=2)
    page = resident_client.get("/reservations/mine/").content.decode()
    title = page[page.index("<title>") : page.index("</title>")]
    body = page[page.index("<main") :]
    assert "내 추첨 신청" not in title and "내 추첨 신청" in body and "추첨 신청 취소" in body
