"""Reads of 이음 지갑: what pages, the API and other apps may ask without changing anything.
A resident reads only their own account; staff only their department's programmes (city-wide
staff all), through dasan.accounts.permissions.restrict."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.db.models.functions import TruncDate

from dasan.accounts import permissions
from dasan.core.errors import DasanError, NotFound

from .models import (
    Account,
    Claim,
    ClaimStatus,
    Conversion,
    ConversionStatus,
    CurrencyCard,
    Entry,
    EntryKind,
    Event,
    PartnerToken,
    Programme,
    Reconciliation,
)


def summary(user) -> dict:
    """What the app's first screen shows (the wiring test asks it of anyone)."""
    return {"ready": True}


def account_of(user) -> Account | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Account.objects.filter(owner=user).first()


def _sum(queryset) -> int:
    return queryset.aggregate(total=Sum("amount"))["total"] or 0


def balance(user) -> dict:
    """The resident's balance and what made it: earned, converted, pending, expired, in review."""
    account = account_of(user)
    if account is None:
        return {"balance": 0, "earned": 0, "converted": 0, "converting": 0, "expired": 0, "in_review": 0}
    conversions = Conversion.objects.filter(resident=user)
    return {
        "balance": account.balance,
        "earned": _sum(Entry.objects.filter(credit=account, kind=EntryKind.EARN)),
        "converted": _sum(conversions.filter(status=ConversionStatus.DONE)),
        "converting": _sum(conversions.filter(status=ConversionStatus.PENDING)),
        "expired": _sum(Entry.objects.filter(debit=account, kind=EntryKind.EXPIRE)),
        "in_review": _sum(Claim.objects.filter(resident=user, status=ClaimStatus.REVIEW)),
    }


def history(user):
    """Entries on the resident's account, newest first, each with ``signed`` (+ in, − out)."""
    account = account_of(user)
    if account is None:
        return Entry.objects.none()
    return (
        Entry.objects.filter(Q(debit=account) | Q(credit=account))
        .select_related("claim__programme", "conversion")
        .order_by("-created_at", "-id")
    )


def signed(entry: Entry, account: Account) -> int:
    return entry.amount if entry.credit_id == account.pk else -entry.amount


def claims_of(user):
    return permissions.restrict(Claim.objects.select_related("programme"), user).filter(resident=user)


def conversions_of(user):
    return permissions.restrict(Conversion.objects.all(), user).filter(resident=user)


def conversion_of(user, pk: int) -> Conversion:
    conversion = conversions_of(user).filter(pk=pk).first()
    if conversion is None:
        raise NotFound()
    return conversion


def card_of(user) -> CurrencyCard | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return CurrencyCard.objects.filter(resident=user).first()


def open_programmes(on: dt.date):
    return Programme.objects.filter(is_active=True, starts_on__lte=on, ends_on__gte=on).select_related("department")


def eligible(programme: Programme, user, on: dt.date) -> bool:
    from .services import check_eligible

    try:
        check_eligible(programme, user, on)
    except DasanError:
        return False
    return True


def programmes_for(user, on: dt.date) -> list[tuple[Programme, bool]]:
    """Open programmes with whether ``user`` may join them (the resident's list)."""
    return [(p, eligible(p, user, on)) for p in open_programmes(on)]


def get_open_programme(code: str, on: dt.date) -> Programme:
    programme = open_programmes(on).filter(code=code).first()
    if programme is None:
        raise NotFound()
    return programme


# --- staff --------------------------------------------------------------------------------------


def staff_programmes(user):
    permissions.require_staff(user)
    return permissions.restrict(
        Programme.objects.select_related("department", "budget_account"), user, owner_field=None
    )


def staff_programme(user, pk: int) -> Programme:
    programme = staff_programmes(user).filter(pk=pk).first()
    if programme is None:
        raise NotFound()
    return programme


def claims_to_review(user):
    return (
        Claim.objects.filter(programme__in=staff_programmes(user), status=ClaimStatus.REVIEW)
        .select_related("programme", "resident")
        .order_by("created_at", "pk")
    )


def staff_claim(user, pk: int) -> Claim:
    claim = Claim.objects.filter(programme__in=staff_programmes(user), pk=pk).select_related("programme", "resident")
    claim = claim.first()
    if claim is None:
        raise NotFound()
    return claim


def staff_event(user, pk: int) -> Event:
    event = Event.objects.filter(programme__in=staff_programmes(user), pk=pk).select_related("programme").first()
    if event is None:
        raise NotFound()
    return event


def tokens_of(programme: Programme):
    return PartnerToken.objects.filter(programme=programme)


def burn_down(programme: Programme) -> dict:
    """Budget funded, paid out, left, and paid out per day (for the chart and its table)."""
    budget = getattr(programme, "budget_account", None)
    if budget is None:
        return {"funded": 0, "paid": 0, "left": 0, "days": []}
    funded = _sum(Entry.objects.filter(credit=budget, kind=EntryKind.FUND))
    paid_entries = Entry.objects.filter(debit=budget, kind=EntryKind.EARN)
    days = list(
        paid_entries.annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(total=Sum("amount"))
        .order_by("day")
        .values_list("day", "total")
    )
    return {"funded": funded, "paid": _sum(paid_entries), "left": budget.balance, "days": days[-31:]}


def accounting_rows(user, since: dt.date, until: dt.date):
    """Ledger entries of the staff member's programmes in a period, for the 회계 export."""
    programmes = staff_programmes(user)
    budgets = Account.objects.filter(programme__in=programmes)
    return (
        Entry.objects.filter(Q(debit__in=budgets) | Q(credit__in=budgets))
        .filter(created_at__date__gte=since, created_at__date__lte=until)
        .select_related("debit__programme", "credit__programme", "claim")
        .order_by("created_at", "pk")
    )


def reconciliations(user):
    permissions.require_staff(user)
    return Reconciliation.objects.all()
