"""``dasan wallet_fake_currency --port 8790``: the fake local-currency operator for demos.

Django finds commands only in ``<app>/management/commands/``; the wallet app exposes this
one with ``src/dasan/wallet/management/commands/wallet_fake_currency.py`` holding
``from dasan.wallet.currency.command import Command  # noqa: F401``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from .fake import DEFAULT_API_KEY, serve


class Command(BaseCommand):
    help = "Serve a fake local-currency (지역화폐) operator over HTTPS until interrupted (demo only)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8790)
        parser.add_argument("--api-key", default=DEFAULT_API_KEY)
        parser.add_argument("--cert-dir", default="var/wallet-fake-currency", help="where its certificate goes")

    def handle(self, *args, host, port, api_key, cert_dir, **options):
        serve(host=host, port=port, api_key=api_key, cert_dir=cert_dir, write=self.stdout.write)
