"""Demo content of 주민참여예산 for `dasan demo` (safe to run again: fill only what is missing)."""

from __future__ import annotations


def load_demo() -> dict:
    return {}
