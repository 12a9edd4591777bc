"""Every core string ships translated into en, zh-hans and vi."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[2] / "src" / "dasan" / "core" / "locale"


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "vi"])
def test_catalogue_is_complete_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime - 1
    text = po.read_text()
    assert "#, fuzzy" not in text
    # No entry may be left untranslated (msgstr "" not followed by continuation lines).
    blocks = text.split("\n\n")[1:]
    untranslated = [b for b in blocks if b.rstrip().endswith('msgstr ""')]
    assert not untranslated


@pytest.mark.parametrize(
    "lang, expected",
    [("en", "Audit log"), ("zh-hans", "审计记录"), ("vi", "Nhật ký kiểm tra"), ("ko", "감사 기록")],
)
def test_verbose_names_translate(lang, expected):
    from dasan.core.models import AuditEvent

    with translation.override(lang):
        assert str(AuditEvent._meta.verbose_name) == expected


def test_error_messages_translate():
    from dasan.core.idempotency import IdempotencyMismatch

    with translation.override("en"):
        assert str(IdempotencyMismatch().message).startswith("This Idempotency-Key was already used")
