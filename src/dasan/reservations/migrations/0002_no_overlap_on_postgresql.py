"""PostgreSQL only: the database itself refuses two active reservations of an
exclusive resource whose buffered spans overlap.

    EXCLUDE USING gist (resource_id WITH =, tstzrange(blocked_from, blocked_until, '[)') WITH &&)
    WHERE (exclusive AND status IN ('pending_payment', 'requested', 'confirmed', 'checked_in'))

``resource_id WITH =`` inside a GiST index needs the ``btree_gist`` extension. Both
operations do nothing on SQLite (Django's ExclusionConstraint is PostgreSQL-only);
there the booking service's transaction, which locks the resource row, is the guard.
The constraint is kept out of the model state on purpose, so that ``makemigrations``
and SQLite never see it; ``tests/reservations/test_concurrency.py`` checks it exists.
"""
from django.db import migrations

CONSTRAINT = "reservations_no_overlap"
ACTIVE = ("pending_payment", "requested", "confirmed", "checked_in")


def _on_postgresql(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class BtreeGistOnPostgreSQL(migrations.operations.base.Operation):
    """``CREATE EXTENSION IF NOT EXISTS btree_gist`` on PostgreSQL, nothing elsewhere."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            from django.contrib.postgres.operations import BtreeGistExtension

            BtreeGistExtension().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # other apps may use the extension; leaving it is harmless

    def describe(self):
        return "Create extension btree_gist (PostgreSQL only)"


def exclusion_constraint():
    from django.contrib.postgres.constraints import ExclusionConstraint
    from django.contrib.postgres.fields import (
        DateTimeRangeField,
        RangeBoundary,
        RangeOperators,
    )
    from django.db.models import F, Func, Q

    class TsTzRange(Func):
        function = "TSTZRANGE"
        output_field = DateTimeRangeField()

    return ExclusionConstraint(
        name=CONSTRAINT,
        expressions=[
            (F("resource"), RangeOperators.EQUAL),
            (TsTzRange("blocked_from", "blocked_until", RangeBoundary()), RangeOperators.OVERLAPS),
        ],
        condition=Q(exclusive=True, status__in=ACTIVE),
    )


class NoOverlapOnPostgreSQL(migrations.operations.base.Operation):
    """Add the exclusion constraint on PostgreSQL; SQLite keeps only the service's lock."""

    reversible = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            model = to_state.apps.get_model(app_label, "Reservation")
            schema_editor.add_constraint(model, exclusion_constraint())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _on_postgresql(schema_editor):
            model = from_state.apps.get_model(app_label, "Reservation")
            schema_editor.remove_constraint(model, exclusion_constraint())

    def describe(self):
        return f"Add exclusion constraint {CONSTRAINT} (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [("reservations", "0001_initial")]

    operations = [BtreeGistOnPostgreSQL(), NoOverlapOnPostgreSQL()]
