from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Tile


class WalletConfig(DasanAppConfig):
    """이음 지갑: what this app declares to the platform (see dasan.core.appconfig)."""

    name = "dasan.wallet"
    label = "wallet"
    verbose_name = _("이음 지갑")
    layer = "service"

    urls = [("wallet/", "urls"), ("staff/wallet/", "urls_staff")]
    api = [("/wallet/", "api")]
    demo = "demo.load_demo"
    tiles = [
        Tile("wallet.index", title=_("이음 지갑"), description=_("이음 지갑"), url_name="wallet:index"),
        Tile(
            "wallet.staff",
            title=_("이음 지갑"),
            description=_("이음 지갑"),
            url_name="wallet_staff:index",
            audience=STAFF,
        ),
    ]
    # jobs = [Job("wallet.sweep", "services.sweep", every_seconds=600)]
    # payment_purposes = [PaymentPurpose("wallet.order", paid="services.order_paid")]
