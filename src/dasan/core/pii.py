"""Masking of residents' personal data (개인정보) in logs, audit records and any
text that leaves for an outside service (an AI model, a translation server).

``mask(text)`` replaces, keeping just enough to recognise the value for support:

=====================  ===============================  ================================
kind                   example                          masked
=====================  ===============================  ================================
주민·외국인등록번호      900101-1234567 / 9001011234567    900101-1******
mobile                 010-1234-5678 / 01012345678       010-****-5678 / 010****5678
international mobile   +82 10-1234-5678                  +82 10-****-5678
landline               02-123-4567, 031-123-4567         02-***-4567, 031-***-4567
e-mail                 kim.minsu@example.com             k***@example.com
card                   1234-5678-9012-3456               ****-****-****-3456
bank account           123-456789-01-234                 123-******-**-234
                       계좌번호 12345678901234            계좌번호 123********234
road address           서울특별시 강남구 테헤란로 123, 4층  서울특별시 강남구 테헤란로 ***
지번 address            역삼동 123-45                      역삼동 ***
=====================  ===============================  ================================

Phones keep the prefix (area code / 010) and the last four digits, which is how
Korean services usually show a number back to its owner.

What must stay readable, and is tested: dates (2025-10-03, 20251003, 2025.10.03),
times (14:30), amounts (12,000원, 1,234,567원), 민원 numbers (2025-000123),
대표번호 (1588-1234) and business registration numbers (123-45-67890, public).

The patterns are deliberately regular expressions over digits with digit
look-arounds instead of ``\\b``: in Python ``\\b`` treats Hangul as word
characters, so "번호900101-1234567입니다" has no word boundary at all.
"""

from __future__ import annotations

import logging
import re

__all__ = ["mask", "mask_data", "PiiMaskingFilter"]

_ND = r"(?<![\d])"  # not preceded by a digit
_NA = r"(?![\d])"  # not followed by a digit

_EMAIL = re.compile(r"(?<![\w.+-])([A-Za-z0-9])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})")

# YYMMDD, then gender/century digit 1-8 (5-8: 외국인등록번호), then six digits.
_RRN = re.compile(_ND + r"(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\s?[-–]?\s?([1-8])\d{6}" + _NA)

# 16-digit cards in 4-4-4-4 (with -, space or nothing) and 15-digit Amex 4-6-5.
_CARD16 = re.compile(_ND + r"(\d{4})([- ]?)(\d{4})\2(\d{4})\2(\d{4})" + _NA)
_CARD15 = re.compile(_ND + r"(\d{4})([- ]?)(\d{6})\2(\d{5})" + _NA)

_SEP = r"[-. ]?"
# +82 10-1234-5678, +82-10-1234-5678, +82 (0)10 1234 5678, +821012345678
_PHONE_INTL = re.compile(r"(\+82[-. ]?(?:\(0\))?\s?)(1[016789])([-. ]?)(\d{3,4})([-. ]?)(\d{4})" + _NA)
# 010-1234-5678, 010 1234 5678, 01012345678, 011-123-4567
_MOBILE = re.compile(_ND + r"(01[016789])([-. ]?)(\d{3,4})([-. ]?)(\d{4})" + _NA)
# Area codes: 02 Seoul, 031-033, 041-044, 051-055, 061-064; 070 internet phones;
# 0502-0508 safe numbers. A separator is required except after 02, so that
# arbitrary digit strings that happen to start with 0 stay readable.
_LANDLINE = re.compile(
    _ND
    + r"(0(?:2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|50[2-8]))(?:([-. )]\s?)(\d{3,4})([-. ])(\d{4})|(\s?)(\d{3,4})(\s?)(\d{4}))"
    + _NA
)

# Hyphenated bank accounts: 3 or 4 groups of 2-6 digits, 10-14 digits in all
# (123-456789-01-234, 110-123-456789, 123456-01-123456, 1002-123-456789, 301-1234-1234-11).
_ACCOUNT = re.compile(r"(?<![\d-])\d{2,6}(?:-\d{2,6}){2,3}(?![\d-])")
_ACCOUNT_KEYWORD = re.compile(r"(계좌(?:번호)?\s*[:：]?\s*)(\d{3})(\d{4,8})(\d{3})" + _NA)

