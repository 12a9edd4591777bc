from django.utils.translation import gettext_lazy as _

from dasan.core.appconfig import STAFF, DasanAppConfig, Job, PaymentPurpose, Tile


class ReservationsConfig(DasanAppConfig):
    name = "dasan.reservations"
    label = "reservations"
    verbose_name = _("공공시설 예약")

    urls = [("reservations/", "urls"), ("staff/reservations/", "urls_staff")]
    api = [("/reservations/", "api")]
    jobs = [
        Job("reservations.expire_requests", "services.expire_requests", every_seconds=900),
        Job("reservations.waitlist_expire", "waitlist.expire_offers", every_seconds=300),
    ]
    payment_purposes = [
        PaymentPurpose(
            "reservations.booking",
            paid="services.reservation_paid",
            refunded="services.reservation_refunded",
            cancelled="services.reservation_released",
        )
    ]
    demo = "demo.load_demo"
    tiles = [
        Tile(
            "reservations.book",
            title=_("공공시설 예약"),
            description=_("체육시설·회의실·캠핑장·강당·대여 물품·강좌의 빈 시간을 보고 예약합니다."),
            url_name="reservations:index",
            icon="calendar",
            order=25,
        ),
        Tile(
            "reservations.staff",
            title=_("공공시설 예약 관리"),
            description=_("시설별 예약 현황을 보고 승인·반려, 사용 중지, 이용 확인을 합니다."),
            url_name="reservations_staff:index",
            audience=STAFF,
            icon="calendar",
            order=25,
        ),
    ]
