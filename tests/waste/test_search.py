"""Residents find items however they spell or space them, and by initials (초성)."""

from __future__ import annotations

from dasan.waste import selectors
from dasan.waste.search import decompose, initials, substring_distance


def _names(query):
    return [item.name for item in selectors.search_items(query)]


def test_jamo_arithmetic():
    assert decompose("소파") == "ㅅㅗㅍㅏ"
    assert decompose("냉장고") == "ㄴㅐㅇㅈㅏㅇㄱㅗ"
    assert initials("냉장고") == "ㄴㅈㄱ"
    assert substring_distance("ㅅㅛㅍㅏ", "ㅅㅗㅍㅏ") == 1


def test_misspelling_and_spacing_are_forgiven(fee_table):
    assert _names("쇼파")[0] == "소파"
    assert _names("냉장 고")[0] == "냉장고(온장고 포함)"
    assert _names("온장고")[0] == "냉장고(온장고 포함)"
    # Not in the alias table: found by edit distance on jamo (ㅔ for ㅏ).
    assert _names("세텍기")[0] == "세탁기"
    assert _names("메트리스")[0] == "매트리스"


def test_initials_search(fee_table):
    assert _names("ㅅㅍ") == ["소파"]
    assert "냉장고(온장고 포함)" in _names("ㄴㅈㄱ")


def test_unrelated_words_find_nothing(fee_table):
    assert _names("자동차") == []
    assert _names("   ") == []


def test_search_page_shows_fees(client, fee_table):
    response = client.get("/waste/", {"q": "쇼파"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "소파" in page and "10,000" in page and "3인용" in page


def test_search_api(client, fee_table):
    data = client.get("/api/v1/waste/items", {"q": "ㅅㅍ"}).json()
    assert [item["name"] for item in data] == ["소파"]
    assert {v["spec"]: v["fee"] for v in data[0]["variants"]}["2인용"] == 7000
