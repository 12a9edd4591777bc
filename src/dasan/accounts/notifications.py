"""What the accounts app tells residents and staff, by message key and language (see notify.templates).

accounts sits below ``notify``, so it queues messages through the ``core.outbox`` port
(docs/DESIGN.md, "Deviations"), inside the transaction of the change that caused them.
"""

import logging

from django.conf import settings
from django.db import transaction

from dasan.core import outbox
from dasan.core.errors import DasanError
from dasan.core.links import public_url_for

from .selectors import city_name

logger = logging.getLogger("dasan.accounts")

CATEGORY = "transactional"


def send(template: str, recipient, context: dict) -> None:
    """Queue ``template`` for ``recipient`` in their language, with the city's name and a link
    to their residency page. A message that cannot be queued (no address, channel off) is
    logged and never undoes the change that caused it."""
    context = {"city": city_name(), "url": public_url_for("accounts:residency"), **context}
    try:
        with transaction.atomic():
            outbox.send(
                template,
                recipient=recipient,
                context=context,
                language=recipient.language or settings.LANGUAGE_CODE,
                category=CATEGORY,
            )
    except DasanError as error:
        logger.warning("notification %s to user %s not queued: %s", template, recipient.pk, error.code)


TEXTS = {
    # SMS-short: Korean SMS is billed per 90 bytes (45 Korean characters).
    "accounts.otp_code": {
        "ko": {"subject": "", "body": "[{{ city }}] 인증번호 {{ code }} ({{ minutes }}분 이내 입력)"},
        "en": {"subject": "", "body": "[{{ city }}] Your code is {{ code }} (valid {{ minutes }} min)"},
        "zh-hans": {"subject": "", "body": "[{{ city }}] 验证码 {{ code }}（{{ minutes }}分钟内有效）"},
        "vi": {"subject": "", "body": "[{{ city }}] Mã xác thực {{ code }} (hiệu lực {{ minutes }} phút)"},
    },
    # An e-mail to a member of staff, at most once an hour, when their username sees
    # repeated wrong passwords (services.staff_login_password).
    "accounts.staff_login_failures": {
        "ko": {
            "subject": "[{{ city }}] 공무원 계정 로그인 실패 알림",
            "body": "{{ name }}님, 아이디 {{ username }}(으)로 최근 {{ minutes }}분 안에 "
            "잘못된 비밀번호가 {{ count }}번 입력되었습니다.\n\n"
            "계정은 잠기지 않았으며, 평소처럼 로그인할 수 있습니다. "
            "본인이 입력한 것이 아니라면 비밀번호를 바꾸고 정보화 담당 부서에 알려 주세요.",
        },
        "en": {
            "subject": "[{{ city }}] Failed sign-ins to your staff account",
            "body": "{{ name }}, a wrong password was entered {{ count }} times for the username "
            "{{ username }} in the last {{ minutes }} minutes.\n\n"
            "Your account is not locked and you can sign in as usual. "
            "If this was not you, change your password and tell the IT department.",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 公务员账号登录失败提醒",
            "body": "{{ name }}，最近 {{ minutes }} 分钟内，用户名 {{ username }} "
            "被输入了 {{ count }} 次错误密码。\n\n"
            "您的账号没有被锁定，可以照常登录。如果不是您本人操作，请修改密码并告知信息化部门。",
        },
        "vi": {
            "subject": "[{{ city }}] Đăng nhập thất bại vào tài khoản công chức",
            "body": "{{ name }}, tên đăng nhập {{ username }} đã bị nhập sai mật khẩu {{ count }} lần "
            "trong {{ minutes }} phút qua.\n\n"
            "Tài khoản của bạn không bị khóa và bạn vẫn đăng nhập như bình thường. "
            "Nếu không phải bạn, hãy đổi mật khẩu và báo cho bộ phận công nghệ thông tin.",
        },
    },
    # 관내 거주 확인 (residency): SMS-short, each link inside {% if url %}.
    "accounts.residency_verified": {
        "ko": {
            "subject": "[{{ city }}] 거주 확인 완료",
            "body": "[{{ city }}] {{ dong }} 거주가 확인되었습니다. 주민 전용 서비스를 이용할 수 있습니다."
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Residency confirmed",
            "body": "[{{ city }}] Your residence in {{ dong }} is confirmed. You can now use residents-only services."
            "{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 居住确认完成",
            "body": "[{{ city }}] 您在{{ dong }}的居住已确认，现在可以使用居民专属服务。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã xác nhận cư trú",
            "body": "[{{ city }}] Việc cư trú của bạn tại {{ dong }} đã được xác nhận. "
            "Bạn có thể dùng các dịch vụ dành cho cư dân.{% if url %} {{ url }}{% endif %}",
        },
    },
    "accounts.residency_rejected": {
        "ko": {
            "subject": "[{{ city }}] 거주 확인 불가",
            "body": "[{{ city }}] 거주를 확인할 수 없습니다. 사유: {{ reason }}. 내용을 고쳐 다시 신고할 수 있습니다."
            "{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Residency not confirmed",
            "body": "[{{ city }}] We could not confirm your residence. Reason: {{ reason }}. "
            "You can correct it and declare again.{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 无法确认居住",
            "body": "[{{ city }}] 无法确认您的居住。原因：{{ reason }}。您可以修改后重新申报。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Không thể xác nhận cư trú",
            "body": "[{{ city }}] Chưa thể xác nhận cư trú của bạn. Lý do: {{ reason }}. "
            "Bạn có thể sửa và khai báo lại.{% if url %} {{ url }}{% endif %}",
        },
    },
    # After a new resident list: a confirmation from the old list no longer matches.
    "accounts.residency_withdrawn": {
        "ko": {
            "subject": "[{{ city }}] 거주 확인 취소",
            "body": "[{{ city }}] 새 주민 명부에서 {{ dong }} 거주가 확인되지 않아 거주 확인이 취소되었습니다. "
            "이사했다면 다시 신고해 주세요.{% if url %} {{ url }}{% endif %}",
        },
        "en": {
            "subject": "[{{ city }}] Residency confirmation withdrawn",
            "body": "[{{ city }}] The new resident list no longer shows you in {{ dong }}, so your residency "
            "confirmation was withdrawn. If you moved, please declare again.{% if url %} {{ url }}{% endif %}",
        },
        "zh-hans": {
            "subject": "[{{ city }}] 居住确认已取消",
            "body": "[{{ city }}] 新的居民名册中未能确认您居住在{{ dong }}，居住确认已取消。"
            "如已搬家，请重新申报。{% if url %} {{ url }}{% endif %}",
        },
        "vi": {
            "subject": "[{{ city }}] Đã hủy xác nhận cư trú",
            "body": "[{{ city }}] Danh sách cư dân mới không còn ghi bạn ở {{ dong }}, nên xác nhận cư trú "
            "đã bị hủy. Nếu bạn đã chuyển nhà, hãy khai báo lại.{% if url %} {{ url }}{% endif %}",
        },
    },
}
