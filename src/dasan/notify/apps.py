from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import DasanAppConfig, Job


def _sync_templates(sender, using="default", **kwargs):
    from .templates import sync

    sync()


class NotifyConfig(DasanAppConfig):
    name = "dasan.notify"
    label = "notify"
    verbose_name = _("알림")
    layer = "messaging"

    urls = [("notifications/", "urls")]
    api = [("/notifications/", "api")]
    jobs = [Job("notify.sweep", "tasks.sweep", every_seconds=15)]

    def ready(self) -> None:
        super().ready()
        from dasan.core import outbox
        from dasan.core.appconfig import dasan_apps

        from .services import enqueue
        from .templates import register

        # The foundation below notify (accounts' sign-in codes) sends through this port.
        outbox.install(enqueue)

        # Every app's messages (<app>/notifications.py): apps above notify declare, notify registers.
        for app in dasan_apps():
            category, texts = app.notification_texts()
            for key, text in texts.items():
                register(key, category=category, text=text)
        # Registered texts become versioned rows after every migrate (and lazily at
        # first use, for processes started without one).
        post_migrate.connect(_sync_templates, sender=self, dispatch_uid="dasan.notify.sync_templates")
