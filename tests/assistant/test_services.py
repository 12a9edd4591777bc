from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.utils import timezone

from dasan.assistant import answers, selectors, services, smalltalk
from dasan.assistant.models import Conversation, Turn
from dasan.core.errors import DasanError, PermissionDenied
from dasan.knowledge.models import SourceChunk

pytestmark = pytest.mark.django_db

OFFTOPIC = Path("/work/shared/data/chitchat/dev_offtopic.csv")


def test_empty_and_too_long_questions_are_refused(db):
    with pytest.raises(DasanError) as empty:
        services.ask("   ", channel="web")
    assert empty.value.code == "question_empty"
    assert "질문" in str(empty.value.message)
    with pytest.raises(DasanError) as long:
        services.ask("가" * 501, channel="web")
    assert long.value.code == "question_too_long"
    assert Turn.objects.count() == 0


@pytest.mark.parametrize(
    "text,intent,lang",
    [
        ("안녕하세요", "greeting", "ko"),
        ("안녕하세요!", "greeting", "ko"),
        ("감사합니다", "thanks", "ko"),
        ("고마워요 ㅎㅎ", "thanks", "ko"),
        ("안녕히 계세요", "goodbye", "ko"),
        ("너는 누구야?", "identity", "ko"),
        ("Hello", "greeting", "en"),
        ("thank you!", "thanks", "en"),
        ("bye", "goodbye", "en"),
        ("who are you?", "identity", "en"),
        ("你好", "greeting", "zh-hans"),
        ("谢谢", "thanks", "zh-hans"),
        ("再见", "goodbye", "zh-hans"),
        ("你是谁", "identity", "zh-hans"),
        ("Xin chào", "greeting", "vi"),
        ("cảm ơn", "thanks", "vi"),
        ("tạm biệt", "goodbye", "vi"),
        ("bạn là ai?", "identity", "vi"),
        ("상담원 연결해 주세요", "handoff", "ko"),
    ],
)
def test_small_talk_is_recognised(text, intent, lang):
    match = smalltalk.classify(text)
    assert match is not None and (match.intent, match.language) == (intent, lang)


@pytest.mark.parametrize(
    "text", ["안녕하세요 대형폐기물 버리는 방법 알려주세요", "소파 버리는 법", "감사 결과 공개 청구"]
)
def test_questions_are_not_small_talk(text):
    assert smalltalk.classify(text) is None


def test_small_talk_gets_polite_reply_without_retrieval(no_index):
    # No index has been built, yet small talk is answered: it needs no retrieval.
    answer = services.ask("안녕하세요", channel="web", language="ko")
    assert answer.kind == "smalltalk" and answer.mode == "rule"
    assert "도우미" in answer.text and not answer.citations
    english = services.ask("thank you", channel="web", language="ko")
    assert english.kind == "smalltalk" and "glad" in english.text.lower()
    chinese = services.ask("你好", channel="web")
    assert "您好" in chinese.text or "你好" in chinese.text
    vietnamese = services.ask("cảm ơn", channel="web")
    assert "vui" in vietnamese.text.lower()


def test_answer_is_extractive_and_cited(kb, city):
    answer = services.ask("대형폐기물 어떻게 버려요?", channel="web", language="ko")
    assert answer.kind == "answer"
    assert answer.mode == "extractive"
    assert "[1]" in answer.text and "스티커" in answer.text
    source = kb.sources["bulky-waste"]
    first = answer.citations[0]
    assert first == {
        "n": 1,
        "title": "대형폐기물",
        "section": "",
        "url": "/kb/bulky-waste/",
        "updated": timezone.localdate(source.updated_at).isoformat(),
        "source_id": source.pk,
        "chunk_id": first["chunk_id"],
    }
    assert SourceChunk.objects.filter(source=source, chunk_id=first["chunk_id"]).exists()
    assert len(answer.text) <= answers.ANSWER_CHARS + 20
    assert "대형폐기물" not in answer.quick_replies and "층간소음" in answer.quick_replies
    turn = answer.turn
    assert turn.kind == "answer" and turn.citations == answer.citations and turn.topic == "대형폐기물"


