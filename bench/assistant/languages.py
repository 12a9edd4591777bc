"""The same questions in Korean, English, Chinese and Vietnamese over the demo articles.

Indexes the nine demo articles (``src/dasan/knowledge/demo/articles``, Korean only) with
the bundled multilingual e5 model and asks each question of ``QUESTIONS`` in four
languages, plus off-topic chatter in each. The decision is the assistant's: the index's
calibrated confidence, and for a question not written in Korean the dense-only rule
(``assistant.services.CROSS_LINGUAL_DENSE_MIN`` / ``_MARGIN_MIN``) — no translation
engine, as in a default installation. Prints per language: answered, answered from the
right article (hit@1), answered wrongly, declined, and off-topic declined; then every
question with what came back.

    python bench/assistant/languages.py

The questions were written by hand for this bench (not translated by a machine), 12 per
language: a small set, so read the numbers as a sketch, not a measurement at scale.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dasan.settings")
django.setup()

from dasan.assistant.answers import CROSS_LINGUAL_DENSE_MIN, CROSS_LINGUAL_MARGIN_MIN  # noqa: E402
from dasan.core.langdetect import detect  # noqa: E402
from dasan.knowledge.chunking import Chunk, chunk_markdown  # noqa: E402
from dasan.knowledge.embedding import default_embedder  # noqa: E402
from dasan.knowledge.index import HybridIndex  # noqa: E402

ARTICLES = ROOT / "src" / "dasan" / "knowledge" / "demo" / "articles"

#: (article, {language: question})
QUESTIONS = [
    (
        "bulky-waste",
        {
            "ko": "소파 버리는 수수료는 얼마예요?",
            "en": "How much does it cost to throw away a sofa?",
            "zh-hans": "扔掉沙发要多少钱？",
            "vi": "Vứt bỏ ghế sofa tốn bao nhiêu tiền?",
        },
    ),
    (
        "bulky-waste",
        {
            "ko": "냉장고는 무료로 버릴 수 있나요?",
            "en": "Can I get rid of an old fridge for free?",
            "zh-hans": "旧冰箱可以免费丢弃吗？",
            "vi": "Tôi có thể bỏ tủ lạnh cũ miễn phí không?",
        },
    ),
    (
        "certificates",
        {
            "ko": "주민등록등본은 어디서 뗄 수 있어요?",
            "en": "Where can I get a copy of my resident registration?",
            "zh-hans": "在哪里可以开住民登记誊本？",
            "vi": "Tôi có thể lấy bản sao đăng ký cư trú ở đâu?",
        },
    ),
    (
        "certificates",
        {
            "ko": "무인민원발급기는 어떻게 쓰나요?",
            "en": "How do I use the self-service certificate kiosk?",
            "zh-hans": "无人证明发放机怎么用？",
            "vi": "Cách sử dụng máy cấp giấy tờ tự động như thế nào?",
        },
    ),
    (
        "facility-reservations",
        {
            "ko": "체육관 예약 취소하면 환불되나요?",
            "en": "Do I get a refund if I cancel a sports hall booking?",
            "zh-hans": "取消体育馆预约可以退款吗？",
            "vi": "Hủy đặt nhà thi đấu có được hoàn tiền không?",
        },
    ),
    (
        "lease",
        {
            "ko": "전입신고와 확정일자는 왜 해야 하나요?",
            "en": "Why should a tenant register the move-in and get a fixed date stamp?",
            "zh-hans": "租房为什么要做迁入申报和确定日期？",
            "vi": "Tại sao người thuê nhà phải khai báo chuyển đến và lấy ngày xác định?",
        },
    ),
    (
        "local-taxes",
        {
            "ko": "자동차세 연납 할인은 언제 신청해요?",
            "en": "When can I pay the car tax for the whole year at a discount?",
            "zh-hans": "汽车税年缴优惠什么时候申请？",
            "vi": "Khi nào tôi có thể nộp thuế ô tô cả năm để được giảm?",
        },
    ),
    (
        "noise",
        {
            "ko": "윗집 층간소음이 심하면 어디에 상담하나요?",
            "en": "Where can I get help with noise from the flat upstairs?",
            "zh-hans": "楼上噪音太大可以去哪里咨询？",
            "vi": "Tiếng ồn từ nhà tầng trên quá lớn thì tôi hỏi ở đâu?",
        },
    ),
    (
        "parking",
        {
            "ko": "불법 주정차는 어떻게 신고하나요?",
            "en": "How do I report an illegally parked car?",
            "zh-hans": "怎么举报违章停车？",
            "vi": "Làm sao để báo cáo xe đỗ trái phép?",
        },
    ),
    (
        "parking",
        {
            "ko": "거주자 우선주차는 어떻게 신청하나요?",
            "en": "How do I apply for a resident parking space?",
            "zh-hans": "居民优先停车位怎么申请？",
            "vi": "Đăng ký chỗ đỗ xe ưu tiên cho cư dân như thế nào?",
        },
    ),
    (
        "recycling",
        {
            "ko": "투명 페트병은 어떻게 분리배출해요?",
            "en": "How should I put out clear plastic bottles for recycling?",
            "zh-hans": "透明塑料瓶怎么分类投放？",
            "vi": "Chai nhựa trong suốt phải phân loại như thế nào?",
        },
    ),
    (
        "welfare",
        {
            "ko": "기초연금은 누가 받을 수 있나요?",
            "en": "Who can receive the basic pension?",
            "zh-hans": "谁可以领取基础养老金？",
            "vi": "Ai có thể nhận lương hưu cơ bản?",
        },
    ),
]

OFF_TOPIC = {
    "ko": ["오늘 저녁 뭐 먹을까?", "달에 가는 로켓은 언제 발사돼요?"],
    "en": ["What should I cook for dinner tonight?", "When does the next rocket launch to the moon?"],
    "zh-hans": ["今晚吃什么好呢？", "下一次登月火箭什么时候发射？"],
    "vi": ["Tối nay tôi nên nấu món gì?", "Khi nào tên lửa tiếp theo phóng lên mặt trăng?"],
}
LANGUAGES = ["ko", "en", "zh-hans", "vi"]


def decide(index, question: str):
    result = index.search(question, k=1, group_by="topic")
    if not result.hits:
        return False, None, result
    answered = result.confidence >= result.threshold
    if not answered and (detect(question) or "ko") != "ko":
        f = result.features
        if f.get("dense_top", 0) >= CROSS_LINGUAL_DENSE_MIN and f.get("dense_margin", 0) >= CROSS_LINGUAL_MARGIN_MIN:
            answered = True
    return answered, result.hits[0], result


def main() -> None:
    started = time.monotonic()
    embedder = default_embedder()
    if True:
        index = HybridIndex(embedder=embedder)
        chunks = []
        for n, path in enumerate(sorted(ARTICLES.glob("*.md")), start=1):
            for c in chunk_markdown(str(n), path.read_text(encoding="utf-8"), metadata={"slug": path.stem}):
                topic = c.title_path[1] if len(c.title_path) > 1 else path.stem
                chunks.append(
                    Chunk(c.id, c.source_id, c.title_path, c.text, {**c.metadata, "topic": topic}, c.position)
                )
        index.update(chunks)
        print(
            f"indexed {len(chunks)} passages of {len(list(ARTICLES.glob('*.md')))} articles "
            f"in {time.monotonic() - started:.1f} s\n"
        )
        rows, table = [], []
        for language in LANGUAGES:
            answered = right = wrong = 0
            for slug, asked in QUESTIONS:
                ok, hit, result = decide(index, asked[language])
                got = hit.chunk.metadata.get("slug") if hit else None
                answered += ok
                right += ok and got == slug
                wrong += ok and got != slug
                rows.append(
                    (
                        language,
                        asked[language],
                        slug,
                        got,
                        ok,
                        result.confidence,
                        result.features.get("dense_top", 0),
                        result.features.get("dense_margin", 0),
                    )
                )
            declined_off = 0
            for q in OFF_TOPIC[language]:
                ok, hit, result = decide(index, q)
                declined_off += not ok
                rows.append(
                    (
                        language,
                        q,
                        "(off-topic)",
                        hit.chunk.metadata.get("slug") if hit else None,
                        ok,
                        result.confidence,
                        result.features.get("dense_top", 0),
                        result.features.get("dense_margin", 0),
                    )
                )
            table.append(
                (
                    language,
                    len(QUESTIONS),
                    answered,
                    right,
                    wrong,
                    len(QUESTIONS) - answered,
                    f"{declined_off}/{len(OFF_TOPIC[language])}",
                )
            )
        print("| language | questions | answered | right article | wrong article | declined | off-topic declined |")
        print("|---|---|---|---|---|---|---|")
        for row in table:
            print("| " + " | ".join(str(v) for v in row) + " |")
        print("\n| language | question | expected | top passage from | answered | confidence | dense_top | margin |")
        print("|---|---|---|---|---|---|---|---|")
        for language, question, slug, got, ok, confidence, dense, margin in rows:
            print(
                f"| {language} | {question} | {slug} | {got} | {'yes' if ok else 'no'} | {confidence:.3f} "
                f"| {dense:.3f} | {margin:.3f} |"
            )


if __name__ == "__main__":
    main()
