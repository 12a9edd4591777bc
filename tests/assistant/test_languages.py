"""Foreign residents: a question in English, Chinese or Vietnamese finds the Korean
article (multilingual retrieval), is answered from the city's own translation when there
is one, and otherwise with the Korean passage, a plain note and — only when the city
runs a translation engine — a machine translation marked as such. The language is taken
from what the resident wrote."""

from __future__ import annotations

import pytest

from dasan.assistant import services
from dasan.knowledge import indexing as knowledge
from dasan.knowledge.models import Kind, Source, Status

from ..translation.stub import libretranslate, no_translation_engine  # noqa: F401 - fixtures

BULKY_WASTE_EN = """# Bulky waste

Large household waste that does not fit in a volume-rate bag, such as furniture and appliances, must be reported and carry a sticker.

## Fees

A one-seat sofa costs 5,000 won and a sofa for three or more 15,000 won. A single bed is 10,000 won, a double bed 15,000 won, and a wardrobe 8,000 won per section.

### How to pay

Report online and pay by credit card or bank transfer. At a community centre you pay in cash and take the sticker with you.

## Putting it out

Put it out with the sticker in front of your home or at the agreed place by 6 a.m. on the day you reported. It is collected within three days.
"""

QUESTIONS = {
    "en": "How much is the fee for throwing away a sofa?",
    "zh-hans": "扔沙发的费用是多少？",
    "vi": "Vứt ghế sofa thì phí bao nhiêu?",
}


@pytest.fixture(autouse=True)
def _default_installation(no_translation_engine):
    """Each test starts without an engine; the ones that need one ask for ``libretranslate``."""


@pytest.fixture
def english_version(kb):
    source = Source.objects.create(
        title="Bulky waste",
        slug="bulky-waste-en",
        kind=Kind.ARTICLE,
        body=BULKY_WASTE_EN,
        language="en",
        translation_of=kb.sources["bulky-waste"],
        department=kb.sources["bulky-waste"].department,
        status=Status.PUBLISHED,
    )
    assert knowledge.ingest(source).indexed
    return source


@pytest.mark.parametrize("language", sorted(QUESTIONS))
def test_a_question_in_another_language_finds_the_korean_article_and_says_it_is_korean(kb, language):
    answer = services.ask(QUESTIONS[language], channel="web", language="ko")
    assert answer.kind == "answer" and answer.language == language
    assert answer.citations[0]["source_id"] == kb.sources["bulky-waste"].pk
    assert "5,000원" in answer.text or "15,000원" in answer.text  # the Korean passage, as written
    note = {"en": "only available in Korean", "zh-hans": "目前只有韩语版本", "vi": "chỉ có bằng tiếng Hàn"}[language]
    assert note in answer.text
    assert (
        answer.passage_language == "ko" and not answer.machine_translated and answer.mode == "extractive:cross_lingual"
    )


def test_the_citys_own_translation_answers_in_the_residents_language(kb, english_version):
    answer = services.ask(QUESTIONS["en"], channel="web", language="ko")
    assert answer.passage_language == "en" and "5,000 won" in answer.text
    assert "only available in Korean" not in answer.text
    assert answer.citations[0]["source_id"] == english_version.pk and answer.citations[0]["url"].startswith("/kb/")
    # Korean residents still get the Korean article; a Vietnamese one (no vi version) the Korean note.
    korean = services.ask("소파 버리는 수수료 얼마예요?", channel="web", language="ko")
    assert korean.citations[0]["source_id"] == kb.sources["bulky-waste"].pk and "5,000원" in korean.text
    vietnamese = services.ask(QUESTIONS["vi"], channel="web", language="en")
    assert vietnamese.language == "vi" and "chỉ có bằng tiếng Hàn" in vietnamese.text
    # An English translation shares words with English questions ("report", "fee"); it must
    # not win on them: the answer is decided on the originals, then shown translated.
    parking = services.ask("Where do I report an illegally parked car?", channel="web", language="en")
    assert all(c["source_id"] != english_version.pk for c in parking.citations)
    assert "Bulky waste" not in services.ask("주차 요금", channel="web", language="ko").quick_replies


def test_the_language_written_wins_over_the_page_but_korean_keeps_the_choice(kb):
    assert services.ask("Xin chào", channel="kakao", language="ko").language == "vi"
    assert services.ask("대형폐기물 수수료", channel="web", language="en").language == "en"
    unknown = services.ask("Wann startet die nächste Rakete zum Mond?", channel="web", language="ko")
    assert unknown.language == "en" and unknown.kind == "unknown"


def test_with_a_translation_engine_the_korean_answer_comes_with_a_marked_machine_translation(kb, libretranslate):
    libretranslate.answers = {
        "ko": "소파를 버리는 수수료는 얼마인가요?",  # the resident's question, searched in Korean
        "en": "A sofa for one costs 5,000 won; for three or more, 15,000 won. [1]",
    }
    answer = services.ask(QUESTIONS["en"], channel="web", language="ko")
    assert answer.machine_translated and answer.mode == "extractive:query_translated:translated"
    question, passage = libretranslate.received
    assert (question["source"], question["target"], question["q"]) == ("en", "ko", QUESTIONS["en"])
    assert "[Machine translation] A sofa for one costs 5,000 won" in answer.text
    assert "[Korean original]" in answer.text and "5,000원" in answer.text  # the source stays beside it
    assert passage["source"] == "ko" and passage["target"] == "en" and "5,000원" in passage["q"]
