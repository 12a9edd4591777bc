from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Job, Tile


class PaymentsConfig(DasanAppConfig):
    name = "dasan.payments"
    label = "payments"
    verbose_name = _("결제")
    layer = "platform"

    urls = [("payments/", "urls")]
    api = [("/payments/", "api")]
    jobs = [Job("payments.expire_stale_orders", "services.expire_stale_orders", every_seconds=60)]
    tiles = [
        Tile(
            "payments.staff",
            title=_("결제·환불"),
            description=_("창구 수납과 가상계좌 입금을 확인하고 환불을 처리합니다."),
            url_name="payments:staff_list",
            audience=STAFF,
            icon="receipt",
            order=800,
            visible="dasan.accounts.permissions.is_staff",
        ),
    ]
