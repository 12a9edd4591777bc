from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Short enough for one SMS; numbers only, no names.
NOTIFY_TEXTS = {
    "queueing.near": {
        "ko": {
            "subject": "[{{ office }}] 곧 차례입니다",
            "body": "[{{ office }}] 번호표 {{ number }}({{ service }}) 앞에 {{ ahead }}명 남았습니다. 민원실로 와 주세요.",
        },
        "en": {
            "subject": "[{{ office }}] Your turn is coming",
            "body": "[{{ office }}] {{ ahead }} people are ahead of ticket {{ number }} ({{ service }}). Please come to the office.",
        },
        "zh-hans": {
            "subject": "[{{ office }}] 即将轮到您",
            "body": "[{{ office }}] 号码 {{ number }}（{{ service }}）前面还有 {{ ahead }} 人。请前往民愿室。",
        },
        "vi": {
            "subject": "[{{ office }}] Sắp đến lượt bạn",
            "body": "[{{ office }}] Còn {{ ahead }} người trước số {{ number }} ({{ service }}). Vui lòng đến quầy.",
        },
    },
    "queueing.called": {
        "ko": {
            "subject": "[{{ office }}] {{ number }}번 호출",
            "body": "[{{ office }}] 번호표 {{ number }}번, {{ counter }}번 창구로 와 주세요.",
        },
        "en": {
            "subject": "[{{ office }}] Ticket {{ number }} called",
            "body": "[{{ office }}] Ticket {{ number }}, please come to counter {{ counter }}.",
        },
        "zh-hans": {
            "subject": "[{{ office }}] {{ number }} 号叫号",
            "body": "[{{ office }}] {{ number }} 号，请到 {{ counter }} 号窗口。",
        },
        "vi": {
            "subject": "[{{ office }}] Gọi số {{ number }}",
            "body": "[{{ office }}] Số {{ number }}, vui lòng đến quầy số {{ counter }}.",
        },
    },
}


class QueueingConfig(AppConfig):
    name = "dasan.queueing"
    label = "queueing"
    verbose_name = _("번호표")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from dasan.core.catalog import register_service
        from dasan.core.schedule import register as register_job
        from dasan.notify.templates import register

        from . import services

        for key, text in NOTIFY_TEXTS.items():
            register(key, category="transactional", text=text)
        register_job("queueing.close_days", services.close_days, every_seconds=600)
        register_service(
            "queueing.ticket",
            title=_("모바일 번호표"),
            description=_("집에서 번호표를 받고, 차례가 가까워지면 알림을 받습니다."),
            url_name="queueing:index",
            audience="resident",
            icon="ticket",
            order=15,
        )
        register_service(
            "queueing.counter",
            title=_("창구 호출"),
            description=_("창구에서 다음 번호를 부르고 처리 결과를 기록합니다. 대기 통계도 봅니다."),
            url_name="queueing_staff:index",
            audience="staff",
            icon="ticket",
            order=15,
        )
