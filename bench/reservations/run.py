"""Reservation desk under concurrent HTTP load: the real server, real clients, PostgreSQL.

The bench makes a throw-away database on the PostgreSQL server of ``DATABASE_URL``
(``<name>_bench_reservations``), migrates it, seeds a place with exclusive courts and a
seat-based class, signs in one resident per client, and starts the production server
(``dasan serve``: gunicorn, threaded workers) on 127.0.0.1 only. Then:

1. **race** — every client books the same court and hour at the same instant
   (``POST /api/v1/reservations/bookings``): exactly one may win, all others must get 409.
2. **mixed** — the clients book random hours of the courts and the class over the next
   days until ``--requests`` attempts are made or ``--seconds`` pass; many collide.

Afterwards the database is checked for overbooking: overlapping active buffered spans
on an exclusive resource, or more seats than the capacity at one time on the class.
Printed per phase: attempts, 201 / 409 / other answers, bookings per second (201s over
wall time), p50/p95/p99 latency in ms, and the overbooking count (must be 0).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dasan python bench/reservations/run.py
    python bench/reservations/run.py --clients 16 --requests 400 --seconds 60
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from harness import bench_database, free_port, percentile, recreate  # noqa: E402

ACTIVE = ("pending_payment", "requested", "confirmed", "checked_in")


def seed(clients: int):
    """A place with 4 courts (exclusive) and a 10-seat class, and one signed-in
    resident per client; returns (resources, session cookies)."""
    from django.core.management import call_command
    from django.test import Client

    from dasan.accounts.models import Kind, User
    from dasan.core.models import Municipality
    from dasan.reservations.models import (
        OpeningHours,
        OpeningPeriod,
        Resource,
        ResourceType,
        Unit,
    )

    call_command("migrate", verbosity=0)
    Municipality.objects.create(name="벤치시", name_en="Bench City", region_code="99998", phone="02-000-0000")
    unit = Unit.objects.create(name="벤치 체육관", address="벤치시 1")
    rules = {
        "slot_minutes": 60,
        "min_minutes": 60,
        "max_minutes": 120,
        "opens_days_ahead": 30,
        "closes_hours_before": 0,
        "max_active_per_resident": 10_000,
        "open_on_holidays": True,
    }
    resources = [
        Resource.objects.create(
            unit=unit, name=f"코트 {n}", type=ResourceType.SPORTS, capacity=6, buffer_after_minutes=0, **rules
        )
        for n in range(1, 5)
    ]
    resources.append(
        Resource.objects.create(unit=unit, name="요가", type=ResourceType.CLASS, capacity=10, exclusive=False, **rules)
    )
    for resource in resources:
        period = OpeningPeriod.objects.create(resource=resource, valid_from=dt.date(2020, 1, 1))
        OpeningHours.objects.bulk_create(
            OpeningHours(period=period, weekday=d, opens=dt.time(6), closes=dt.time(22)) for d in range(7)
        )
    cookies = []
    for i in range(clients):
        user = User.objects.create_user(
            username=f"bench-{i}", kind=Kind.RESIDENT, phone=f"0109{i:07d}", name=f"벤치{i}"
        )
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return resources, cookies


def http_client(base: str, session: str):
    import httpx

    csrf = secrets.token_hex(16)  # 32 characters: Django accepts a client-chosen secret of this length
    return httpx.Client(
        base_url=base,
        timeout=30,
        cookies={"sessionid": session, "csrftoken": csrf},
        headers={"X-CSRFToken": csrf, "Referer": base + "/"},
    )


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: list[float] = []
        self.status: dict[str, int] = {}

    def add(self, started: float, response) -> None:
        ms = (time.perf_counter() - started) * 1000
        if response is None:
            key = "error"
        else:
            key = str(response.status_code)
            if response.status_code >= 400 and response.status_code != 409:
                try:
                    key += " " + response.json()["error"]["code"]
                except Exception:  # noqa: BLE001 - shown as the bare status
                    pass
        with self.lock:
            self.latency.append(ms)
            self.status[key] = self.status.get(key, 0) + 1


def body(resource_id: int, begin: dt.datetime, minutes: int = 60, party: int = 1) -> dict:
    return {
        "resource": resource_id,
        "begin": begin.isoformat(),
        "end": (begin + dt.timedelta(minutes=minutes)).isoformat(),
        "party_size": party,
    }


def post(client, tally: Tally, payload: dict) -> None:
    started = time.perf_counter()
    try:
        response = client.post(
            "/api/v1/reservations/bookings", json=payload, headers={"Idempotency-Key": secrets.token_hex(8)}
        )
    except Exception:  # noqa: BLE001 - a refused connection counts as an error
        response = None
    tally.add(started, response)


def race(clients, resource_id: int, begin: dt.datetime) -> tuple[Tally, float]:
    tally, barrier = Tally(), threading.Barrier(len(clients))

    def run(client):
        barrier.wait()
        post(client, tally, body(resource_id, begin))

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return tally, time.perf_counter() - started


def mixed(
    clients, resources, *, requests: int, seconds: float, start_day: dt.date, tz, seed: int
) -> tuple[Tally, float]:
    rng = random.Random(seed)
    attempts = []
    for _ in range(requests):
        resource = rng.choice(resources)
        day = start_day + dt.timedelta(days=rng.randrange(3))
        begin = dt.datetime.combine(day, dt.time(rng.randrange(6, 21)), tzinfo=tz)
        minutes = 60 if not resource.exclusive else rng.choice((60, 120))
        attempts.append(body(resource.pk, begin, minutes, rng.randint(1, 3) if not resource.exclusive else 2))
    tally, lock = Tally(), threading.Lock()
    deadline = time.perf_counter() + seconds

    def run(client):
        while time.perf_counter() < deadline:
            with lock:
                if not attempts:
                    return
                payload = attempts.pop()
            post(client, tally, payload)

    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    return tally, time.perf_counter() - started


def overbooked() -> int:
    """Pairs of overlapping active reservations on an exclusive resource, plus the
    moments a shared resource holds more than its capacity."""
    from django.db import connection

    from dasan.reservations import availability
    from dasan.reservations.models import Reservation, Resource

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM reservations_reservation a JOIN reservations_reservation b "
            "ON a.resource_id = b.resource_id AND a.id < b.id "
            "WHERE a.exclusive AND a.status = ANY(%s) AND b.status = ANY(%s) "
            "AND a.blocked_from < b.blocked_until AND b.blocked_from < a.blocked_until",
            [list(ACTIVE), list(ACTIVE)],
        )
        count = cursor.fetchone()[0]
    for resource in Resource.objects.filter(exclusive=False):
        held = list(Reservation.objects.filter(resource=resource, status__in=ACTIVE))
        for r in held:
            if availability.peak_load(resource, held, r.blocked_from, r.blocked_until) > resource.capacity:
                count += 1
    return count


def row(name: str, tally: Tally, wall: float) -> str:
    created = tally.status.get("201", 0)
    conflicts = tally.status.get("409", 0)
    other = sum(n for k, n in tally.status.items() if k not in ("201", "409"))
    lat = tally.latency
    return (
        f"| {name} | {len(lat)} | {created} | {conflicts} | {other} | {created / wall:.1f} | "
        f"{percentile(lat, 50):.0f} | {percentile(lat, 95):.0f} | {percentile(lat, 99):.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=24, help="concurrent HTTP clients (threads), ≤ 200")
    parser.add_argument("--requests", type=int, default=400, help="booking attempts in the mixed phase, ≤ 5000")
    parser.add_argument("--seconds", type=float, default=60, help="time limit of the mixed phase, ≤ 300")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database for inspection")
    args = parser.parse_args()
    clients_n = max(2, min(args.clients, 200))
    requests_n = max(1, min(args.requests, 5000))
    seconds = max(1.0, min(args.seconds, 300.0))

    admin_url, bench_url = bench_database(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dasan"),
        "reservations",
        why="the bench measures row locks and the exclusion constraint",
    )
    var = tempfile.mkdtemp(prefix="dasan-bench-reservations-")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "DATABASE_URL": bench_url,
            "DASAN_VAR_DIR": var,
            "DASAN_DEBUG": "0",
            "DASAN_HTTPS": "0",
            "DASAN_SECRET_KEY": secrets.token_urlsafe(50),
            "DASAN_ALLOWED_HOSTS": "127.0.0.1",
            "DASAN_NOTIFY_CHANNELS": "console",
            "PYTHONUNBUFFERED": "1",
        }
    )
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "DASAN_VAR_DIR",
                "DASAN_DEBUG",
                "DASAN_HTTPS",
                "DASAN_SECRET_KEY",
                "DASAN_ALLOWED_HOSTS",
                "DASAN_NOTIFY_CHANNELS",
            )
        }
    )
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dasan.settings"
    recreate(admin_url, bench_url)
    server = None
    try:
        import logging

        import django

        django.setup()
        logging.getLogger("httpx").setLevel(logging.WARNING)
        from django.db import connection
        from django.utils import timezone

        print(f"seeding {bench_url.rsplit('/', 1)[1]} ...", file=sys.stderr)
        resources, cookies = seed(clients_n)
        connection.close()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(Path(var) / "server.log", "wb")  # a file, not a pipe: a full pipe would stall the server
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "dasan.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--no-collectstatic",
                "--workers",
                str(args.workers),
                "--threads",
                str(args.threads),
            ],
            env=env,
            cwd=var,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        import httpx

        for _ in range(120):
            try:
                if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                sys.exit("the server did not start: " + (Path(var) / "server.log").read_text(errors="replace")[-2000:])
            time.sleep(0.5)
        clients = [http_client(base, c) for c in cookies]
        for c in clients:  # warm every worker thread and connection before measuring
            c.get("/api/v1/reservations/resources")
        tz = timezone.get_default_timezone()
        start_day = timezone.localdate() + dt.timedelta(days=2)

        race_tally, race_wall = race(clients, resources[0].pk, dt.datetime.combine(start_day, dt.time(10), tzinfo=tz))
        race_over = overbooked()
        connection.close()
        mixed_tally, mixed_wall = mixed(
            clients,
            resources,
            requests=requests_n,
            seconds=seconds,
            start_day=start_day + dt.timedelta(days=1),
            tz=tz,
            seed=args.seed,
        )
        total_over = overbooked()
        for c in clients:
            c.close()

        print(
            f"\nreservations bench: {clients_n} clients, gunicorn {args.workers}×{args.threads}, "
            f"PostgreSQL, {len(resources) - 1} exclusive courts + 1 class of 10 seats\n"
        )
        print("| phase | attempts | 201 booked | 409 refused | other | bookings/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|---|---|")
        print(row("race (one slot)", race_tally, race_wall))
        print(row("mixed", mixed_tally, mixed_wall))
        print(
            f"\nrace: exactly one booked: {'yes' if race_tally.status.get('201', 0) == 1 else 'NO'}; "
            f"other answers: {{{', '.join(f'{k}: {v}' for k, v in sorted(race_tally.status.items()) if k not in ('201', '409'))}}}"
        )
        print(
            f"mixed other answers: {{{', '.join(f'{k}: {v}' for k, v in sorted(mixed_tally.status.items()) if k not in ('201', '409'))}}}"
        )
        print(f"overbooked after race: {race_over}; after both phases: {total_over} (must be 0)")
        if total_over or race_tally.status.get("201", 0) != 1:
            sys.exit(1)
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if not args.keep_db:
            recreate(admin_url, bench_url, drop_only=True)
            shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
