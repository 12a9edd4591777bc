from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QueueingConfig(AppConfig):
    name = "dasan.queueing"
    label = "queueing"
    verbose_name = _("번호표")
    default_auto_field = "django.db.models.BigAutoField"
