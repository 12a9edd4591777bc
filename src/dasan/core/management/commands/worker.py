"""`dasan worker`: the background worker.

Runs the task queue (django.tasks API, database backend) and, in a thread beside
it, the periodic jobs apps register with ``dasan.core.schedule`` (outbox sweeps,
pruning). Several workers may run at once: tasks are claimed with row locks and
every periodic job is written to be safe when two workers run it together.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from dasan.core import schedule

logger = logging.getLogger("dasan.worker")


def _scheduler_loop(stop: threading.Event, tick: float) -> None:
    while not stop.is_set():
        close_old_connections()
        schedule.run_due(log=logger)
        close_old_connections()
        stop.wait(tick)


class Command(DbWorkerCommand):
    help = "Run background tasks and the periodic jobs (outbox sweep, pruning)."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--no-schedule", action="store_true", help="Run tasks only, not the periodic jobs.")
        parser.add_argument("--tick", type=float, default=1.0, help="Seconds between periodic-job checks.")

    def handle(self, *args, **options):
        stop = threading.Event()
        thread = None
        if not options.pop("no_schedule") and not options.get("batch"):
            names = ", ".join(job.name for job in schedule.jobs()) or "none"
            self.stdout.write(f"Periodic jobs: {names}")
            thread = threading.Thread(
                target=_scheduler_loop, args=(stop, options.pop("tick")), daemon=True, name="dasan-schedule"
            )
            thread.start()
        else:
            options.pop("tick", None)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            if thread is not None:
                thread.join(timeout=10)
