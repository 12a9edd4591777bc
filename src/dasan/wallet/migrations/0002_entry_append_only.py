"""Database triggers that make wallet_entry (the ledger) append-only, as core_auditevent is
(``dasan.core.append_only``). On SQLite a migration that alters Entry rebuilds the table and
drops its triggers: add ``append_only.operation("wallet_entry")`` again after it."""

from django.db import migrations

from dasan.core import append_only


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial"), ("core", "0002_auditevent_append_only")]

    operations = [append_only.operation("wallet_entry")]
