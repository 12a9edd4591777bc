"""Every catalogue is complete and its compiled .mo matches it: a resident who
switches to English, Chinese or Vietnamese never meets a Korean-only string that a
translator already had (or should have had) in front of them."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "dasan"
CATALOGUES = sorted(SRC.glob("**/locale/*/LC_MESSAGES/django.po"))


def _entries(po: Path):
    """(msgid, msgstr, fuzzy) for each entry of a .po file (plural forms: first form)."""
    entries, current, field, fuzzy = [], {}, None, False

    def flush():
        if "msgid" in current and current["msgid"]:
            entries.append((current["msgid"], current.get("msgstr", ""), fuzzy))

    for raw in po.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            current, field, fuzzy = {}, None, False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgid_plural", "msgstr[1]", "msgstr[2]")):
            field = None
        elif line.startswith(("msgid ", "msgstr ", "msgstr[0] ", "msgctxt ")):
            key, _, value = line.partition(" ")
            field = {"msgstr[0]": "msgstr"}.get(key, key)
            current[field] = ast.literal_eval(value)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    return entries


def _hangul_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum("\uac00" <= ch <= "\ud7a3" for ch in letters) / len(letters) if letters else 0.0


def test_there_are_catalogues_for_every_language():
    languages = {po.parent.parent.name for po in CATALOGUES}
    assert {"en", "zh_Hans", "vi"} <= languages
    apps = {po.parents[3].name for po in CATALOGUES}
    assert {"dasan", "core", "accounts", "notify", "knowledge", "assistant"} <= apps


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: str(p.relative_to(SRC)))
def test_catalogue_is_complete_and_compiled(po):
    entries = _entries(po)
    assert entries, "empty catalogue"
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert not untranslated, f"untranslated or fuzzy: {untranslated[:5]}"
    # Korean left in place of a translation is not a translation (a Korean term in
    # brackets, such as a column name to type, is fine).
    korean = [msgid for msgid, msgstr, _ in entries if _hangul_share(msgstr) > 0.5]
    assert not korean, f"Korean text in translations: {korean[:5]}"
    compiled = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))
    stale = [msgid for msgid, msgstr, _ in entries if "\x04" not in msgid and compiled.gettext(msgid) != msgstr]
    assert not stale, f".mo is older than .po (run make messages): {stale[:5]}"
