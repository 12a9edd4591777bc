from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Tile


def is_django_staff(user) -> bool:
    """Users who may open the admin site (Django's own flag)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


def can_read_audit(user) -> bool:
    """City administrators, and anyone given the audit log's view permission."""
    if not getattr(user, "is_authenticated", False):
        return False
    from dasan.accounts.permissions import is_city_wide

    return bool(is_city_wide(user) or user.has_perm("core.view_auditevent"))


class WebConfig(DasanAppConfig):
    """The top of the house: the resident home, the staff workbench shell, the base templates.

    Its tiles are the foundation's own pages (notifications, my account, admin, audit)."""

    name = "dasan.web"
    label = "web"
    verbose_name = _("화면")
    layer = "web"

    urls = [("", "urls")]
    tiles = [
        Tile(
            "notify.inbox",
            title=_("내 알림"),
            description=_("시청에서 보낸 알림과 안내를 모아 봅니다."),
            url_name="notify:inbox",
            icon="bell",
            order=900,
        ),
        Tile(
            "accounts.me",
            title=_("내 정보·언어"),
            description=_("연락처, 알림 수신, 화면 언어를 바꿉니다."),
            url_name="accounts:me",
            icon="user",
            order=910,
        ),
        Tile(
            "admin.index",
            title=_("관리"),
            description=_("부서, 휴일, 알림 문구 등 시의 기본 자료를 관리합니다."),
            url_name="admin:index",
            audience=STAFF,
            icon="settings",
            order=900,
            visible="dasan.web.apps.is_django_staff",
        ),
        Tile(
            "core.audit",
            title=_("감사 기록"),
            description=_("누가 언제 어떤 기록을 보고 바꾸었는지 확인합니다."),
            url_name="admin:core_auditevent_changelist",
            audience=STAFF,
            icon="shield",
            order=910,
            visible="dasan.web.apps.can_read_audit",
        ),
    ]
