"""Periodic jobs run by `dasan worker` beside the task queue.

Apps register a job in their AppConfig.ready():

    from dasan.core.schedule import register
    register("notify.sweep", sweep_outbox, every_seconds=15)

The worker calls each due job in its own process; a job must be idempotent and
safe to run concurrently with another worker's run of the same job (use row
locks), because a city may run several workers.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable


@dataclasses.dataclass
class Job:
    name: str
    func: Callable[[], object]
    every_seconds: float
    next_run: float = 0.0


_jobs: dict[str, Job] = {}


def register(name: str, func: Callable[[], object], *, every_seconds: float) -> None:
    """Register (or replace) a periodic job under a unique name."""
    if every_seconds <= 0:
        raise ValueError("every_seconds must be positive")
    _jobs[name] = Job(name=name, func=func, every_seconds=every_seconds)


def jobs() -> list[Job]:
    return list(_jobs.values())


def run_due(now: float | None = None, log=None) -> list[str]:
    """Run every job whose time has come; return the names run. Errors are
    logged and do not stop the other jobs."""
    now = time.monotonic() if now is None else now
    ran = []
    for job in _jobs.values():
        if job.next_run <= now:
            job.next_run = now + job.every_seconds
            try:
                job.func()
            except Exception:  # noqa: BLE001 - a failing job must not kill the worker
                if log:
                    log.exception("scheduled job %s failed", job.name)
            ran.append(job.name)
    return ran
