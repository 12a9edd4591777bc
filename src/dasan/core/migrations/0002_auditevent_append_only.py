"""Database triggers that make core_auditevent append-only (``dasan.core.append_only``).

NOTE for later migrations: on SQLite, Django alters a table by rebuilding it, which drops
its triggers. A migration that alters AuditEvent must add
``append_only.operation("core_auditevent")`` again afterwards.
"""

from django.db import migrations

from dasan.core import append_only


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [append_only.operation("core_auditevent")]