def test_fee_question_is_answered_with_the_amounts_and_a_section_link(kb):
    answer = services.ask("대형폐기물 수수료는 얼마예요?", channel="web", language="ko")
    assert answer.kind == "answer", answer.text
    assert "5,000원" in answer.text and "15,000원" in answer.text and "[1]" in answer.text
    first = answer.citations[0]
    assert (first["title"], first["section"]) == ("대형폐기물", "수수료")
    assert first["url"] == "/kb/bulky-waste/#수수료" and first["updated"]


def test_second_passage_cites_its_section(kb):
    answer = services.ask("대형폐기물 버리는 법", channel="web")
    assert [c["n"] for c in answer.citations] == [1, 2]
    assert answer.citations[1]["section"] == "배출 방법"
    assert answer.citations[1]["url"] == "/kb/bulky-waste/#배출-방법"
    assert "[2]" in answer.text and "아침 6시" in answer.text


def test_trim_passage_keeps_whole_sentences():
    text = "첫 문장입니다. " * 60
    trimmed = answers.trim_passage(text, 100)
    assert len(trimmed) <= 100 and trimmed.endswith("다.")
    assert answers.trim_passage("가" * 500, 50).endswith("…")


# The parking article gives the car-park fees and how to report illegal parking, not
# where the enforcement cameras are: the closest passage is the roads department's,
# but it does not answer the question.
UNANSWERED_PARKING = "주차 단속 카메라 위치"


def test_below_threshold_says_it_does_not_know_and_hands_off(kb, city, departments):
    answer = services.ask(UNANSWERED_PARKING, channel="web", language="ko")
    assert answer.kind == "unknown"
    assert "잘 모르겠습니다" in answer.text and not answer.citations
    assert {"불법 주정차 신고", "공영주차장 요금"} <= set(answer.quick_replies)
    assert answer.handoff["department"] == "도로과" and answer.handoff["phone"] == "02-100-1200"
    assert "02-100-1200" in answer.text
    assert answer.turn.topic == "불법 주정차 신고"


def test_unrelated_question_hands_off_to_the_city_main_phone(kb, city):
    answer = services.ask("우주선 발사 일정", channel="web", language="ko")
    assert answer.kind == "unknown"
    assert answer.handoff["phone"] == "02-000-0000"
    assert "02-000-0000" in answer.text
    assert not answer.citations


def test_off_topic_chatter_is_declined_not_answered(kb, city):
    answer = services.ask("결혼식 또 가야돼", channel="web", language="ko")
    assert answer.kind == "unknown" and not answer.citations


def test_index_not_ready(no_index, city):
    answer = services.ask("대형폐기물", channel="web")
    assert answer.kind == "unknown" and answer.mode == "no_index"
    assert "준비되지 않아" in answer.text and "02-000-0000" in answer.text and not answer.citations


def test_follow_up_uses_previous_topic(kb):
    first = services.ask("대형폐기물 어떻게 버려요?", channel="web")
    follow = services.ask("그럼 수수료는요?", conversation=first.conversation, channel="web")
    assert follow.kind == "answer" and "15,000원" in follow.text
    assert any(c["title"] == "대형폐기물" and c["section"].startswith("수수료") for c in follow.citations)
    assert follow.conversation.pk == first.conversation.pk
    other = services.ask("대형폐기물 어떻게 버려요?", channel="web")
    english = services.ask("how much does it cost?", conversation=other.conversation, channel="web")
    assert english.kind == "answer" and "15,000원" in english.text
    assert english.citations[0]["title"] == "대형폐기물"


def test_a_second_follow_up_keeps_the_thread(kb):
    """After the fee answer the conversation is still about bulky waste, not about
    "fees" in general: a further short question stays on it."""
    first = services.ask("대형폐기물 어떻게 버려요?", channel="web")
    fees = services.ask("그럼 수수료는요?", conversation=first.conversation, channel="web")
    assert fees.kind == "answer"
    again = services.ask("how much does it cost?", conversation=first.conversation, channel="web")
    assert again.kind == "answer", again.text
    assert again.citations[0]["title"] == "대형폐기물" and "15,000원" in again.text


@pytest.mark.parametrize(
    "text,expected",
    [
        ("그럼 수수료는요?", True),
        ("how much?", True),
        ("얼마예요?", True),
        ("대형폐기물 수수료는 얼마인가요 그리고 어디서 신청하나요", False),
    ],
)
def test_is_followup(text, expected):
    assert answers.is_followup(text) is expected


