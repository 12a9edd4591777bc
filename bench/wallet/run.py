"""이음 지갑 under load: a big ledger, concurrent conversions and claims, and the money invariants.

The bench makes a throw-away database on the PostgreSQL server of ``DATABASE_URL``
(``<name>_bench_wallet``), migrates it, starts the fake local-currency operator in this
process (``dasan.wallet.currency.fake.FakeOperator``, a real HTTPS server) and the
production server (``dasan serve``: gunicorn, threaded workers) on 127.0.0.1, configured
with ``WALLET_CURRENCY_ENGINE=fake`` pointing at that operator. Then:

1. **seed** — programmes with budgets, ``--residents`` residents with verified residency,
   and ``--entries`` ledger entries. Bulk, in SQL: one credited ``Claim`` per entry
   (``INSERT … SELECT generate_series``) and its ``earn`` entry budget → resident with the
   ledger's own key (``claim:<id>:earn``); budgets are funded through ``ledger.post``.
   Stored balances are then set from the entries (one ``UPDATE … FROM`` aggregate) and the
   wallet's own ``ledger.recompute()`` must find no account that differs.
2. **reads** — ``GET /api/v1/wallet/balance`` and ``/history`` for random signed-in
   residents; p50/p95/p99 and req/s; ``EXPLAIN`` of ``selectors.history`` (top line).
3. **race** — ``--clients`` threads at once: each a resident converting points
   (``POST /api/v1/wallet/conversions`` with an ``Idempotency-Key``; some sent twice at the
   same instant, some retried after the answer, more in all than the balance allows) and a
   partner reporting that resident's activities (``POST /api/v1/wallet/partner/activities``;
   some rows sent twice at once; one programme with a small budget and a daily cap). While
   they run, operator faults are injected (503, delay past the timeout, 500 after applying,
   dropped connection). Then the ``wallet.resolve_conversions`` job
   (``conversions.resolve_pending``) runs until nothing is pending.
4. **invariants**, from the database and the fake operator: sum of balances = 0; no
   non-funding balance < 0; stored = recomputed balances; done conversions = the operator's
   charges (key and amount), nothing charged for a failed one; one hold entry per
   conversion, one refund per failed one; one conversion per Idempotency-Key; no entry key
   twice; no claim credited twice (entries per claim, duplicate activities); the daily cap.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dasan python bench/wallet/run.py
    python bench/wallet/run.py --entries 1000000 --clients 200 --residents 20000
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

TIGHT_DAILY_CAP = 3000  # the small-budget programme: reward 1000, at most 3000 won a day


# --- seed ---------------------------------------------------------------------------------------


def seed_people(residents: int):
    """Municipality, department, a staff user, ``residents`` residents (verified residency)
    and their wallet accounts. Returns (staff, department)."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from dasan.accounts.models import Kind, Residency, User
    from dasan.core.models import Department, Municipality
    from dasan.wallet.models import Account

    Municipality.objects.create(name="벤치시", name_en="Bench City", region_code="99997", phone="02-000-0000")
    department = Department.objects.create(code="bench-wallet", name="벤치 일자리경제과")
    staff = User.objects.create_user(username="bench-staff", kind=Kind.STAFF, name="벤치직원", department=department)
    now, password = timezone.now(), make_password(None)
    for start in range(0, residents, 5000):
        batch = [
            User(username=f"bw-{i}", kind=Kind.RESIDENT, phone=f"0108{i:07d}", name=f"주민{i}", password=password)
            for i in range(start, min(start + 5000, residents))
        ]
        User.objects.bulk_create(batch)
    people = list(User.objects.filter(kind=Kind.RESIDENT).order_by("pk"))
    for start in range(0, len(people), 5000):
        Residency.objects.bulk_create(
            Residency(
                user=u,
                birth_date=dt.date(1960 + u.pk % 40, 1 + u.pk % 12, 1),
                dong_name="벤치1동",
                dong_code="9999751000",
                status="verified",
                method="proof",
                declared_at=now,
                verified_at=now,
                verified_by=staff,
            )
            for u in people[start : start + 5000]
        )
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {Account._meta.db_table} (kind, balance, owner_id) "
            f"SELECT 'resident', 0, id FROM {User._meta.db_table} WHERE kind = 'resident' ORDER BY id"
        )
    return staff, department


