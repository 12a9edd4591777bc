"""One settings registry: every environment variable is read in ``settings.py`` and
documented in ``docs/configuration.md``, and nothing else reads the environment.

An operator configures Dasan only through the variables the configuration doc lists; a
variable read in code but missing there is a setting nobody can find, and one listed but
read nowhere is a promise the code does not keep.
"""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "dasan"
DOC = ROOT / "docs" / "configuration.md"
VARIABLE = re.compile(r"\b(DASAN_[A-Z0-9_]*[A-Z0-9]|DATABASE_URL|REDIS_URL)\b")
#: Entry points may name the settings module for Django; that is all they may read.
ENTRY_POINTS = {"cli.py", "wsgi.py", "asgi.py"}


def _documented() -> set[str]:
    names = set()
    for row in DOC.read_text(encoding="utf-8").splitlines():
        if row.startswith("| `"):
            first_cell = row.split("|")[1]
            names |= set(VARIABLE.findall(first_cell))
    return names


def _read_in_settings() -> set[str]:
    return set(VARIABLE.findall((PACKAGE / "settings.py").read_text(encoding="utf-8")))


def _environment_reads(tree: ast.AST) -> list[int]:
    """Lines that read os.environ / os.getenv (setdefault of the settings module aside)."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"}:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                lines.append(node.lineno)
    return lines


def test_every_variable_settings_reads_is_documented():
    missing = _read_in_settings() - _documented()
    assert missing == set(), f"document these in docs/configuration.md: {sorted(missing)}"


def test_every_documented_variable_is_read_by_settings():
    unread = _documented() - _read_in_settings()
    assert unread == set(), f"documented but never read by settings.py: {sorted(unread)}"


def test_only_settings_reads_the_environment():
    readers = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "settings.py" and path.parent == PACKAGE:
            continue
        text = path.read_text(encoding="utf-8")
        lines = _environment_reads(ast.parse(text))
        if path.name in ENTRY_POINTS and path.parent == PACKAGE:
            source = text.splitlines()
            lines = [n for n in lines if "DJANGO_SETTINGS_MODULE" not in source[n - 1]]
        readers += [f"{path.relative_to(PACKAGE)}:{n}" for n in lines]
    assert readers == [], "read these through settings.DASAN (dasan.core.conf.setting):\n" + "\n".join(readers)


def test_every_dasan_setting_comes_from_a_variable(settings):
    """Each key of settings.DASAN is read from DASAN_<KEY> or a documented neighbour, so an
    operator can set it (the review found settings that no variable could set)."""
    source = (PACKAGE / "settings.py").read_text(encoding="utf-8")
    block = source[source.index("DASAN = {") :]
    keys = re.findall(r'^    "([A-Z0-9_]+)":', block, flags=re.M)
    assert set(keys) == set(settings.DASAN)
    # BIND is the one whose variable is not DASAN_<KEY>: DASAN_BIND sets SERVE_BIND.
    unset = [k for k in keys if f"DASAN_{k}" not in source and k != "SERVE_BIND"]
    assert unset == []
