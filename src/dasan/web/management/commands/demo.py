"""`dasan demo`: load the demo city (데모시) and print its logins.

Every installed app with demo content declares its loader (``demo`` in its AppConfig, see
core.appconfig); they run in ``INSTALLED_APPS`` order, so the city and its departments come
before the people, and those before the services that need them. Safe to run again: each
loader finds what it created before and only fills what is missing, so the printed logins
stay valid across runs.
"""

from __future__ import annotations

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dasan.accounts.demo import DEMO_PASSWORD, RESIDENTS, STAFF
from dasan.core.appconfig import demo_loaders
from dasan.core.conf import setting
from dasan.core.demo import department_name
from dasan.core.progress import stage_bars


class Command(BaseCommand):
    help = "Load the demo city (데모시): every installed app's demo content, then print the logins."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Load the demo even with DASAN_DEBUG off (its passwords and TOTP secrets are public).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "The demo's passwords and TOTP secrets are published; refusing to load them with DASAN_DEBUG off. "
                "Use --allow-production only on a machine nobody else can reach."
            )
        loaders = list(demo_loaders())
        bar = stage_bars(self.stderr) or (lambda *args: None)
        for done, (_app, load) in enumerate(loaders):
            bar("데모 불러오기", done, len(loaders))
            load()
        bar("데모 불러오기", len(loaders), len(loaders))
        self.stdout.write(self.style.SUCCESS(f"데모시 (Demo City) is ready: {', '.join(a.label for a, _ in loaders)}."))
        self.stdout.write(
            "The assistant's knowledge base is being indexed by the worker: "
            "articles within a minute or two, the welfare FAQ in about 10-15 minutes."
        )
        if not options["quiet_logins"]:
            self._print_logins()

    def _print_logins(self) -> None:
        base = f"http://{setting('SERVE_BIND')}"
        self.stdout.write(f"\nResidents — sign in at {base}/accounts/login/ with a phone number;")
        self.stdout.write("  the one-time code is shown on the page in the demo (and written to the worker log):")
        for phone, name, language in RESIDENTS:
            self.stdout.write(f"  {phone[:3]}-{phone[3:7]}-{phone[7:]}  {name} ({language})")
        self.stdout.write(f"\nStaff — sign in at {base}/accounts/staff/login/ with password '{DEMO_PASSWORD}'")
        self.stdout.write(
            "  and the 6-digit code from an authenticator app set up with the secret (or the code shown now):"
        )
        for username, name, dept_code, role, secret in STAFF:
            self.stdout.write(
                f"  {username:<13} {name} · {department_name(dept_code)} · {role.label}  "
                f"secret {secret}  code now {pyotp.TOTP(secret).now()}"
            )
        self.stdout.write("")
