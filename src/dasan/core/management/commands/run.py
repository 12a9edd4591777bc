"""`dasan run`: the web server and the workers together, as `make run` wants.

Three child processes (:func:`processes`): the web server; a worker for the
"messages" queue alone, so notifications and sign-in codes never wait behind a
knowledge-base ingest; and a worker for the other queues ("default", "indexing")
that also runs the periodic jobs. The periodic jobs run there, not beside the
messages, because they include slow ones (the nightly routing retrain, pruning)
that would otherwise compete with delivery in the same process.

Ctrl-C (SIGINT) or SIGTERM stops all of them, and if one of them dies the others
are stopped too, so nothing is left running half-way.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from dasan.core.conf import setting


def processes(bind: str) -> dict[str, list[str]]:
    """The command line of each child process, by name."""
    dasan = [sys.executable, "-m", "dasan.cli"]
    return {
        "web": [*dasan, "serve", "--bind", bind],
        "messages worker": [*dasan, "worker", "--queues", "messages", "--no-schedule"],
        "worker": [*dasan, "worker", "--queues", "default,indexing"],
    }


class Command(BaseCommand):
    help = "Run the web server and the background workers; Ctrl-C stops them all."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=setting("SERVE_BIND"))

    def handle(self, *args, **options):
        children = {name: subprocess.Popen(command) for name, command in processes(options["bind"]).items()}
        stopping = False

        def stop(signum=None, frame=None):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        self.stderr.write(f"{name} stopped (exit {child.returncode}); stopping the rest.")
                        stopping = True
                time.sleep(0.2)
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for child in children.values():
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
            self.stdout.write("Dasan stopped.")
