"""The ledger primitive: :func:`post` one immutable double entry, and the proofs.

How a post holds under concurrency (TigerBeetle's rules, on PostgreSQL row locks):

1. Both accounts are locked (``SELECT … FOR UPDATE``) one at a time in the order of their
   ids, so two posts touching the same pair can never wait on each other in a circle.
2. Only then is the idempotency key looked up: a concurrent post with the same key has
   committed by the time we hold the locks, so we see it and answer with it (same payload)
   or refuse (``wallet_key_reused``: a different payload must never hide behind a used key).
3. The debit account's balance is checked under the lock; resident, budget, clearing,
   settled and expired accounts never go below zero (and a CHECK constraint refuses it even
   if this code were wrong). The entry and both balance updates commit together.

Balances are ``credits − debits``; every entry adds ``amount`` to one balance and takes it
from another, so the sum over all accounts stays zero. :func:`recompute` proves it.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.core.errors import Conflict, DasanError

from .errors import Code
from .models import MAY_GO_NEGATIVE, Account, AccountKind, Entry, Programme

SYSTEM_KINDS = (AccountKind.FUNDING, AccountKind.CLEARING, AccountKind.SETTLED, AccountKind.EXPIRED)


def system_account(kind: str) -> Account:
    """The one funding/clearing/settled/expired account (created on first use)."""
    assert kind in SYSTEM_KINDS
    account = Account.objects.filter(kind=kind).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(kind=kind)
        except IntegrityError:
            account = Account.objects.get(kind=kind)
    return account


def resident_account(user) -> Account:
    account = Account.objects.filter(owner=user).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(kind=AccountKind.RESIDENT, owner=user)
        except IntegrityError:
            account = Account.objects.get(owner=user)
    return account


def budget_account(programme: Programme) -> Account:
    account = Account.objects.filter(programme=programme).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(kind=AccountKind.BUDGET, programme=programme)
        except IntegrityError:
            account = Account.objects.get(programme=programme)
    return account


def lock(*accounts: Account) -> dict[int, Account]:
    """Lock ``accounts`` in id order (inside a transaction); return them fresh, by id."""
    locked = {}
    for pk in sorted({a.pk for a in accounts}):
        locked[pk] = Account.objects.select_for_update().get(pk=pk)
    return locked


def _same(entry: Entry, debit: Account, credit: Account, amount: int, kind: str) -> bool:
    return (entry.debit_id, entry.credit_id, entry.amount, entry.kind) == (debit.pk, credit.pk, amount, kind)


def _shortfall(account: Account) -> DasanError:
    if account.kind == AccountKind.BUDGET:
        return Conflict(Code.WALLET_BUDGET_EXHAUSTED, _("사업 예산이 부족합니다."))
    return Conflict(Code.WALLET_INSUFFICIENT_BALANCE, _("잔액이 부족합니다."))


def post(
    debit: Account,
    credit: Account,
    amount: int,
    *,
    key: str,
    kind: str,
    claim=None,
    conversion=None,
    expires_on: dt.date | None = None,
    memo: str = "",
    actor=None,
    now: dt.datetime | None = None,
) -> Entry:
    """Move ``amount`` from ``debit`` to ``credit`` once per ``key`` (see the module docstring)."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise DasanError(Code.WALLET_AMOUNT_INVALID, _("금액은 0보다 큰 정수여야 합니다."))
    with transaction.atomic():
        locked = lock(debit, credit)
        existing = Entry.objects.filter(key=key).first()
        if existing is not None:
            if not _same(existing, debit, credit, amount, kind):
                raise Conflict(Code.WALLET_KEY_REUSED, _("이미 다른 내용으로 사용된 키입니다."))
            return existing
        source = locked[debit.pk]
        if source.kind not in MAY_GO_NEGATIVE and source.balance < amount:
            raise _shortfall(source)
        entry = Entry.objects.create(
            key=key,
            kind=kind,
            debit=source,
            credit=locked[credit.pk],
            amount=amount,
            claim=claim,
            conversion=conversion,
            expires_on=expires_on,
            memo=memo[:200],
            actor=actor if getattr(actor, "pk", None) else None,
            created_at=now or timezone.now(),
        )
        Account.objects.filter(pk=debit.pk).update(balance=F("balance") - amount)
        Account.objects.filter(pk=credit.pk).update(balance=F("balance") + amount)
    return entry


def balance_of(account: Account) -> int:
    return Account.objects.values_list("balance", flat=True).get(pk=account.pk)


def recompute() -> list[dict]:
    """Every account whose stored balance differs from credits − debits of its entries."""
    credits = dict(Entry.objects.values("credit").annotate(total=Sum("amount")).values_list("credit", "total"))
    debits = dict(Entry.objects.values("debit").annotate(total=Sum("amount")).values_list("debit", "total"))
    wrong = []
    for pk, kind, stored in Account.objects.values_list("pk", "kind", "balance"):
        derived = (credits.get(pk) or 0) - (debits.get(pk) or 0)
        if derived != stored:
            wrong.append({"account": pk, "kind": kind, "stored": stored, "derived": derived})
    return wrong


def accounts_sum() -> int:
    return Account.objects.aggregate(total=Sum("balance"))["total"] or 0
