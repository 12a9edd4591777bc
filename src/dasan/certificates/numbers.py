"""문서확인번호: 16 digits, shown in groups of four (1234-5678-9012-3456).

Fifteen digits come from ``secrets`` (10^15 possibilities: guessing a valid number by
trying is hopeless, the more so behind the verification page's rate limit) and the
sixteenth is a Luhn check digit, so a mistyped digit or two swapped neighbours are
caught before the database is asked. Uniqueness is held by the database.
"""

from __future__ import annotations

import re
import secrets

__all__ = ["new_number", "normalise", "is_well_formed", "display"]

_NOT_DIGITS = re.compile(r"\D")


def _luhn_digit(body: str) -> str:
    total = 0
    # Double every second digit from the right of the full number (check digit excluded).
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def new_number() -> str:
    """A fresh random number with its check digit (16 digits, no separators)."""
    body = f"{secrets.randbelow(10**15):015d}"
    return body + _luhn_digit(body)


def normalise(value) -> str:
    """The digits of what someone typed (spaces, hyphens and other marks dropped)."""
    return _NOT_DIGITS.sub("", str(value or ""))[:32]


def is_well_formed(number: str) -> bool:
    """16 digits whose last one is the Luhn check digit of the others."""
    return len(number) == 16 and number.isdigit() and _luhn_digit(number[:15]) == number[15]


def display(number: str) -> str:
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))
