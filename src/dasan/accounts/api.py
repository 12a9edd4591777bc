"""Accounts API (mounted at /api/v1/accounts/): sign-in by SMS code, profile, sign-out."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.utils.translation import get_language
from ninja import Router, Status

from dasan.core.middleware import client_ip

from . import selectors, services
from .api_auth import session_auth, session_or_token
from .schemas import MeOut, MePatch, OtpRequestIn, OtpRequestOut, OtpVerifyIn
from .views import BACKEND

router = Router(tags=["accounts"])


def _me(user) -> dict:
    return {
        "id": user.pk,
        "kind": user.kind,
        "name": user.name,
        "phone": selectors.masked_phone(user.phone),
        "language": user.language,
        "promo_opt_in": user.promo_opt_in,
        "promo_opt_in_at": user.promo_opt_in_at,
        "role": user.role,
        "department": user.department.name if user.department_id else None,
    }


@router.post("/otp/request", response={202: OtpRequestOut}, auth=None, summary="Send a sign-in code by SMS")
def otp_request(request, payload: OtpRequestIn):
    sent = services.request_otp(payload.phone, ip=client_ip(request), language=get_language())
    return Status(
        202,
        {
            "phone": sent.masked_phone,
            "expires_at": sent.expires_at,
            "resend_after": services.OTP_SEND_LIMITS_PHONE[0][2],
        },
    )


@router.post("/otp/verify", response=MeOut, auth=None, summary="Check the code and start a session")
def otp_verify(request, payload: OtpVerifyIn):
    user = services.verify_otp(payload.phone, payload.code, ip=client_ip(request), language=get_language())
    login(request, user, backend=BACKEND)
    return _me(user)


@router.get("/me", response=MeOut, auth=session_or_token, summary="The signed-in user")
def me(request):
    return _me(request.auth)


@router.patch(
    "/me", response=MeOut, auth=session_or_token, summary="Change language or consent to promotional messages"
)
def update_me(request, payload: MePatch):
    user = request.auth
    services.update_profile(user, language=payload.language, promo_opt_in=payload.promo_opt_in, name=payload.name)
    return _me(user)


@router.post("/logout", response={204: None}, auth=session_auth, summary="End the session")
def api_logout(request):
    services.record_logout(request.auth)
    logout(request)
    return Status(204, None)


__all__ = ["router"]
