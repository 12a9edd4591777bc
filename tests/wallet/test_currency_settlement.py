"""An operator's settlement file (CSV): what the city pays for, read line by line, and every
mistake in it reported with the line an editor shows, so staff can send it back precisely."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dasan.wallet.currency import SettlementFormatError
from dasan.wallet.currency.http import parse_settlement_csv

SEOUL = ZoneInfo("Asia/Seoul")


def problems(data: bytes) -> list[tuple[int, str]]:
    with pytest.raises(SettlementFormatError) as error:
        parse_settlement_csv(data)
    assert error.value.code == "settlement_malformed"
    return error.value.errors


def test_a_well_formed_file_is_read_whatever_its_column_order_and_line_ends():
    data = (
        "\ufeffAmount,Key,memo,charged_at,provider_ref\r\n"
        "10000,conv-1,첫 충전,2026-12-07T10:15:00+09:00,OP-1\r\n"
        "\r\n"
        "5000,conv-2,,2026-12-07 23:59:59,OP-2\r\n"
    ).encode()
    lines = parse_settlement_csv(data)
    assert [(line.key, line.provider_ref, line.amount) for line in lines] == [
        ("conv-1", "OP-1", 10_000),
        ("conv-2", "OP-2", 5_000),
    ]
    assert lines[0].charged_at == dt.datetime(2026, 12, 7, 10, 15, tzinfo=SEOUL)
    # Without an offset, a time is Korean time.
    assert lines[1].charged_at == dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=SEOUL)


def test_a_cp949_file_from_a_korean_operator_is_read():
    data = "key,provider_ref,amount,charged_at,메모\nconv-1,OP-1,10000,2026-12-07T10:15:00+09:00,충전\n"
    assert [line.key for line in parse_settlement_csv(data.encode("cp949"))] == ["conv-1"]


def test_every_bad_line_is_reported_with_its_line_number():
    data = (
        b"key,provider_ref,amount,charged_at\n"  # 1
        b"conv-1,OP-1,10000,2026-12-07T10:15:00+09:00\n"  # 2: fine
        b"conv-2,OP-2,1.5,2026-12-07T10:15:00+09:00\n"  # 3: not whole won
        b'conv-3,OP-3,"10,000",2026-12-07T10:15:00+09:00\n'  # 4: thousands separator
        b"conv-4,OP-4,3000,yesterday\n"  # 5: not a time
        b"conv-1,OP-5,3000,2026-12-07T11:00:00+09:00\n"  # 6: key again
        b"conv-6,OP-6,3000\n"  # 7: a field short
        b"bad key!,OP-7,3000,2026-12-07T11:00:00+09:00\n"  # 8: key
        b"conv-8,,3000,2026-12-07T11:00:00+09:00\n"  # 9: no operator reference
        b"conv-9,OP-9,-100,2026-12-07T11:00:00+09:00\n"  # 10: negative
    )
    found = problems(data)
    assert [line for line, _problem in found] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "amount" in found[0][1] and "already on line 2" in found[3][1]
    assert "fields" in found[4][1]


def test_line_numbers_count_lines_inside_quoted_fields():
    data = (
        b"key,provider_ref,amount,charged_at,memo\n"
        b'conv-1,OP-1,1000,2026-12-07T10:15:00+09:00,"two\nlines"\n'
        b"conv-2,OP-2,many,2026-12-07T10:15:00+09:00,\n"
    )
    assert [line for line, _problem in problems(data)] == [4]


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "empty"),
        (b"\n\nkey,amount,charged_at\nconv-1,1000,2026-12-07T10:15:00+09:00\n", 3, "provider_ref"),
        (b"key,provider_ref,amount,charged_at\nconv-1,OP-1,1000,\xff\xfe\xfa\n", 2, "UTF-8"),
    ],
)
def test_a_file_that_cannot_be_read_at_all_says_where(data, line, words):
    ((found_line, problem),) = problems(data)
    assert found_line == line and words in problem
