from __future__ import annotations

from datetime import date, datetime

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


class ResidencyOut(Schema):
    """내 거주 확인: ``status`` is ``none`` (not declared), ``declared`` (waiting), ``verified``
    or ``rejected`` (``reason`` says why)."""

    status: str
    status_label: str
    dong_code: str = ""
    dong_name: str = ""
    birth_date: date | None = None
    method: str = ""
    declared_at: datetime | None = None
    verified_at: datetime | None = None
    reason: str = ""


class ResidencyIn(Schema):
    """거주 신고: ``birth_date`` as YYYY-MM-DD or YYYYMMDD; the 행정동 by ``dong_code`` (one of
    ``GET /residency/dongs`` when the city has a list) or ``dong_name``."""

    birth_date: str
    dong_code: str = ""
    dong_name: str = ""


class DongOut(Schema):
    code: str
    name: str
