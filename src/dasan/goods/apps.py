from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoodsConfig(AppConfig):
    name = "dasan.goods"
    label = "goods"
    verbose_name = _("종량제봉투 배송")
