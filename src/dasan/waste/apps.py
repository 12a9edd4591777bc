from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# What residents are told, in their language; short enough for one SMS.
NOTIFY_TEXTS = {
    "waste.confirmed": {
        "ko": {
            "subject": "[{{ city }}] 대형폐기물 배출번호 {{ number }}",
            "body": "[{{ city }}] 대형폐기물 배출신고가 확정되었습니다. 배출번호 {{ number }}, 수거일 {{ date }} "
                    "({{ district }}). 스티커를 출력해 붙이고 전날 밤까지 내놓아 주세요.{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Bulky waste disposal number {{ number }}",
            "body": "[{{ city }}] Your bulky waste collection is confirmed. Disposal number {{ number }}, collection on "
                    "{{ date }} ({{ district }}). Print the sticker, attach it and put the items out by the night before."
                    "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 大件垃圾排放编号 {{ number }}",
            "body": "[{{ city }}] 您的大件垃圾排放申报已确认。排放编号 {{ number }}，收运日期 {{ date }}（{{ district }}）。"
                    "请打印标签贴在物品上，并在前一天晚上之前放到指定地点。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Mã thải bỏ rác cồng kềnh {{ number }}",
            "body": "[{{ city }}] Đăng ký thải bỏ rác cồng kềnh đã được xác nhận. Mã {{ number }}, ngày thu gom {{ date }} "
                    "({{ district }}). Hãy in nhãn, dán lên đồ vật và đặt ra ngoài trước tối hôm trước."
                    "{% if url %} {{ url }}{% endif %}",
        },
    },
    "waste.reminder": {
        "ko": {
            "subject": "[{{ city }}] 내일 대형폐기물 수거 {{ number }}",
            "body": "[{{ city }}] 내일({{ date }}) 대형폐기물을 수거합니다. 배출번호 {{ number }} 스티커를 붙여 "
                    "오늘 밤까지 신고한 곳에 내놓아 주세요.",
        },
        "en": {
            "subject": "[{{ city }}] Bulky waste collection tomorrow {{ number }}",
            "body": "[{{ city }}] Your bulky waste is collected tomorrow ({{ date }}). Attach the sticker with number "
                    "{{ number }} and put the items out at the place you gave by tonight.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 明天收运大件垃圾 {{ number }}",
            "body": "[{{ city }}] 明天（{{ date }}）将收运您的大件垃圾。请贴好排放编号 {{ number }} 的标签，"
                    "并在今晚之前放到申报的地点。",
        },
        "vi": {
            "subject": "[{{ city }}] Ngày mai thu gom rác cồng kềnh {{ number }}",
            "body": "[{{ city }}] Ngày mai ({{ date }}) sẽ thu gom rác cồng kềnh của bạn. Hãy dán nhãn mã {{ number }} "
                    "và đặt đồ vật tại nơi đã đăng ký trước tối nay.",
        },
    },
    "waste.cancelled": {
        "ko": {
            "subject": "[{{ city }}] 대형폐기물 배출신고 취소",
            "body": "[{{ city }}] {{ date }} 대형폐기물 배출신고{% if number %}({{ number }}){% endif %}가 취소되었습니다."
                    "{% if refund and refund != '0' %} 환불 금액 {{ refund }}원.{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Bulky waste collection cancelled",
            "body": "[{{ city }}] Your bulky waste collection on {{ date }}{% if number %} ({{ number }}){% endif %} "
                    "was cancelled.{% if refund and refund != '0' %} Refund: {{ refund }} won.{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 大件垃圾排放申报已取消",
            "body": "[{{ city }}] 您 {{ date }} 的大件垃圾排放申报{% if number %}（{{ number }}）{% endif %}已取消。"
                    "{% if refund and refund != '0' %}退款金额 {{ refund }} 韩元。{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã hủy đăng ký thải bỏ rác cồng kềnh",
            "body": "[{{ city }}] Đăng ký thu gom rác cồng kềnh ngày {{ date }}{% if number %} ({{ number }}){% endif %} "
                    "đã bị hủy.{% if refund and refund != '0' %} Số tiền hoàn lại: {{ refund }} won.{% endif %}",
        },
    },
}


class WasteConfig(AppConfig):
    name = "dasan.waste"
    label = "waste"
    verbose_name = _("대형폐기물")

    def ready(self) -> None:
        from dasan.core.catalog import register_service
        from dasan.core.schedule import register as register_job
        from dasan.notify.templates import register
        from dasan.payments.services import on_cancelled, on_paid, on_refunded

        from . import services

        for key, text in NOTIFY_TEXTS.items():
            register(key, category="transactional", text=text)
        on_paid(services.PURPOSE, services.booking_paid)
        on_refunded(services.PURPOSE, services.booking_refunded)
        on_cancelled(services.PURPOSE, services.booking_released)
        register_job("waste.send_reminders", services.send_reminders, every_seconds=900)
        register_service(
            "waste.book", title=_("대형폐기물 배출신고"),
            description=_("소파·냉장고 같은 대형폐기물의 수수료를 확인하고 수거를 신청합니다."),
            url_name="waste:index", audience="resident", icon="trash", order=20,
        )
