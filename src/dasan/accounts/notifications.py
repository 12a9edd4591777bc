"""The messages the accounts app sends residents, in their language (registered by ``notify``).

Templates use Django template syntax; ``{{ url }}`` is empty when the installation has no
public address, so every link is inside ``{% if url %}``. Staff edit the texts in the admin
(``notify.templates``): what is here is version 1 of each.
"""

CATEGORY = "transactional"

# SMS-short texts: Korean SMS is billed per 90 bytes (45 Korean characters).
TEXTS = {
    "accounts.otp_code": {
        "ko": {"subject": "", "body": "[{{ city }}] 인증번호 {{ code }} ({{ minutes }}분 이내 입력)"},
        "en": {"subject": "", "body": "[{{ city }}] Your code is {{ code }} (valid {{ minutes }} min)"},
        "zh-hans": {"subject": "", "body": "[{{ city }}] 验证码 {{ code }}（{{ minutes }}分钟内有效）"},
        "vi": {"subject": "", "body": "[{{ city }}] Mã xác thực {{ code }} (hiệu lực {{ minutes }} phút)"},
    },
}
