"""Error codes are listed, one enum per app, and the list is what clients see.

A client (Kakao's skill, a city's integration, our own pages) branches on ``code``; a code
typed as a string at a raise site is one nobody can find, and one that drifts in spelling
breaks a client silently.
"""

from __future__ import annotations

import ast
import json
import pathlib
import re

from dasan.core.appconfig import error_enums
from dasan.core.management.commands.error_codes import markdown

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "dasan"
ERRORS = {"DasanError", "NotFound", "PermissionDenied", "Conflict", "RateLimited", "ProviderError"}


def _literal_codes(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        is_super_init = name == "__init__" and isinstance(node.func, ast.Attribute)
        if name not in ERRORS and not is_super_init:
            continue
        candidates = [k.value for k in node.keywords if k.arg == "code"]
        if node.args and name != "RateLimited":
            candidates.append(node.args[0])
        for value in candidates:
            literal = isinstance(value, ast.Constant) and isinstance(value.value, str)
            built = isinstance(value, ast.JoinedStr) and name in ERRORS  # f"cannot_{step}"
            if (literal and re.fullmatch(r"[a-z_]+", value.value)) or built:
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {ast.unparse(value)}")
    return found


def test_raise_sites_use_the_apps_enums_not_strings():
    found = [hit for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts for hit in _literal_codes(path)]
    assert found == [], "use <app>/errors.py's Code (add the member):\n" + "\n".join(found)


def test_each_app_lists_its_codes_once_in_snake_case():
    enums = error_enums()
    assert {"core", "complaints", "reservations", "waste", "payments"} <= set(enums)
    for label, enum in enums.items():
        values = [member.value for member in enum]
        assert len(values) == len(set(values)), label
        for member in enum:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", member.value), member
            assert member.name == member.value.upper(), member


def test_docs_list_every_code():
    assert (ROOT / "docs" / "errors.md").read_text(encoding="utf-8") == markdown(), (
        "run: dasan error_codes > docs/errors.md"
    )


def test_openapi_lists_every_code(client):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    listed = schema["info"]["x-error-codes"]
    assert "slot_taken" in listed["reservations"] and "staff_only" in listed["core"]
    assert set(listed) == set(error_enums())
