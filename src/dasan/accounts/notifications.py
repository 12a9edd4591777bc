"""What the accounts app tells residents, by message key and language (see notify.templates)."""

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
