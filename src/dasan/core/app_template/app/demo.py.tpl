"""Demo content of __APP_TITLE__ for `dasan demo` (safe to run again: fill only what is missing)."""

from __future__ import annotations


def load_demo() -> dict:
    return {}
