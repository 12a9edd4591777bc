"""Append-only tables: database triggers that refuse UPDATE and DELETE of a table's rows.

The audit log (``core_auditevent``) and the wallet's ledger (``wallet_entry``) are records
nobody may rewrite. Their models refuse updates and deletes already; these triggers also stop
raw SQL, other clients and any future ORM path. TRUNCATE (PostgreSQL) and the test runner's
flush (SQLite: ``dasan_audit_flush_allowed()``, registered on every Django connection by
``dasan.core.apps``; any other client lacks it, so its DELETE fails too) are left alone:
wiping a whole database is not tampering with a record.

On SQLite, Django alters a table by rebuilding it, which drops its triggers: a migration that
alters such a model must run the ``create`` operation again afterwards.

Use in a migration: ``operations = [append_only.operation("wallet_entry")]``.
"""

from __future__ import annotations

from django.db import migrations


def _sqlite_create(table: str) -> list[str]:
    return [
        f"""
    CREATE TRIGGER IF NOT EXISTS {table}_no_update
    BEFORE UPDATE ON {table}
    BEGIN
        SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused');
    END
    """,
        f"""
    CREATE TRIGGER IF NOT EXISTS {table}_no_delete
    BEFORE DELETE ON {table}
    WHEN NOT dasan_audit_flush_allowed()
    BEGIN
        SELECT RAISE(ABORT, '{table} is append-only: DELETE refused');
    END
    """,
    ]


def _postgres_create(table: str) -> list[str]:
    return [
        f"""
    CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END
    $$
    """,
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"""
    CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {table}_append_only()
    """,
    ]


def _statements(table: str, vendor: str, *, create: bool) -> list[str]:
    if vendor == "sqlite":
        if create:
            return _sqlite_create(table)
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    if vendor == "postgresql":
        if create:
            return _postgres_create(table)
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_append_only()",
        ]
    return []  # other back ends: the model-level guards still hold


def create(table: str):
    """A RunPython function that installs the triggers on ``table``."""

    def run(apps, schema_editor):
        for sql in _statements(table, schema_editor.connection.vendor, create=True):
            # params=None: the SQL holds a literal % that must not be read as a placeholder.
            schema_editor.execute(sql, params=None)

    return run


def drop(table: str):
    """A RunPython function that removes them."""

    def run(apps, schema_editor):
        for sql in _statements(table, schema_editor.connection.vendor, create=False):
            schema_editor.execute(sql, params=None)

    return run


def operation(table: str) -> migrations.RunPython:
    """The migration operation: install on migrate, remove on reverse."""
    return migrations.RunPython(create(table), drop(table), elidable=False)
