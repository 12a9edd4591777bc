from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# SMS-short texts: Korean SMS is billed per 90 bytes (45 Korean characters).
OTP_TEXTS = {
    "ko": {"subject": "", "body": "[{{ city }}] 인증번호 {{ code }} ({{ minutes }}분 이내 입력)"},
    "en": {"subject": "", "body": "[{{ city }}] Your code is {{ code }} (valid {{ minutes }} min)"},
    "zh-hans": {"subject": "", "body": "[{{ city }}] 验证码 {{ code }}（{{ minutes }}分钟内有效）"},
    "vi": {"subject": "", "body": "[{{ city }}] Mã xác thực {{ code }} (hiệu lực {{ minutes }} phút)"},
}


class AccountsConfig(AppConfig):
    name = "dasan.accounts"
    label = "accounts"
    verbose_name = _("계정")

    def ready(self):
        from dasan.notify.templates import register

        register("accounts.otp_code", category="transactional", text=OTP_TEXTS)
