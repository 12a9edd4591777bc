"""Races with real concurrent database connections, for the PostgreSQL tests that
prove a double booking, a double charge or an oversold stock cannot happen."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from dasan.core.errors import DasanError


def race(works: list[Callable], *, timeout: float = 60) -> tuple[list, list]:
    """Start every callable at the same instant, each in its own thread and
    connection. Returns (results, errors): a DasanError counts by its code, anything
    else by its repr, so a test can tell refusals from crashes."""
    results, errors = [], []
    barrier = threading.Barrier(len(works))

    def run(work):
        try:
            barrier.wait()
            results.append(work())
        except DasanError as exc:
            errors.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - anything else fails the calling test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return results, errors


def need_postgres(is_postgres: bool) -> None:
    if not is_postgres:
        # SQLite's shared-cache test database fails concurrent writers ("table is
        # locked") instead of making them wait, so the race cannot be run there.
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
