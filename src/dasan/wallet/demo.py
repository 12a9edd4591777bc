"""Demo content of 이음 지갑 for `dasan demo` (safe to run again: fill only what is missing)."""

from __future__ import annotations


def load_demo() -> dict:
    return {}
