"""Sign-in pages for residents (phone + SMS code) and staff (password + TOTP), and "내 정보".

Thin: parse the form, call a service, show its DasanError next to the field (with the
error's status, and ``Retry-After`` when it is a rate limit).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from dasan.core.conf import setting
from dasan.core.errors import DasanError, RateLimited
from dasan.core.http import safe_next, user_errors
from dasan.core.middleware import client_ip

from . import selectors, services
from .forms import CodeForm, PhoneForm, ProfileForm, StaffLoginForm, TotpForm

BACKEND = "dasan.accounts.backends.DasanBackend"
OTP_SESSION = "accounts.otp"
STAFF_SESSION = "accounts.staff_pending"
# How long the password step is honoured while the staff member finds their authenticator.
STAFF_PENDING_SECONDS = 5 * 60


# --- helpers ------------------------------------------------------------------------
def _default_redirect(setting_value: str) -> str:
    try:
        return resolve_url(setting_value)
    except NoReverseMatch:
        return "/"


def _next_from(request) -> str:
    """The page to return to after signing in or out, when it is on this site ("" if none)."""
    return safe_next(request, "")


def _demo_shows_code() -> bool:
    return bool(settings.DEBUG) and bool(setting("DEMO_SHOW_OTP"))


def _error_response(response: HttpResponse, error: DasanError) -> HttpResponse:
    response.status_code = error.status
    if isinstance(error, RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def _form_error(request, template: str, context: dict, form, field: str, error: DasanError) -> HttpResponse:
    if not form.is_bound:  # e.g. "resend" failing on the verify page: no code was typed
        form.full_clean()
        form.cleaned_data = {}
    form.add_error(field, str(error.message))
    return _error_response(render(request, template, context), error)


def _invalid_form(request, template: str, context: dict) -> HttpResponse:
    return render(request, template, context, status=400)


# --- residents ----------------------------------------------------------------------------
def _remember_otp(request, sent: services.OtpSent, next_url: str) -> None:
    data = {"phone": sent.phone, "expires_at": sent.expires_at.isoformat(), "next": next_url}
    if _demo_shows_code():
        data["demo_code"] = sent.code
    request.session[OTP_SESSION] = data


@never_cache
@require_http_methods(["GET", "POST"])
def resident_login(request):
    """주민 로그인: ask for the mobile number and send a code."""
    next_url = _next_from(request)
    if request.method == "POST":
        form = PhoneForm(request.POST)
        context = {"form": form, "next": next_url}
        if not form.is_valid():
            return _invalid_form(request, "accounts/login.html", context)
        with user_errors(flash=False) as outcome:
            sent = services.request_otp(form.cleaned_data["phone"], ip=client_ip(request), language=get_language())
        if outcome.error:
            return _form_error(request, "accounts/login.html", context, form, "phone", outcome.error)
        _remember_otp(request, sent, next_url)
        return redirect("accounts:verify")
    return render(request, "accounts/login.html", {"form": PhoneForm(), "next": next_url})


def _verify_context(request, pending: dict, form) -> dict:
    expires_at = parse_datetime(pending["expires_at"])
    remaining = max(0, int((expires_at - timezone.now()).total_seconds()))
    return {
        "form": form,
        "masked_phone": selectors.masked_phone(pending["phone"]),
        "expires_at": expires_at,
        "remaining_seconds": remaining,
        "remaining_minutes": remaining // 60,
        "remaining_rest": remaining % 60,
        "demo_code": pending.get("demo_code") if _demo_shows_code() else None,
        "next": pending.get("next", ""),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def resident_verify(request):
    """Enter the code that was sent; a first successful code creates the account."""
    pending = request.session.get(OTP_SESSION)
    if not pending:
        messages.info(request, _("먼저 휴대전화 번호를 입력해 주세요."))
        return redirect("accounts:login")
    if request.method == "POST":
        form = CodeForm(request.POST)
        context = _verify_context(request, pending, form)
        if not form.is_valid():
            return _invalid_form(request, "accounts/verify.html", context)
        is_new = not selectors.phone_registered(pending["phone"])
        with user_errors(flash=False) as outcome:
            user = services.verify_otp(
                pending["phone"], form.cleaned_data["code"].strip(), ip=client_ip(request), language=get_language()
            )
        if outcome.error:
            return _form_error(request, "accounts/verify.html", context, form, "code", outcome.error)
        login(request, user, backend=BACKEND)
        request.session.pop(OTP_SESSION, None)
        if is_new:
            messages.success(request, _("가입을 환영합니다. 이름과 알림 수신 여부를 확인해 주세요."))
            return redirect(pending.get("next") or reverse("accounts:me"))
        messages.success(request, _("로그인했습니다."))
        return HttpResponseRedirect(pending.get("next") or _default_redirect(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/verify.html", _verify_context(request, pending, CodeForm()))


@never_cache
@require_POST
def resident_resend(request):
    """Send a new code to the number being verified (earlier codes stop working)."""
    pending = request.session.get(OTP_SESSION)
    if not pending:
        return redirect("accounts:login")
    with user_errors(flash=False) as outcome:
        sent = services.request_otp(pending["phone"], ip=client_ip(request), language=get_language())
    if outcome.error:
        form = CodeForm()
        context = _verify_context(request, pending, form)
        return _form_error(request, "accounts/verify.html", context, form, "code", outcome.error)
    _remember_otp(request, sent, pending.get("next", ""))
    messages.success(request, _("새 인증번호를 보냈습니다."))
    return redirect("accounts:verify")


# --- staff --------------------------------------------------------------------------------------
def _pending_staff(request):
    data = request.session.get(STAFF_SESSION)
    if not data or time.time() - data.get("at", 0) > STAFF_PENDING_SECONDS:
        request.session.pop(STAFF_SESSION, None)
        return None, None
    return selectors.pending_staff(data["user_id"]), data


def _finish_staff_login(request, user, data) -> HttpResponse:
    login(request, user, backend=BACKEND)
    request.session.pop(STAFF_SESSION, None)
    return HttpResponseRedirect(data.get("next") or _default_redirect(settings.LOGIN_REDIRECT_URL))


@never_cache
@require_http_methods(["GET", "POST"])
def staff_login(request):
    """공무원 로그인, step 1: username and password."""
    next_url = _next_from(request)
    if request.method == "POST":
        form = StaffLoginForm(request.POST)
        context = {"form": form, "next": next_url}
        if not form.is_valid():
            return _invalid_form(request, "accounts/staff_login.html", context)
        with user_errors(flash=False) as outcome:
            user = services.staff_login_password(
                form.cleaned_data["username"], form.cleaned_data["password"], ip=client_ip(request)
            )
        if outcome.error:
            form.add_error(None, outcome.message)
            return _error_response(render(request, "accounts/staff_login.html", context), outcome.error)
        request.session.cycle_key()
        request.session[STAFF_SESSION] = {"user_id": user.pk, "at": time.time(), "next": next_url}
        if user.totp_confirmed_at:
            return redirect("accounts:staff_otp")
        return redirect("accounts:staff_enrol")
    return render(request, "accounts/staff_login.html", {"form": StaffLoginForm(), "next": next_url})


@never_cache
@require_http_methods(["GET", "POST"])
def staff_otp(request):
    """공무원 로그인, step 2: the code from the authenticator app."""
    user, data = _pending_staff(request)
    if user is None:
        messages.info(request, _("아이디와 비밀번호를 먼저 입력해 주세요."))
        return redirect("accounts:staff_login")
    if not user.totp_confirmed_at:
        return redirect("accounts:staff_enrol")
    if request.method == "POST":
        form = TotpForm(request.POST)
        context = {"form": form}
        if not form.is_valid():
            return _invalid_form(request, "accounts/staff_otp.html", context)
        with user_errors(flash=False) as outcome:
            services.staff_verify_totp(user, form.cleaned_data["otp"].strip(), ip=client_ip(request))
        if outcome.error:
            return _form_error(request, "accounts/staff_otp.html", context, form, "otp", outcome.error)
        return _finish_staff_login(request, user, data)
    return render(request, "accounts/staff_otp.html", {"form": TotpForm()})


def _qr_svg(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_inline(scale=5, border=2, title=_("OTP 앱 등록용 QR 코드"))


@never_cache
@require_http_methods(["GET", "POST"])
def staff_enrol(request):
    """First staff sign-in: register an authenticator app (QR code or secret text)."""
    user, data = _pending_staff(request)
    if user is None:
        messages.info(request, _("아이디와 비밀번호를 먼저 입력해 주세요."))
        return redirect("accounts:staff_login")
    if user.totp_confirmed_at:
        return redirect("accounts:staff_otp")
    secret = services.start_totp_enrolment(user)
    uri = selectors.totp_provisioning_uri(user)
    form = TotpForm(request.POST or None)
    context = {
        "form": form,
        "qr_svg": _qr_svg(uri),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "otpauth_uri": uri,
    }
    if request.method == "POST":
        if not form.is_valid():
            return _invalid_form(request, "accounts/staff_enrol.html", context)
        with user_errors(flash=False) as outcome:
            services.confirm_totp_enrolment(user, form.cleaned_data["otp"].strip(), ip=client_ip(request))
        if outcome.error:
            return _form_error(request, "accounts/staff_enrol.html", context, form, "otp", outcome.error)
        messages.success(request, _("OTP 앱을 등록했습니다."))
        return _finish_staff_login(request, user, data)
    return render(request, "accounts/staff_enrol.html", context)


# --- everyone -------------------------------------------------------------------------------
@require_POST
def logout_view(request):
    """Sign out (POST only, with CSRF, so a link on another site cannot sign anyone out)."""
    services.record_logout(request.user)
    logout(request)
    return HttpResponseRedirect(_next_from(request) or _default_redirect(settings.LOGOUT_REDIRECT_URL))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def me(request):
    """내 정보: masked phone, name, language and consent to promotional messages."""
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            with user_errors(flash=False) as outcome:
                services.update_profile(
                    user,
                    name=form.cleaned_data["name"],
                    language=form.cleaned_data["language"],
                    promo_opt_in=form.cleaned_data["promo_opt_in"],
                )
            if outcome.error:
                form.add_error(None, outcome.message)
                return _error_response(render(request, "accounts/me.html", _me_context(user, form)), outcome.error)
            messages.success(request, _("내 정보를 저장했습니다."))
            return redirect("accounts:me")
        return _invalid_form(request, "accounts/me.html", _me_context(user, form))
    form = ProfileForm(initial={"name": user.name, "language": user.language, "promo_opt_in": user.promo_opt_in})
    return render(request, "accounts/me.html", _me_context(user, form))


def _me_context(user, form) -> dict:
    return {"form": form, "profile": user, "masked_phone": selectors.masked_phone(user.phone)}
