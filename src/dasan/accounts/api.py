"""Accounts API (mounted at /api/v1/accounts/): sign-in by SMS code, profile, sign-out, and
the resident's own residency (관내 거주 확인): its status, and a declaration."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Router, Status

from dasan.core.middleware import client_ip
from dasan.core.schemas import ErrorOut

from . import residency, selectors, services
from .api_auth import session_auth, session_or_token
from .schemas import DongOut, MeOut, MePatch, OtpRequestIn, OtpRequestOut, OtpVerifyIn, ResidencyIn, ResidencyOut
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


# --- residency ---------------------------------------------------------------------------------
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _residency(item) -> dict:
    if item is None:
        return {"status": "none", "status_label": _("신고 전")}
    return {
        "status": item.status,
        "status_label": item.get_status_display(),
        "dong_code": item.dong_code,
        "dong_name": item.dong_name,
        "birth_date": item.birth_date,
        "method": item.method,
        "declared_at": item.declared_at,
        "verified_at": item.verified_at,
        "reason": item.reason,
    }


@router.get("/residency", response={200: ResidencyOut, 401: ErrorOut}, auth=session_or_token, summary="My residency")
def my_residency(request):
    """The signed-in resident's residency: ``none``, ``declared``, ``verified`` or ``rejected``."""
    return _residency(selectors.residency_of(request.auth))


@router.post(
    "/residency", response={200: ResidencyOut, **ERRORS}, auth=session_or_token, summary="Declare my residency"
)
def declare_residency(request, payload: ResidencyIn):
    """Declare (or change) where the resident lives and when they were born. It is confirmed at
    once when the city's resident list matches, else it waits for staff. Sending the same
    declaration again changes nothing, so a retry is safe without an ``Idempotency-Key``."""
    item = residency.declare(
        request.auth, birth_date=payload.birth_date, dong_name=payload.dong_name, dong_code=payload.dong_code
    )
    return _residency(item)


@router.get("/residency/dongs", response=list[DongOut], auth=None, summary="The city's 행정동")
def residency_dongs(request):
    """The 행정동 a resident may declare (from the city's last resident list); empty when the
    city has none, and any name is then accepted."""
    return [{"code": d.code, "name": d.name} for d in selectors.dongs()]


__all__ = ["router"]
