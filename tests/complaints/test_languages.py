"""Complaints in other languages: stored as written and answered in that language; staff
read them with a Korean translation (the city's engine, or their own), flagged "번역 필요"
when there is none, and the department's Korean answer goes back translated the same way."""

from __future__ import annotations

import pytest
from django.test import Client

from dasan.complaints import intake, services
from dasan.complaints.models import TranslationState
from dasan.notify.models import Message

from ..translation.stub import libretranslate, no_translation_engine  # noqa: F401 - fixtures

HERE = ("37.566500", "126.978000")
VIETNAMESE = (
    "Rác bị vứt bừa bãi trong hẻm",
    "Có rất nhiều túi rác bị vứt trong hẻm cạnh cửa hàng tiện lợi suốt mấy ngày nay.",
)


@pytest.fixture(autouse=True)
def _default_installation(no_translation_engine):
    """Each test starts without an engine; the ones that need one ask for ``libretranslate``."""


@pytest.fixture
def officer(make_staff, departments):
    return make_staff("waste-officer", department=departments["waste"])


def test_without_an_engine_staff_see_needs_translation_and_write_their_own(categories, resident, officer):
    me = Client()
    me.force_login(resident)
    response = me.post(
        "/complaints/new/",
        {
            "title": VIETNAMESE[0],
            "description": VIETNAMESE[1],
            "category": categories["waste"].code,
            "latitude": HERE[0],
            "longitude": HERE[1],
            "contact_preference": "sms",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    complaint = resident.complaints.get()
    assert (complaint.title, complaint.description) == VIETNAMESE  # stored as written
    assert complaint.language == "vi" and complaint.translation == TranslationState.NEEDED
    received = Message.objects.get(template_key="complaints.received", recipient=resident)
    assert complaint.number in received.body and "tiếp nhận" in received.body.lower()  # told in Vietnamese

    desk = Client()
    desk.force_login(officer)
    page = desk.get(f"/staff/complaints/{complaint.number}/").content.decode()
    assert "번역 필요" in page and VIETNAMESE[1] in page and 'name="description_ko"' in page
    desk.post(
        f"/staff/complaints/{complaint.number}/translate/",
        {"title_ko": "골목 쓰레기 무단투기", "description_ko": "편의점 옆 골목에 며칠째 쓰레기봉투가 버려져 있습니다."},
    )
    complaint.refresh_from_db()
    assert complaint.translation == TranslationState.STAFF and complaint.description_ko.startswith("편의점")
    assert "한국어 번역 (직원 번역)" in desk.get(f"/staff/complaints/{complaint.number}/").content.decode()

    services.start(complaint, actor=officer)
    desk.post(f"/staff/complaints/{complaint.number}/answer/", {"answer": "오늘 오전에 수거를 마쳤습니다. 감사합니다."})
    complaint.refresh_from_db()
    assert complaint.answer_translation == TranslationState.NEEDED and not complaint.answer_translated
    mine = me.get(f"/complaints/{complaint.number}/").content.decode()
    assert "답변이 아직 한국어로만 있습니다" in mine and "수거를 마쳤습니다" in mine
    desk.post(
        f"/staff/complaints/{complaint.number}/translate/",
        {"answer_translated": "Chúng tôi đã thu gom rác sáng nay. Cảm ơn bạn."},
    )
    complaint.refresh_from_db()
    assert complaint.answer_translation == TranslationState.STAFF
    mine = me.get(f"/complaints/{complaint.number}/").content.decode()
    assert "Chúng tôi đã thu gom rác sáng nay" in mine and "답변이 아직 한국어로만" not in mine
    api = me.get(f"/api/v1/complaints/{complaint.number}").json()
    assert api["answer_translated"].startswith("Chúng tôi") and api["answer_translation"] == "staff"


def test_korean_complaints_need_nothing_and_empty_translations_are_refused(categories, resident, officer):
    complaint = intake.file_complaint(
        title="골목에 쓰레기 무단투기",
        description="편의점 옆 골목에 쓰레기봉투가 쌓여 있습니다.",
        channel="web",
        category=categories["waste"],
        resident=resident,
        latitude=HERE[0],
        longitude=HERE[1],
        language="en",
    )
    assert complaint.translation == TranslationState.NOT_NEEDED and complaint.language == "en"
    with pytest.raises(Exception) as error:
        services.translate(complaint, actor=officer, description_ko="  ")
    assert getattr(error.value, "code", "") == "translation_empty"


def test_with_an_engine_both_ways_are_machine_translated_and_marked(categories, resident, officer, libretranslate):
    libretranslate.answers = {
        "ko": "골목에 쓰레기가 버려져 있습니다 (번역)",
        "en": "We collected it this morning. Thank you.",
    }
    complaint = intake.file_complaint(
        title="Trash dumped in the alley",
        channel="web",
        category=categories["waste"],
        resident=resident,
        description="Bags of trash have been dumped next to the convenience store for days. Call me at 010-2345-6789.",
        latitude=HERE[0],
        longitude=HERE[1],
    )
    assert complaint.language == "en" and complaint.translation == TranslationState.MACHINE
    assert complaint.description_ko == "골목에 쓰레기가 버려져 있습니다 (번역)"
    assert "010-2345-6789" in complaint.description  # kept as written for staff...
    assert all("2345-6789" not in r["q"] for r in libretranslate.received)  # ...but never sent to the engine
    desk = Client()
    desk.force_login(officer)
    assert "기계 번역 — 원문과 함께 확인하세요" in desk.get(f"/staff/complaints/{complaint.number}/").content.decode()

    services.start(complaint, actor=officer)
    services.answer(complaint, actor=officer, text="오늘 오전에 수거했습니다. 감사합니다.")
    complaint.refresh_from_db()
    assert complaint.answer_translation == TranslationState.MACHINE
    assert complaint.answer_translated == "We collected it this morning. Thank you."
    me = Client()
    me.force_login(resident)
    mine = me.get(f"/complaints/{complaint.number}/").content.decode()
    assert "We collected it this morning" in mine and "기계 번역입니다" in mine and "오늘 오전에 수거했습니다" in mine


def test_the_queue_finds_what_needs_translation(categories, resident, officer):
    foreign = intake.file_complaint(
        title=VIETNAMESE[0],
        description=VIETNAMESE[1],
        channel="web",
        category=categories["waste"],
        resident=resident,
        latitude=HERE[0],
        longitude=HERE[1],
    )
    korean = intake.file_complaint(
        title="골목에 쓰레기 무단투기",
        description="편의점 옆 골목에 쓰레기봉투가 쌓여 있습니다.",
        channel="web",
        category=categories["waste"],
        resident=resident,
        latitude=HERE[0],
        longitude="126.990000",
    )
    desk = Client()
    desk.force_login(officer)
    page = desk.get("/staff/complaints/", {"untranslated": "on"}).content.decode()
    assert foreign.number in page and korean.number not in page and "번역 필요" in page
    services.translate(foreign, actor=officer, description_ko="편의점 옆 골목에 쓰레기봉투가 버려져 있습니다.")
    assert foreign.number not in desk.get("/staff/complaints/", {"untranslated": "on"}).content.decode()
    assert korean.number in desk.get("/staff/complaints/").content.decode()
