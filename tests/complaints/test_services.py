"""민원 intake and workflow as residents and staff meet it: numbers and due dates,
anonymous and contact rules, routing to a department or the triage queue, who may
see what, each step's notification in the resident's language, refused double
steps, extensions within the law's limits, and duplicate linking."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from django.utils import timezone

from dasan.accounts.models import Role
from dasan.complaints import intake, parking, selectors, services
from dasan.complaints.models import Complaint, ComplaintEvent, EventKind, Routing, Status
from dasan.core.errors import Conflict, DasanError, NotFound, PermissionDenied
from dasan.core.models import AuditEvent
from dasan.notify.models import Message

SEOUL = dt.timezone(dt.timedelta(hours=9))
HERE = ("37.566500", "126.978000")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(make_staff, departments):
    return make_staff("waste-officer", department=departments["waste"])


@pytest.fixture
def roads_officer(make_staff, departments):
    return make_staff("roads-officer", department=departments["roads"])


@pytest.fixture
def manager(make_staff, departments):
    return make_staff("city-manager", department=departments["root"], role=Role.MANAGER)


def _file(categories, resident, **extra):
    values = dict(
        title="골목에 쓰레기 무단투기",
        description="편의점 옆 골목에 쓰레기봉투가 며칠째 쌓여 있습니다.",
        channel="web",
        category=categories["waste"],
        resident=resident,
        latitude=HERE[0],
        longitude=HERE[1],
    )
    values.update(extra)
    return intake.file_complaint(**values)


def _messages(complaint, key):
    return list(Message.objects.filter(template_key=key, recipient=complaint.resident, body__contains=complaint.number))


# --- filing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_filed_complaint_gets_a_number_a_due_date_and_a_receipt_message(city, categories, resident):
    received = dt.datetime(2025, 10, 13, 10, 0, tzinfo=SEOUL)  # a Monday
    complaint = _file(categories, resident, received_at=received)
    assert re.fullmatch(r"2025-\d{6}", complaint.number)
    assert complaint.status == Status.RECEIVED
    assert complaint.department == categories["waste"].department
    assert complaint.kind == categories["waste"].kind  # 고충민원: 7 days
    # 7 business days counting the Monday of receipt: Tuesday of the next week, end of the working day.
    assert timezone.localtime(complaint.due_at).date() == dt.date(2025, 10, 21)
    second = _file(
        categories,
        resident,
        received_at=received + dt.timedelta(minutes=5),
        latitude=None,
        longitude=None,
        address="데모시 시청로 1",
    )
    assert int(second.number[-6:]) == int(complaint.number[-6:]) + 1
    filed = complaint.events.get(kind=EventKind.FILED)
    assert filed.actor == resident and filed.to_status == Status.RECEIVED
    message = _messages(complaint, "complaints.received")[0]
    assert complaint.number in message.body and "2025-10-21" in message.body
    assert AuditEvent.objects.filter(action="complaints.filed", target_id=str(complaint.pk)).exists()


@pytest.mark.django_db
def test_category_period_overrides_the_kind_default(categories, resident, settings):
    received = dt.datetime(2025, 10, 13, 10, 0, tzinfo=SEOUL)
    question = _file(categories, resident, category=categories["question"], received_at=received)
    # 질의민원(제도·절차): 7 days in law; counted in business days as well.
    assert timezone.localtime(question.due_at).date() == dt.date(2025, 10, 21)
    assert question.kind == "inquiry_procedure"


@pytest.mark.django_db
def test_category_may_be_given_by_code_and_an_unknown_code_is_refused(categories, resident):
    complaint = _file(categories, resident, category="illegal-dumping")
    assert complaint.category == categories["waste"]
    with pytest.raises(DasanError) as caught:
        _file(categories, resident, category="no-such-thing")
    assert caught.value.code == "category_unknown"


@pytest.mark.django_db
def test_inactive_category_is_refused_with_a_message(categories, resident):
    categories["waste"].is_active = False
    categories["waste"].save()
    with pytest.raises(DasanError) as caught:
        _file(categories, resident)
    assert caught.value.code == "category_inactive"
    assert "분류" in str(caught.value.message)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field, value, code",
    [
        ("title", " ", "title_required"),
        ("title", "가" * 201, "title_too_long"),
        ("description", "짧음", "description_too_short"),
        ("latitude", "91", "location_invalid"),
        ("longitude", "-181", "location_invalid"),
        ("latitude", "north", "location_invalid"),
        ("channel", "fax", "channel_invalid"),
        ("kind", "complaint", "kind_invalid"),
        ("contact_phone", "12ab", "contact_phone_invalid"),
        ("contact_email", "not-an-email", "contact_email_invalid"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_korean_message(categories, resident, field, value, code):
    with pytest.raises(DasanError) as caught:
        _file(categories, resident, **{field: value})
    assert caught.value.code == code
    assert re.search("[가-힣]", str(caught.value.message))
    assert not Complaint.objects.exists()


@pytest.mark.django_db
def test_latitude_without_longitude_is_refused(categories, resident):
    with pytest.raises(DasanError) as caught:
        _file(categories, resident, longitude=None)
    assert caught.value.code == "location_incomplete"


@pytest.mark.django_db
def test_location_is_required_where_the_category_says_so(categories, resident):
    with pytest.raises(DasanError) as caught:
        _file(categories, resident, category=categories["pothole"], latitude=None, longitude=None)
    assert caught.value.code == "location_required"
    assert "위치" in str(caught.value.message)
    # An address is enough.
    complaint = _file(
        categories,
        resident,
        category=categories["pothole"],
        latitude=None,
        longitude=None,
        address="데모시 중앙로 12 앞",
    )
    assert complaint.address == "데모시 중앙로 12 앞"


@pytest.mark.django_db
def test_parking_category_is_not_filed_through_the_general_form(categories, resident):
    with pytest.raises(DasanError) as caught:
        _file(categories, resident, category=categories["parking"])
    assert caught.value.code == "use_parking_form"


@pytest.mark.django_db
def test_anonymous_is_refused_where_the_category_does_not_allow_it(categories, resident):
    with pytest.raises(DasanError) as caught:
        _file(categories, resident, category=categories["pothole"], anonymous=True)
    assert caught.value.code == "anonymous_not_allowed"
    assert "익명" in str(caught.value.message)


@pytest.mark.django_db
def test_anonymous_filing_keeps_no_name_but_stays_the_residents_to_follow(categories, resident, officer):
    complaint = _file(categories, resident, anonymous=True, contact_name="김주민", contact_phone="010-1234-5678")
    assert complaint.is_anonymous
    assert (complaint.contact_name, complaint.contact_phone, complaint.contact_email) == ("", "", "")
    # Staff see the timeline without the filer's name.
    assert complaint.events.get(kind=EventKind.FILED).actor is None
    assert selectors.get_complaint(resident, complaint.number) == complaint
    assert selectors.get_complaint(officer, complaint.number).is_anonymous


@pytest.mark.django_db
def test_filing_without_an_account_needs_a_way_to_reach_the_resident(categories, settings):
    with pytest.raises(DasanError) as caught:
        _file(categories, None)
    assert caught.value.code == "contact_required"
    with pytest.raises(DasanError) as caught:
        _file(categories, None, contact_name="박민원", contact_preference="sms")
    assert caught.value.code == "contact_phone_required"
    with pytest.raises(DasanError) as caught:
        _file(categories, None, contact_name="박민원", contact_preference="email", contact_phone="01055556666")
    assert caught.value.code == "contact_email_required"


@pytest.mark.django_db
def test_without_an_account_the_resident_is_told_at_the_number_they_gave(city, categories):
    complaint = _file(categories, None, contact_name="박민원", contact_phone="010-5555-6666", language="vi")
    message = Message.objects.get(template_key="complaints.received")
    assert message.to == "01055556666"
    assert message.language == "vi"
    assert complaint.number in message.body


@pytest.mark.django_db
def test_no_notifications_when_the_resident_asked_for_none(categories, resident, officer):
    complaint = _file(categories, resident, contact_preference="none")
    services.assign(complaint, department=categories["waste"].department, actor=officer)
    services.answer(complaint, actor=officer, text="수거를 마쳤습니다. 감사합니다.")
    assert not Message.objects.filter(template_key__startswith="complaints.").exists()


# --- routing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unsure_classification_leaves_the_complaint_in_triage(settings, categories, resident, manager, officer):
    settings.DASAN = {**settings.DASAN, "COMPLAINT_AUTO_ASSIGN": 1.01}  # nothing is ever that sure
    complaint = _file(
        categories,
        resident,
        category=None,
        title="건의드립니다",
        description="시청 민원실 대기 의자가 부족해 보입니다. 늘려 주시면 좋겠습니다.",
    )
    assert complaint.department is None and complaint.routing == Routing.TRIAGE
    assert complaint.status == Status.RECEIVED
    assert complaint.due_at > complaint.received_at
    # Managers see the triage queue; an officer of a department does not.
    assert complaint in selectors.visible_complaints(manager)
    assert complaint not in selectors.visible_complaints(officer)
    with pytest.raises(NotFound):
        selectors.get_complaint(officer, complaint.number)
    # A manager routes it: a staff assignment, and the resident is told where it went.
    services.assign(complaint, department=categories["question"].department, actor=manager, reason="민원실 소관")
    complaint.refresh_from_db()
    assert complaint.routing == Routing.STAFF and complaint.status == Status.ASSIGNED
    event = complaint.events.get(kind=EventKind.ASSIGNED, internal=False)
    assert event.from_department is None and event.to_department == categories["question"].department
    assert _messages(complaint, "complaints.assigned")


@pytest.mark.django_db
def test_officer_cannot_route_a_triage_complaint(settings, categories, resident, officer):
    settings.DASAN = {**settings.DASAN, "COMPLAINT_AUTO_ASSIGN": 1.01}
    complaint = _file(categories, resident, category=None)
    with pytest.raises(NotFound):
        services.assign(complaint, department=categories["waste"].department, actor=officer)


@pytest.mark.django_db
def test_a_confident_suggestion_assigns_automatically(settings, categories, resident):
    settings.DASAN = {**settings.DASAN, "COMPLAINT_AUTO_ASSIGN": 0.0}
    complaint = _file(
        categories,
        resident,
        category=None,
        title="쓰레기 무단투기 신고",
        description="골목에 쓰레기 무단투기가 계속되어 악취가 납니다. 쓰레기 분리수거도 안 됩니다.",
    )
    assert complaint.routing == Routing.AUTO
    assert complaint.category == categories["waste"]
    assert complaint.department == categories["waste"].department
    assert complaint.suggested_category == categories["waste"]
    assert complaint.suggestion_confidence is not None


# --- who sees what ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resident_never_sees_another_residents_complaint(categories, resident, make_resident):
    mine = _file(categories, resident)
    neighbour = make_resident(name="이웃")
    theirs = _file(categories, neighbour, latitude="37.50", longitude="127.00")
    assert list(selectors.visible_complaints(resident)) == [mine]
    with pytest.raises(NotFound):
        selectors.get_complaint(resident, theirs.number)
    with pytest.raises(NotFound):
        services.withdraw(theirs, actor=resident)
    assert selectors.get_complaint(neighbour, theirs.number) == theirs


@pytest.mark.django_db
def test_staff_of_another_department_get_not_found(categories, resident, officer, roads_officer):
    complaint = _file(categories, resident)
    with pytest.raises(NotFound):
        selectors.get_complaint(roads_officer, complaint.number)
    with pytest.raises(NotFound):
        services.start(complaint, actor=roads_officer)
    assert selectors.get_complaint(officer, complaint.number) == complaint


@pytest.mark.django_db
def test_staff_reads_are_audited_and_residents_reading_their_own_are_not(categories, resident, officer):
    complaint = _file(categories, resident)
    selectors.get_complaint(resident, complaint.number)
    assert not AuditEvent.objects.filter(action="personal_record.read").exists()
    selectors.get_complaint(officer, complaint.number, reason="처리 화면")
    event = AuditEvent.objects.get(action="personal_record.read")
    assert event.actor == officer and event.target_id == str(complaint.pk) and event.reason == "처리 화면"


@pytest.mark.django_db
def test_residents_cannot_act_as_staff(categories, resident):
    complaint = _file(categories, resident)
    with pytest.raises(PermissionDenied):
        services.answer(complaint, actor=resident, text="제가 답변합니다. 해결됨.")


@pytest.mark.django_db
def test_manager_sees_sub_departments_and_admin_sees_all(categories, resident, make_staff, departments):
    complaint = _file(categories, resident)
    manager = make_staff("root-manager", department=departments["root"], role=Role.MANAGER)
    admin = make_staff("city-admin", department=departments["roads"], role=Role.ADMIN)
    assert selectors.get_complaint(manager, complaint.number) == complaint
    assert selectors.get_complaint(admin, complaint.number) == complaint


# --- workflow, notifications in the resident's language ----------------------------------------


@pytest.mark.django_db
def test_each_step_is_told_to_the_resident_in_their_language(city, categories, make_resident, officer, departments):
    resident = make_resident(name="Jane", language="en")
    complaint = _file(categories, resident)
    assert complaint.language == "en"
    received = _messages(complaint, "complaints.received")
    assert received and received[0].language == "en" and "We received your complaint" in received[0].body

    services.assign(complaint, department=departments["waste"], actor=officer, assignee=officer)
    assigned = _messages(complaint, "complaints.assigned")[0]
    assert assigned.language == "en" and "청소행정과" in assigned.body and "handled by" in assigned.body

    services.start(complaint, actor=officer)
    services.extend(complaint, actor=officer, days=3, reason="현장 확인이 필요합니다")
    extended = _messages(complaint, "complaints.extended")[0]
    assert extended.language == "en" and "현장 확인이 필요합니다" in extended.body
    complaint.refresh_from_db()
    assert timezone.localtime(complaint.due_at).strftime("%Y-%m-%d") in extended.body

    services.answer(complaint, actor=officer, text="Collected this morning. Thank you.")
    answered = _messages(complaint, "complaints.answered")[0]
    assert answered.language == "en" and complaint.number in answered.body and "answered" in answered.body


@pytest.mark.django_db
def test_vietnamese_and_chinese_residents_get_their_own_text(city, categories, make_resident):
    vi = make_resident(name="An", language="vi")
    zh = make_resident(name="王", language="zh-hans")
    complaint_vi = _file(categories, vi)
    complaint_zh = _file(categories, zh, latitude="37.40", longitude="127.10")
    assert "tiếp nhận" in _messages(complaint_vi, "complaints.received")[0].body
    assert "已受理" in _messages(complaint_zh, "complaints.received")[0].body


@pytest.mark.django_db
def test_the_full_path_to_closing_and_rating(categories, resident, officer):
    complaint = _file(categories, resident)
    services.assign(complaint, department=categories["waste"].department, actor=officer)
    assert complaint.status == Status.ASSIGNED
    services.start(complaint, actor=officer)
    assert complaint.status == Status.IN_PROGRESS and complaint.assignee == officer
    services.answer(complaint, actor=officer, text="오늘 오전에 수거했습니다. 감사합니다.")
    assert complaint.status == Status.ANSWERED and complaint.answered_by == officer
    services.rate(complaint, actor=resident, score=5, comment="빨리 처리해 주셔서 고맙습니다")
    assert complaint.satisfaction == 5
    services.close(complaint, actor=officer)
    assert complaint.status == Status.CLOSED and complaint.closed_at is not None
    kinds = [e.kind for e in selectors.timeline(complaint, for_staff=False)]
    assert kinds == [
        EventKind.FILED,
        EventKind.ASSIGNED,
        EventKind.STATUS,
        EventKind.ANSWERED,
        EventKind.RATED,
        EventKind.STATUS,
    ]
    actions = set(AuditEvent.objects.filter(target_id=str(complaint.pk)).values_list("action", flat=True))
    assert {
        "complaints.filed",
        "complaints.assigned",
        "complaints.started",
        "complaints.answered",
        "complaints.rated",
        "complaints.closed",
    } <= actions


@pytest.mark.django_db
def test_double_steps_are_refused(categories, resident, officer):
    complaint = _file(categories, resident)
    services.start(complaint, actor=officer)
    with pytest.raises(Conflict) as caught:
        services.start(complaint, actor=officer)
    assert caught.value.code == "cannot_start" and "처리 중" in str(caught.value.message)
    services.answer(complaint, actor=officer, text="처리했습니다. 확인 부탁드립니다.")
    with pytest.raises(Conflict):
        services.answer(complaint, actor=officer, text="두 번째 답변입니다. 무시하세요.")
    with pytest.raises(Conflict):
        services.withdraw(complaint, actor=resident)
    services.close(complaint, actor=officer)
    with pytest.raises(Conflict):
        services.close(complaint, actor=officer)
    services.rate(complaint, actor=resident, score=3)
    with pytest.raises(Conflict) as caught:
        services.rate(complaint, actor=resident, score=4)
    assert caught.value.code == "already_rated"
    assert complaint.events.filter(kind=EventKind.ANSWERED).count() == 1


@pytest.mark.django_db
def test_a_stale_copy_cannot_repeat_a_step(categories, resident, officer):
    complaint = _file(categories, resident)
    stale = Complaint.objects.get(pk=complaint.pk)
    services.answer(complaint, actor=officer, text="처리했습니다. 확인 부탁드립니다.")
    # The second click comes with the page's old copy; the locked row decides.
    with pytest.raises(Conflict):
        services.answer(stale, actor=officer, text="처리했습니다. 확인 부탁드립니다.")


@pytest.mark.django_db
def test_rating_before_the_answer_and_bad_scores_are_refused(categories, resident, officer):
    complaint = _file(categories, resident)
    with pytest.raises(Conflict):
        services.rate(complaint, actor=resident, score=5)
    services.answer(complaint, actor=officer, text="처리했습니다. 확인 부탁드립니다.")
    with pytest.raises(DasanError) as caught:
        services.rate(complaint, actor=resident, score=6)
    assert caught.value.code == "score_invalid"


@pytest.mark.django_db
def test_withdrawn_and_transferred_complaints_are_final(city, categories, resident, officer, make_resident):
    complaint = _file(categories, resident)
    services.withdraw(complaint, actor=resident)
    assert complaint.status == Status.WITHDRAWN
    with pytest.raises(Conflict):
        services.start(complaint, actor=officer)

    other = make_resident(name="Jane", language="en")
    moved = _file(categories, other, latitude="37.40", longitude="127.10")
    services.transfer(moved, actor=officer, agency="한국도로공사", reason="고속도로 구간은 도로공사 소관입니다")
    assert moved.status == Status.TRANSFERRED and moved.transferred_to == "한국도로공사"
    message = _messages(moved, "complaints.transferred")[0]
    assert "한국도로공사" in message.body and "forwarded" in message.body
    with pytest.raises(Conflict):
        services.answer(moved, actor=officer, text="이미 이송된 민원에 답변합니다.")
    with pytest.raises(DasanError) as caught:
        services.transfer(
            _file(categories, other, latitude="37.30", longitude="127.20"), actor=officer, agency="경찰청", reason=""
        )
    assert caught.value.code == "reason_required"


@pytest.mark.django_db
def test_notes_are_internal(categories, resident, officer):
    complaint = _file(categories, resident)
    services.add_note(complaint, actor=officer, text="민원인이 전화로 추가 설명함")
    staff_view = selectors.timeline(complaint, for_staff=True)
    resident_view = selectors.timeline(complaint, for_staff=False)
    assert any(e.kind == EventKind.NOTE and e.reason == "민원인이 전화로 추가 설명함" for e in staff_view)
    assert all(e.kind != EventKind.NOTE for e in resident_view)


# --- extension (시행령 제21조) ----------------------------------------------------------------------


@pytest.mark.django_db
def test_extension_once_within_the_original_period(categories, resident, officer):
    complaint = _file(categories, resident)
    before = complaint.due_at
    with pytest.raises(DasanError) as caught:
        services.extend(complaint, actor=officer, days=8, reason="현장 조사가 필요합니다")  # period is 7 days
    assert caught.value.code == "days_invalid" and "7일" in str(caught.value.message)
    with pytest.raises(DasanError) as caught:
        services.extend(complaint, actor=officer, days=3, reason="")
    assert caught.value.code == "reason_required"
    services.extend(complaint, actor=officer, days=7, reason="현장 조사가 필요합니다")
    assert complaint.status == Status.EXTENDED and complaint.extended_count == 1
    assert complaint.due_at > before
    event = complaint.events.get(kind=EventKind.EXTENDED)
    assert event.reason == "현장 조사가 필요합니다" and event.data["days"] == 7
    with pytest.raises(Conflict) as caught:
        services.extend(complaint, actor=officer, days=2, reason="추가 조사가 필요합니다")
    assert caught.value.code == "already_extended" and "동의" in str(caught.value.message)
    # A second time only with the resident's consent, and never a third.
    services.extend(complaint, actor=officer, days=2, reason="민원인 동의로 재연장", resident_consented=True)
    with pytest.raises(Conflict):
        services.extend(complaint, actor=officer, days=1, reason="세 번째 연장 시도", resident_consented=True)


@pytest.mark.django_db
def test_no_extension_after_the_period_ran_out(categories, resident, officer):
    complaint = _file(categories, resident, received_at=timezone.now() - dt.timedelta(days=40))
    with pytest.raises(Conflict) as caught:
        services.extend(complaint, actor=officer, days=3, reason="늦었지만 연장합니다")
    assert caught.value.code == "extension_too_late"


# --- reassignment ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reassignment_records_both_departments(categories, resident, officer, departments):
    complaint = _file(categories, resident)
    services.start(complaint, actor=officer)
    services.assign(complaint, department=departments["roads"], actor=officer, reason="도로 파손 건입니다")
    assert complaint.department == departments["roads"] and complaint.status == Status.ASSIGNED
    assert complaint.routing == Routing.STAFF and complaint.assignee is None
    event = complaint.events.get(kind=EventKind.REASSIGNED)
    assert event.from_department == departments["waste"] and event.to_department == departments["roads"]
    assert event.actor == officer and event.reason == "도로 파손 건입니다"
    # The waste officer no longer holds it.
    with pytest.raises(NotFound):
        selectors.get_complaint(officer, complaint.number)


@pytest.mark.django_db
def test_assignee_must_work_in_the_department(categories, resident, officer, roads_officer, departments):
    complaint = _file(categories, resident)
    with pytest.raises(DasanError) as caught:
        services.assign(complaint, department=departments["waste"], actor=officer, assignee=roads_officer)
    assert caught.value.code == "assignee_invalid"


@pytest.mark.django_db
def test_bulk_reassign_moves_only_what_the_actor_holds(categories, resident, officer, departments, make_resident):
    mine = [_file(categories, resident, latitude=f"37.{i}0", longitude="127.00") for i in range(1, 4)]
    roads_case = _file(categories, make_resident(), category=categories["pothole"], latitude="36.00", longitude="128.0")
    moved = services.bulk_reassign(
        [c.number for c in mine] + [roads_case.number, "2099-999999"],
        department=departments["roads"],
        actor=officer,
        reason="도로과 소관",
    )
    assert moved == 3
    assert set(Complaint.objects.filter(department=departments["roads"]).values_list("number", flat=True)) == {
        c.number for c in mine
    } | {roads_case.number}
    assert ComplaintEvent.objects.filter(kind=EventKind.REASSIGNED).count() == 3
    with pytest.raises(DasanError) as caught:
        services.bulk_reassign([mine[0].number], department=departments["waste"], actor=officer, reason="")
    assert caught.value.code == "reason_required"


# --- duplicates ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_nearby_open_complaint_of_the_same_category_is_linked(city, categories, resident, make_resident):
    first = _file(categories, resident)
    neighbour = make_resident(name="이웃")
    # About 20 m north of the first.
    second = _file(categories, neighbour, latitude="37.566680", longitude="126.978000")
    assert second.duplicate_of == first
    linked = second.events.get(kind=EventKind.LINKED, internal=False)
    assert linked.data["original"] == first.number and linked.data["distance_m"] < 25
    message = Message.objects.get(template_key="complaints.linked", recipient=neighbour)
    assert first.number in message.body and second.number in message.body
    # A third report links to the first, not to the second.
    third = _file(categories, make_resident(), latitude="37.566600", longitude="126.978100")
    assert third.duplicate_of == first
    assert first.events.filter(kind=EventKind.LINKED, internal=True).count() == 2


@pytest.mark.django_db
def test_far_away_other_category_or_finished_complaints_are_not_linked(categories, resident, officer, settings):
    first = _file(categories, resident)
    far = _file(categories, resident, latitude="37.568500", longitude="126.978000")  # ~220 m
    assert far.duplicate_of is None
    pothole = _file(categories, resident, category=categories["pothole"])
    assert pothole.duplicate_of is None
    services.answer(first, actor=officer, text="수거를 마쳤습니다. 감사합니다.")
    services.answer(far, actor=officer, text="수거를 마쳤습니다. 감사합니다.")
    again = _file(categories, resident)
    assert again.duplicate_of is None
    settings.DASAN = {**settings.DASAN, "COMPLAINT_DUPLICATE_DAYS": 30}
    old = _file(
        categories,
        resident,
        latitude="35.000000",
        longitude="129.000000",
        received_at=timezone.now() - dt.timedelta(days=45),
    )
    recent = _file(categories, resident, latitude="35.000000", longitude="129.000000")
    assert old.duplicate_of is None and recent.duplicate_of is None


# --- reading helpers ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_public_categories_are_the_active_ones(categories):
    categories["question"].is_active = False
    categories["question"].save()
    codes = set(selectors.public_categories().values_list("code", flat=True))
    assert codes == {"illegal-dumping", "pothole", "illegal-parking"}
    assert set(selectors.public_categories(anonymous_only=True).values_list("code", flat=True)) == {"illegal-dumping"}


@pytest.mark.django_db
def test_photo_for_only_the_owner_and_staff_in_scope(categories, resident, officer, roads_officer, make_resident):
    from .test_photos import jpeg_bytes, upload

    complaint = _file(categories, resident, photos=[upload(jpeg_bytes())])
    photo = complaint.photos.get()
    assert selectors.photo_for(resident, photo.pk) == photo
    assert selectors.photo_for(officer, photo.pk) == photo
    assert AuditEvent.objects.filter(action="personal_record.read", actor=officer).exists()
    for outsider in (make_resident(), roads_officer):
        with pytest.raises(NotFound):
            selectors.photo_for(outsider, photo.pk)


@pytest.mark.django_db
def test_auto_close_closes_answers_left_alone(categories, resident, officer):
    from dasan.complaints.tasks import close_answered

    complaint = _file(categories, resident)
    services.answer(complaint, actor=officer, text="처리했습니다. 확인 부탁드립니다.")
    assert close_answered(days=14) == 0
    assert close_answered(now=timezone.now() + dt.timedelta(days=15), days=14) == 1
    complaint.refresh_from_db()
    assert complaint.status == Status.CLOSED
    assert close_answered(now=timezone.now() + dt.timedelta(days=15), days=14) == 0


# --- concurrency (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_filings_get_distinct_consecutive_numbers(is_postgres, categories, make_resident):
    if not is_postgres:
        pytest.skip("needs PostgreSQL (DATABASE_URL): SQLite serialises writers, no real concurrency")
    residents = [make_resident() for _ in range(12)]
    barrier = threading.Barrier(len(residents))
    numbers, errors = [], []
    lock = threading.Lock()

    def file(who, index):
        try:
            barrier.wait(10)
            complaint = intake.file_complaint(
                title="동시 접수 시험",
                description="여러 사람이 같은 순간에 접수합니다.",
                channel="web",
                category=categories["question"],
                resident=who,
            )
            with lock:
                numbers.append(complaint.number)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            with lock:
                errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(who, i)) for i, who in enumerate(residents)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(numbers) == len(set(numbers)) == len(residents)
    serials = sorted(int(n[-6:]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + len(residents)))


# --- the demo city --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_loads_categories_and_samples_once(settings):
    from dasan.accounts.demo import load_demo as load_people
    from dasan.complaints.demo import load_demo
    from dasan.complaints.models import AnswerTemplate, Category, ParkingReport
    from dasan.core.demo import load_demo as load_city

    settings.DASAN = {**settings.DASAN, "COMPLAINT_AUTO_ASSIGN": 1.01}  # the unsorted sample waits in triage
    load_city()
    load_people()
    first = load_demo()
    assert first["categories"] >= 12 and first["complaints_added"] >= 10
    statuses = set(Complaint.objects.values_list("status", flat=True))
    assert {
        Status.RECEIVED,
        Status.IN_PROGRESS,
        Status.EXTENDED,
        Status.ANSWERED,
        Status.CLOSED,
        Status.TRANSFERRED,
    } <= statuses
    assert Complaint.objects.filter(duplicate_of__isnull=False).exists()
    assert Complaint.objects.filter(department__isnull=True, routing=Routing.TRIAGE).exists()
    report = ParkingReport.objects.get()
    assert parking.verify_parking_report(report)
    assert Category.objects.get(code="illegal-dumping").department.name == "청소행정과"
    counts = (Category.objects.count(), AnswerTemplate.objects.count(), Complaint.objects.count())
    again = load_demo()
    assert again["complaints_added"] == 0
    assert (Category.objects.count(), AnswerTemplate.objects.count(), Complaint.objects.count()) == counts
