"""이음 지갑 API (``/api/v1/wallet/``).

Residents (session or API token): balance, history, open programmes, claims, conversions
(``POST /conversions`` with an ``Idempotency-Key`` header: a retry answers with the first
conversion, never a second charge). Partner organisations (``Authorization: Bearer dwp_…``,
a token staff issue per programme): report activities one by one or as CSV.
Errors come back in the envelope of ``dasan/api.py``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Body, File, Header, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import HttpBearer

from dasan.accounts.api_auth import session_or_token
from dasan.core import idempotency
from dasan.core.schemas import ErrorOut

from . import conversions, partners, selectors
from .models import Conversion

router = Router(tags=["wallet"])
ERRORS = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut, 503: ErrorOut,
}  # fmt: skip


class PartnerAuth(HttpBearer):
    """``Authorization: Bearer dwp_…``: a partner organisation's token for one programme."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        from .services import authenticate_partner

        return authenticate_partner(token)


class WalletSummaryOut(Schema):
    ready: bool


class BalanceOut(Schema):
    balance: int
    earned: int
    converted: int
    converting: int
    expired: int
    in_review: int


class EntryOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    amount: int
    programme: str | None


class ProgrammeOut(Schema):
    code: str
    name: str
    description: str
    unit: str
    reward: int
    ends_on: dt.date
    eligible: bool


class ClaimOut(Schema):
    id: int
    programme: str
    activity_date: dt.date
    source: str
    status: str
    review_reason: str
    amount: int


class ConversionIn(Schema):
    amount: int


class ConversionOut(Schema):
    id: int
    amount: int
    status: str
    status_label: str
    failure_message: str
    created_at: dt.datetime


class PartnerActivityIn(Schema):
    phone: str
    activity_date: dt.date
    activity_ref: str
    minutes: int = 0
    starts_at: dt.time | None = None
    ends_at: dt.time | None = None
    description: str = ""


class PartnerResultOut(Schema):
    row: int
    ok: bool
    claim: int | None = None
    status: str = ""
    code: str = ""
    message: str = ""


@router.get("/", response=WalletSummaryOut, summary="What the app offers now", auth=None)
def summary(request):
    return selectors.summary(request.user)


@router.get("/balance", response=BalanceOut, auth=session_or_token, summary="My balance")
def balance(request: HttpRequest):
    return selectors.balance(request.auth)


@router.get("/history", response=list[EntryOut], auth=session_or_token, summary="My history (latest 100)")
def history(request: HttpRequest):
    account = selectors.account_of(request.auth)
    return [
        {
            "at": e.created_at,
            "kind": e.kind,
            "label": str(e.get_kind_display()),
            "amount": selectors.signed(e, account),
            "programme": e.claim.programme.code if e.claim_id else None,
        }
        for e in selectors.history(request.auth)[:100]
    ]


@router.get("/programmes", response=list[ProgrammeOut], auth=session_or_token, summary="Programmes open today")
def programmes(request: HttpRequest):
    today = timezone.localdate()
    return [
        {**{f: getattr(p, f) for f in ("code", "name", "description", "unit", "reward", "ends_on")}, "eligible": ok}
        for p, ok in selectors.programmes_for(request.auth, today)
    ]


@router.get("/claims", response=list[ClaimOut], auth=session_or_token, summary="My claims (latest 100)")
def claims(request: HttpRequest):
    return [
        {
            "id": c.pk,
            "programme": c.programme.code,
            "activity_date": c.activity_date,
            "source": c.source,
            "status": c.status,
            "review_reason": c.review_reason,
            "amount": c.amount,
        }
        for c in selectors.claims_of(request.auth)[:100]
    ]


def conversion_out(conversion: Conversion) -> dict:
    return {
        "id": conversion.pk,
        "amount": conversion.amount,
        "status": conversion.status,
        "status_label": str(conversion.get_status_display()),
        "failure_message": conversion.failure_message if conversion.status == "failed" else "",
        "created_at": conversion.created_at,
    }


@router.post(
    "/conversions", response={201: ConversionOut, **ERRORS}, auth=session_or_token, summary="Convert to local currency"
)
def convert(
    request: HttpRequest,
    response: HttpResponse,
    data: ConversionIn,
    idempotency_key: str = Header(..., alias="Idempotency-Key", max_length=200),
):
    """Convert ``amount`` won of points to the resident's registered local-currency card.
    ``status`` is ``done``, ``failed`` (points returned) or ``pending`` (the operator has not
    answered yet; the worker finishes it). A retry with the same ``Idempotency-Key`` answers
    with the first conversion."""
    user = request.auth
    replay = idempotency.run(
        idempotency_key,
        scope="wallet.convert",
        owner=user,
        payload=data.dict(),
        produce=lambda: (
            201,
            {"id": conversions.request(user, data.amount, actor=user, request_key=idempotency_key).pk},
        ),
    )
    if replay.status != 201:
        return Status(replay.status, replay.body)
    # The hold is committed with the idempotency record; the operator is asked only now,
    # outside that transaction (conversions.request). A replay shows the conversion as it is.
    conversion = Conversion.objects.get(pk=replay.body["id"], resident=user)
    if replay.replayed:
        response["Idempotent-Replayed"] = "true"
    else:
        conversion = conversions.first_attempt(conversion)
    return Status(201, conversion_out(conversion))


@router.get(
    "/conversions/{pk}", response={200: ConversionOut, **ERRORS}, auth=session_or_token, summary="One conversion"
)
def one_conversion(request: HttpRequest, pk: int):
    return conversion_out(selectors.conversion_of(request.auth, pk))


@router.post(
    "/partner/activities",
    response={200: list[PartnerResultOut], **ERRORS},
    auth=PartnerAuth(),
    summary="Report activities (partner)",
)
def partner_activities(
    request: HttpRequest,
    data: list[PartnerActivityIn] = Body(...),
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    """Report residents' activities for the token's programme (identified by mobile number).
    Each row answers on its own: credited, parked for review, or refused with a code. With an
    ``Idempotency-Key`` a retried request gets the first answer back."""
    token = request.auth
    rows = [row.dict() for row in data]
    if not (idempotency_key or "").strip():
        return partners.report(token, rows)
    replay = idempotency.run(
        idempotency_key,
        scope="wallet.partner",
        owner=f"partner:{token.pk}",
        payload=rows,
        produce=lambda: (200, partners.report(token, rows)),
    )
    return Status(replay.status, replay.body)


@router.post(
    "/partner/activities.csv",
    response={200: list[PartnerResultOut], **ERRORS},
    auth=PartnerAuth(),
    summary="Report activities as CSV (partner)",
)
def partner_csv(request: HttpRequest, file: UploadedFile = File(...)):
    """The same as a UTF-8 CSV with the header
    ``phone,activity_date,activity_ref,minutes,starts_at,ends_at,description``."""
    return partners.report_csv(request.auth, file.read())