_HANGUL = "가-힣"
# A detailed part of an address that follows the building number or lot number.
_DETAIL = (
    r"(?:\s*,?\s*(?:지하\s*\d+\s*층|\d+\s*(?:층|호실|호|동|번지)|[A-Za-z]?\d*\s*(?:동|호)\b|"
    r"\([^)\n]{0,30}\)|제\s*\d+\s*(?:층|호)))*"
)
# Admin areas (시·도·구·군·읍·면) in front of a road name: "서울특별시 강남구 ".
_ADMIN = rf"(?:[{_HANGUL}]+(?:특별시|광역시|특별자치시|특별자치도|시|도|구|군|읍|면)\s+)"
# Road names: 테헤란로, 세종대로, 강남대로94길, 테헤란로4길, 중앙로12번길.
_ROAD = rf"[{_HANGUL}0-9]*[{_HANGUL}](?:대로|로|길)(?:\s?\d+(?:번)?길)?"
# The building number must not run into a unit (2명, 10분, 3시, 5개...), a time or a decimal.
# A particle or ending may follow it: "테헤란로 123입니다", "중앙로 45에서", "세종대로 1이고".
_AFTER_BLDG = r"(?:입니다|이에요|예요|이고|이며|이요|이라|에서|에요|에|으로|이니|인데)"
_BLDG = (
    rf"(?:지하\s?)?\d{{1,5}}(?:-\d{{1,5}})?"
    rf"(?:(?![\d{_HANGUL}:*]|[.,]\d|-\d)|(?={_AFTER_BLDG}))"
)
# Without an admin area in front only unmistakable road names count: "…대로",
# "…길", "…로N길"; a bare "…로" is too often the particle (으)로 ("시청으로 2명").
_ROAD_ALONE = rf"(?<![{_HANGUL}0-9])[{_HANGUL}0-9]*[{_HANGUL}](?:대로(?:\s?\d+번?길)?|로\s?\d+번?길|길)"
_ROAD_ADDRESS = re.compile(rf"({_ADMIN}+{_ROAD}\s?|{_ROAD_ALONE}\s?){_BLDG}{_DETAIL}")
# 지번: 역삼동 123-45, 봉담읍 수영리 산 12; needs a lot number with a hyphen, 번지,
# or an admin area in front, so "활동 3" or "이동 10" stay readable.
_JIBUN = re.compile(
    rf"((?:{_ADMIN}*)[{_HANGUL}]+[{_HANGUL}0-9]*(?:동|리|가)\s?)(?:산\s?)?"
    rf"(?:\d{{1,5}}-\d{{1,5}}(?:번지)?|\d{{1,5}}\s?번지)(?![\d{_HANGUL}:*]|[.,]\d){_DETAIL}"
)
_JIBUN_WITH_ADMIN = re.compile(
    rf"({_ADMIN}+[{_HANGUL}]+[{_HANGUL}0-9]*(?:동|리|가)\s)(?:산\s?)?\d{{1,5}}(?![\d{_HANGUL}:*\-]|[.,]\d){_DETAIL}"
)


def _stars(s: str) -> str:
    return "*" * len(s)


def _mask_email(m: re.Match) -> str:
    return f"{m.group(1)}***@{m.group(2)}"


def _mask_rrn(m: re.Match) -> str:
    return f"{m.group(1)}-{m.group(2)}******"


def _mask_card16(m: re.Match) -> str:
    sep = m.group(2)
    return sep.join(["****", "****", "****", m.group(5)])


def _mask_card15(m: re.Match) -> str:
    sep = m.group(2)
    return sep.join(["****", "******", m.group(4)])


def _mask_phone_intl(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)}{m.group(3)}{_stars(m.group(4))}{m.group(5)}{m.group(6)}"


def _mask_mobile(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)}{_stars(m.group(3))}{m.group(4)}{m.group(5)}"


