"""How long a resident's sign-in code waits while the welfare FAQ is being indexed.

A throw-away SQLite installation (migrated, demo knowledge sources loaded without
indexing them) runs real `dasan worker` processes:

- ``one``: a single ``dasan worker`` taking every queue (the layout before issue 15,
  item 11);
- ``split``: the two workers `dasan run` starts (``--queues messages --no-schedule``
  and ``--queues default,indexing``).

In each, the ingest of the ~4.7k-row welfare FAQ is queued first; once a worker has
claimed it, a sign-in code (``accounts.otp_code``, console channel) is queued, and
the delay from queuing the code to its delivery is printed. With ``one`` the code
waits for the whole ingest (minutes on a small machine); with ``split`` it should
take about a worker's poll interval (1 s).

    python bench/queues/run.py                 # both layouts
    python bench/queues/run.py --layout split  # only the two workers
    python bench/queues/run.py --timeout 900   # give up on the code after 900 s
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))


def layouts() -> dict[str, list[list[str]]]:
    from dasan.core.management.commands.run import processes

    dasan = [sys.executable, "-m", "dasan.cli"]
    split = [command for name, command in processes("127.0.0.1:0").items() if name != "web"]
    return {"one": [[*dasan, "worker"]], "split": split}


def prepare() -> int:
    """Migrate, load the demo sources (not indexed) and return the welfare FAQ's id."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from dasan.knowledge.demo import load_demo_sources

    sources = load_demo_sources(enqueue=False)
    return next(source.pk for source in sources if source.slug == "welfare-faq")


def wait_for(predicate, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def measure(name: str, commands: list[list[str]], faq_id: int, env: dict, timeout: float) -> float | None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from dasan.accounts.models import User
    from dasan.knowledge import services as knowledge
    from dasan.notify.models import Message, Status
    from dasan.notify.services import enqueue

    DBTaskResult.objects.all().delete()
    with transaction.atomic():
        knowledge.schedule_ingest(faq_id)
    workers = [
        subprocess.Popen(
            [*command, "--no-reload"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for command in commands
    ]
    try:
        ingest = DBTaskResult.objects.get(task_path="dasan.knowledge.tasks.ingest_source")
        if not wait_for(lambda: DBTaskResult.objects.filter(pk=ingest.pk, status="RUNNING").exists(), 120):
            print(f"{name}: no worker took the ingest within 120 s")
            return None
        user, _ = User.objects.get_or_create(
            username="bench-resident", defaults={"kind": "resident", "phone": "01000000000"}
        )
        with transaction.atomic():
            message = enqueue(
                "accounts.otp_code",
                recipient=user,
                to="01000000000",
                channel="console",
                context={"code": "482913", "minutes": 3},
            )
        queued = time.monotonic()
        done = wait_for(
            lambda: Message.objects.filter(pk=message.pk, status__in=[Status.SENT, Status.DELIVERED]).exists(),
            timeout,
        )
        delay = time.monotonic() - queued
        ingest.refresh_from_db()
        state = f"ingest {ingest.status.lower()}"
        if done:
            print(f"{name}: sign-in code delivered {delay:.2f} s after it was queued ({state})")
            return delay
        print(f"{name}: sign-in code not delivered within {timeout:.0f} s ({state})")
        return None
    finally:
        # A worker finishes the task at hand on SIGTERM; the ingest may have minutes
        # left and this database is thrown away, so do not wait for it.
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--layout", choices=["one", "split", "both"], default="both")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for the sign-in code")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="dasan-bench-queues-")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update({"DASAN_VAR_DIR": var, "DASAN_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "dasan.settings"})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    os.environ.update(env)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.chdir(var)
    import django

    django.setup()
    faq_id = prepare()
    chosen = ["one", "split"] if args.layout == "both" else [args.layout]
    for name in chosen:
        measure(name, layouts()[name], faq_id, env, args.timeout)


if __name__ == "__main__":
    main()