def seed_programmes(department, staff, today: dt.date):
    """Four open programmes without caps (the history) and one with a small budget and a
    daily cap (the race). Returns (programmes, tight, {programme: partner token})."""
    from dasan.wallet import ledger, services
    from dasan.wallet.models import PartnerToken, Programme

    year = dt.date(today.year, 1, 1), dt.date(today.year + 1, 12, 31)
    specs = [
        ("eco", "생태참여수당", 1000),
        ("care", "돌봄참여소득", 2000),
        ("vol", "자원봉사", 500),
        ("walk", "걷기", 1500),
    ]
    programmes = [
        Programme.objects.create(
            code=code, name=name, department=department, reward=reward, starts_on=year[0], ends_on=year[1]
        )
        for code, name, reward in specs
    ]
    tight = Programme.objects.create(
        code="tight", name="예산 적은 사업", department=department, reward=1000, daily_cap=TIGHT_DAILY_CAP,
        starts_on=year[0], ends_on=year[1],
    )  # fmt: skip
    tokens = {}
    for programme in [*programmes, tight]:
        ledger.budget_account(programme)
        plain = "dwp_" + secrets.token_urlsafe(32)
        PartnerToken.objects.create(
            programme=programme, name=f"벤치 {programme.code}", prefix=plain[:10],
            token_hash=services.token_hash(plain), created_by=staff,
        )  # fmt: skip
        tokens[programme.pk] = plain
    return programmes, tight, tokens


