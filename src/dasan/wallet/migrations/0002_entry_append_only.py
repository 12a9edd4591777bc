"""Database triggers that make wallet_entry (the ledger) append-only, as core_auditevent is
(see dasan.core migration 0002): the model refuses updates and deletes; the triggers also
stop raw SQL and other clients. On SQLite a migration that alters Entry rebuilds the table
and drops its triggers: run ``create_triggers`` again after it."""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS wallet_entry_no_update
    BEFORE UPDATE ON wallet_entry
    BEGIN
        SELECT RAISE(ABORT, 'wallet_entry is append-only: UPDATE refused');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS wallet_entry_no_delete
    BEFORE DELETE ON wallet_entry
    WHEN NOT dasan_audit_flush_allowed()
    BEGIN
        SELECT RAISE(ABORT, 'wallet_entry is append-only: DELETE refused');
    END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS wallet_entry_no_update", "DROP TRIGGER IF EXISTS wallet_entry_no_delete"]

POSTGRES_CREATE = [
    """
    CREATE OR REPLACE FUNCTION wallet_entry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'wallet_entry is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS wallet_entry_append_only ON wallet_entry",
    """
    CREATE TRIGGER wallet_entry_append_only
    BEFORE UPDATE OR DELETE ON wallet_entry
    FOR EACH ROW EXECUTE FUNCTION wallet_entry_append_only()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS wallet_entry_append_only ON wallet_entry",
    "DROP FUNCTION IF EXISTS wallet_entry_append_only()",
]


def _run(schema_editor, statements):
    for sql in statements:
        schema_editor.execute(sql, params=None)


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_CREATE)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_CREATE)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        _run(schema_editor, SQLITE_DROP)
    elif vendor == "postgresql":
        _run(schema_editor, POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("wallet", "0001_initial"), ("core", "0002_auditevent_append_only")]

    operations = [migrations.RunPython(create_triggers, drop_triggers, elidable=False)]
