"""What the reservations app tells residents, by message key and language (see notify.templates)."""

import logging

from dasan.core.errors import DasanError
from dasan.core.models import Municipality
from dasan.notify.services import enqueue

logger = logging.getLogger("dasan.reservations")

CATEGORY = "transactional"


def send(template: str, recipient, context: dict) -> None:
    """Queue ``template`` for ``recipient`` (in their language) with ``context`` and the
    city's name. A resident with no address to send to is logged, not refused: the change
    that caused the message stands, and staff see the log."""
    if recipient is None:
        return
    municipality = Municipality.current()
    try:
        enqueue(template, recipient=recipient, context={"city": municipality.name if municipality else "", **context})
    except DasanError as error:
        logger.warning("notification %s to user %s not sent: %s", template, recipient.pk, error.code)


# What residents are told, in their language; short enough for one SMS.
TEXTS = {
    "reservations.confirmed": {
        "ko": {
            "subject": "[{{ city }}] 예약 확정 {{ code }}",
            "body": "[{{ city }}] {{ resource }} 예약이 확정되었습니다. 예약번호 {{ code }}, {{ when }}."
            "{% if discount %} 감면({{ discount }})은 이용 당일 증빙을 확인합니다.{% endif %}{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Reservation confirmed {{ code }}",
            "body": "[{{ city }}] Your reservation of {{ resource }} is confirmed. Number {{ code }}, {{ when }}."
            "{% if discount %} Please bring proof of your discount ({{ discount }}) on the day.{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 预约已确认 {{ code }}",
            "body": "[{{ city }}] 您预约的 {{ resource }} 已确认。预约编号 {{ code }}，{{ when }}。"
            "{% if discount %}减免（{{ discount }}）将在使用当天核验证明。{% endif %}{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã xác nhận đặt chỗ {{ code }}",
            "body": "[{{ city }}] Đặt chỗ {{ resource }} của bạn đã được xác nhận. Mã {{ code }}, {{ when }}."
            "{% if discount %} Vui lòng mang giấy tờ chứng minh ưu đãi ({{ discount }}) vào ngày sử dụng.{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
    },
    "reservations.requested": {
        "ko": {
            "subject": "[{{ city }}] 예약 신청 접수 {{ code }}",
            "body": "[{{ city }}] {{ resource }} {{ when }} 예약 신청을 받았습니다(예약번호 {{ code }}). "
            "담당자가 확인한 뒤 결과를 알려 드립니다.",
        },
        "en": {
            "subject": "[{{ city }}] Reservation request received {{ code }}",
            "body": "[{{ city }}] We received your request for {{ resource }}, {{ when }} (number {{ code }}). "
            "Staff will review it and let you know.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 已收到预约申请 {{ code }}",
            "body": "[{{ city }}] 已收到您对 {{ resource }}（{{ when }}）的预约申请（编号 {{ code }}）。"
            "工作人员审核后会通知您结果。",
        },
        "vi": {
            "subject": "[{{ city }}] Đã nhận yêu cầu đặt chỗ {{ code }}",
            "body": "[{{ city }}] Chúng tôi đã nhận yêu cầu đặt {{ resource }}, {{ when }} (mã {{ code }}). "
            "Cán bộ sẽ xem xét và thông báo kết quả cho bạn.",
        },
    },
    "reservations.approved": {
        "ko": {
            "subject": "[{{ city }}] 예약 승인 {{ code }}",
            "body": "[{{ city }}] {{ resource }} {{ when }} 예약이 승인되었습니다(예약번호 {{ code }})."
            "{% if pay %} {{ deadline }}까지 이용료 {{ price }}원을 결제하면 확정됩니다.{% endif %}{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Reservation approved {{ code }}",
            "body": "[{{ city }}] Your reservation of {{ resource }}, {{ when }} is approved (number {{ code }})."
            "{% if pay %} Pay the fee of {{ price }} won by {{ deadline }} to confirm it.{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 预约已批准 {{ code }}",
            "body": "[{{ city }}] 您对 {{ resource }}（{{ when }}）的预约已批准（编号 {{ code }}）。"
            "{% if pay %}请在 {{ deadline }} 之前支付使用费 {{ price }} 韩元以完成确认。{% endif %}{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đặt chỗ đã được duyệt {{ code }}",
            "body": "[{{ city }}] Đặt chỗ {{ resource }}, {{ when }} đã được duyệt (mã {{ code }})."
            "{% if pay %} Hãy thanh toán phí {{ price }} won trước {{ deadline }} để xác nhận.{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
    },
    "reservations.denied": {
        "ko": {
            "subject": "[{{ city }}] 예약 반려 {{ code }}",
            "body": "[{{ city }}] {{ resource }} {{ when }} 예약 신청이 반려되었습니다. 사유: {{ reason }}",
        },
        "en": {
            "subject": "[{{ city }}] Reservation declined {{ code }}",
            "body": "[{{ city }}] Your request for {{ resource }}, {{ when }} was declined. Reason: {{ reason }}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 预约被驳回 {{ code }}",
            "body": "[{{ city }}] 您对 {{ resource }}（{{ when }}）的预约申请被驳回。原因：{{ reason }}",
        },
        "vi": {
            "subject": "[{{ city }}] Yêu cầu đặt chỗ bị từ chối {{ code }}",
            "body": "[{{ city }}] Yêu cầu đặt {{ resource }}, {{ when }} đã bị từ chối. Lý do: {{ reason }}",
        },
    },
    "reservations.cancelled": {
        "ko": {
            "subject": "[{{ city }}] 예약 취소 {{ code }}",
            "body": "[{{ city }}] {{ resource }} {{ when }} 예약(예약번호 {{ code }})이 취소되었습니다."
            "{% if reason %} 사유: {{ reason }}.{% endif %}{% if refund and refund != '0' %} 환불 금액 {{ refund }}원.{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Reservation cancelled {{ code }}",
            "body": "[{{ city }}] Your reservation of {{ resource }}, {{ when }} (number {{ code }}) was cancelled."
            "{% if reason %} Reason: {{ reason }}.{% endif %}{% if refund and refund != '0' %} Refund: {{ refund }} won.{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 预约已取消 {{ code }}",
            "body": "[{{ city }}] 您对 {{ resource }}（{{ when }}）的预约（编号 {{ code }}）已取消。"
            "{% if reason %}原因：{{ reason }}。{% endif %}{% if refund and refund != '0' %}退款金额 {{ refund }} 韩元。{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã hủy đặt chỗ {{ code }}",
            "body": "[{{ city }}] Đặt chỗ {{ resource }}, {{ when }} (mã {{ code }}) đã bị hủy."
            "{% if reason %} Lý do: {{ reason }}.{% endif %}{% if refund and refund != '0' %} Số tiền hoàn lại: {{ refund }} won.{% endif %}",
        },
    },
    "reservations.waitlist_offer": {
        "ko": {
            "subject": "[{{ city }}] 대기하신 시간이 났습니다",
            "body": "[{{ city }}] 대기 신청하신 {{ resource }} {{ when }}에 자리가 났습니다. "
            "{{ deadline }}까지 내 예약에서 예약하지 않으면 다음 분께 넘어갑니다.{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] The time you waited for is free",
            "body": "[{{ city }}] {{ resource }}, {{ when }} you were waiting for is now free. "
            "Book it under My reservations by {{ deadline }}, or it goes to the next person.{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 您候补的时间已空出",
            "body": "[{{ city }}] 您候补的 {{ resource }}（{{ when }}）已有空位。"
            "请在 {{ deadline }} 之前在“我的预约”中预约，否则将转给下一位。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Thời gian bạn chờ đã có chỗ",
            "body": "[{{ city }}] {{ resource }}, {{ when }} mà bạn đăng ký chờ nay đã trống. "
            "Hãy đặt trong mục Đặt chỗ của tôi trước {{ deadline }}, nếu không chỗ sẽ chuyển cho người tiếp theo.{% if url %} {{ url }}{% endif %}",
        },
    },
    "reservations.lottery_won": {
        "ko": {
            "subject": "[{{ city }}] 추첨 당첨 {{ code }}",
            "body": "[{{ city }}] {{ resource }} {{ when }} 추첨에 당첨되었습니다(예약번호 {{ code }})."
            "{% if deadline %} {{ deadline }}까지 이용료 {{ price }}원을 결제하면 확정되고, 결제하지 않으면 다음 순위로 넘어갑니다.{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] You won the lottery {{ code }}",
            "body": "[{{ city }}] You won the lottery for {{ resource }}, {{ when }} (number {{ code }})."
            "{% if deadline %} Pay the fee of {{ price }} won by {{ deadline }} to confirm it, or it goes to the next in line.{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 抽签中选 {{ code }}",
            "body": "[{{ city }}] 您在 {{ resource }}（{{ when }}）的抽签中中选（预约编号 {{ code }}）。"
            "{% if deadline %}请在 {{ deadline }} 之前支付使用费 {{ price }} 韩元以完成确认，否则将转给下一顺位。{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Bạn đã trúng bốc thăm {{ code }}",
            "body": "[{{ city }}] Bạn đã trúng bốc thăm {{ resource }}, {{ when }} (mã {{ code }})."
            "{% if deadline %} Hãy thanh toán {{ price }} won trước {{ deadline }} để xác nhận, nếu không chỗ sẽ chuyển cho người tiếp theo.{% endif %}"
            "{% if url %} {{ url }}{% endif %}",
        },
    },
    "reservations.lottery_lost": {
        "ko": {
            "subject": "[{{ city }}] 추첨 결과 안내",
            "body": "[{{ city }}] {{ resource }} {{ when }} 추첨에 당첨되지 않았습니다(대기 순위 {{ rank }}). "
            "앞 순위가 결제하지 않거나 취소하면 차례대로 알려 드립니다.",
        },
        "en": {
            "subject": "[{{ city }}] Lottery result",
            "body": "[{{ city }}] You were not drawn for {{ resource }}, {{ when }} (place {{ rank }} in line). "
            "If those ahead do not pay or cancel, we will let you know in turn.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 抽签结果通知",
            "body": "[{{ city }}] 您未在 {{ resource }}（{{ when }}）的抽签中中选（候补顺位 {{ rank }}）。"
            "如前面的顺位未付款或取消，将依次通知您。",
        },
        "vi": {
            "subject": "[{{ city }}] Kết quả bốc thăm",
            "body": "[{{ city }}] Bạn không trúng bốc thăm {{ resource }}, {{ when }} (thứ tự chờ {{ rank }}). "
            "Nếu người xếp trước không thanh toán hoặc hủy, chúng tôi sẽ lần lượt thông báo cho bạn.",
        },
    },
    "reservations.deposit_settled": {
        "ko": {
            "subject": "[{{ city }}] 보증금 정산 {{ code }}",
            "body": "[{{ city }}] {{ resource }} {{ when }} 예약(예약번호 {{ code }})의 보증금 {{ returned }}원을 돌려드렸습니다."
            "{% if withheld != '0' %} {{ withheld }}원은 공제했습니다: {{ reason }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Deposit settled {{ code }}",
            "body": "[{{ city }}] We returned {{ returned }} won of the deposit for {{ resource }}, {{ when }} (number {{ code }})."
            "{% if withheld != '0' %} {{ withheld }} won was kept: {{ reason }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 押金结算 {{ code }}",
            "body": "[{{ city }}] 您预约的 {{ resource }}（{{ when }}，编号 {{ code }}）押金 {{ returned }} 韩元已退还。"
            "{% if withheld != '0' %}扣除 {{ withheld }} 韩元，原因：{{ reason }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Quyết toán tiền đặt cọc {{ code }}",
            "body": "[{{ city }}] Chúng tôi đã hoàn {{ returned }} won tiền đặt cọc cho {{ resource }}, {{ when }} (mã {{ code }})."
            "{% if withheld != '0' %} Đã khấu trừ {{ withheld }} won: {{ reason }}{% endif %}",
        },
    },
    "reservations.group_decided": {
        "ko": {
            "subject": "[{{ city }}] 이용 단체 등록 {% if approved %}승인{% else %}반려{% endif %}",
            "body": "[{{ city }}] '{{ group }}' 단체 등록이 {% if approved %}승인되었습니다. 이제 등록 단체만 예약할 수 있는 시설도 단체 이름으로 예약할 수 있습니다."
            "{% else %}반려되었습니다. 사유: {{ reason }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Group registration {% if approved %}approved{% else %}declined{% endif %}",
            "body": "[{{ city }}] The registration of '{{ group }}' was {% if approved %}approved. You can now book facilities "
            "reserved for registered groups in its name.{% else %}declined. Reason: {{ reason }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 团体登记{% if approved %}已批准{% else %}被驳回{% endif %}",
            "body": "[{{ city }}] “{{ group }}”的团体登记{% if approved %}已批准。现在可以以团体名义预约仅限登记团体使用的设施。"
            "{% else %}被驳回。原因：{{ reason }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đăng ký nhóm {% if approved %}đã được duyệt{% else %}bị từ chối{% endif %}",
            "body": "[{{ city }}] Đăng ký nhóm '{{ group }}' {% if approved %}đã được duyệt. Giờ bạn có thể đặt các cơ sở chỉ dành "
            "cho nhóm đã đăng ký bằng tên nhóm.{% else %}bị từ chối. Lý do: {{ reason }}{% endif %}",
        },
    },
}
