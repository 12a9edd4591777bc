"""The daily reconciliation (일일 대사): the books balance and match the operator.

For a settlement day it proves, and records in a :class:`Reconciliation`:

1. the sum of every account's balance is zero (money is neither created nor lost);
2. every stored balance equals credits − debits of its entries (:func:`ledger.recompute`);
3. the operator's settlement lines for the day match our done conversions charged that day,
   by key: ``missing`` (done here, absent from the file), ``extra`` (in the file, not done
   here), ``amount`` (both, different amounts).

Matched conversions move clearing → settled (key ``conversion:<id>:settle``, once). Any
finding marks the day not OK and tells the owner department (``WALLET_OWNER_DEPARTMENT``,
else the departments of the programmes) by message; a rerun with the same findings does not
tell them again.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from dasan.core.conf import setting
from dasan.core.errors import DasanError

from . import ledger
from .models import Conversion, ConversionStatus, EntryKind, Programme, Reconciliation
from .notifications import alert_department

logger = logging.getLogger("dasan.wallet")


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, start + dt.timedelta(days=1)


def compare(day: dt.date, lines) -> tuple[list[dict], list[Conversion]]:
    """(findings, matched conversions) between the operator's ``lines`` and our books."""
    start, end = _day_bounds(day)
    done = {
        c.key: c
        for c in Conversion.objects.filter(status=ConversionStatus.DONE, charged_at__gte=start, charged_at__lt=end)
    }
    findings, matched, seen = [], [], set()
    for line in lines:
        seen.add(line.key)
        ours = done.get(line.key)
        if ours is None:
            other = Conversion.objects.filter(key=line.key).first()
            findings.append(
                {"kind": "extra", "key": line.key, "amount": line.amount, "status": other.status if other else ""}
            )
        elif ours.amount != line.amount:
            findings.append({"kind": "amount", "key": line.key, "ours": ours.amount, "theirs": line.amount})
        else:
            matched.append(ours)
    for key, ours in done.items():
        if key not in seen:
            findings.append({"kind": "missing", "key": key, "amount": ours.amount})
    return findings, matched


def _settle(matched: list[Conversion], day: dt.date, now) -> None:
    for conversion in matched:
        with transaction.atomic():
            ledger.post(
                ledger.system_account("clearing"), ledger.system_account("settled"), conversion.amount,
                key=f"conversion:{conversion.pk}:settle", kind=EntryKind.SETTLE, conversion=conversion, now=now,
            )  # fmt: skip
            Conversion.objects.filter(pk=conversion.pk, settled_on__isnull=True).update(settled_on=day)


def run_day(day: dt.date, *, operator=None, now=None) -> Reconciliation:
    """Reconcile ``day`` (see the module docstring); safe to run again."""
    from .conversions import provider

    now = now or timezone.now()
    findings = []
    total = ledger.accounts_sum()
    if total != 0:
        findings.append({"kind": "sum", "total": total})
    findings += [{"kind": "balance", **wrong} for wrong in ledger.recompute()]
    matched = []
    try:
        lines = (operator or provider()).settlement(day)
    except Exception as exc:  # noqa: BLE001 - any failure to read the file is itself a finding
        findings.append({"kind": "settlement_unavailable", "error": type(exc).__name__})
    else:
        more, matched = compare(day, lines)
        findings += more
    _settle(matched, day, now)
    previous = Reconciliation.objects.filter(day=day).first()
    record, _created = Reconciliation.objects.update_or_create(
        day=day,
        defaults={
            "ok": not findings,
            "accounts_sum": total,
            "matched": len(matched),
            "matched_amount": sum(c.amount for c in matched),
            "findings": findings,
            "ran_at": now,
        },
    )
    if findings and (previous is None or previous.findings != findings):
        _alert(record)
    return record


def _alert(record: Reconciliation) -> None:
    from dasan.core.models import Department

    code = setting("WALLET_OWNER_DEPARTMENT")
    departments = list(Department.objects.filter(code=code)) if code else []
    if not departments:
        ids = Programme.objects.values_list("department", flat=True).distinct()
        departments = list(Department.objects.filter(pk__in=ids))
    for department in departments:
        try:
            alert_department(department, record)
        except DasanError as error:
            logger.warning("reconciliation alert to department %s not sent: %s", department.pk, error.code)


def run(now: dt.datetime | None = None) -> Reconciliation | None:
    """The job ``wallet.reconcile``: reconcile yesterday once it is over (hourly, cheap when done)."""
    now = now or timezone.now()
    day = timezone.localdate(now) - dt.timedelta(days=1)
    done = Reconciliation.objects.filter(day=day, ok=True).exists()
    return None if done else run_day(day, now=now)
