from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Tile


class ParticipationConfig(DasanAppConfig):
    """주민참여예산: what this app declares to the platform (see dasan.core.appconfig)."""

    name = "dasan.participation"
    label = "participation"
    verbose_name = _("주민참여예산")
    layer = "service"

    urls = [("participation/", "urls"), ("staff/participation/", "urls_staff")]
    api = [("/participation/", "api")]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "participation.index",
            title=_("주민참여예산"),
            description=_("주민참여예산"),
            url_name="participation:index",
        ),
        Tile(
            "participation.staff",
            title=_("주민참여예산"),
            description=_("주민참여예산"),
            url_name="participation_staff:index",
            audience=STAFF,
        ),
    ]
    # jobs = [Job("participation.sweep", "services.sweep", every_seconds=600)]
    # payment_purposes = [PaymentPurpose("participation.order", paid="services.order_paid")]
