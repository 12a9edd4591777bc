"""주민참여예산 ballots under concurrent HTTP load: the real server, real clients, PostgreSQL.

The bench makes a throw-away database on the PostgreSQL server of ``DATABASE_URL``
(``<name>_bench_participation``), migrates it and seeds a process in its voting phase with one
citywide heading (budget 1,000,000,000 won), ``--projects`` feasible projects costing 10–300
million won, and ``--ballots`` residents with a verified residency (bulk-created: this is
seeding, not sign-up). Each resident gets a signed-in session written straight into the session
table (the same data ``django.contrib.auth.login`` stores), so the clients act as many residents
without paying for 100,000 phone sign-ins. Then it starts the production server (``dasan serve``:
gunicorn, threaded workers) on 127.0.0.1 only, and ``--clients`` threads cast one ballot per
resident through ``POST /api/v1/participation/processes/{slug}/headings/{id}/ballot``:

* approval within the budget, realistic picks: 1–5 projects, popular ones more often
  (Dirichlet(0.7) popularity), skipping a pick that would go over the budget;
* every submission carries a fresh ``Idempotency-Key``;
* ``--retry`` of the successful submissions are sent again with the same key and body (a retry
  after a lost answer): the answer must be the stored one, the ballot's version must not move;
* ``--double`` of the submissions are sent twice at the same instant with the same key (a double
  click on two connections): one runs, the other is answered from the record or told
  ``idempotency_in_progress`` (409) and tries again;
* ``--change`` of the residents change their ballot later with a new key (version + 1);
* a connection error, a 5xx or a 409 ``idempotency_in_progress`` is retried with the same key.

Afterwards the database is checked against what the clients were told: **lost** (a resident
got a 200 but has no ballot), **doubled** (more than one ballot per resident or voter key, or a
ballot for someone never answered 200), **mismatched** (a ballot's choices differ from the
resident's last accepted submission), **version off** (version ≠ number of distinct accepted
keys: a retry counted twice) and **replay differs** (a same-key retry got another answer). All
must be 0. Then the tally is timed on exactly those stored ballots:
``selectors.election_for(heading)`` and ``tally.tally`` with greedy and Equal Shares.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dasan python bench/participation/ballots.py
    python bench/participation/ballots.py --ballots 2000 --clients 50      # a smoke run
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import http.client
import json
import os
import queue
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

BUDGET = 1_000_000_000
DONGS = ["역삼1동", "역삼2동", "개포1동", "대치2동", "삼성1동", "논현1동"]
SLUG = "bench"


# --- seeding ---------------------------------------------------------------------------------------


def seed_process(projects_n: int, rng: random.Random):
    """A process in its voting phase (opened yesterday, closing in a week), one citywide heading,
    ``projects_n`` feasible projects; returns (heading, {proposal id: cost})."""
    from django.utils import timezone

    from dasan.core.models import Municipality
    from dasan.participation.models import Heading, Phase, Process, ProcessPhase, Proposal, State

    Municipality.objects.create(name="벤치시", name_en="Bench City", region_code="99997", phone="02-000-0000")
    now = timezone.now()
    process = Process.objects.create(slug=SLUG, title="벤치 주민참여예산", ballot_kind="approval", rule="greedy")
    windows = [(Phase.PROPOSALS, -30, -20), (Phase.REVIEW, -20, -1), (Phase.VOTING, -1, 7), (Phase.RESULTS, 7, 30)]
    for phase, begins, ends in windows:
        ProcessPhase.objects.create(
            process=process, phase=phase, starts=now + dt.timedelta(days=begins), ends=now + dt.timedelta(days=ends)
        )
    heading = Heading.objects.create(process=process, name="시 전체", budget=BUDGET)
    made = Proposal.objects.bulk_create(
        Proposal(
            process=process,
            heading=heading,
            title=f"벤치 사업 {n}",
            body="벤치에서 만든 사업입니다. 주민 모두가 이용합니다.",
            estimated_cost=cost,
            cost=cost,
            state=State.FEASIBLE,
            published_at=now,
        )
        for n in range(1, projects_n + 1)
        for cost in [rng.randint(1, 30) * 10_000_000]
    )
    return Heading.objects.select_related("process").get(pk=heading.pk), {p.pk: p.cost for p in made}


def seed_residents(n: int, rng: random.Random) -> list[tuple[int, str]]:
    """``n`` residents aged 14–85 in six 동, residency verified from the roster, each with a
    signed-in session row; returns [(user id, session key)]."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from dasan.accounts.models import Kind, Residency, ResidencyMethod, ResidencyStatus, User

    now = timezone.now()
    backend = "dasan.accounts.backends.DasanBackend"
    out: list[tuple[int, str]] = []
    for start in range(0, n, 5000):
        users = User.objects.bulk_create(
            User(
                username=f"bench-{i}",
                kind=Kind.RESIDENT,
                phone=f"010{i:08d}",
                name=f"주민{i}",
                password=make_password(None),
            )
            for i in range(start, min(n, start + 5000))
        )
        Residency.objects.bulk_create(
            Residency(
                user=u,
                birth_date=dt.date(rng.randint(1941, 2011), rng.randint(1, 12), rng.randint(1, 28)),
                dong_name=rng.choice(DONGS),
                status=ResidencyStatus.VERIFIED,
                method=ResidencyMethod.ROSTER,
                verified_at=now,
            )
            for u in users
        )
        store, sessions = SessionStore(), []
        for u in users:
            key = secrets.token_hex(16)
            data = {SESSION_KEY: str(u.pk), BACKEND_SESSION_KEY: backend, HASH_SESSION_KEY: u.get_session_auth_hash()}
            sessions.append(
                Session(session_key=key, session_data=store.encode(data), expire_date=now + dt.timedelta(days=1))
            )
            out.append((u.pk, key))
        Session.objects.bulk_create(sessions)
        print(f"  residents {len(out):,}/{n:,}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    return out


# --- the plan: what each resident submits -------------------------------------------------------


@dataclasses.dataclass
class Submission:
    key: str
    choices: dict[str, int]
    retry: bool  # sent again with the same key after its answer (the answer was "lost")
    double: bool  # sent twice at once with the same key


@dataclasses.dataclass
class Voter:
    user: int
    session: str
    plan: list[Submission]
    accepted: list[tuple[str, dict]] = dataclasses.field(default_factory=list)  # (key, choices) answered 200
    answers: list[dict] = dataclasses.field(default_factory=list)  # bodies of 200 answers
    started: bool = False


def pick(costs: dict[int, int], weights: list[float], rng: random.Random) -> dict[str, int]:
    """1–5 projects, popular ones more often, none that would go over the budget."""
    ids, wanted, chosen, total = list(costs), rng.randint(1, 5), [], 0
    for pk in rng.choices(ids, weights=weights, k=30):
        if len(chosen) == wanted:
            break
        if pk not in chosen and total + costs[pk] <= BUDGET:
            chosen.append(pk)
            total += costs[pk]
    return {str(pk): 1 for pk in chosen}


def plan(residents, costs, args, rng: random.Random) -> list[Voter]:
    popularity = [rng.gammavariate(0.7, 1.0) for _ in costs]  # a Dirichlet(0.7) draw, unnormalised
    voters = []
    for user, session in residents:
        subs = [Submission(secrets.token_hex(12), pick(costs, popularity, rng), False, False)]
        if rng.random() < args.change:
            subs.append(Submission(secrets.token_hex(12), pick(costs, popularity, rng), False, False))
        for s in subs:
            s.retry = rng.random() < args.retry
            s.double = rng.random() < args.double
        voters.append(Voter(user, session, subs))
    return voters


# --- the clients -------------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency: list[float] = []
        self.status: dict[tuple[str, str], int] = {}
        self.replay_differs = 0
        self.gave_up = 0

    def add(self, kind: str, ms: float, status: str) -> None:
        with self.lock:
            self.latency.append(ms)
            self.status[(kind, status)] = self.status.get((kind, status), 0) + 1


class Poster:
    """One keep-alive HTTP/1.1 connection (no cookie jar: each request names its resident)."""

    def __init__(self, port: int, path: str):
        self.port, self.path, self.conn = port, path, None
        self.csrf = secrets.token_hex(16)  # 32 characters: Django accepts a client-chosen secret

    def post(self, session: str, key: str, choices: dict) -> tuple[int | None, dict | None, float]:
        body = json.dumps({"choices": choices})
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"sessionid={session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
            "Idempotency-Key": key,
            "Host": "127.0.0.1",
        }
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request("POST", self.path, body, headers)
            response = self.conn.getresponse()
            data, status = response.read(), response.status
            if response.getheader("Connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            return None, None, (time.perf_counter() - started) * 1000
        ms = (time.perf_counter() - started) * 1000
        try:
            return status, json.loads(data), ms
        except ValueError:
            return status, None, ms

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def label(status: int | None, body: dict | None) -> str:
    if status is None:
        return "connection error"
    if status != 200 and isinstance(body, dict) and isinstance(body.get("error"), dict):
        return f"{status} {body['error'].get('code', '')}"
    return str(status)


def again(status: int | None, body: dict | None) -> bool:
    """Answers a client retries with the same key: no answer, a server error, still in progress."""
    return status is None or status >= 500 or label(status, body) == "409 idempotency_in_progress"


def send(poster: Poster, stats: Stats, voter: Voter, sub: Submission, kind: str) -> tuple[int | None, dict | None]:
    status, body = None, None
    for attempt in range(6):
        status, body, ms = poster.post(voter.session, sub.key, sub.choices)
        stats.add(kind if attempt == 0 else "same-key retry after error/409", ms, label(status, body))
        if not again(status, body):
            break
        time.sleep(0.05 * (attempt + 1))
    else:
        with stats.lock:
            stats.gave_up += 1
    return status, body


def cast(poster: Poster, twin: Poster, stats: Stats, voter: Voter) -> None:
    voter.started = True
    for n, sub in enumerate(voter.plan):
        kind = "first ballot" if n == 0 else "changed ballot"
        side: dict = {}
        helper = None
        if sub.double:
            helper = threading.Thread(
                target=lambda s=sub, side=side: side.update(r=send(twin, stats, voter, s, "double click"))
            )
            helper.start()
        status, body = send(poster, stats, voter, sub, kind)
        if helper is not None:
            helper.join()
            twin.close()  # used seldom: a kept-alive connection would go stale on the server's side
        answers = [(status, body)] + ([side["r"]] if "r" in side else [])
        if sub.retry and status == 200:
            answers.append(send(poster, stats, voter, sub, "retry (lost answer)"))
        good = [b for s, b in answers if s == 200]
        if good:
            voter.accepted.append((sub.key, sub.choices))
            voter.answers.append(good[0])
            if any(b != good[0] for b in good):
                with stats.lock:
                    stats.replay_differs += 1


def run_clients(voters: list[Voter], port: int, path: str, clients: int, stats: Stats, seconds: float) -> float:
    """Cast the voters' plans; a voter not started when ``seconds`` have passed is left out."""
    deadline = time.perf_counter() + seconds
    jobs: queue.SimpleQueue = queue.SimpleQueue()
    for v in voters:
        jobs.put(v)
    done = [0]

    def work():
        poster, twin = Poster(port, path), Poster(port, path)
        while time.perf_counter() < deadline:
            try:
                voter = jobs.get_nowait()
            except queue.Empty:
                break
            cast(poster, twin, stats, voter)
            with stats.lock:
                done[0] += 1
        poster.close()
        twin.close()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(2)
        print(f"  voters done {done[0]:,}/{len(voters):,}", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    return time.perf_counter() - started


# --- checks and tally --------------------------------------------------------------------------------


def fill(heading, voters: list[Voter], costs, rng: random.Random) -> int:
    """After ``--seconds`` ran out: the residents the clients did not reach get their first
    planned ballot written through the ORM (not HTTP), so the tally still runs on ``--ballots``
    ballots; they are marked as accepted so the checks cover them too."""
    from dasan.accounts.models import User
    from dasan.participation import selectors
    from dasan.participation.models import Ballot, BallotChoice

    left = [v for v in voters if not v.started]
    phones = dict(User.objects.filter(pk__in=[v.user for v in left]).values_list("pk", "phone"))
    for start in range(0, len(left), 5000):
        chunk = left[start : start + 5000]
        made = Ballot.objects.bulk_create(
            Ballot(
                process=heading.process,
                heading=heading,
                voter_key=selectors.voter_key(heading.process, phones[v.user]),
                resident_id=v.user,
            )
            for v in chunk
        )
        BallotChoice.objects.bulk_create(
            BallotChoice(ballot=b, proposal_id=int(pk))
            for b, v in zip(made, chunk, strict=True)
            for pk in v.plan[0].choices
        )
        for b, v in zip(made, chunk, strict=True):
            v.accepted.append(("orm", v.plan[0].choices))
            v.answers.append({"ballot": b.pk, "version": 1})
    return len(left)


def check(heading, voters: list[Voter]) -> dict[str, int]:
    """Compare the stored ballots with what the clients were told."""
    from django.db.models import Count

    from dasan.participation.models import Ballot, BallotChoice

    rows = list(Ballot.objects.filter(heading=heading).values_list("pk", "resident_id", "version", "voter_key"))
    choices: dict[int, dict[str, int]] = {}
    for ballot, proposal, points in BallotChoice.objects.filter(ballot__heading=heading).values_list(
        "ballot_id", "proposal_id", "points"
    ):
        choices.setdefault(ballot, {})[str(proposal)] = points
    by_resident: dict[int, list[tuple]] = {}
    for row in rows:
        by_resident.setdefault(row[1], []).append(row)
    told = {v.user: v for v in voters if v.accepted}
    doubled = sum(len(r) - 1 for r in by_resident.values())
    doubled += (
        Ballot.objects.filter(heading=heading).values("voter_key").annotate(n=Count("pk")).filter(n__gt=1).count()
    )
    doubled += sum(1 for user in by_resident if user not in told)  # a ballot nobody was told about
    lost = mismatched = version_off = wrong_id = 0
    for user, voter in told.items():
        stored = by_resident.get(user)
        if not stored:
            lost += 1
            continue
        pk, _user, version, _key = stored[0]
        if choices.get(pk, {}) != voter.accepted[-1][1]:
            mismatched += 1
        if version != len({key for key, _c in voter.accepted}):
            version_off += 1
        if any(a.get("ballot") != pk for a in voter.answers):
            wrong_id += 1
    return {
        "ballots stored": len(rows),
        "residents told 200": len(told),
        "lost": lost,
        "doubled": doubled,
        "mismatched": mismatched,
        "version off": version_off,
        "answer names another ballot": wrong_id,
    }


def time_tally(heading) -> tuple[int, float, list[tuple[str, float, int, int]]]:
    from dasan.participation import selectors, tally

    started = time.perf_counter()
    election = selectors.election_for(heading)
    read = time.perf_counter() - started
    rows = []
    for rule in ("greedy", "equal_shares"):
        started = time.perf_counter()
        outcome = tally.tally(dataclasses.replace(election, rule=rule))
        rows.append((rule, time.perf_counter() - started, len(outcome.funded), outcome.spent))
    return len(election.ballots), read, rows


# --- main ------------------------------------------------------------------------------------------------


def setup_env(bench_url: str, var: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    mine = {
        "DATABASE_URL": bench_url,
        "DASAN_VAR_DIR": var,
        "DASAN_DEBUG": "0",
        "DASAN_HTTPS": "0",
        "DASAN_SECRET_KEY": secrets.token_urlsafe(50),
        "DASAN_ALLOWED_HOSTS": "127.0.0.1",
        "DASAN_NOTIFY_CHANNELS": "console",
    }
    env.update(mine, PYTHONUNBUFFERED="1")
    os.environ.update(mine)
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dasan.settings"
    return env


def start_server(env: dict, var: str, args) -> tuple[subprocess.Popen, int]:
    import httpx

    port = free_port()
    log = open(Path(var) / "server.log", "wb")  # a file, not a pipe: a full pipe would stall the server
    server = subprocess.Popen(
        [sys.executable, "-m", "dasan.cli", "serve", "--bind", f"127.0.0.1:{port}", "--no-collectstatic"]
        + ["--workers", str(args.workers), "--threads", str(args.threads)],
        env=env,
        cwd=var,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server, port
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    sys.exit("the server did not start: " + (Path(var) / "server.log").read_text(errors="replace")[-2000:])


def report(args, stats: Stats, wall: float, voters: list[Voter], found: dict, tallied, filled: int) -> bool:
    requests = len(stats.latency)
    accepted = sum(1 for v in voters if v.accepted) - filled
    lat = stats.latency
    print(
        f"\nparticipation ballots bench: {len(voters):,} residents, {args.projects} projects, {args.clients} clients, "
        f"gunicorn {args.workers}×{args.threads}, PostgreSQL; machine: {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end\n"
    )
    print("| requests | residents with a ballot | wall s | ballots/s | requests/s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|---|")
    print(
        f"| {requests:,} | {accepted:,} | {wall:.0f} | {accepted / wall:.1f} | {requests / wall:.1f} | "
        f"{percentile(lat, 50):.0f} | {percentile(lat, 95):.0f} | {percentile(lat, 99):.0f} |"
    )
    print("\n| request | answer | count |\n|---|---|---|")
    for (kind, status), n in sorted(stats.status.items()):
        print(f"| {kind} | {status} | {n:,} |")
    print("\n| check (all but the first two must be 0) | count |\n|---|---|")
    for name, n in {**found, "replay differs": stats.replay_differs, "gave up after 6 tries": stats.gave_up}.items():
        print(f"| {name} | {n:,} |")
    if filled:
        print(f"| (not HTTP) ballots written through the ORM after --seconds ran out | {filled:,} |")
    count, read, rows = tallied
    print(f"\ntally on the {count:,} stored ballots (election_for: {read:.2f} s)\n")
    print("| rule | seconds | funded | spent (won) |\n|---|---|---|---|")
    for rule, seconds, funded, spent in rows:
        print(f"| {rule} | {seconds:.2f} | {funded} | {spent:,} |")
    bad = ("lost", "doubled", "mismatched", "version off", "answer names another ballot")
    return not any(found[k] for k in bad) and not stats.replay_differs and count == found["ballots stored"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=100_000, help="residents, one ballot each (≤ 200,000)")
    parser.add_argument("--projects", type=int, default=50)
    parser.add_argument("--clients", type=int, default=200, help="concurrent HTTP clients (threads), ≤ 400")
    parser.add_argument("--change", type=float, default=0.10, help="share of residents who change their ballot")
    parser.add_argument("--retry", type=float, default=0.05, help="share of submissions re-sent with the same key")
    parser.add_argument("--double", type=float, default=0.01, help="share of submissions sent twice at once")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker")
    parser.add_argument(
        "--seconds",
        type=float,
        default=0,
        help="stop starting new voters after this long (0: no limit); the rest are written through the ORM",
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep-db", action="store_true", help="leave the bench database for inspection")
    args = parser.parse_args()
    args.ballots = max(10, min(args.ballots, 200_000))
    args.clients = max(1, min(args.clients, 400))
    rng = random.Random(args.seed)

    admin_url, bench_url = bench_database(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dasan"),
        "participation",
        why="the bench measures row locks and unique keys under load",
    )
    var = tempfile.mkdtemp(prefix="dasan-bench-participation-")
    env = setup_env(bench_url, var)
    recreate(admin_url, bench_url)
    server, ok = None, False
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        print(f"seeding {bench_url.rsplit('/', 1)[1]} ...", file=sys.stderr)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        heading, costs = seed_process(args.projects, rng)
        voters = plan(seed_residents(args.ballots, rng), costs, args, rng)
        print(f"  seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        connection.close()
        server, port = start_server(env, var, args)
        path = f"/api/v1/participation/processes/{SLUG}/headings/{heading.pk}/ballot"
        stats = Stats()
        wall = run_clients(voters, port, path, args.clients, stats, args.seconds or float("inf"))
        filled = fill(heading, voters, costs, rng) if args.seconds else 0
        found = check(heading, voters)
        tallied = time_tally(heading)
        ok = report(args, stats, wall, voters, found, tallied, filled)
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
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
