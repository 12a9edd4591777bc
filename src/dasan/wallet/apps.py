from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Job, Tile


class WalletConfig(DasanAppConfig):
    """이음 지갑: rewards for public activities and their conversion to local currency
    (what this app declares to the platform; see dasan.core.appconfig)."""

    name = "dasan.wallet"
    label = "wallet"
    verbose_name = _("이음 지갑")
    layer = "service"

    urls = [("wallet/", "urls"), ("staff/wallet/", "urls_staff")]
    api = [("/wallet/", "api")]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "wallet.index",
            title=_("이음 지갑"),
            description=_("활동 적립금 확인과 지역화폐 전환"),
            url_name="wallet:index",
        ),
        Tile(
            "wallet.staff",
            title=_("이음 지갑"),
            description=_("참여 사업, 적립 검토, 예산, 대사"),
            url_name="wallet_staff:index",
            audience=STAFF,
        ),
    ]
    jobs = [
        Job("wallet.resolve_conversions", "conversions.resolve_pending", every_seconds=60),
        Job("wallet.expire", "expiry.run", every_seconds=3600),
        Job("wallet.reconcile", "reconcile.run", every_seconds=3600),
    ]
