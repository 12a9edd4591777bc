from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Tile


class AccountsConfig(DasanAppConfig):
    name = "dasan.accounts"
    label = "accounts"
    verbose_name = _("계정")
    layer = "identity"

    urls = [("accounts/", "urls"), ("staff/residency/", "urls_staff")]
    api = [("/accounts/", "api")]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "accounts.residency",
            title=_("내 거주 확인"),
            description=_("사는 행정동과 생년월일을 신고해 주민 전용 서비스(주민참여예산 투표 등)를 이용합니다."),
            url_name="accounts:residency",
            icon="home",
            order=90,
        ),
        Tile(
            "accounts.residency_staff",
            title=_("거주 확인"),
            description=_(
                "주민이 신고한 거주를 증빙·방문으로 확인하거나 확인 불가로 처리하고, 주민 명부를 반입합니다."
            ),
            url_name="residency_staff:queue",
            audience=STAFF,
            icon="home",
            order=90,
            visible="permissions.can_confirm_residency",
        ),
    ]