def _mask_landline(m: re.Match) -> str:
    if m.group(3) is not None:
        return f"{m.group(1)}{m.group(2)}{_stars(m.group(3))}{m.group(4)}{m.group(5)}"
    if m.group(1) != "02" and not m.group(6) and not m.group(8):
        # Contiguous digits after a non-Seoul prefix: too ambiguous to call a phone.
        return m.group(0)
    return f"{m.group(1)}{m.group(6)}{_stars(m.group(7))}{m.group(8)}{m.group(9)}"


def _looks_like_date(groups: list[str]) -> bool:
    if len(groups[0]) == 4 and groups[0][:2] in ("19", "20") and len(groups) >= 3:
        month, day = groups[1], groups[2]
        return len(month) <= 2 and len(day) <= 2 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31
    return False


def _mask_account(m: re.Match) -> str:
    text = m.group(0)
    groups = text.split("-")
    digits = sum(len(g) for g in groups)
    if not 10 <= digits <= 14 or _looks_like_date(groups):
        return text
    if len(groups[0]) == 4 and groups[0].startswith("20"):
        # Starts with a year: a case or receipt number (2025-1003-000123), not an account.
        return text
    if [len(g) for g in groups] == [3, 2, 5]:
        # 사업자등록번호: a business's public identifier, not personal data.
        return text
    return "-".join([groups[0], *(_stars(g) for g in groups[1:-1]), groups[-1]])


def _mask_account_keyword(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)}{_stars(m.group(3))}{m.group(4)}"


def _mask_road(m: re.Match) -> str:
    return f"{m.group(1)}***"


def mask(text) -> str:
    """Return ``text`` with personal data masked (see the module docstring).

    Non-string input is converted with ``str()``; ``None`` gives ``""``.
    Masking is idempotent: masking masked text changes nothing.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    if not text or not any(ch.isdigit() or ch == "@" for ch in text):
        # Every pattern needs a digit or an @; most log lines have neither.
        return text
    text = _EMAIL.sub(_mask_email, text)
    text = _RRN.sub(_mask_rrn, text)
    text = _CARD16.sub(_mask_card16, text)
    text = _CARD15.sub(_mask_card15, text)
    text = _PHONE_INTL.sub(_mask_phone_intl, text)
    text = _MOBILE.sub(_mask_mobile, text)
    text = _LANDLINE.sub(_mask_landline, text)
    text = _ACCOUNT_KEYWORD.sub(_mask_account_keyword, text)
    text = _ACCOUNT.sub(_mask_account, text)
    text = _ROAD_ADDRESS.sub(_mask_road, text)
    text = _JIBUN.sub(_mask_road, text)
    text = _JIBUN_WITH_ADMIN.sub(_mask_road, text)
    return text


# Keys whose values are secrets rather than personal data: never kept at all.
_SECRET_KEYS = re.compile(r"password|passwd|secret|token|otp|totp|api_?key|authorization", re.I)


def mask_data(value, _depth: int = 0):
    """Mask every string inside a JSON-like structure (dicts, lists, scalars).

    Values under keys that name a secret (password, token, otp...) are replaced
    by ``"[redacted]"`` whatever they hold.
    """
    if _depth > 20:
        return "[…]"
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {
            k: ("[redacted]" if isinstance(k, str) and _SECRET_KEYS.search(k) else mask_data(v, _depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [mask_data(v, _depth + 1) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and len(str(abs(value))) >= 10:
        # A long integer may be a phone or 주민번호 typed as a number.
        masked = mask(str(value))
        return value if masked == str(value) else masked
    return value


class PiiMaskingFilter(logging.Filter):
    """Logging filter that masks personal data in every record it passes.

    The message is formatted first (``record.getMessage()``) and the masked
    result replaces ``msg`` with ``args`` cleared: masking each argument alone
    would miss numbers passed as ``%d`` or split across arguments. A traceback
    is formatted and masked too, since exception messages often quote input.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string must still be logged
            message = str(record.msg)
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def mask_name(name: str | None) -> str:
    """A person's name as staff pages, lottery results and documents show it: enough to greet
    the person at a counter, no more. One rule everywhere:

    김민수 → 김*수, 남궁민수 → 남**수, 이진 → 이*, 김 → *, Jane Doe → J******e, empty → "".

    A one-letter name is masked whole (showing it would show all of it)."""
    name = " ".join(str(name or "").split())
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
