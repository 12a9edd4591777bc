from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Job, Tile


class ComplaintsConfig(DasanAppConfig):
    name = "dasan.complaints"
    label = "complaints"
    verbose_name = _("민원")

    urls = [("complaints/", "urls"), ("staff/complaints/", "urls_staff"), ("open311/v2/", "open311.urls")]
    api = [("/complaints/", "api")]
    jobs = [
        Job("complaints.close_answered", "tasks.close_answered", every_seconds=3600),
        # Retrains the router nightly from staff-confirmed complaints (routing.retrain_if_due
        # decides whether a day has passed and enough new labels came in).
        Job("complaints.routing.retrain", "routing.retrain_if_due", every_seconds=3600),
    ]
    demo = "demo.load_demo"
    # Requests the guard refuses (dasan.core.guard) get Open311's own error list there.
    hooks = {"refuse_request": "open311.views.refusal"}
    tiles = [
        Tile(
            "complaints.new",
            title=_("민원 신청"),
            description=_("불편한 점이나 건의할 일을 시에 알립니다."),
            url_name="complaints:new",
            icon="message",
            order=10,
        ),
        Tile(
            "complaints.mine",
            title=_("내 민원"),
            description=_("신청한 민원의 처리 상황과 답변을 봅니다."),
            url_name="complaints:mine",
            icon="inbox",
            order=11,
        ),
        Tile(
            "complaints.parking",
            title=_("불법주정차 신고"),
            description=_("1분 이상 간격으로 찍은 사진 두 장으로 불법주정차를 신고합니다."),
            url_name="complaints:new_parking",
            icon="car",
            order=12,
        ),
        Tile(
            "complaints.staff",
            title=_("민원 처리"),
            description=_("부서에 배정된 민원을 처리하고 답변합니다."),
            url_name="complaints_staff:queue",
            audience=STAFF,
            icon="inbox",
            order=10,
        ),
        Tile(
            "complaints.stats",
            title=_("민원 통계"),
            description=_("분류·부서별 민원 건수, 답변까지 걸린 시간, 기한 내 처리 비율을 봅니다."),
            url_name="complaints:stats",
            icon="chart",
            order=13,
        ),
        Tile(
            "complaints.counter",
            title=_("방문 민원 접수"),
            description=_("창구에 오신 주민의 민원을 대신 접수합니다."),
            url_name="complaints_staff:counter",
            audience=STAFF,
            icon="message",
            order=11,
        ),
    ]
