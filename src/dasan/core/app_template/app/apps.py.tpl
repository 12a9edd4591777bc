from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Tile


class __APP_CLASS__Config(DasanAppConfig):
    """__APP_TITLE__: what this app declares to the platform (see dasan.core.appconfig)."""

    name = "__APP_MODULE__"
    label = "__APP_LABEL__"
    verbose_name = _("__APP_TITLE__")
    layer = "service"

    urls = [("__APP_URL__/", "urls"), ("staff/__APP_URL__/", "urls_staff")]
    api = [("/__APP_URL__/", "api")]
    demo = "demo.load_demo"
    tiles = [
        Tile("__APP_LABEL__.index", title=_("__APP_TITLE__"), description=_("__APP_TITLE__"), url_name="__APP_LABEL__:index"),
        Tile(
            "__APP_LABEL__.staff",
            title=_("__APP_TITLE__"),
            description=_("__APP_TITLE__"),
            url_name="__APP_LABEL___staff:index",
            audience=STAFF,
        ),
    ]
    # jobs = [Job("__APP_LABEL__.sweep", "services.sweep", every_seconds=600)]
    # payment_purposes = [PaymentPurpose("__APP_LABEL__.order", paid="services.order_paid")]
