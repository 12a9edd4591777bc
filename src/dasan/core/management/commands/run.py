"""`dasan run`: the web server and a worker together, as `make run` wants.

Both run as child processes; Ctrl-C (SIGINT) or SIGTERM stops both, and if one
of them dies the other is stopped too, so nothing is left running half-way.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand

from dasan.core.conf import setting


class Command(BaseCommand):
    help = "Run the web server and a background worker; Ctrl-C stops both."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=setting("SERVE_BIND"))

    def handle(self, *args, **options):
        dasan = [sys.executable, "-m", "dasan.cli"]
        children = {
            "web": subprocess.Popen([*dasan, "serve", "--bind", options["bind"]]),
            "worker": subprocess.Popen([*dasan, "worker"]),
        }
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
