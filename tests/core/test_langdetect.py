"""Language detection of residents' messages (script-based)."""

from __future__ import annotations

import unicodedata

import pytest

from dasan.core.langdetect import LANGUAGES, choose_language, detect


@pytest.mark.parametrize(
    "text",
    [
        "냉장고를 버리려면 어떻게 해야 하나요?",
        "대형폐기물 수거 신청했는데 언제 가져가나요",
        "주민등록등본 발급은 어디서 하나요?",
        "네",
        "ㅋㅋㅋ 감사합니다",
        "ㅠㅠ",
    ],
)
def test_korean(text):
    assert detect(text) == "ko"


@pytest.mark.parametrize(
    "text",
    [
        "How do I dispose of an old refrigerator?",
        "When will my bulky waste be collected?",
        "Where can I get a certificate of residence?",
        "Hello",
        "THANK YOU",
    ],
)
def test_english(text):
    assert detect(text) == "en"


@pytest.mark.parametrize(
    "text",
    [
        "我想扔掉一台旧冰箱，需要多少钱？",
        "大件垃圾什么时候来收？",
        "請問在哪裡可以辦理居留證？",  # Traditional characters: served in Simplified Chinese
        "谢谢",
        "好",
    ],
)
def test_chinese(text):
    assert detect(text) == "zh-hans"


@pytest.mark.parametrize(
    "text",
    [
        "Tôi muốn vứt tủ lạnh cũ, phí bao nhiêu?",
        "Khi nào rác cồng kềnh của tôi được thu gom?",
        "Tôi có thể xin giấy xác nhận cư trú ở đâu?",
        "Cảm ơn",
        "Xin chào",
        "Dạ",
        "ĐĂNG KÝ THU GOM RÁC",
    ],
)
def test_vietnamese(text):
    assert detect(text) == "vi"


def test_vietnamese_in_decomposed_form():
    text = unicodedata.normalize("NFD", "Tôi muốn vứt tủ lạnh cũ, phí bao nhiêu?")
    assert text != unicodedata.normalize("NFC", text)
    assert detect(text) == "vi"


def test_vietnamese_without_diacritics_is_english():
    # Documented limit: without its letters Vietnamese cannot be told from other Latin text.
    assert detect("toi muon vut tu lanh cu, phi bao nhieu") == "en"


def test_a_vietnamese_name_in_english_stays_english():
    assert detect("My name is Nguyễn Văn Đức and I need help with my bulky waste") == "en"


def test_accents_in_english_stay_english():
    assert detect("I sent my résumé to the café near the city hall") == "en"


@pytest.mark.parametrize(
    "text",
    ["ソファを捨てたいです", "粗大ごみの収集はいつですか", "ありがとう"],
)
def test_japanese_is_not_served(text):
    assert detect(text) is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("대형폐기물 fee?", "ko"),
        ("냉장고 OK?", "ko"),
        ("abc 가나다", "ko"),  # a tie goes to Korean
        ("How much is the fee for 대형폐기물 pickup?", "en"),
        ("대형폐기물 스티커는 sticker라고 하나요? 편의점에서 사나요?", "ko"),
        ("我想问一下大件垃圾 대형폐기물", "zh-hans"),
        ("请问 대형폐기물", "ko"),  # more Hangul than Han
        ("Phí 대형폐기물 là bao nhiêu vậy?", "vi"),
        ("서울·부산", "ko"),
        ("서울・부산", "ko"),  # katakana middle dot in Korean text is not Japanese
    ],
)
def test_mixed_text_goes_to_the_dominant_script(text, expected):
    assert detect(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "   ",
        "12345",
        "2025-10-03 14:30",
        "?!...",
        "👍👍",
        "ok",
        "hi",
        "QR",
        "A-1234",
        "https://minwon.example.go.kr/waste/",
        "kim@example.com",
    ],
)
def test_not_enough_signal(text):
    assert detect(text) is None


def test_urls_do_not_make_korean_english():
    assert detect("여기 https://minwon.example.go.kr/waste/booking/new 에서 신청하세요") == "ko"


def test_full_width_latin():
    assert detect("Ｈｅｌｌｏ ｗｏｒｌｄ") == "en"


def test_choose_language():
    assert choose_language("Cảm ơn nhiều", "ko") == "vi"
    assert choose_language("ok", "vi") == "vi"
    assert choose_language(None, "en") == "en"


def test_results_are_product_languages():
    samples = ["안녕", "hello there", "你好", "Xin chào", "123"]
    assert {detect(s) for s in samples} <= {*LANGUAGES, None}
