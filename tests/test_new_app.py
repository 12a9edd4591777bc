"""`dasan newapp` makes an app that works by its declarations alone: generated, added by one
setting, and its own tests pass (pages, staff menu, API, demo) with nothing else edited."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _generate(tmp_path, label="sampleapp"):
    out = StringIO()
    call_command(
        "newapp",
        label,
        "--title",
        "견본 서비스",
        "--module",
        label,
        "--app-dir",
        str(tmp_path / label),
        "--tests-dir",
        str(tmp_path / "tests" / label),
        stdout=out,
    )
    return out.getvalue()


def test_a_generated_app_is_wired_by_one_line(tmp_path):
    said = _generate(tmp_path)
    assert 'Add "sampleapp" to INSTALLED_APPS' in said
    assert (tmp_path / "sampleapp" / "apps.py").read_text().count('layer = "service"') == 1
    (tmp_path / "tests" / "__init__.py").write_text("")  # as in this repository: tests.<label>
    (tmp_path / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = dasan.settings\n")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PYTEST_XDIST_WORKER"}}
    env.update(
        PYTHONPATH=str(tmp_path), DASAN_EXTRA_APPS="sampleapp", DASAN_VAR_DIR=str(tmp_path / "var"), DASAN_DEBUG="1"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "tests/sampleapp"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "4 passed" in result.stdout


def test_generated_code_passes_the_linter(tmp_path):
    _generate(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(ROOT / "pyproject.toml"), str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("label", ["Transit", "1bus", "class", "a"])
def test_a_bad_label_is_refused(tmp_path, label):
    with pytest.raises(CommandError):
        _generate(tmp_path, label)


def test_nothing_is_written_over(tmp_path):
    (tmp_path / "sampleapp").mkdir()
    with pytest.raises(CommandError, match="exists"):
        _generate(tmp_path)
