from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Job, PaymentPurpose, Tile


class WasteConfig(DasanAppConfig):
    name = "dasan.waste"
    label = "waste"
    verbose_name = _("대형폐기물")

    urls = [("waste/", "urls"), ("staff/waste/", "urls_staff")]
    api = [("/waste/", "api")]
    jobs = [Job("waste.send_reminders", "services.send_reminders", every_seconds=900)]
    payment_purposes = [
        PaymentPurpose(
            "waste.booking",
            paid="services.booking_paid",
            refunded="services.booking_refunded",
            cancelled="services.booking_released",
        )
    ]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "waste.book",
            title=_("대형폐기물 배출신고"),
            description=_("소파·냉장고 같은 대형폐기물의 수수료를 확인하고 수거를 신청합니다."),
            url_name="waste:index",
            icon="trash",
            order=20,
        ),
        Tile(
            "waste.staff",
            title=_("대형폐기물 수거 관리"),
            description=_("날짜별 수거 목록과 노선표, 스티커 QR 스캔, 월별 집계를 봅니다."),
            url_name="waste_staff:index",
            audience=STAFF,
            icon="trash",
            order=20,
        ),
    ]
