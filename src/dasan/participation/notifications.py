"""What 주민참여예산 tells residents, by message key and language (see notify.templates):
the author of a proposal when it is reviewed, merged or hidden, when the results are out,
and a funded project's supporters (its author and everyone who endorsed it) when the
department posts an update."""

import logging

from dasan.core.errors import DasanError
from dasan.core.models import Municipality
from dasan.notify.services import enqueue

logger = logging.getLogger("dasan.participation")

CATEGORY = "transactional"


def send(template: str, recipient, context: dict) -> None:
    """Queue ``template`` for ``recipient``; a resident with no address is logged, not refused."""
    if recipient is None:
        return
    municipality = Municipality.current()
    try:
        enqueue(template, recipient=recipient, context={"city": municipality.name if municipality else "", **context})
    except DasanError as error:
        logger.warning("notification %s to user %s not sent: %s", template, recipient.pk, error.code)


def _url(text: str) -> str:
    return text + "{% if url %} {{ url }}{% endif %}"


TEXTS = {
    "participation.reviewed": {
        "ko": {
            "subject": "[{{ city }}] 제안 검토 결과",
            "body": _url(
                "[{{ city }}] 제안 '{{ title }}' 검토 결과: {% if feasible %}실행 가능{% else %}실행 불가 - {{ reason }}"
                "{% endif %}. 의견이 있으면 답변을 남겨 주세요."
            ),
        },
        "en": {
            "subject": "[{{ city }}] Your proposal was reviewed",
            "body": _url(
                "[{{ city }}] Review of '{{ title }}': {% if feasible %}feasible{% else %}not feasible - {{ reason }}"
                "{% endif %}. You can reply on the proposal page."
            ),
        },
        "zh-hans": {
            "subject": "[{{ city }}] 提案审查结果",
            "body": _url(
                "[{{ city }}] 提案“{{ title }}”审查结果：{% if feasible %}可行{% else %}不可行 - {{ reason }}"
                "{% endif %}。如有意见，请在提案页面回复。"
            ),
        },
        "vi": {
            "subject": "[{{ city }}] Kết quả xem xét đề xuất",
            "body": _url(
                "[{{ city }}] Kết quả xem xét '{{ title }}': {% if feasible %}khả thi{% else %}không khả thi - "
                "{{ reason }}{% endif %}. Bạn có thể trả lời trên trang đề xuất."
            ),
        },
    },
    "participation.merged": {
        "ko": {
            "subject": "[{{ city }}] 제안 병합",
            "body": _url("[{{ city }}] 제안 '{{ title }}'이(가) 비슷한 제안 '{{ into }}'에 합쳐졌습니다."),
        },
        "en": {
            "subject": "[{{ city }}] Proposal merged",
            "body": _url("[{{ city }}] Your proposal '{{ title }}' was merged into the similar proposal '{{ into }}'."),
        },
        "zh-hans": {
            "subject": "[{{ city }}] 提案已合并",
            "body": _url("[{{ city }}] 您的提案“{{ title }}”已并入类似提案“{{ into }}”。"),
        },
        "vi": {
            "subject": "[{{ city }}] Đề xuất đã được gộp",
            "body": _url("[{{ city }}] Đề xuất '{{ title }}' của bạn đã được gộp vào đề xuất tương tự '{{ into }}'."),
        },
    },
    "participation.hidden": {
        "ko": {
            "subject": "[{{ city }}] 제안 숨김",
            "body": _url("[{{ city }}] 제안 '{{ title }}'이(가) 숨겨졌습니다. 이유: {{ reason }}"),
        },
        "en": {
            "subject": "[{{ city }}] Proposal hidden",
            "body": _url("[{{ city }}] Your proposal '{{ title }}' was hidden. Reason: {{ reason }}"),
        },
        "zh-hans": {
            "subject": "[{{ city }}] 提案已隐藏",
            "body": _url("[{{ city }}] 您的提案“{{ title }}”已被隐藏。原因：{{ reason }}"),
        },
        "vi": {
            "subject": "[{{ city }}] Đề xuất bị ẩn",
            "body": _url("[{{ city }}] Đề xuất '{{ title }}' của bạn đã bị ẩn. Lý do: {{ reason }}"),
        },
    },
    "participation.result": {
        "ko": {
            "subject": "[{{ city }}] 주민참여예산 결과",
            "body": _url(
                "[{{ city }}] 제안 '{{ title }}'이(가) {% if funded %}선정되었습니다{% else %}이번에는 선정되지 않았습니다{% endif %}. 이유는 결과 페이지에서 볼 수 있습니다."
            ),
        },
        "en": {
            "subject": "[{{ city }}] Participatory budget results",
            "body": _url(
                "[{{ city }}] Your proposal '{{ title }}' {% if funded %}was funded{% else %}was not funded this time{% endif %}. The results page explains why."
            ),
        },
        "zh-hans": {
            "subject": "[{{ city }}] 居民参与预算结果",
            "body": _url(
                "[{{ city }}] 您的提案“{{ title }}”{% if funded %}已入选{% else %}本次未入选{% endif %}。原因见结果页面。"
            ),
        },
        "vi": {
            "subject": "[{{ city }}] Kết quả ngân sách có sự tham gia",
            "body": _url(
                "[{{ city }}] Đề xuất '{{ title }}' của bạn {% if funded %}đã được chọn{% else %}lần này chưa được chọn{% endif %}. Trang kết quả giải thích lý do."
            ),
        },
    },
    "participation.update": {
        "ko": {
            "subject": "[{{ city }}] 사업 진행 소식",
            "body": _url(
                "[{{ city }}] 공감하신 사업 '{{ title }}' 소식: {{ status }}. 집행액 {{ spent }}원 / 예산 {{ budget }}원."
            ),
        },
        "en": {
            "subject": "[{{ city }}] Project update",
            "body": _url(
                "[{{ city }}] News on '{{ title }}', a project you supported: {{ status }}. Spent {{ spent }} won of {{ budget }} won."
            ),
        },
        "zh-hans": {
            "subject": "[{{ city }}] 项目进展",
            "body": _url(
                "[{{ city }}] 您支持的项目“{{ title }}”有新进展：{{ status }}。已执行 {{ spent }} 韩元 / 预算 {{ budget }} 韩元。"
            ),
        },
        "vi": {
            "subject": "[{{ city }}] Tin dự án",
            "body": _url(
                "[{{ city }}] Tin về dự án '{{ title }}' bạn đã ủng hộ: {{ status }}. Đã chi {{ spent }} won / ngân sách {{ budget }} won."
            ),
        },
    },
}
