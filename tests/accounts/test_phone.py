import pytest

from dasan.accounts.selectors import masked_phone, normalize_phone
from dasan.core.errors import DasanError


@pytest.mark.parametrize(
    "raw",
    [
        "010-1234-5678",
        "01012345678",
        "+82 10 1234 5678",
        "+82-10-1234-5678",
        "+82 010 1234 5678",
        "010 1234 5678",
        " 010.1234.5678 ",
        "821012345678",
    ],
)
def test_korean_mobile_numbers_are_normalised(raw):
    assert normalize_phone(raw) == "01012345678"


def test_old_ten_digit_numbers_are_kept():
    assert normalize_phone("011-123-4567") == "0111234567"


@pytest.mark.parametrize(
    "raw", ["", None, "02-123-4567", "010-1234-567", "0101234567a", "+1 415 555 0100", "abc", "010-1234-56789"]
)
def test_invalid_numbers_are_refused_with_a_korean_message(raw):
    with pytest.raises(DasanError) as info:
        normalize_phone(raw)
    assert info.value.code == "invalid_phone"
    assert "휴대전화" in str(info.value.message)


def test_masked_phone():
    assert masked_phone("01012345678") == "010-****-5678"
