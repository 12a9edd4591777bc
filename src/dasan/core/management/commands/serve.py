"""`dasan serve`: the production web server.

gunicorn (threaded workers) serves the WSGI application; WhiteNoise serves the
static files from the collected, compressed and hashed copy under STATIC_ROOT.
"""

from __future__ import annotations

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from dasan.core.conf import setting

# Access log without the query string: queries can carry phone numbers or codes.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'


class Command(BaseCommand):
    help = "Serve Dasan with gunicorn (static files through WhiteNoise)."

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=setting("SERVE_BIND"), help="host:port (DASAN_BIND)")
        parser.add_argument("--workers", type=int, default=setting("WEB_WORKERS"))
        parser.add_argument("--threads", type=int, default=setting("WEB_THREADS"))
        parser.add_argument("--no-collectstatic", action="store_true")
        parser.add_argument("--access-log", action="store_true", help="Write an access log (paths only) to stdout.")

    def handle(self, *args, **options):
        if not options["no_collectstatic"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "dasan.wsgi:application",
            "--bind",
            options["bind"],
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--worker-class",
            "gthread",
            "--graceful-timeout",
            "10",
            "--timeout",
            "60",
            "--forwarded-allow-ips",
            setting("FORWARDED_ALLOW_IPS"),
            "--access-logformat",
            ACCESS_LOG_FORMAT,
        ]
        if options["access_log"]:
            argv += ["--access-logfile", "-"]
        self.stdout.write(f"Serving Dasan on http://{options['bind']}/")
        sys.stdout.flush()
        os.execv(sys.executable, argv)
