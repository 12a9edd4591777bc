"""What the waste app tells residents, by message key and language (see notify.templates)."""

CATEGORY = "transactional"

# What residents are told, in their language; short enough for one SMS.
TEXTS = {
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
    "waste.changed": {
        "ko": {
            "subject": "[{{ city }}] 대형폐기물 배출신고 변경 {{ number }}",
            "body": "[{{ city }}] 대형폐기물 배출신고가 바뀌었습니다. 수거일 {{ date }} ({{ district }}), 배출번호 {{ number }}. "
            "수거일이 바뀌었다면 스티커를 새로 출력해 붙여 주세요.{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Bulky waste collection changed {{ number }}",
            "body": "[{{ city }}] Your bulky waste collection was changed: collection on {{ date }} ({{ district }}), "
            "disposal number {{ number }}. If the day changed, print and attach the new sticker."
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 大件垃圾排放申报已变更 {{ number }}",
            "body": "[{{ city }}] 您的大件垃圾排放申报已变更：收运日期 {{ date }}（{{ district }}），排放编号 {{ number }}。"
            "如果收运日期有变，请重新打印标签并贴在物品上。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã thay đổi đăng ký rác cồng kềnh {{ number }}",
            "body": "[{{ city }}] Đăng ký thải bỏ rác cồng kềnh đã được thay đổi: ngày thu gom {{ date }} ({{ district }}), "
            "mã {{ number }}. Nếu ngày thu gom thay đổi, hãy in lại nhãn mới và dán lên đồ vật."
            "{% if url %} {{ url }}{% endif %}",
        },
    },
    "waste.collected": {
        "ko": {
            "subject": "[{{ city }}] 대형폐기물 수거 완료 {{ number }}",
            "body": "[{{ city }}] 대형폐기물({{ number }})을 수거했습니다. 이용해 주셔서 고맙습니다."
            "{% if photo_url %} 수거 사진: {{ photo_url }}{% elif url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Bulky waste collected {{ number }}",
            "body": "[{{ city }}] Your bulky waste ({{ number }}) has been collected. Thank you."
            "{% if photo_url %} Crew photo: {{ photo_url }}{% elif url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 大件垃圾已收运 {{ number }}",
            "body": "[{{ city }}] 您的大件垃圾（{{ number }}）已收运完毕，谢谢配合。"
            "{% if photo_url %} 收运照片：{{ photo_url }}{% elif url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã thu gom rác cồng kềnh {{ number }}",
            "body": "[{{ city }}] Rác cồng kềnh của bạn ({{ number }}) đã được thu gom. Xin cảm ơn."
            "{% if photo_url %} Ảnh thu gom: {{ photo_url }}{% elif url %} {{ url }}{% endif %}",
        },
    },
    "waste.not_found": {
        "ko": {
            "subject": "[{{ city }}] 대형폐기물을 찾지 못했습니다 {{ number }}",
            "body": "[{{ city }}] {{ date }} 신고한 곳에서 대형폐기물({{ number }})을 찾지 못해 수거하지 못했습니다."
            "{% if note %} 메모: {{ note }}.{% endif %} 다시 수거를 원하시면{% if phone %} ☎ {{ phone }}으로{% endif %} "
            "문의해 주세요.",
        },
        "en": {
            "subject": "[{{ city }}] Bulky waste not found {{ number }}",
            "body": "[{{ city }}] On {{ date }} the crew could not find your bulky waste ({{ number }}) at the place you gave, "
            "so it was not collected.{% if note %} Note: {{ note }}.{% endif %} To arrange another collection, "
            "please contact us{% if phone %} on {{ phone }}{% endif %}.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 未找到大件垃圾 {{ number }}",
            "body": "[{{ city }}] {{ date }} 收运人员未在您申报的地点找到大件垃圾（{{ number }}），因此未能收运。"
            "{% if note %}备注：{{ note }}。{% endif %}如需重新收运，请{% if phone %}致电 {{ phone }} {% endif %}联系我们。",
        },
        "vi": {
            "subject": "[{{ city }}] Không tìm thấy rác cồng kềnh {{ number }}",
            "body": "[{{ city }}] Ngày {{ date }} đội thu gom không tìm thấy rác cồng kềnh ({{ number }}) tại nơi bạn đã đăng ký "
            "nên chưa thu gom.{% if note %} Ghi chú: {{ note }}.{% endif %} Để hẹn thu gom lại, vui lòng liên hệ"
            "{% if phone %} số {{ phone }}{% endif %}.",
        },
    },
    "waste.mismatch": {
        "ko": {
            "subject": "[{{ city }}] 대형폐기물이 신고 내용과 다릅니다 {{ number }}",
            "body": "[{{ city }}] {{ date }} 내놓은 대형폐기물({{ number }})이 신고 내용과 달라 수거하지 못했습니다. "
            "사유: {{ note }}. 품목을 바로 신고하신 뒤{% if phone %} ☎ {{ phone }}으로{% endif %} 문의해 주세요."
            "{% if photo_url %} 현장 사진: {{ photo_url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Bulky waste not as declared {{ number }}",
            "body": "[{{ city }}] The bulky waste put out on {{ date }} ({{ number }}) did not match what was declared, so it "
            "was not collected. Reason: {{ note }}. Please declare the right items and contact us"
            "{% if phone %} on {{ phone }}{% endif %}.{% if photo_url %} Photo: {{ photo_url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 大件垃圾与申报内容不符 {{ number }}",
            "body": "[{{ city }}] 您 {{ date }} 放出的大件垃圾（{{ number }}）与申报内容不符，未能收运。原因：{{ note }}。"
            "请按实际物品重新申报，并{% if phone %}致电 {{ phone }} {% endif %}联系我们。"
            "{% if photo_url %}现场照片：{{ photo_url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Rác cồng kềnh không đúng như đăng ký {{ number }}",
            "body": "[{{ city }}] Rác cồng kềnh đặt ra ngày {{ date }} ({{ number }}) không đúng với nội dung đã đăng ký nên chưa "
            "được thu gom. Lý do: {{ note }}. Vui lòng đăng ký đúng đồ vật và liên hệ"
            "{% if phone %} số {{ phone }}{% endif %}.{% if photo_url %} Ảnh: {{ photo_url }}{% endif %}",
        },
    },
}
