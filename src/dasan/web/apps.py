from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_django_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_staff", False))


def _can_read_audit(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_city_admin", False) or user.has_perm("core.view_auditevent"))


class WebConfig(AppConfig):
    name = "dasan.web"
    label = "web"
    verbose_name = _("화면")

    def ready(self) -> None:
        from dasan.core.catalog import register_service

        # The foundation's own tiles. Links that do not resolve (an app not yet
        # installed) are skipped by the catalogue when the page is drawn.
        register_service(
            "notify.inbox",
            title=_("내 알림"),
            description=_("시청에서 보낸 알림과 안내를 모아 봅니다."),
            url_name="notify:inbox",
            audience="resident",
            icon="bell",
            order=900,
        )
        register_service(
            "accounts.me",
            title=_("내 정보·언어"),
            description=_("연락처, 알림 수신, 화면 언어를 바꿉니다."),
            url_name="accounts:me",
            audience="resident",
            icon="user",
            order=910,
        )
        register_service(
            "admin.index",
            title=_("관리"),
            description=_("부서, 휴일, 알림 문구 등 시의 기본 자료를 관리합니다."),
            url_name="admin:index",
            audience="staff",
            icon="settings",
            order=900,
            visible=_is_django_staff,
        )
        register_service(
            "core.audit",
            title=_("감사 기록"),
            description=_("누가 언제 어떤 기록을 보고 바꾸었는지 확인합니다."),
            url_name="admin:core_auditevent_changelist",
            audience="staff",
            icon="shield",
            order=910,
            visible=_can_read_audit,
        )
