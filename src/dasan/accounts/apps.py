from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import DasanAppConfig


class AccountsConfig(DasanAppConfig):
    name = "dasan.accounts"
    label = "accounts"
    verbose_name = _("계정")
    layer = "identity"

    urls = [("accounts/", "urls")]
    api = [("/accounts/", "api")]
    demo = "demo.load_demo"
