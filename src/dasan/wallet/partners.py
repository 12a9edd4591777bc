"""Activities reported by partner organisations (협력기관): one by one through the API, or as
a CSV file (API or the staff page). A row names the resident by mobile number; each row is
answered on its own (credited, parked for review, or refused with a code) and a bad row never
stops the others. Rows go through the same :func:`services.submit` as every other source, so
duplicates (same resident, day and ``activity_ref``), caps and budget hold alike.

CSV: UTF-8 (a BOM is fine), header
``phone,activity_date,activity_ref,minutes,starts_at,ends_at,description``; dates ISO
(2026-05-12), times HH:MM, empty cells allowed for the optional columns."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts.selectors import normalize_phone
from dasan.core import audit, ratelimit
from dasan.core.conf import setting
from dasan.core.errors import DasanError, RateLimited

from . import services
from .errors import Code
from .models import PartnerToken, Source

COLUMNS = ["phone", "activity_date", "activity_ref", "minutes", "starts_at", "ends_at", "description"]
MAX_ROWS = 2000


def _resident(phone: str):
    user = get_user_model().objects.filter(phone=normalize_phone(phone), kind="resident", is_active=True).first()
    if user is None:
        raise DasanError(Code.WALLET_RESIDENT_UNKNOWN, _("등록된 주민을 찾을 수 없습니다."), field="phone")
    return user


def _one(token: PartnerToken, row: dict, source: str, now) -> dict:
    if not str(row.get("activity_ref") or "").strip():
        raise DasanError(Code.WALLET_CSV_INVALID, _("활동 식별(activity_ref)이 비어 있습니다."), field="activity_ref")
    activity = services.Activity(
        activity_date=row["activity_date"],
        activity_ref=f"partner:{token.pk}:{str(row['activity_ref']).strip()}",
        minutes=int(row.get("minutes") or 0),
        starts_at=row.get("starts_at"),
        ends_at=row.get("ends_at"),
        description=str(row.get("description") or ""),
    )
    claim = services.submit(token.programme, _resident(row["phone"]), activity, source=source, now=now, partner=token)
    return {"ok": True, "claim": claim.pk, "status": claim.status}


def report(token: PartnerToken, rows: list[dict], *, source: str = Source.PARTNER_API, now=None) -> list[dict]:
    """Submit each row; answer per row (1-based). At most ``WALLET_PARTNER_REQUESTS_PER_MINUTE``
    reports a minute per token."""
    limit = ratelimit.hit(
        f"wallet.partner:{token.pk}", limit=int(setting("WALLET_PARTNER_REQUESTS_PER_MINUTE")), window=60
    )
    if not limit.allowed:
        raise RateLimited(retry_after=limit.retry_after)
    now = now or timezone.now()
    results = []
    for number, row in enumerate(rows[:MAX_ROWS], start=1):
        try:
            results.append({"row": number, **_one(token, row, source, now)})
        except DasanError as error:
            results.append({"row": number, "ok": False, "code": str(error.code), "message": str(error.message)})
    audit.record(
        "wallet.partner.report",
        actor=token.created_by,
        target=token,
        data={"rows": len(results), "ok": sum(r["ok"] for r in results)},
    )
    return results


def _parse_time(text: str) -> dt.time | None:
    return dt.time.fromisoformat(text) if text else None


def parse_csv(content: bytes) -> list[dict]:
    """Rows of a partner's CSV, typed; a malformed file or row raises ``wallet_csv_invalid``."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DasanError(Code.WALLET_CSV_INVALID, _("UTF-8 CSV 파일이 아닙니다."), field="file") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"phone", "activity_date", "activity_ref"} <= set(reader.fieldnames):
        raise DasanError(
            Code.WALLET_CSV_INVALID, _("첫 줄에 phone, activity_date, activity_ref 열이 있어야 합니다."), field="file"
        )
    rows = []
    for line, raw in enumerate(reader, start=2):
        try:
            rows.append(
                {
                    **raw,
                    "activity_date": dt.date.fromisoformat((raw.get("activity_date") or "").strip()),
                    "minutes": int((raw.get("minutes") or "0").strip() or 0),
                    "starts_at": _parse_time((raw.get("starts_at") or "").strip()),
                    "ends_at": _parse_time((raw.get("ends_at") or "").strip()),
                }
            )
        except ValueError as exc:
            raise DasanError(
                Code.WALLET_CSV_INVALID,
                _("%(line)d번째 줄의 날짜·시간·분 형식이 올바르지 않습니다.") % {"line": line},
                field="file",
            ) from exc
    return rows


def report_csv(token: PartnerToken, content: bytes, *, now=None) -> list[dict]:
    return report(token, parse_csv(content), source=Source.PARTNER_CSV, now=now)
