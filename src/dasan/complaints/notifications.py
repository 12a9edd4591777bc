"""What the complaints app tells residents, by message key and language (see notify.templates)."""

CATEGORY = "transactional"

# What residents are told, in their language. Short enough for one SMS in the
# usual case; {{ url }} is empty when the installation has no public address.
TEXTS = {
    "complaints.received": {
        "ko": {
            "subject": "[{{ city }}] 민원 접수 {{ number }}",
            "body": "[{{ city }}] 민원이 접수되었습니다. 접수번호 {{ number }}, 처리기한 {{ due }}."
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Complaint received {{ number }}",
            "body": "[{{ city }}] We received your complaint. Number {{ number }}, answer due by {{ due }}."
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 投诉已受理 {{ number }}",
            "body": "[{{ city }}] 您的投诉已受理。受理编号 {{ number }}，处理期限 {{ due }}。"
            "{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã tiếp nhận khiếu nại {{ number }}",
            "body": "[{{ city }}] Khiếu nại của bạn đã được tiếp nhận. Số {{ number }}, hạn trả lời {{ due }}."
            "{% if url %} {{ url }}{% endif %}",
        },
    },
    "complaints.assigned": {
        "ko": {
            "subject": "[{{ city }}] 민원 {{ number }} 담당 부서",
            "body": "[{{ city }}] 민원 {{ number }}은(는) {{ department }}에서 처리합니다. 처리기한 {{ due }}."
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Complaint {{ number }}: department",
            "body": "[{{ city }}] Complaint {{ number }} is now handled by {{ department }}. Due by {{ due }}."
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 投诉 {{ number }} 负责部门",
            "body": "[{{ city }}] 投诉 {{ number }} 由 {{ department }} 负责处理，处理期限 {{ due }}。"
            "{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Khiếu nại {{ number }}: bộ phận phụ trách",
            "body": "[{{ city }}] Khiếu nại {{ number }} do {{ department }} xử lý. Hạn trả lời {{ due }}."
            "{% if url %} {{ url }}{% endif %}",
        },
    },
    "complaints.extended": {
        "ko": {
            "subject": "[{{ city }}] 민원 {{ number }} 처리기간 연장",
            "body": "[{{ city }}] 민원 {{ number }}의 처리기간이 {{ due }}까지 연장되었습니다. 사유: {{ reason }}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Complaint {{ number }}: more time needed",
            "body": "[{{ city }}] The period for complaint {{ number }} was extended to {{ due }}. Reason: {{ reason }}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 投诉 {{ number }} 处理期限延长",
            "body": "[{{ city }}] 投诉 {{ number }} 的处理期限已延长至 {{ due }}。理由：{{ reason }}"
            "{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Khiếu nại {{ number }}: gia hạn xử lý",
            "body": "[{{ city }}] Thời hạn xử lý khiếu nại {{ number }} được gia hạn đến {{ due }}. Lý do: {{ reason }}"
            "{% if url %} {{ url }}{% endif %}",
        },
    },
    "complaints.transferred": {
        "ko": {
            "subject": "[{{ city }}] 민원 {{ number }} 이송",
            "body": "[{{ city }}] 민원 {{ number }}은(는) 처리할 권한이 있는 {{ agency }}(으)로 이송되었습니다. "
            "사유: {{ reason }}",
        },
        "en": {
            "subject": "[{{ city }}] Complaint {{ number }} forwarded",
            "body": "[{{ city }}] Complaint {{ number }} was forwarded to {{ agency }}, which is responsible for it. "
            "Reason: {{ reason }}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 投诉 {{ number }} 已移送",
            "body": "[{{ city }}] 投诉 {{ number }} 已移送至有权处理的 {{ agency }}。理由：{{ reason }}",
        },
        "vi": {
            "subject": "[{{ city }}] Khiếu nại {{ number }} đã được chuyển",
            "body": "[{{ city }}] Khiếu nại {{ number }} đã được chuyển đến {{ agency }}, cơ quan có thẩm quyền xử lý. "
            "Lý do: {{ reason }}",
        },
    },
    "complaints.answered": {
        "ko": {
            "subject": "[{{ city }}] 민원 {{ number }} 답변",
            "body": "[{{ city }}] 민원 {{ number }}에 대한 답변이 등록되었습니다.{% if url %} 확인: {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Complaint {{ number }} answered",
            "body": "[{{ city }}] Your complaint {{ number }} has been answered.{% if url %} Read it: {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 投诉 {{ number }} 已答复",
            "body": "[{{ city }}] 您的投诉 {{ number }} 已有答复。{% if url %}查看：{{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Khiếu nại {{ number }} đã có trả lời",
            "body": "[{{ city }}] Khiếu nại {{ number }} của bạn đã có trả lời.{% if url %} Xem tại: {{ url }}{% endif %}",
        },
    },
    "complaints.linked": {
        "ko": {
            "subject": "[{{ city }}] 민원 접수 {{ number }}",
            "body": "[{{ city }}] 민원이 접수되었습니다(접수번호 {{ number }}). 같은 곳에서 먼저 접수된 같은 민원 "
            "{{ original }}과(와) 함께 처리하고 결과를 알려 드립니다.{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Complaint received {{ number }}",
            "body": "[{{ city }}] We received your complaint (number {{ number }}). The same issue at the same place was "
            "already reported as {{ original }}; we will handle them together and let you know.{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 投诉已受理 {{ number }}",
            "body": "[{{ city }}] 您的投诉已受理（编号 {{ number }}）。同一地点的相同问题此前已以 {{ original }} 受理，"
            "我们将一并处理并通知您结果。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã tiếp nhận khiếu nại {{ number }}",
            "body": "[{{ city }}] Khiếu nại của bạn đã được tiếp nhận (số {{ number }}). Cùng sự việc tại cùng địa điểm đã "
            "được báo trước với số {{ original }}; chúng tôi sẽ xử lý chung và thông báo kết quả.{% if url %} {{ url }}{% endif %}",
        },
    },
}
