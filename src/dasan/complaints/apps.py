from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "dasan.complaints"
    label = "complaints"
    verbose_name = _("민원")
