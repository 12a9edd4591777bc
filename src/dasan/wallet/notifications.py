"""The messages 이음 지갑 sends, by key, in ko (required), en, zh-hans and vi (registered by
notify; staff edit them in the admin)."""

from __future__ import annotations

import logging

from dasan.core.errors import DasanError
from dasan.core.models import Municipality

logger = logging.getLogger("dasan.wallet")

CATEGORY = "transactional"


def _city() -> str:
    municipality = Municipality.current()
    return municipality.name if municipality else ""


def send(template: str, recipient, context: dict) -> None:
    """Queue ``template`` for ``recipient``; a resident with no address is logged, not refused."""
    from dasan.notify.services import enqueue

    if recipient is None:
        return
    try:
        enqueue(template, recipient=recipient, context={"city": _city(), **context})
    except DasanError as error:
        logger.warning("notification %s to user %s not sent: %s", template, recipient.pk, error.code)


def alert_department(department, record) -> None:
    """Tell a department that a reconciliation found differences (its e-mail, else its staff)."""
    from dasan.accounts.selectors import active_staff
    from dasan.notify.services import enqueue

    context = {"city": _city(), "day": record.day.isoformat(), "count": len(record.findings)}
    if department.email:
        enqueue("wallet.reconciliation_difference", to=department.email, channel="email", context=context,
                department=department)  # fmt: skip
        return
    for member in active_staff().filter(department=department):
        enqueue("wallet.reconciliation_difference", recipient=member, context=context, department=department)


TEXTS = {
    "wallet.expiry_notice": {
        "ko": {
            "subject": "[{{ city }}] 이음 지갑 적립금 소멸 예정",
            "body": "[{{ city }}] 이음 지갑 적립금 {{ amount }}원이 {{ day }}에 소멸됩니다. 그 전에 지역화폐로 전환해 주세요."
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Wallet points about to expire",
            "body": "[{{ city }}] {{ amount }} won of your wallet points expire on {{ day }}. "
            "Convert them to local currency before then.{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 钱包积分即将失效",
            "body": "[{{ city }}] 您的钱包积分 {{ amount }} 韩元将于 {{ day }} 失效，请在此之前兑换为地方货币。"
            "{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Điểm ví sắp hết hạn",
            "body": "[{{ city }}] {{ amount }} won điểm trong ví sẽ hết hạn vào {{ day }}. "
            "Hãy đổi sang tiền địa phương trước ngày đó.{% if url %} {{ url }}{% endif %}",
        },
    },
    "wallet.reconciliation_difference": {
        "ko": {
            "subject": "[{{ city }}] 이음 지갑 대사 차이 {{ day }}",
            "body": "[{{ city }}] {{ day }} 이음 지갑 일일 대사에서 차이 {{ count }}건이 발견되었습니다. 대사 보고서를 확인해 주세요."
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Wallet reconciliation difference {{ day }}",
            "body": "[{{ city }}] The wallet reconciliation for {{ day }} found {{ count }} difference(s). "
            "Please check the reconciliation report.{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 钱包对账差异 {{ day }}",
            "body": "[{{ city }}] {{ day }} 的钱包每日对账发现 {{ count }} 处差异，请查看对账报告。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Chênh lệch đối soát ví {{ day }}",
            "body": "[{{ city }}] Đối soát ví ngày {{ day }} phát hiện {{ count }} chênh lệch. "
            "Vui lòng xem báo cáo đối soát.{% if url %} {{ url }}{% endif %}",
        },
    },
}
