from __future__ import annotations

from datetime import datetime

from ninja import Schema


class OtpRequestIn(Schema):
    phone: str


class OtpRequestOut(Schema):
    phone: str  # masked: 010-****-5678
    expires_at: datetime
    resend_after: int


class OtpVerifyIn(Schema):
    phone: str
    code: str


class MeOut(Schema):
    id: int
    kind: str
    name: str
    phone: str  # masked
    language: str
    promo_opt_in: bool
    promo_opt_in_at: datetime | None = None
    role: str = ""
    department: str | None = None


class MePatch(Schema):
    language: str | None = None
    promo_opt_in: bool | None = None
    name: str | None = None
