from concurrent.futures import ThreadPoolExecutor

import pytest

from dasan.knowledge import analysis


@pytest.mark.parametrize(
    ("unspaced", "spaced"),
    [
        ("대형폐기물 수수료는 얼마인가요?", "대형 폐기물 수수료는 얼마인가요?"),
        ("층간소음 신고", "층간 소음 신고"),
        ("불법주차 과태료", "불법 주차 과태료"),
        ("공영주차장 요금", "공영 주차장 요금"),
        ("주민등록등본 발급", "주민 등록 등본 발급"),
    ],
)
def test_tokens_are_spacing_tolerant(unspaced, spaced):
    assert analysis.tokens(unspaced) == analysis.tokens(spaced)


def test_tokens_keep_content_and_drop_particles_and_endings():
    toks = analysis.tokens("대형 폐기물 수수료는 얼마인가요?")
    assert toks == ["대형", "폐기물", "수수료", "얼마"]


def test_tokens_keep_stems_numbers_and_lowercase_latin():
    toks = analysis.tokens("Kakao 채널로 ＣＯＶＩＤ-19 문의했는데 답을 받았어요")
    assert "kakao" in toks and "covid" in toks and "19" in toks
    assert "받" in toks  # verb stem
    assert "로" not in toks and "는데" not in toks and "-" not in toks


def test_empty_text_has_no_tokens():
    assert analysis.tokens("") == []
    assert analysis.tokens("  ?! ") == []
    assert analysis.tokens_many(["", "대형폐기물"]) == [[], ["대형", "폐기물"]]


def test_tokens_from_many_threads_match_serial():
    texts = ["소파 버리는 비용이 궁금해요", "불법 주정차 신고 방법", "아동수당 지급일", "층간소음 상담"] * 10
    serial = [analysis.tokens(t) for t in texts]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(analysis.tokens, texts)) == serial
