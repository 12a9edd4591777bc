from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, PaymentPurpose, Tile


class GoodsConfig(DasanAppConfig):
    name = "dasan.goods"
    label = "goods"
    verbose_name = _("종량제봉투 배송")

    urls = [("goods/", "urls")]
    api = [("/goods/", "api")]
    payment_purposes = [
        PaymentPurpose(
            "goods", paid="services.on_paid", refunded="services.on_refunded", cancelled="services.on_cancelled"
        )
    ]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "goods.shop",
            title=_("종량제봉투 배송 신청"),
            description=_("종량제봉투와 음식물 스티커를 주문하면 집으로 배송해 드립니다."),
            url_name="goods:catalogue",
            icon="bag",
            order=30,
        ),
        Tile(
            "goods.staff",
            title=_("종량제봉투 배송 관리"),
            description=_("배송할 주문의 상태를 바꾸고 재고를 조정합니다."),
            url_name="goods:staff",
            audience=STAFF,
            icon="truck",
            order=30,
        ),
    ]
