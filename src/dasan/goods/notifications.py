"""What the goods app tells residents, by message key and language (see notify.templates)."""

CATEGORY = "transactional"

# What residents are told at each step of a delivery, in their language.
TEXTS = {
    "goods.received": {
        "ko": {
            "subject": "[{{ city }}] 종량제봉투 주문 접수 {{ number }}",
            "body": "[{{ city }}] 종량제봉투 주문 {{ number }}의 결제({{ total }}원)가 확인되어 접수되었습니다. "
            "배송 준비가 시작되면 다시 알려 드립니다.",
        },
        "en": {
            "subject": "[{{ city }}] Garbage-bag order {{ number }} received",
            "body": "[{{ city }}] We received the payment ({{ total }} KRW) for your garbage-bag order {{ number }}. "
            "We will let you know when it is being prepared.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 垃圾袋订单 {{ number }} 已受理",
            "body": "[{{ city }}] 您的垃圾袋订单 {{ number }} 已确认付款（{{ total }}韩元）并受理。开始备货时将再次通知您。",
        },
        "vi": {
            "subject": "[{{ city }}] Đã tiếp nhận đơn túi rác {{ number }}",
            "body": "[{{ city }}] Đơn túi rác {{ number }} đã được thanh toán ({{ total }} won) và tiếp nhận. "
            "Chúng tôi sẽ báo khi bắt đầu chuẩn bị giao hàng.",
        },
    },
    "goods.preparing": {
        "ko": {
            "subject": "[{{ city }}] 종량제봉투 배송 준비 {{ number }}",
            "body": "[{{ city }}] 종량제봉투 주문 {{ number }}의 배송을 준비하고 있습니다. 이제는 주문을 취소할 수 없습니다.",
        },
        "en": {
            "subject": "[{{ city }}] Garbage-bag order {{ number }} being prepared",
            "body": "[{{ city }}] Your garbage-bag order {{ number }} is being prepared for delivery. It can no longer be cancelled.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 垃圾袋订单 {{ number }} 正在备货",
            "body": "[{{ city }}] 您的垃圾袋订单 {{ number }} 正在准备配送，现在已无法取消订单。",
        },
        "vi": {
            "subject": "[{{ city }}] Đang chuẩn bị đơn túi rác {{ number }}",
            "body": "[{{ city }}] Đơn túi rác {{ number }} đang được chuẩn bị để giao. Bạn không thể hủy đơn này nữa.",
        },
    },
    "goods.shipping": {
        "ko": {
            "subject": "[{{ city }}] 종량제봉투 배송 출발 {{ number }}",
            "body": "[{{ city }}] 종량제봉투 주문 {{ number }}이(가) 배송을 시작했습니다. 곧 도착합니다.",
        },
        "en": {
            "subject": "[{{ city }}] Garbage-bag order {{ number }} on its way",
            "body": "[{{ city }}] Your garbage-bag order {{ number }} is out for delivery and will arrive soon.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 垃圾袋订单 {{ number }} 配送中",
            "body": "[{{ city }}] 您的垃圾袋订单 {{ number }} 已开始配送，即将送达。",
        },
        "vi": {
            "subject": "[{{ city }}] Đơn túi rác {{ number }} đang được giao",
            "body": "[{{ city }}] Đơn túi rác {{ number }} đang trên đường giao đến bạn và sẽ đến sớm.",
        },
    },
    "goods.delivered": {
        "ko": {
            "subject": "[{{ city }}] 종량제봉투 배송 완료 {{ number }}",
            "body": "[{{ city }}] 종량제봉투 주문 {{ number }}의 배송이 완료되었습니다. 이용해 주셔서 고맙습니다.",
        },
        "en": {
            "subject": "[{{ city }}] Garbage-bag order {{ number }} delivered",
            "body": "[{{ city }}] Your garbage-bag order {{ number }} has been delivered. Thank you.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 垃圾袋订单 {{ number }} 已送达",
            "body": "[{{ city }}] 您的垃圾袋订单 {{ number }} 已送达。感谢使用。",
        },
        "vi": {
            "subject": "[{{ city }}] Đã giao đơn túi rác {{ number }}",
            "body": "[{{ city }}] Đơn túi rác {{ number }} đã được giao. Cảm ơn bạn.",
        },
    },
    "goods.cancelled": {
        "ko": {
            "subject": "[{{ city }}] 종량제봉투 주문 취소 {{ number }}",
            "body": "[{{ city }}] 종량제봉투 주문 {{ number }}이(가) 취소되었습니다. 결제하신 금액이 있으면 전액 환불됩니다.",
        },
        "en": {
            "subject": "[{{ city }}] Garbage-bag order {{ number }} cancelled",
            "body": "[{{ city }}] Your garbage-bag order {{ number }} was cancelled. Anything you paid is refunded in full.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 垃圾袋订单 {{ number }} 已取消",
            "body": "[{{ city }}] 您的垃圾袋订单 {{ number }} 已取消。如已付款，将全额退款。",
        },
        "vi": {
            "subject": "[{{ city }}] Đã hủy đơn túi rác {{ number }}",
            "body": "[{{ city }}] Đơn túi rác {{ number }} đã bị hủy. Số tiền đã thanh toán (nếu có) sẽ được hoàn lại toàn bộ.",
        },
    },
}