def test_follow_up_without_history_is_not_answered_about_something_else(kb):
    # A conversation about bulky waste elsewhere must not lend its subject to a new one.
    services.ask("대형폐기물 어떻게 버려요?", channel="web")
    alone = services.ask("그럼 수수료는요?", channel="web")
    assert alone.kind == "unknown" and not alone.citations
    assert alone.mode == "no_context" and "자세히" in alone.text
    assert services.ask("얼마예요?", channel="web").mode == "no_context"
    # A short question that names its subject stands alone.
    assert services.ask("공영주차장 요금은요?", channel="web").kind == "answer"


MANUAL = "민원 처리 내부 지침"


def test_staff_only_sources_only_for_signed_in_staff(kb, make_staff, resident, departments):
    staff = make_staff("kim", department=departments["waste"])
    for_staff = services.ask("내부 지침 수수료 감면", actor=staff, channel="web")
    assert for_staff.kind == "answer" and for_staff.citations[0]["title"] == MANUAL
    assert "팀장 결재" in for_staff.text
    for_resident = services.ask("내부 지침 수수료 감면", actor=resident, channel="web")
    assert for_resident.kind == "unknown" and "팀장 결재" not in for_resident.text
    assert all(c["title"] != MANUAL for c in for_resident.citations)
    cli = services.ask("내부 지침 수수료 감면", channel="cli", audience="staff")
    assert cli.kind == "answer" and cli.citations[0]["title"] == MANUAL


def test_staff_only_passage_is_never_cited_to_residents(kb, make_staff, departments):
    question = "기초생활수급자 대형폐기물 수수료 감면 승인 절차"
    staff = make_staff("park", department=departments["waste"])
    assert any(c["title"] == MANUAL for c in services.ask(question, actor=staff, channel="web").citations)
    anonymous = services.ask(question, channel="web")
    assert all(c["title"] != MANUAL for c in anonymous.citations) and "팀장 결재" not in anonymous.text


def test_question_is_stored_masked(kb):
    answer = services.ask("제 번호 010-1234-5678 로 대형폐기물 안내 주세요", channel="web")
    assert "1234" not in answer.turn.question and "010-****-5678" in answer.turn.question


def test_someone_elses_conversation_is_refused(kb, resident, make_resident):
    mine = services.ask("대형폐기물", actor=resident, channel="web")
    other = make_resident()
    with pytest.raises(PermissionDenied):
        services.ask("그럼 수수료는요?", conversation=mine.conversation, actor=other, channel="web")


def test_handoff_request(no_index, city):
    # Asking for a person works even before any knowledge has been indexed.
    answer = services.ask("상담원 연결해 주세요", channel="web")
    assert answer.kind == "handoff" and answer.handoff["phone"] == "02-000-0000"
    assert "02-000-0000" in answer.text


def test_kakao_user_id_is_stored_hashed(db):
    conversation = services.conversation_for_external("kakao", "raw-kakao-id-123")
    assert conversation.external_user != "raw-kakao-id-123" and len(conversation.external_user) == 64
    assert services.conversation_for_external("kakao", "raw-kakao-id-123").pk == conversation.pk
    assert not Conversation.objects.filter(external_user__contains="raw").exists()


# --- generative mode ---------------------------------------------------------------------


def test_generative_answer_with_valid_citation(kb, llm_server):
    answer = services.ask("소파 3인용 수수료가 얼마예요? 제 번호는 010-1234-5678", channel="web")
    assert answer.mode == "generative"
    assert answer.text.endswith("[1].")
    assert [c["n"] for c in answer.citations] == [1]
    request = llm_server.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "city-model"
    user_message = request["body"]["messages"][-1]["content"]
    assert "010-****-5678" in user_message and "1234-5678" not in user_message
    assert "[1]" in user_message and "[2]" in user_message and "15,000원" in user_message
    assert answer.citations[0]["url"] == "/kb/bulky-waste/#수수료"
    assert answer.turn.mode == "generative"


