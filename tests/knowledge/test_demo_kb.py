"""The demo city's articles answer the questions residents ask about them."""

from __future__ import annotations

import pytest

from dasan.knowledge import indexing, selectors
from dasan.knowledge.demo import ARTICLES, HERE
from dasan.knowledge.models import Kind, Source, Status

from .conftest import CountingEmbedder

pytestmark = pytest.mark.django_db

QUESTIONS = [
    ("소파 버리려면 어떻게 해야 하나요?", "bulky-waste"),
    ("대형폐기물 스티커를 잃어버렸어요", "bulky-waste"),
    ("냉장고 무료로 버리는 방법", "bulky-waste"),
    ("투명 페트병은 어떻게 버리나요?", "recycling"),
    ("달걀 껍데기는 음식물 쓰레기인가요?", "recycling"),
    ("테니스장 예약 취소하면 환불되나요?", "facility-reservations"),
    ("무인민원발급기에서 등본 수수료는 얼마인가요?", "certificates"),
    ("소화전 앞 불법 주차 신고하고 싶어요", "parking"),
    ("윗집 발소리 때문에 잠을 못 자요", "noise"),
    ("전세 보증금을 지키려면 확정일자를 받아야 하나요?", "lease"),
    ("임대차 신고는 언제까지 해야 하나요?", "lease"),
    ("자동차세 연납 할인", "local-taxes"),
    ("재산세는 언제 내나요?", "local-taxes"),
    ("기초연금 신청 방법", "welfare"),
    ("갑자기 실직해서 생계가 어려워요", "welfare"),
]


@pytest.fixture(scope="module")
def demo_index(django_db_setup, django_db_blocker, tmp_path_factory, e5):
    path = tmp_path_factory.mktemp("demo-index") / "kb"
    indexing.manager.configure(path, CountingEmbedder(e5))
    with django_db_blocker.unblock():
        ids = {}
        for filename, slug, _dept in ARTICLES:
            body = (HERE / "articles" / filename).read_text(encoding="utf-8")
            title = body.splitlines()[0].lstrip("# ").strip()
            s = Source.objects.create(title=title, slug=slug, kind=Kind.ARTICLE, body=body, status=Status.PUBLISHED)
            indexing.ingest(s)
            ids[slug] = s.pk
        yield ids
        Source.objects.filter(pk__in=ids.values()).delete()
    indexing.manager.configure(None, None)


def test_demo_articles_have_headings_and_length():
    for filename, _slug, _dept in ARTICLES:
        text = (HERE / "articles" / filename).read_text(encoding="utf-8")
        assert text.startswith("# ") and text.count("\n## ") >= 3
        assert 200 <= len(text.split()) <= 900


@pytest.mark.parametrize("question,slug", QUESTIONS)
def test_demo_question_finds_its_article(demo_index, question, slug):
    result = selectors.search(question, k=3)
    assert demo_index[slug] in [h.source_id for h in result.hits], [h.title_path for h in result.hits]


def test_demo_top1_accuracy_and_confidence(demo_index):
    top1 = sum(selectors.search(q, k=1).hits[0].source_id == demo_index[slug] for q, slug in QUESTIONS)
    assert top1 >= len(QUESTIONS) - 2
    off = selectors.search("오늘 점심 메뉴 추천해 줘", k=3)
    on = selectors.search("대형폐기물 수수료는 얼마인가요?", k=3)
    assert on.confidence > off.confidence
