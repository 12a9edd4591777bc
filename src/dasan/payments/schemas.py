"""Request and response shapes of the payments API."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class PaymentLineOut(Schema):
    name: str
    unit_price: int
    quantity: int
    amount: int


class RefundOut(Schema):
    amount: int
    reason: str
    status: str
    created_at: dt.datetime


class PaymentOut(Schema):
    provider: str
    method: str
    amount: int
    refunded_amount: int
    status: str
    approved_at: dt.datetime | None = None
    refunds: list[RefundOut] = []


class NextStepOut(Schema):
    kind: str = Field(..., description="redirect, virtual_account, instructions or paid")
    redirect_url: str = ""
    bank: str = ""
    account_number: str = ""
    account_holder: str = ""
    deadline: dt.datetime | None = None
    instructions: str = ""


class PaymentOrderOut(Schema):
    public_id: str
    title: str
    purpose: str
    reference: str
    status: str
    provider: str
    total_amount: int = Field(..., description="KRW")
    paid_amount: int
    refunded_amount: int
    expires_at: dt.datetime
    paid_at: dt.datetime | None = None
    created_at: dt.datetime
    lines: list[PaymentLineOut]
    payments: list[PaymentOut]
    next_step: NextStepOut | None = None


class StartIn(Schema):
    provider: str | None = Field(None, max_length=30, description="office or tosspayments; default: the order's")


class ConfirmIn(Schema):
    provider: str | None = Field(None, max_length=30, description="Default: the order's provider.")
    params: dict = Field(
        default_factory=dict,
        description="What the provider returned to the payer, e.g. Toss Payments' "
        '`{"paymentKey": ..., "orderId": ..., "amount": ...}` from its success URL.',
    )