@pytest.mark.parametrize(
    "mode,reason",
    [("no_citation", "no_citation"), ("bad_citation", "bad_citation"), ("timeout", "timeout"), ("error", "error")],
)
def test_generative_falls_back_to_extractive(kb, llm_server, mode, reason):
    llm_server.mode = mode
    answer = services.ask("소파 수수료", channel="web")
    assert answer.mode == f"extractive:{reason}"
    assert answer.kind == "answer" and "15,000원" in answer.text and "[1]" in answer.text
    assert answer.turn.mode == f"extractive:{reason}"


def test_generative_unreachable_server_falls_back(kb, settings):
    settings.DASAN = {**settings.DASAN, "LLM_URL": "http://127.0.0.1:9"}
    answer = services.ask("소파 수수료", channel="web")
    assert answer.mode == "extractive:error"


# --- feedback and gaps ---------------------------------------------------------------------


def test_feedback_only_by_owner(kb, resident, make_resident):
    answer = services.ask("대형폐기물", actor=resident, channel="web")
    turn = services.record_feedback(answer.turn, True, actor=resident)
    assert turn.feedback == "helpful"
    with pytest.raises(PermissionDenied):
        services.record_feedback(answer.turn.pk, False, actor=make_resident())
    with pytest.raises(PermissionDenied):
        services.record_feedback(answer.turn.pk, False)


def test_anonymous_feedback_is_bound_to_the_session(kb):
    answer = services.ask("대형폐기물", channel="web")
    with pytest.raises(PermissionDenied):
        services.record_feedback(answer.turn, False, session_conversation_ids=[answer.conversation.pk + 1])
    turn = services.record_feedback(
        answer.turn, False, "전화번호 010-2222-3333 으로 연락 주세요", session_conversation_ids=[answer.conversation.pk]
    )
    assert turn.feedback == "not_helpful" and "2222" not in turn.feedback_comment


def test_knowledge_gaps_group_unknown_and_poorly_rated(kb, city):
    for text in [UNANSWERED_PARKING, "주차 딱지 이의 제기 방법", "외계인 신고"]:
        assert services.ask(text, channel="web").kind == "unknown", text
    rated = services.ask("대형폐기물", channel="web")
    services.record_feedback(rated.turn, False, session_conversation_ids=[rated.conversation.pk])
    services.ask("안녕하세요", channel="web")
    services.ask("주차장 요금", channel="web")  # answered: not a gap
    groups = {g["topic"]: g for g in selectors.knowledge_gaps()}
    assert groups["불법 주정차 신고"]["unanswered"] == 2 and groups["불법 주정차 신고"]["total"] == 2
    assert groups["불법 주정차 신고"]["examples"][0] == "주차 딱지 이의 제기 방법"
    assert groups["대형폐기물"]["not_helpful"] == 1
    assert groups[""]["unanswered"] == 1
    assert "공영주차장 요금" not in groups
    assert list(groups)[0] == "불법 주정차 신고"


def test_ui_strings_follow_the_residents_language(kb, city):
    answer = services.ask(UNANSWERED_PARKING, channel="web", language="en")
    assert answer.text.startswith("I'm not sure.") and "Contact" in answer.text
    assert services.ask("우주선 발사 일정", channel="web", language="vi").text.startswith("Xin lỗi")
    with pytest.raises(DasanError) as error:
        from django.utils import translation

        with translation.override("zh-hans"):
            services.ask("", channel="web")
    assert "请输入问题" in str(error.value.message)


def test_off_topic_is_declined_with_the_city_phone_and_no_topic(kb, city, departments):
    answer = services.ask("결혼식 또 가야돼", channel="web", language="ko")
    assert answer.mode == "off_topic" and answer.kind == "unknown" and answer.turn.topic == ""
    assert "죄송하지만" in answer.text and answer.handoff["phone"] == "02-000-0000"
    assert answer.handoff["department"] == "테스트시" and not answer.citations


@pytest.mark.skipif(not OFFTOPIC.exists(), reason="shared chit-chat data not present")
def test_off_topic_chit_chat_is_declined(kb):
    with OFFTOPIC.open(encoding="utf-8") as f:
        questions = [row["question"] for row in csv.DictReader(f)][:120]
    answered = [q for q in questions if services.ask(q, channel="cli").kind == "answer"]
    assert len(answered) / len(questions) <= 0.10, answered[:20]
