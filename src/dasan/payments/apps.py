from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_city_staff", False))


class PaymentsConfig(AppConfig):
    name = "dasan.payments"
    label = "payments"
    verbose_name = _("결제")

    def ready(self) -> None:
        from dasan.core.catalog import register_service
        from dasan.core.schedule import register as register_job

        from .services import expire_stale_orders

        register_job("payments.expire_stale_orders", expire_stale_orders, every_seconds=60)
        register_service(
            "payments.staff",
            title=_("결제·환불"),
            description=_("창구 수납과 가상계좌 입금을 확인하고 환불을 처리합니다."),
            url_name="payments:staff_list",
            audience="staff",
            icon="receipt",
            order=800,
            visible=_is_staff,
        )
