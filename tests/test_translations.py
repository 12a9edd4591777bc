"""Every catalogue is complete and its compiled .mo matches it: a resident who
switches to English, Chinese or Vietnamese never meets a Korean-only string that a
translator already had (or should have had) in front of them."""

from __future__ import annotations

import ast
import gettext
import re
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


# --- every string the code marks for translation is in a catalogue ------------------------------

_GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy", "gettext_noop"}


def _msgid(call: ast.Call, name: str):
    args = call.args[1:] if name.startswith("pgettext") else call.args
    if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
        return args[0].value
    return None


def _marked_in_python() -> dict[str, str]:
    found = {}
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
                if name in _GETTEXT and (msgid := _msgid(node, name)):
                    found.setdefault(msgid, str(path.relative_to(SRC)))
    return found


def _marked_in_templates() -> dict[str, str]:
    """{% translate %} and {% blocktranslate %}, read the way makemessages reads them
    (Django's templatize turns a template into gettext() calls)."""
    from django.utils.translation.template import templatize

    found = {}
    call = re.compile(r"\b(gettext|ngettext|pgettext)\(")
    for path in SRC.rglob("templates/**/*.html"):
        for line in templatize(path.read_text(encoding="utf-8"), origin=str(path)).splitlines():
            for match in call.finditer(line):
                tail = line[match.start(1) :]
                node = None
                for end in range(len(tail), 0, -1):  # the shortest prefix that parses is the call
                    try:
                        node = ast.parse(tail[:end], mode="eval").body
                        break
                    except SyntaxError:
                        continue
                if isinstance(node, ast.Call) and (msgid := _msgid(node, match.group(1))):
                    found.setdefault(msgid, str(path.relative_to(SRC)))
    return found


@pytest.fixture(scope="module")
def marked():
    strings = {**_marked_in_python(), **_marked_in_templates()}
    return {msgid: where for msgid, where in strings.items() if _hangul_share(msgid) > 0}


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "vi"])
def test_every_marked_string_is_translated(marked, lang):
    """A string added to a page or a message but never extracted (make messages not run)
    would show in Korean to every foreign resident: none may be missing."""
    assert len(marked) > 1000  # the extraction itself works: the product has thousands of strings
    have = set()
    for po in SRC.glob(f"**/locale/{lang}/LC_MESSAGES/django.po"):
        have |= {msgid for msgid, msgstr, fuzzy in _entries(po) if msgstr and not fuzzy}
    missing = sorted(f"{where}: {msgid[:60]}" for msgid, where in marked.items() if msgid not in have)
    assert not missing, f"{len(missing)} strings without a {lang} translation: {missing[:10]}"


def test_every_message_to_residents_has_all_four_languages(db):
    """Texts and e-mails are resident-facing too: every template the apps register says
    it in Korean, English, Chinese and Vietnamese (not Korean left for the others)."""
    from dasan.notify.templates import registered, registered_keys

    keys = registered_keys()
    assert len(keys) > 20
    missing = []
    for key in keys:
        texts = registered(key).text
        for language in ("ko", "en", "zh-hans", "vi"):
            body = (texts.get(language) or {}).get("body", "")
            if not body or (language != "ko" and _hangul_share(body.replace("{{", " ").replace("}}", " ")) > 0.3):
                missing.append(f"{key} [{language}]")
    assert not missing, missing