def seed_ledger(programmes, tight, entries: int, residents: int, today: dt.date) -> dict:
    """Claims and their earn entries in bulk SQL, budgets funded by ``ledger.post``, then
    stored balances from the entries and the wallet's ``recompute()`` as the proof."""
    from django.db import connection

    from dasan.wallet import ledger
    from dasan.wallet.models import Account, Claim, Entry, EntryKind

    n_prog = len(programmes)
    funding = ledger.system_account("funding")
    for i, programme in enumerate(programmes):
        earned = (entries // n_prog + 1) * programme.reward
        ledger.post(
            funding, ledger.budget_account(programme), earned + 100_000_000,
            key=f"fund:{programme.pk}:bench-{i}", kind=EntryKind.FUND, memo="bench",
        )  # fmt: skip
    # Enough for about a third of the race's claims on the tight programme.
    ledger.post(funding, ledger.budget_account(tight), 60_000, key=f"fund:{tight.pk}:bench", kind=EntryKind.FUND)
    claim_t, entry_t, account_t = Claim._meta.db_table, Entry._meta.db_table, Account._meta.db_table
    prog_ids = [p.pk for p in programmes]
    rewards = [p.reward for p in programmes]
    days = max(1, min(300, (today - dt.date(today.year, 1, 1)).days))
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute(
            "CREATE TEMP TABLE bench_people AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, owner_id, id "
            f"FROM {account_t} WHERE kind = 'resident'"
        )
        cur.execute("CREATE UNIQUE INDEX ON bench_people (n)")
        # One credited claim per entry: resident spread by a multiplicative hash, one of the
        # programmes, an activity day in the past year, a unique activity and dedupe key.
        cur.execute(
            f"""
            INSERT INTO {claim_t} (programme_id, resident_id, source, status, review_reason, activity_date,
                activity_ref, description, minutes, dedupe_key, amount, evidence, decided_at, decision_note,
                created_at)
            SELECT x.programme, p.owner_id, 'partner_api', 'credited', '', x.day, 'seed:' || x.g, '', 0,
                x.programme || ':' || p.owner_id || ':' || x.day || ':seed:' || x.g, x.reward, '',
                x.day::timestamptz + make_interval(secs => x.g %% 86000), '',
                x.day::timestamptz + make_interval(secs => x.g %% 86000)
            FROM (
                SELECT g, (%(prog)s::bigint[])[1 + g %% %(np)s] AS programme,
                    (%(reward)s::int[])[1 + g %% %(np)s] AS reward,
                    %(first)s::date + (g %% %(days)s)::int AS day,
                    (g::bigint * 7919) %% %(residents)s AS n
                FROM generate_series(1, %(entries)s) AS g
            ) x JOIN bench_people p ON p.n = x.n
            """,
            {
                "np": n_prog,
                "entries": entries,
                "residents": residents,
                "first": dt.date(today.year, 1, 1),
                "days": days,
                "prog": prog_ids,
                "reward": rewards,
            },
        )
        claims_seconds = time.perf_counter() - t0
        cur.execute(
            f"""
            INSERT INTO {entry_t} (key, kind, debit_id, credit_id, amount, claim_id, expires_on, memo, created_at)
            SELECT 'claim:' || c.id || ':earn', 'earn', b.id, a.id, c.amount, c.id, c.activity_date + 365, '',
                c.created_at
            FROM {claim_t} c
            JOIN {account_t} a ON a.owner_id = c.resident_id
            JOIN {account_t} b ON b.programme_id = c.programme_id
            WHERE c.activity_ref LIKE 'seed:%%'
            """
        )
        cur.execute(
            f"""
            UPDATE {account_t} acc SET balance = t.balance FROM (
                SELECT id, COALESCE((SELECT sum(amount) FROM {entry_t} WHERE credit_id = x.id), 0)
                         - COALESCE((SELECT sum(amount) FROM {entry_t} WHERE debit_id = x.id), 0) AS balance
                FROM {account_t} x
            ) t WHERE acc.id = t.id AND acc.balance <> t.balance
            """
        )
        cur.execute("DROP TABLE bench_people")
    with connection.cursor() as cur:
        cur.execute(f"ANALYZE {claim_t}")
        cur.execute(f"ANALYZE {entry_t}")
        cur.execute(f"ANALYZE {account_t}")
    insert_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    wrong = ledger.recompute()
    recompute_seconds = time.perf_counter() - t1
    return {
        "entries": Entry.objects.count(),
        "claims": Claim.objects.count(),
        "accounts": Account.objects.count(),
        "claims_s": claims_seconds,
        "insert_s": insert_seconds,
        "recompute_s": recompute_seconds,
        "recompute_wrong": len(wrong),
        "sum": ledger.accounts_sum(),
    }


def sign_in(users) -> list[str]:
    from django.test import Client

    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(client.cookies["sessionid"].value)
    return cookies


def register_cards(users) -> None:
    from dasan.wallet import services

    for user in users:
        services.register_card(f"9410{user.pk:012d}", actor=user)


# --- HTTP ---------------------------------------------------------------------------------------


_TLS = None  # one SSL context for all clients: building one per httpx.Client costs ~50 ms


def http_client(base: str, session: str | None = None, token: str | None = None):
    import ssl

    import httpx

    global _TLS
    _TLS = _TLS or ssl.create_default_context()

    csrf = secrets.token_hex(16)
    headers = {"X-CSRFToken": csrf, "Referer": base + "/"}
    cookies = {"csrftoken": csrf}
    if session:
        cookies["sessionid"] = session
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(base_url=base, timeout=60, cookies=cookies, headers=headers, verify=_TLS)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: list[float] = []
        self.status: dict[str, int] = {}

    def add(self, started: float, response, key: str | None = None) -> None:
        ms = (time.perf_counter() - started) * 1000
        if key is None:
            if response is None:
                key = "error"
            else:
                key = str(response.status_code)
                if response.status_code >= 400:
                    try:
                        key += " " + response.json()["error"]["code"]
                    except Exception:  # noqa: BLE001 - shown as the bare status
                        pass
        with self.lock:
            self.latency.append(ms)
            self.status[key] = self.status.get(key, 0) + 1

    def count(self, prefix: str) -> int:
        return sum(n for k, n in self.status.items() if k.startswith(prefix))


def timed(tally: Tally, call, classify=None):
    started = time.perf_counter()
    try:
        response = call()
    except Exception:  # noqa: BLE001 - a dropped connection counts as an error
        response = None
    tally.add(started, response, classify(response) if classify and response is not None else None)
    return response


def reads(base: str, cookies: list[str], *, threads: int, requests: int, seed: int) -> dict[str, tuple[Tally, float]]:
    """``requests`` GETs of each of balance and history, by ``threads`` threads, each request
    as a random one of the signed-in residents."""
    rng = random.Random(seed)
    clients = [http_client(base, c) for c in cookies]
    for c in clients[: threads * 2]:
        c.get("/api/v1/wallet/balance")
    results = {}
    for path in ("/api/v1/wallet/balance", "/api/v1/wallet/history"):
        work = [rng.choice(clients) for _ in range(requests)]
        tally, lock = Tally(), threading.Lock()

        def run(path=path, work=work, tally=tally, lock=lock):
            while True:
                with lock:
                    if not work:
                        return
                    client = work.pop()
                timed(tally, lambda client=client: client.get(path))

        pool = [threading.Thread(target=run) for _ in range(threads)]
        started = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        results[path.rsplit("/", 1)[1]] = (tally, time.perf_counter() - started)
    for c in clients:
        c.close()
    return results


def explain_history(user) -> tuple[str, bool]:
    from dasan.wallet import selectors

    plan = selectors.history(user)[:100].explain()
    lines = [line.strip() for line in plan.splitlines()]
    index = next((line for line in lines if "Index" in line), "")
    return lines[0] + (f" … {index}" if index else ""), bool(index)


# --- race ---------------------------------------------------------------------------------------


def race(base, people, cookies, tokens, programmes, tight, operator, *, conversions: int, claims: int, seed: int):
    """Every client at once: conversions (some doubled, some retried) and partner claims (some
    doubled); faults injected into the operator meanwhile. Returns tallies and wall time."""
    from django.utils import timezone

    rng = random.Random(seed)
    today = timezone.localdate()
    conv, claim = Tally(), Tally()
    barrier = threading.Barrier(len(people))
    stop = threading.Event()

    def claim_code(response):
        if response.status_code != 200:
            return str(response.status_code)
        rows = response.json()
        row = rows[0] if rows else {}
        return row.get("status") or row.get("code") or "?"

    def client_run(i: int):
        user, r = people[i], random.Random(seed * 1000 + i)
        me = http_client(base, cookies[i])
        partners = {p.pk: http_client(base, token=tokens[p.pk]) for p in [*programmes, tight]}
        plan = []
        for n in range(conversions):
            plan.append(("convert", n))
        for n in range(claims):
            plan.append(("claim", n))
        r.shuffle(plan)
        barrier.wait()
        for what, n in plan:
            if what == "convert":
                key, payload = f"bench-{i}-{n}", {"amount": r.choice((1000, 5000, 10000, 20000, 30000))}

                def send(key=key, payload=payload):
                    return timed(
                        conv,
                        lambda: me.post("/api/v1/wallet/conversions", json=payload, headers={"Idempotency-Key": key}),
                    )

                roll = r.random()
                if roll < 0.1:  # the same key twice at the same instant (a double tap)
                    twin = threading.Thread(target=send)
                    twin.start()
                    send()
                    twin.join()
                else:
                    send()
                    if roll < 0.25:  # a retry after the answer (the client lost it)
                        send()
            else:
                programme = tight if r.random() < 0.4 else r.choice(programmes)
                row = {
                    "phone": user.phone,
                    "activity_date": today.isoformat(),
                    "activity_ref": f"race-{i}-{n}",
                    "description": "벤치 활동",
                }
                client = partners[programme.pk]

                def report(client=client, row=row):
                    return timed(
                        claim, lambda: client.post("/api/v1/wallet/partner/activities", json=[row]), claim_code
                    )

                if r.random() < 0.3:  # the partner sends the same row twice at once
                    twin = threading.Thread(target=report)
                    twin.start()
                    report()
                    twin.join()
                else:
                    report()
        me.close()
        for c in partners.values():
            c.close()

    def faults():
        # About one charge in five meets a fault: after every ~5 requests the operator has
        # seen, one more is queued (when none is waiting).
        kinds = ["unavailable", "unavailable", "delay", "error_after_apply", "drop", "throttle"]
        injected, seen = 0, 0
        while not stop.wait(0.05):
            with operator.lock:
                requests, waiting = operator.requests, len(operator.faults)
            if not waiting and requests - seen >= 5:
                operator.inject(rng.choice(kinds), seconds=3.0)
                injected, seen = injected + 1, requests
        faults.injected = injected

    for user in people[:: max(2, len(people) // 10)]:  # about one in ten: the operator refuses
        operator.reject(f"9410{user.pk:012d}", "account_closed")
    injector = threading.Thread(target=faults)
    pool = [threading.Thread(target=client_run, args=(i,)) for i in range(len(people))]
    started = time.perf_counter()
    injector.start()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    wall = time.perf_counter() - started
    stop.set()
    injector.join()
    operator.release()
    with operator.lock:
        operator.faults.clear()
    return conv, claim, wall, faults.injected


def resolve(now) -> tuple[int, int, float]:
    """Run the resolve job (with the clock moved on each round) until nothing is pending."""
    from dasan.wallet import conversions
    from dasan.wallet.models import Conversion

    started, rounds, resolved = time.perf_counter(), 0, 0
    while Conversion.objects.filter(status="pending").exists() and rounds < 30:
        rounds += 1
        resolved += conversions.resolve_pending(now + dt.timedelta(hours=rounds), limit=10_000)
    return rounds, resolved, time.perf_counter() - started


# --- invariants ---------------------------------------------------------------------------------


def invariants(operator) -> list[tuple[str, bool, str]]:
    from django.db import connection

    from dasan.wallet import ledger
    from dasan.wallet.models import Account, Claim, Conversion, Entry

    acc, ent, cla, con = (m._meta.db_table for m in (Account, Entry, Claim, Conversion))

    def one(sql, params=()):
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchone()[0]

    results = []
    total = ledger.accounts_sum()
    results.append(("sum of all balances = 0", total == 0, f"sum {total:,}"))
    negative = one(f"SELECT count(*) FROM {acc} WHERE kind <> 'funding' AND balance < 0")
    results.append(("no resident/budget/system balance < 0", negative == 0, f"{negative} negative"))
    wrong = ledger.recompute()
    results.append(("stored balances = recomputed from entries", not wrong, f"{len(wrong)} differ"))
    with operator.lock:
        charges = {k: c.amount for k, c in operator.charges.items()}
    done = dict(Conversion.objects.filter(status="done").values_list("key", "amount"))
    others = set(Conversion.objects.exclude(status="done").values_list("key", flat=True))
    mismatch = sum(1 for k in done if charges.get(k) != done[k]) + sum(1 for k in charges if k not in done)
    charged_failed = len(others & set(charges))
    results.append(
        (
            "done conversions = operator charges (key, amount)",
            mismatch == 0,
            f"{len(done)} done, {len(charges)} charged, {mismatch} differ",
        )
    )
    results.append(("nothing charged for failed/pending", charged_failed == 0, f"{charged_failed} charged"))
    pending = Conversion.objects.filter(status="pending").count()
    results.append(("no conversion left pending after the job", pending == 0, f"{pending} pending"))
    holds = one(
        f"SELECT count(*) FROM {con} c WHERE (SELECT count(*) FROM {ent} e WHERE e.conversion_id = c.id "
        f"AND e.kind = 'hold') <> 1"
    )
    refunds = one(
        f"SELECT count(*) FROM {con} c WHERE (SELECT count(*) FROM {ent} e WHERE e.conversion_id = c.id "
        f"AND e.kind = 'refund') <> CASE WHEN c.status = 'failed' THEN 1 ELSE 0 END"
    )
    results.append(("one hold per conversion, one refund per failed", holds + refunds == 0, f"{holds + refunds} off"))
    clearing = one(f"SELECT COALESCE(sum(balance), 0) FROM {acc} WHERE kind = 'clearing'")
    held = one(f"SELECT COALESCE(sum(amount), 0) FROM {con} WHERE status IN ('done', 'pending')")
    results.append(("clearing balance = done + pending conversions", clearing == held, f"{clearing:,} vs {held:,}"))
    twice = one(
        f"SELECT count(*) FROM (SELECT 1 FROM {con} WHERE request_key <> '' "
        f"GROUP BY resident_id, request_key HAVING count(*) > 1) t"
    )
    results.append(("one conversion per Idempotency-Key", twice == 0, f"{twice} keys twice"))
    keys = one(f"SELECT count(*) FROM (SELECT 1 FROM {ent} GROUP BY key HAVING count(*) > 1) t")
    results.append(("no entry key used twice", keys == 0, f"{keys} keys twice"))
    per_claim = one(
        f"SELECT count(*) FROM (SELECT claim_id FROM {ent} WHERE kind = 'earn' AND claim_id IS NOT NULL "
        f"GROUP BY claim_id HAVING count(*) > 1) t"
    )
    uncredited = one(
        f"SELECT count(*) FROM {cla} c WHERE (c.status = 'credited') <> EXISTS "
        f"(SELECT 1 FROM {ent} e WHERE e.claim_id = c.id AND e.kind = 'earn')"
    )
    dup = one(
        f"SELECT count(*) FROM (SELECT 1 FROM {cla} WHERE status = 'credited' "
        f"GROUP BY programme_id, resident_id, activity_date, activity_ref HAVING count(*) > 1) t"
    )
    results.append(
        (
            "no double credit (one earn per claim, one credited claim per activity)",
            per_claim + uncredited + dup == 0,
            f"{per_claim} claims paid twice, {uncredited} status≠entry, {dup} activities credited twice",
        )
    )
    over_cap = one(
        f"SELECT count(*) FROM (SELECT 1 FROM {ent} e JOIN {cla} c ON c.id = e.claim_id JOIN wallet_programme p "
        f"ON p.id = c.programme_id WHERE e.kind = 'earn' AND p.daily_cap IS NOT NULL "
        f"GROUP BY e.credit_id, c.programme_id, c.activity_date, p.daily_cap HAVING sum(e.amount) > p.daily_cap) t"
    )
    results.append(("daily cap never exceeded", over_cap == 0, f"{over_cap} resident-days over"))
    return results


# --- report -------------------------------------------------------------------------------------


def row(name: str, tally: Tally, wall: float, ok_prefixes: tuple[str, ...], refused_prefixes: tuple[str, ...]) -> str:
    ok = sum(tally.count(p) for p in ok_prefixes)
    refused = sum(tally.count(p) for p in refused_prefixes)
    lat = tally.latency
    other = len(lat) - ok - refused
    return (
        f"| {name} | {len(lat)} | {ok} | {refused} | {other} | {len(lat) / wall:.1f} | "
        f"{percentile(lat, 50):.0f} | {percentile(lat, 95):.0f} | {percentile(lat, 99):.0f} |"
    )


def answers(tally: Tally) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(tally.status.items()))


def start_server(env: dict, var: str, port: int, workers: int, threads: int):
    import httpx

    log = open(Path(var) / "server.log", "wb")  # a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen(
        [
            sys.executable, "-m", "dasan.cli", "serve", "--bind", f"127.0.0.1:{port}", "--no-collectstatic",
            "--workers", str(workers), "--threads", str(threads),
        ],
        env=env, cwd=var, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            sys.exit("the server did not start: " + (Path(var) / "server.log").read_text(errors="replace")[-2000:])
        time.sleep(0.5)
    sys.exit("the server did not answer /api/v1/health in 120 s")


def configure(bench_url: str, var: str, operator) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    mine = {
        "DATABASE_URL": bench_url,
        "DASAN_VAR_DIR": var,
        "DASAN_DEBUG": "0",
        "DASAN_HTTPS": "0",
        "DASAN_SECRET_KEY": secrets.token_urlsafe(50),
        "DASAN_ALLOWED_HOSTS": "127.0.0.1",
        "DASAN_NOTIFY_CHANNELS": "console",
        "DASAN_WALLET_CURRENCY_ENGINE": "fake",
        "DASAN_WALLET_CURRENCY_URL": operator.url,
        "DASAN_WALLET_CURRENCY_API_KEY": operator.api_key,
        "DASAN_WALLET_CURRENCY_CA_FILE": str(operator.cert_path),
        "DASAN_WALLET_CURRENCY_TIMEOUT": "2",
        # One token per programme is shared by all clients: lift the per-token limit.
        "DASAN_WALLET_PARTNER_REQUESTS_PER_MINUTE": "1000000",
    }
    env.update(mine, PYTHONUNBUFFERED="1")
    os.environ.update(mine)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dasan.settings"
    return env


def main() -> None:  # noqa: PLR0915 - one straight run, phase after phase
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=50_000, help="ledger entries to seed (≤ 5,000,000)")
    parser.add_argument("--residents", type=int, default=2_000, help="residents (≤ 200,000)")
    parser.add_argument("--clients", type=int, default=24, help="concurrent HTTP clients in the race (≤ 200)")
    parser.add_argument("--conversions", type=int, default=4, help="conversions per race client")
    parser.add_argument("--claims", type=int, default=4, help="partner claims per race client")
    parser.add_argument("--reads", type=int, default=1000, help="GETs of each of balance and history")
    parser.add_argument("--read-threads", type=int, default=16, help="concurrent threads in the reads phase")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", "--keep-db", action="store_true", help="leave the bench database for inspection")
    args = parser.parse_args()
    entries = max(1000, min(args.entries, 5_000_000))
    residents = max(10, min(args.residents, 200_000))
    clients_n = max(2, min(args.clients, 200, residents))
    read_threads = max(1, min(args.read_threads, 200))

    admin_url, bench_url = bench_database(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dasan"),
        "wallet",
        why="the bench measures row locks under load",
    )
    var = tempfile.mkdtemp(prefix="dasan-bench-wallet-")
    from dasan.wallet.currency.fake import FakeOperator

    operator = FakeOperator(cert_dir=Path(var) / "fake-currency").start()
    env = configure(bench_url, var, operator)
    recreate(admin_url, bench_url)
    server = None
    try:
        import logging

        import django

        django.setup()
        logging.getLogger("httpx").setLevel(logging.WARNING)
        logging.getLogger("dasan.wallet").setLevel(logging.ERROR)
        from django.core.management import call_command
        from django.db import connection
        from django.utils import timezone

        from dasan.accounts.models import User

        name = bench_url.rsplit("/", 1)[1]
        print(f"seeding {name}: {residents:,} residents, {entries:,} entries ...", file=sys.stderr)
        t0 = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_s = time.perf_counter() - t0
        today = timezone.localdate()
        t0 = time.perf_counter()
        staff, department = seed_people(residents)
        programmes, tight, tokens = seed_programmes(department, staff, today)
        people_s = time.perf_counter() - t0
        seeded = seed_ledger(programmes, tight, entries, residents, today)
        rng = random.Random(args.seed)
        everyone = list(User.objects.filter(kind="resident").order_by("pk").values_list("pk", flat=True))
        race_people = list(User.objects.filter(pk__in=rng.sample(everyone, clients_n)).order_by("pk"))
        read_people = list(User.objects.filter(pk__in=rng.sample(everyone, min(200, len(everyone)))))
        register_cards(race_people)
        race_cookies, read_cookies = sign_in(race_people), sign_in(read_people)
        plan_line, plan_index = explain_history(read_people[0])
        print(
            f"seeded in {people_s + seeded['insert_s']:.1f} s (migrate {migrate_s:.1f} s); recompute "
            f"{seeded['recompute_s']:.1f} s",
            file=sys.stderr,
        )
        connection.close()

        server, base = start_server(env, var, free_port(), args.workers, args.threads)
        read_results = reads(base, read_cookies, threads=read_threads, requests=args.reads, seed=args.seed)
        print("reads done; race ...", file=sys.stderr)
        conv, claim, race_wall, injected = race(
            base, race_people, race_cookies, tokens, programmes, tight, operator,
            conversions=args.conversions, claims=args.claims, seed=args.seed,
        )  # fmt: skip
        connection.close()
        from dasan.wallet.models import Conversion

        pending_after_race = Conversion.objects.filter(status="pending").count()
        rounds, resolved, resolve_s = resolve(timezone.now())
        checks = invariants(operator)

        print(
            f"\nwallet bench: {residents:,} residents, gunicorn {args.workers}×{args.threads}, PostgreSQL, "
            f"fake operator in-process (HTTPS), {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}\n"
        )
        print(
            f"seed: {seeded['entries']:,} entries, {seeded['claims']:,} claims, {seeded['accounts']:,} accounts "
            f"in {people_s + seeded['insert_s']:.1f} s (people {people_s:.1f} s, claims {seeded['claims_s']:.1f} s, "
            f"entries + balances + ANALYZE {seeded['insert_s'] - seeded['claims_s']:.1f} s; bulk SQL); "
            f"ledger.recompute() {seeded['recompute_s']:.1f} s: {seeded['recompute_wrong']} accounts differ; "
            f"sum {seeded['sum']}"
        )
        print(f"history query plan: {plan_line}  (uses an index: {'yes' if plan_index else 'NO'})\n")
        print("| phase | requests | ok | refused (4xx) | other | req/s | p50 ms | p95 ms | p99 ms |")
        print("|---|---|---|---|---|---|---|---|---|")
        for what, (tally, wall) in read_results.items():
            print(row(f"reads: {what}", tally, wall, ("200",), ("4",)))
        print(row("race: conversions", conv, race_wall, ("201",), ("4",)))
        print(row("race: partner claims", claim, race_wall, ("credited", "review"), ("wallet_", "4")))
        for what, (tally, _wall) in read_results.items():
            print(f"\n{what} answers: {answers(tally)}", end="")
        print(f"\nconversion answers: {answers(conv)}")
        print(f"claim answers (first row): {answers(claim)}")
        by_status = dict(
            Conversion.objects.values_list("status").annotate(n=django.db.models.Count("pk")).values_list("status", "n")
        )
        print(
            f"race wall {race_wall:.1f} s; operator faults injected: {injected}; pending after the race: "
            f"{pending_after_race}; resolve job: {rounds} rounds, {resolved} handled in {resolve_s:.1f} s; "
            f"conversions now {by_status}\n"
        )
        print("| invariant | result | count |")
        print("|---|---|---|")
        for label, ok, detail in checks:
            print(f"| {label} | {'PASS' if ok else 'FAIL'} | {detail} |")
        if not all(ok for _label, ok, _detail in checks) or seeded["recompute_wrong"]:
            sys.exit(1)
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        operator.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        if not args.keep:
            recreate(admin_url, bench_url, drop_only=True)
            shutil.rmtree(var, ignore_errors=True)
        else:
            print(f"kept database {bench_url.rsplit('/', 1)[1]} and {var}", file=sys.stderr)


if __name__ == "__main__":
    main()
