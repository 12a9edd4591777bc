from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_templates(sender, using="default", **kwargs):
    from .templates import sync

    sync()


class NotifyConfig(AppConfig):
    name = "dasan.notify"
    label = "notify"
    verbose_name = _("알림")

    def ready(self) -> None:
        from dasan.core.schedule import register as register_job

        from .services import sweep

        register_job("notify.sweep", sweep, every_seconds=15)
        # Registered texts become versioned rows after every migrate (and lazily at
        # first use, for processes started without one).
        post_migrate.connect(_sync_templates, sender=self, dispatch_uid="dasan.notify.sync_templates")
