from dasan.knowledge.chunking import MAX_CHARS, Chunk, chunk_faq, chunk_markdown, chunk_text

from .conftest import BULKY_WASTE, WELFARE_FAQ


def test_markdown_chunks_keep_title_paths():
    chunks = chunk_markdown("article:bulky-waste", BULKY_WASTE)
    paths = [c.title_display for c in chunks]
    assert paths == ["대형폐기물", "대형폐기물 > 수수료", "대형폐기물 > 수수료 > 납부 방법", "대형폐기물 > 배출 방법"]
    fee = chunks[2]
    assert fee.title == "납부 방법"
    assert fee.search_text.startswith("대형폐기물 > 수수료 > 납부 방법\n")
    assert [c.position for c in chunks] == [0, 1, 2, 3]


def test_source_title_is_the_root_and_not_repeated():
    chunks = chunk_markdown("a", BULKY_WASTE, title="대형폐기물")
    assert chunks[1].title_path == ("대형폐기물", "수수료")
    chunks = chunk_markdown("a", "## 요금\n\n30분 1,000원", title="공영주차장")
    assert chunks[0].title_path == ("공영주차장", "요금")


def test_long_sections_are_packed_into_bounded_chunks_without_overlap():
    paras = [f"[{i:02d}] 문단입니다. " + "주차 요금은 구간마다 다릅니다. " * 6 for i in range(12)]
    chunks = chunk_markdown("a", "# 주차\n\n" + "\n\n".join(paras))
    assert len(chunks) > 1
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(len(c.text) >= 150 for c in chunks[:-1])
    # every paragraph lands in exactly one chunk
    joined = "\n\n".join(c.text for c in chunks)
    for p in paras:
        assert joined.count(p.strip()) == 1


def test_a_paragraph_longer_than_a_chunk_is_cut_at_sentences():
    text = " ".join(f"소파 {i}개는 스티커를 붙여 내놓습니다." for i in range(80))
    chunks = chunk_text("a", text, title="대형폐기물")
    assert len(chunks) > 2 and all(len(c.text) <= MAX_CHARS for c in chunks)
    assert all(c.text.endswith("내놓습니다.") for c in chunks)
    assert all(c.title_path == ("대형폐기물",) for c in chunks)


def test_ids_are_stable_and_change_only_with_the_chunk():
    a = chunk_markdown("article:bulky-waste", BULKY_WASTE)
    b = chunk_markdown("article:bulky-waste", BULKY_WASTE)
    assert [c.id for c in a] == [c.id for c in b]
    changed = chunk_markdown("article:bulky-waste", BULKY_WASTE.replace("15,000원입니다", "16,000원입니다"))
    same = {c.id for c in a} & {c.id for c in changed}
    assert len(same) == len(a) - 1  # only the fee section changed
    other_source = chunk_markdown("article:other", BULKY_WASTE)
    assert not {c.id for c in a} & {c.id for c in other_source}
    # metadata is not part of the id: changing the audience costs no re-embedding
    staff = chunk_markdown("article:bulky-waste", BULKY_WASTE, metadata={"audience": "staff"})
    assert [c.id for c in staff] == [c.id for c in a]


def test_faq_rows_become_one_chunk_each_with_the_question_as_title():
    chunks = chunk_faq(
        "faq:welfare", WELFARE_FAQ + [{"question": "", "answer": "x"}, WELFARE_FAQ[0]], metadata={"audience": "public"}
    )
    assert len(chunks) == len(WELFARE_FAQ)
    c = chunks[0]
    assert c.title == "기초연금은 누가 받을 수 있나요?"
    assert c.title_path == ("기초연금", "기초연금은 누가 받을 수 있나요?")
    assert c.text.startswith("만 65세 이상")
    assert c.metadata == {"audience": "public", "topic": "기초연금", "kind": "faq"}
    assert chunk_faq("f", [("질문", "답변")])[0].title_path == ("질문",)


def test_chunk_round_trips_through_dict():
    c = chunk_faq("faq:welfare", WELFARE_FAQ)[1]
    assert Chunk.from_dict(c.to_dict()) == c
    assert Chunk.from_dict(c.to_dict()).metadata == c.metadata
