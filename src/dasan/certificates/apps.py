from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "dasan.certificates"
    label = "certificates"
    verbose_name = _("민원서류")
    default_auto_field = "django.db.models.BigAutoField"
