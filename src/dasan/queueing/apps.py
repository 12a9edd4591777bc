from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Job, Tile


class QueueingConfig(DasanAppConfig):
    name = "dasan.queueing"
    label = "queueing"
    verbose_name = _("번호표")

    urls = [("queue/", "urls"), ("staff/queue/", "urls_staff")]
    api = [("/queue/", "api")]
    jobs = [Job("queueing.close_days", "services.close_days", every_seconds=600)]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "queueing.ticket",
            title=_("모바일 번호표"),
            description=_("집에서 번호표를 받고, 차례가 가까워지면 알림을 받습니다."),
            url_name="queueing:index",
            icon="ticket",
            order=15,
        ),
        Tile(
            "queueing.counter",
            title=_("창구 호출"),
            description=_("창구에서 다음 번호를 부르고 처리 결과를 기록합니다. 대기 통계도 봅니다."),
            url_name="queueing_staff:index",
            audience=STAFF,
            icon="ticket",
            order=15,
        ),
    ]
