import sys

from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import DasanAppConfig, Job


def _audit_flush_allowed() -> int:
    """SQLite function used by the audit table's DELETE trigger.

    True only while Django's ``flush`` (what the test runner uses between
    transactional tests) is emptying the whole database: that is not tampering
    with a record, and PostgreSQL's TRUNCATE skips row triggers the same way.
    """
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "execute_sql_flush" and frame.f_globals.get("__name__", "").startswith(
            "django.db.backends"
        ):
            return 1
        frame = frame.f_back
    return 0


def _register_sqlite_functions(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("dasan_audit_flush_allowed", 0, _audit_flush_allowed)


class CoreConfig(DasanAppConfig):
    name = "dasan.core"
    label = "core"
    verbose_name = _("기본 정보")
    layer = "core"

    api = [("/city/", "api")]
    jobs = [Job("core.prune_idempotency", "idempotency.prune", every_seconds=3600)]
    demo = "demo.load_demo"

    def ready(self) -> None:
        super().ready()
        from dasan.core import calendar
        from dasan.core.models import Municipality, TemporaryHoliday

        connection_created.connect(_register_sqlite_functions, dispatch_uid="dasan.core.sqlite_functions")
        # A connection opened before ready() (rare: a settings check) gets the function now.
        from django.db import connections

        for conn in connections.all(initialized_only=True):
            if conn.connection is not None:
                _register_sqlite_functions(None, conn)

        for model in (TemporaryHoliday, Municipality):
            post_save.connect(
                calendar.invalidate_cache, sender=model, dispatch_uid=f"dasan.core.calendar.{model.__name__}.save"
            )
            post_delete.connect(
                calendar.invalidate_cache, sender=model, dispatch_uid=f"dasan.core.calendar.{model.__name__}.delete"
            )
