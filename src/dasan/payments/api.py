"""Payments API (``/api/v1/payments/``): a payer's order, starting and confirming its payment."""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from dasan.accounts.api_auth import session_or_token
from dasan.core import idempotency

from . import selectors, services
from .models import Order, PaymentStatus
from .providers import ProviderUnavailable
from .schemas import ConfirmIn, NextStepOut, PaymentOrderOut, PaymentOut, StartIn

router = Router(tags=["payments"], auth=session_or_token)


class _Retryable(Exception):
    """Carries a ProviderUnavailable through idempotency.run, which then forgets the key."""

    def __init__(self, error: ProviderUnavailable):
        super().__init__(str(error))
        self.error = error


def _order_out(order: Order) -> dict:
    step = selectors.next_step(order)
    payments = [
        {
            "provider": p.provider,
            "method": p.method,
            "amount": p.amount,
            "refunded_amount": p.refunded_amount,
            "status": p.status,
            "approved_at": p.approved_at,
            "refunds": [
                {"amount": r.amount, "reason": r.reason, "status": r.status, "created_at": r.created_at}
                for r in p.refunds.all()
            ],
        }
        for p in order.payments.exclude(status=PaymentStatus.FAILED).prefetch_related("refunds")
    ]
    data = {
        "public_id": order.public_id,
        "title": order.title,
        "purpose": order.purpose,
        "reference": order.reference,
        "status": order.status,
        "provider": order.provider,
        "total_amount": order.total_amount,
        "paid_amount": order.paid_amount,
        "refunded_amount": order.refunded_amount,
        "expires_at": order.expires_at,
        "paid_at": order.paid_at,
        "created_at": order.created_at,
        "lines": [
            {"name": l.name, "unit_price": l.unit_price, "quantity": l.quantity, "amount": l.amount}
            for l in order.lines.all()
        ],
        "payments": payments,
        "next_step": _step_out(step) if step else None,
    }
    return PaymentOrderOut.model_validate(data).model_dump(mode="json")


def _step_out(step) -> dict:
    data = dataclasses.asdict(step)
    data["instructions"] = str(step.instructions)
    return NextStepOut.model_validate(data).model_dump(mode="json")


@router.get("/orders/{public_id}", response=PaymentOrderOut, summary="An order")
def get_order(request: HttpRequest, public_id: str):
    """The order with its lines, amounts, payments, refunds and what the payer does next.
    Visible to its payer and to city staff (staff reads are audited)."""
    return _order_out(selectors.get_order(request.auth, public_id, reason="payments.api"))


@router.post("/orders/{public_id}/start", response=NextStepOut, summary="Start paying an order")
def start(request: HttpRequest, public_id: str, data: StartIn):
    """Choose how to pay: the answer is the virtual account to deposit into (`office`) or
    the card PG's page to send the payer to (`redirect_url`). Payer only."""
    order = selectors.payer_order(request.auth, public_id)
    step = services.start_payment(
        order, provider=data.provider, actor=request.auth, base_url=request.build_absolute_uri("/").rstrip("/")
    )
    return _step_out(step)


@router.post("/orders/{public_id}/confirm", response={200: PaymentOut}, summary="Confirm a payment")
def confirm(request: HttpRequest, public_id: str, data: ConfirmIn, response: HttpResponse):
    """Finish a payment with what the provider returned to the payer. Idempotent: the same
    payment confirmed twice is charged once; send `Idempotency-Key` so a retry after a
    lost answer gets the first answer back. Errors: `amount_mismatch`, `order_expired`,
    `order_cancelled`, `already_paid` (409), `payment_failed`, `provider_unavailable` (503)."""
    order = selectors.payer_order(request.auth, public_id)

    def produce():
        try:
            payment = services.confirm_payment(order, data.params, provider=data.provider, actor=request.auth)
        except ProviderUnavailable as error:
            raise _Retryable(error) from error
        return 200, _payment_out(payment)

    key = request.headers.get("Idempotency-Key")
    if not key:
        try:
            return Status(*produce())
        except _Retryable as retry:
            raise retry.error from None
    try:
        replay = idempotency.run(
            key,
            scope=f"payments.confirm:{order.public_id}",
            owner=request.auth,
            payload=data.model_dump(mode="json"),
            produce=produce,
        )
    except _Retryable as retry:
        # Not stored as the key's answer: nothing happened, so a retry must run again.
        raise retry.error from None
    if replay.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(replay.status, replay.body)


def _payment_out(payment) -> dict:
    data = {
        "provider": payment.provider,
        "method": payment.method,
        "amount": payment.amount,
        "refunded_amount": payment.refunded_amount,
        "status": payment.status,
        "approved_at": payment.approved_at,
        "refunds": [
            {"amount": r.amount, "reason": r.reason, "status": r.status, "created_at": r.created_at}
            for r in payment.refunds.all()
        ],
    }
    return PaymentOut.model_validate(data).model_dump(mode="json")
