"""What the HTTP benches share: a throw-away PostgreSQL database on this machine, a free
port for the production server, and percentiles. Each bench imports it with
``sys.path.insert(0, str(ROOT / "bench"))``; keeping one copy keeps them measuring alike."""

from __future__ import annotations

import socket
import sys
from urllib.parse import urlsplit, urlunsplit


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile by linear interpolation between closest ranks (NaN when empty)."""
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_database(url: str, name: str, *, why: str) -> tuple[str, str]:
    """(admin URL on the maintenance database, URL of the fresh ``<db>_bench_<name>``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit(f"DATABASE_URL must point at PostgreSQL ({why})")
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("the bench only runs against a PostgreSQL server on this machine (127.0.0.1)")
    database = (parts.path.lstrip("/") or "dasan") + f"_bench_{name}"
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path="/" + database))


def recreate(admin_url: str, bench_url: str, *, drop_only: bool = False) -> None:
    """Drop the bench database (even with connections left) and, unless ``drop_only``, make it anew."""
    import psycopg

    name = urlsplit(bench_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
