"""`dasan worker`: the background worker.

Runs the task queue (django.tasks API, database backend) and, in a thread beside
it, the periodic jobs apps register with ``dasan.core.schedule`` (outbox sweeps,
pruning, the nightly routing retrain). Several workers may run at once: tasks are
claimed with row locks and every periodic job is written to be safe when two
workers run it together.

Queues (``TASKS["default"]["QUEUES"]`` in settings):

- ``messages``: notification delivery, sign-in codes included;
- ``indexing``: knowledge-base ingests (minutes for a large document);
- ``default``: everything else.

A worker takes the queues named by ``--queues`` (default: all of them), one task
at a time, so a worker that also takes ``indexing`` holds its next message until
the ingest at hand is done. `dasan run` therefore starts one worker for
``messages`` alone and one for the rest, the latter running the periodic jobs.
"""

from __future__ import annotations

import logging
import threading

from django.core.management.base import CommandError
from django.db import close_old_connections
from django.utils.crypto import get_random_string
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from dasan.core import schedule

logger = logging.getLogger("dasan.worker")

ALL_QUEUES = "*"


def _scheduler_loop(stop: threading.Event, tick: float) -> None:
    while not stop.is_set():
        close_old_connections()
        schedule.run_due(log=logger)
        close_old_connections()
        stop.wait(tick)


def queue_names(value: str, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS) -> list[str]:
    """The queues of a ``--queues`` value ("messages", "default,indexing", "*");
    a name the backend does not know is refused, so a typo cannot leave a worker
    waiting on a queue nothing is ever put on."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    if not names:
        raise CommandError("--queues: name at least one queue, or * for all")
    if ALL_QUEUES in names:
        return [ALL_QUEUES]
    known = task_backends[backend_name].queues
    unknown = sorted(set(names) - known) if known else []
    if unknown:
        raise CommandError(f"--queues: unknown queue {', '.join(unknown)} (known: {', '.join(sorted(known))})")
    return names


def run_once(queues: list[str], *, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS) -> bool:
    """Run at most one ready task from ``queues``, as a worker for those queues
    would next; return whether one ran. (The worker's own loop, stopped after one
    task or when its queues are empty, with no waiting.)"""
    worker = Worker(
        queue_names=queues,
        interval=0,
        batch=True,
        backend_name=backend_name,
        startup_delay=False,
        max_tasks=1,
        worker_id=get_random_string(32),
        excluded_queue_names=[],
    )
    worker.run()
    return worker._run_tasks > 0


class Command(DbWorkerCommand):
    help = "Run background tasks and the periodic jobs (outbox sweep, pruning)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--queues",
            dest="queue_name",
            help="Queues to take, separated by commas (messages, default, indexing); * for all (the default).",
        )
        parser.set_defaults(queue_name=ALL_QUEUES)
        parser.add_argument("--no-schedule", action="store_true", help="Run tasks only, not the periodic jobs.")
        parser.add_argument("--tick", type=float, default=1.0, help="Seconds between periodic-job checks.")

    def handle(self, *args, **options):
        options["queue_name"] = ",".join(queue_names(options["queue_name"] or ALL_QUEUES, options["backend_name"]))
        self.stdout.write(f"Queues: {'all' if options['queue_name'] == ALL_QUEUES else options['queue_name']}")
        stop = threading.Event()
        thread = None
        tick = options.pop("tick")
        if not options.pop("no_schedule") and not options.get("batch"):
            names = ", ".join(job.name for job in schedule.jobs()) or "none"
            self.stdout.write(f"Periodic jobs: {names}")
            thread = threading.Thread(target=_scheduler_loop, args=(stop, tick), daemon=True, name="dasan-schedule")
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=10)
