"""`dasan migrate`: Django's migrate, then the database cache table.

The embedded set-up keeps its cache (rate limits, OTP throttles) in the
database so that every web and worker process shares it; creating that table is
part of bringing the schema up to date, so operators run one command.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand


class Command(MigrateCommand):
    def handle(self, *args, **options):
        super().handle(*args, **options)
        if any(c["BACKEND"].endswith("DatabaseCache") for c in settings.CACHES.values()):
            call_command("createcachetable", database=options["database"], verbosity=0)
