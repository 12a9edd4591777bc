"""What the certificates app tells residents, by message key and language (see notify.templates)."""

CATEGORY = "transactional"

# What residents are told, in their language; short enough for one SMS.
TEXTS = {
    "certificates.requested": {
        "ko": {
            "subject": "[{{ city }}] 서류 사전발급 신청 {{ code }}",
            "body": "[{{ city }}] {{ document }} 사전발급 신청을 받았습니다(신청번호 {{ code }}). "
            "수령: {{ office }} {{ when }}. 준비되면 알려 드립니다.",
        },
        "en": {
            "subject": "[{{ city }}] Document request {{ code }}",
            "body": "[{{ city }}] We received your request for {{ document }} (number {{ code }}). "
            "Pickup: {{ office }}, {{ when }}. We will tell you when it is ready.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 证明文件预约申请 {{ code }}",
            "body": "[{{ city }}] 已收到您的 {{ document }} 预约申请（编号 {{ code }}）。"
            "领取：{{ office }} {{ when }}。准备好后会通知您。",
        },
        "vi": {
            "subject": "[{{ city }}] Yêu cầu giấy tờ {{ code }}",
            "body": "[{{ city }}] Chúng tôi đã nhận yêu cầu {{ document }} của bạn (mã {{ code }}). "
            "Nhận tại: {{ office }}, {{ when }}. Chúng tôi sẽ báo khi giấy tờ sẵn sàng.",
        },
    },
    "certificates.ready": {
        "ko": {
            "subject": "[{{ city }}] 서류 준비 완료 {{ code }}",
            "body": "[{{ city }}] {{ document }}가 준비되었습니다(신청번호 {{ code }}). {{ office }}에서 {{ when }}에 "
            "신분증을 가지고 찾아가세요. 수수료 {{ fee }}원은 창구에서 냅니다."
            "{% if ticket %} 우선 번호표 {{ ticket }}번.{% endif %}{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Document ready {{ code }}",
            "body": "[{{ city }}] Your {{ document }} is ready (number {{ code }}). Collect it at {{ office }}, {{ when }}, "
            "with your ID card. The fee of {{ fee }} won is paid at the counter."
            "{% if ticket %} Priority ticket {{ ticket }}.{% endif %}{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 证明文件已准备好 {{ code }}",
            "body": "[{{ city }}] 您的 {{ document }} 已准备好（编号 {{ code }}）。请于 {{ when }} 携带身份证件到 {{ office }} 领取。"
            "手续费 {{ fee }} 韩元在窗口缴纳。{% if ticket %}优先号码 {{ ticket }}。{% endif %}{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Giấy tờ đã sẵn sàng {{ code }}",
            "body": "[{{ city }}] {{ document }} của bạn đã sẵn sàng (mã {{ code }}). Hãy mang giấy tờ tùy thân đến "
            "{{ office }} lúc {{ when }} để nhận. Lệ phí {{ fee }} won nộp tại quầy."
            "{% if ticket %} Số thứ tự ưu tiên {{ ticket }}.{% endif %}{% if url %} {{ url }}{% endif %}",
        },
    },
    "certificates.expired": {
        "ko": {
            "subject": "[{{ city }}] 서류 보관 기간 만료 {{ code }}",
            "body": "[{{ city }}] 찾아가지 않으신 {{ document }}(신청번호 {{ code }})의 보관 기간이 지나 폐기했습니다. "
            "필요하면 다시 신청해 주세요.",
        },
        "en": {
            "subject": "[{{ city }}] Document no longer held {{ code }}",
            "body": "[{{ city }}] The {{ document }} you did not collect (number {{ code }}) was held past its time and "
            "has been destroyed. Please request it again if you need it.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 证明文件保管期已过 {{ code }}",
            "body": "[{{ city }}] 您未领取的 {{ document }}（编号 {{ code }}）已超过保管期并已销毁。如有需要请重新申请。",
        },
        "vi": {
            "subject": "[{{ city }}] Hết thời hạn giữ giấy tờ {{ code }}",
            "body": "[{{ city }}] {{ document }} (mã {{ code }}) mà bạn chưa nhận đã quá thời hạn giữ và đã được hủy. "
            "Vui lòng yêu cầu lại nếu cần.",
        },
    },
    "certificates.cancelled": {
        "ko": {
            "subject": "[{{ city }}] 서류 신청 취소 {{ code }}",
            "body": "[{{ city }}] {{ document }} 신청(신청번호 {{ code }})이 취소되었습니다. 사유: {{ reason }}",
        },
        "en": {
            "subject": "[{{ city }}] Document request cancelled {{ code }}",
            "body": "[{{ city }}] Your request for {{ document }} (number {{ code }}) was cancelled. Reason: {{ reason }}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 证明文件申请已取消 {{ code }}",
            "body": "[{{ city }}] 您的 {{ document }} 申请（编号 {{ code }}）已取消。原因：{{ reason }}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã hủy yêu cầu giấy tờ {{ code }}",
            "body": "[{{ city }}] Yêu cầu {{ document }} của bạn (mã {{ code }}) đã bị hủy. Lý do: {{ reason }}",
        },
    },
}
