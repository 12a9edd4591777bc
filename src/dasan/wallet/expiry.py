"""Points expire after their programme's validity period (적립 유효기간), with notice first.

Each earn entry is a lot with its own ``expires_on`` (activity day + the programme's
``points_valid_days``). Whatever left the resident's account (conversions, earlier expiries,
corrections; less what came back, e.g. a refused conversion) is taken from the lots in
order of expiry, earliest first — FIFO by earn date when programmes share one validity
period — so a resident always spends the points that would expire soonest. What remains of
lots whose day has come is moved resident → expired, never more than the balance.

The expiry entry's key is derived from the state it was computed from (the account and how
much had left it), so two workers computing the same expiry post it once, and a later run
on the same day posts nothing (the lots are then consumed). Residents are told
``WALLET_EXPIRY_NOTICE_DAYS`` (30) days before, once per resident and expiry day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from dasan.core.conf import setting

from . import ledger
from .models import Account, Entry, EntryKind, ExpiryNotice
from .notifications import send


def _consumed(account: Account) -> int:
    out = Entry.objects.filter(debit=account).aggregate(t=Sum("amount"))["t"] or 0
    back = Entry.objects.filter(credit=account).exclude(kind=EntryKind.EARN).aggregate(t=Sum("amount"))["t"] or 0
    return out - back


def remaining_lots(account: Account) -> list[tuple[dt.date, int]]:
    """(expires_on, amount left) of each lot still holding points, earliest expiry first."""
    lots = (
        Entry.objects.filter(credit=account, kind=EntryKind.EARN)
        .order_by("expires_on", "created_at", "pk")
        .values_list("expires_on", "amount")
    )
    consumed = _consumed(account)
    left = []
    for expires_on, amount in lots:
        take = min(consumed, amount)
        consumed -= take
        if amount - take > 0:
            left.append((expires_on, amount - take))
    return left


def expire_account(account: Account, today: dt.date, *, now=None) -> int:
    """Expire what is due in ``account`` on ``today``; returns the amount expired."""
    with transaction.atomic():
        locked = ledger.lock(account)[account.pk]
        due = sum(amount for expires_on, amount in remaining_lots(locked) if expires_on and expires_on <= today)
        due = min(due, locked.balance)
        if due <= 0:
            return 0
        ledger.post(
            locked,
            ledger.system_account("expired"),
            due,
            key=f"expire:{account.pk}:{_consumed(locked)}",
            kind=EntryKind.EXPIRE,
            memo=f"expired {today.isoformat()}",
            now=now,
        )
    return due


def notify_upcoming(account: Account, today: dt.date, *, now=None) -> int:
    """Tell the resident about points expiring within the notice period (once per day)."""
    horizon = today + dt.timedelta(days=int(setting("WALLET_EXPIRY_NOTICE_DAYS")))
    upcoming: dict[dt.date, int] = defaultdict(int)
    for expires_on, amount in remaining_lots(account):
        if expires_on and today < expires_on <= horizon:
            upcoming[expires_on] += amount
    sent = 0
    for expires_on, amount in sorted(upcoming.items()):
        try:
            with transaction.atomic():
                ExpiryNotice.objects.create(
                    resident=account.owner, expires_on=expires_on, amount=amount, sent_at=now or timezone.now()
                )
                send("wallet.expiry_notice", account.owner, {"amount": f"{amount:,}", "day": expires_on.isoformat()})
        except IntegrityError:
            continue
        sent += 1
    return sent


def run(now: dt.datetime | None = None) -> dict:
    """The job ``wallet.expire``: expire what is due today and send notices."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + dt.timedelta(days=int(setting("WALLET_EXPIRY_NOTICE_DAYS")))
    ids = (
        Entry.objects.filter(kind=EntryKind.EARN, expires_on__lte=horizon, credit__balance__gt=0)
        .values_list("credit", flat=True)
        .distinct()
    )
    expired = notices = 0
    for account in Account.objects.filter(pk__in=list(ids)).select_related("owner"):
        expired += expire_account(account, today, now=now)
        notices += notify_upcoming(account, today, now=now)
    return {"expired": expired, "notices": notices}
