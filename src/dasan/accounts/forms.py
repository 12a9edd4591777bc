"""Sign-in and profile forms. Validation of meaning lives in services; these only
check shape, so a bad value gets a message next to its field."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("휴대전화 번호"),
        max_length=20,
        error_messages={"required": _("휴대전화 번호를 입력해 주세요.")},
    )


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("인증번호 6자리"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={"required": _("인증번호를 입력해 주세요."), "invalid": _("인증번호는 숫자 6자리입니다.")},
    )


class StaffLoginForm(forms.Form):
    username = forms.CharField(
        label=_("아이디"), max_length=64, error_messages={"required": _("아이디를 입력해 주세요.")}
    )
    password = forms.CharField(
        label=_("비밀번호"), max_length=256, strip=False, error_messages={"required": _("비밀번호를 입력해 주세요.")}
    )


class TotpForm(forms.Form):
    otp = forms.RegexField(
        label=_("OTP 인증번호 6자리"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        error_messages={
            "required": _("OTP 인증번호를 입력해 주세요."),
            "invalid": _("OTP 인증번호는 숫자 6자리입니다."),
        },
    )


class ProfileForm(forms.Form):
    name = forms.CharField(label=_("이름"), max_length=60, required=False)
    language = forms.ChoiceField(
        label=_("언어"), choices=settings.LANGUAGES, error_messages={"invalid_choice": _("지원하지 않는 언어입니다.")}
    )
    promo_opt_in = forms.BooleanField(label=_("소식·홍보 알림을 받겠습니다"), required=False)


class ResidencyForm(forms.Form):
    """거주 신고. ``dong`` is a 행정동 code when the city has a list (a select), else a name."""

    dong = forms.CharField(
        label=_("사는 행정동"), max_length=40, error_messages={"required": _("사는 행정동을 골라 주세요.")}
    )
    birth_date = forms.CharField(
        label=_("생년월일"), max_length=10, error_messages={"required": _("생년월일을 입력해 주세요.")}
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("확인할 수 없는 이유"), max_length=200, error_messages={"required": _("이유를 적어 주세요.")}
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("주민 명부 파일 (CSV)"), error_messages={"required": _("파일을 골라 주세요.")})
    skip_invalid = forms.BooleanField(label=_("잘못된 행은 빼고 반영"), required=False)
