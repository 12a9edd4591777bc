"""PII masking: what is hidden, what is kept, and what must never be touched."""

from __future__ import annotations

import logging

import pytest

from dasan.core.pii import PiiMaskingFilter, mask, mask_data, mask_name


@pytest.mark.parametrize(
    "text, expected",
    [
        # 주민등록번호 / 외국인등록번호: birth date + first digit of the back half kept.
        ("주민번호 900101-1234567 입니다", "주민번호 900101-1****** 입니다"),
        ("번호9001011234567입니다", "번호900101-1******입니다"),
        ("외국인등록번호 950505-5123456", "외국인등록번호 950505-5******"),
        # Mobile: prefix and last four kept, separators as written.
        ("010-1234-5678", "010-****-5678"),
        ("01012345678", "010****5678"),
        ("연락처: 010 1234 5678.", "연락처: 010 **** 5678."),
        ("011-123-4567", "011-***-4567"),
        ("+82 10-1234-5678", "+82 10-****-5678"),
        ("+821012345678", "+8210****5678"),
        # Landlines: area code and last four kept.
        ("02-123-4567", "02-***-4567"),
        ("031-1234-5678", "031-****-5678"),
        ("(02)123-4567", "(02)***-4567"),
        ("070-1234-5678", "070-****-5678"),
        # E-mail: first letter and the domain.
        ("메일 kim.minsu@example.com 로", "메일 k***@example.com 로"),
        ("a@b.co.kr", "a***@b.co.kr"),
        # Cards: last four kept.
        ("카드 1234-5678-9012-3456", "카드 ****-****-****-3456"),
        ("1234 5678 9012 3456", "**** **** **** 3456"),
        ("1234567890123456", "************3456"),
        # Bank accounts: first and last group kept.
        ("계좌 123-456789-01-234", "계좌 123-******-**-234"),
        ("110-123-456789", "110-***-456789"),
        ("123456-01-123456", "123456-**-123456"),
        ("1002-123-456789", "1002-***-456789"),
        ("301-1234-1234-11", "301-****-****-11"),
        ("계좌번호: 12345678901234", "계좌번호: 123********234"),
        # Addresses: up to the road name / 동 only.
        ("서울특별시 강남구 테헤란로 123, 4층 401호", "서울특별시 강남구 테헤란로 ***"),
        ("서울특별시 강남구 테헤란로 123 (역삼동) 입니다", "서울특별시 강남구 테헤란로 *** 입니다"),
        ("서울특별시 강남구 테헤란로 123입니다", "서울특별시 강남구 테헤란로 ***입니다"),
        ("세종대로 110에서 만나요", "세종대로 ***에서 만나요"),
        ("부산광역시 해운대구 센텀중앙로 79, 101동 1203호", "부산광역시 해운대구 센텀중앙로 ***"),
        ("강남대로94길 9 2층", "강남대로94길 ***"),
        ("세종대로 110", "세종대로 ***"),
        ("역삼동 123-45", "역삼동 ***"),
        ("강남구 역삼동 123", "강남구 역삼동 ***"),
        ("경기도 화성시 봉담읍 수영리 산 12", "경기도 화성시 봉담읍 수영리 ***"),
    ],
)
def test_masks(text, expected):
    assert mask(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025-10-03",
        "2025.10.03",
        "20251003",
        "2025년 10월 3일 14:30",
        "2025-10-03 14:30:00",
        "14:30",
        "12,000원",
        "1,234,567원",
        "금액 120000원",
        "민원번호 2025-000123",
        "접수번호 2025-1003-000123",
        "대표번호 1588-1234",
        "사업자등록번호 123-45-67890",
        "시청으로 2명 방문",
        "온라인으로 10분 걸립니다",
        "이동 10-20분",
        "활동 3회",
        "집으로 가는 길 3 번",
        "점심은 1층 식당",
        "IP 192.168.0.1",
        "id=12345678901",
        "version 1.2.3",
        "",
    ],
)
def test_keeps(text):
    assert mask(text) == text


def test_several_in_one_text_and_idempotent():
    text = "김주민(010-1234-5678, kim@example.com) 900101-1234567 서울특별시 중구 세종대로 110 3층"
    once = mask(text)
    assert "1234-5678" not in once and "kim@" not in once and "1234567 " not in once
    assert "110" not in once
    assert mask(once) == once


def test_none_and_non_strings():
    assert mask(None) == ""
    assert mask(1012345678) == "1012345678"  # 10 digits without a leading 0: not a phone
    assert mask("01012345678") == "010****5678"


def test_mask_data_recurses_and_redacts_secrets():
    data = {
        "phone": "01012345678",
        "nested": [{"email": "lee@example.com"}, 3, None, True],
        "password": "hunter2",
        "api_key": "abc",
        "count": 5,
        "rrn_as_int": 9001011234567,
    }
    out = mask_data(data)
    assert out["phone"] == "010****5678"
    assert out["nested"][0]["email"] == "l***@example.com"
    assert out["nested"][1:] == [3, None, True]
    assert out["password"] == "[redacted]" and out["api_key"] == "[redacted]"
    assert out["count"] == 5
    assert out["rrn_as_int"] == "900101-1******"


def _record(msg, args=(), exc_info=None):
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, exc_info)


def test_logging_filter_masks_message_and_args():
    record = _record("user %s called from %d", ("010-1234-5678", 1012345678))
    assert PiiMaskingFilter().filter(record) is True
    assert record.getMessage() == "user 010-****-5678 called from 1012345678"


def test_logging_filter_masks_dict_args_and_tracebacks():
    record = _record("%(who)s", ({"who": "kim@example.com"},))
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == "k***@example.com"
    try:
        raise ValueError("bad phone 010-9999-8888")
    except ValueError:
        import sys

        record = _record("failed", exc_info=sys.exc_info())
    PiiMaskingFilter().filter(record)
    assert "9999" not in record.exc_text and "010-****-8888" in record.exc_text


def test_logging_filter_survives_bad_format():
    record = _record("%d broken %s", ("x",))
    assert PiiMaskingFilter().filter(record)
    assert "broken" in record.getMessage()


def test_settings_wire_the_filter(caplog):
    from django.conf import settings

    assert settings.LOGGING["filters"]["pii"]["()"] == "dasan.core.pii.PiiMaskingFilter"


@pytest.mark.parametrize(
    "name, shown",
    [
        ("김민수", "김*수"),
        ("남궁민수", "남**수"),
        ("이진", "이*"),
        ("김", "*"),  # one letter: showing it would show the whole name
        ("Jane Doe", "J******e"),
        ("", ""),
        (None, ""),
        ("  김민수  ", "김*수"),
        ("Jane   Doe", "J******e"),  # spaces as typed do not change the mask
    ],
)
def test_mask_name_shows_enough_to_greet_someone_at_a_counter(name, shown):
    assert mask_name(name) == shown
