"""Database triggers that make core_auditevent append-only.

The model refuses updates and deletes already; the triggers also stop raw SQL,
other clients and any future ORM path. TRUNCATE (PostgreSQL) and the test
runner's flush (SQLite, see dasan.core.apps) are left alone: wiping a whole
database is not tampering with a record.

NOTE for later migrations: on SQLite, Django alters a table by rebuilding it,
which drops its triggers. A migration that alters AuditEvent must run
``create_triggers`` again afterwards.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS core_auditevent_no_update
    BEFORE UPDATE ON core_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'core_auditevent is append-only: UPDATE refused');
    END
    """,
    # dasan_audit_flush_allowed() is registered on every Django connection
    # (dasan.core.apps); any other client lacks it, so its DELETE fails too.
    """
    CREATE TRIGGER IF NOT EXISTS core_auditevent_no_delete
    BEFORE DELETE ON core_auditevent
    WHEN NOT dasan_audit_flush_allowed()
    BEGIN
        SELECT RAISE(ABORT, 'core_auditevent is append-only: DELETE refused');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]

POSTGRES_CREATE = [
    """
    CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'core_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    """
    CREATE TRIGGER core_auditevent_append_only
    BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only()",
]


def _run(schema_editor, statements):
    for sql in statements:
        # params=None: the SQL holds a literal % that must not be read as a placeholder.
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)
    # Other back ends: the model-level guards still hold.


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
