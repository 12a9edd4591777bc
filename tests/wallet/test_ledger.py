"""The ledger: every movement is a double entry, balances never go below zero, a key is
used once, entries cannot be changed, and the books always sum to zero."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from dasan.wallet import ledger
from dasan.wallet.models import Account, Entry, LedgerIsAppendOnly

from .conftest import refused

pytestmark = pytest.mark.django_db


def test_a_post_moves_money_and_the_books_sum_to_zero(programme, member, earn, balance_of):
    claim = earn(programme, member)
    assert claim.status == "credited" and balance_of(member) == 10_000
    assert ledger.budget_account(programme).balance == 990_000
    assert ledger.accounts_sum() == 0 and ledger.recompute() == []


def test_the_same_key_posts_once_and_a_different_payload_is_refused(programme, member):
    budget, account = ledger.budget_account(programme), ledger.resident_account(member)
    first = ledger.post(budget, account, 500, key="k-1", kind="earn")
    again = ledger.post(budget, account, 500, key="k-1", kind="earn")
    assert again.pk == first.pk and ledger.balance_of(account) == 500
    refused("wallet_key_reused", ledger.post, budget, account, 700, key="k-1", kind="earn")
    assert ledger.balance_of(account) == 500


def test_no_overdraft_and_no_paying_beyond_the_budget(programme, member):
    budget, account = ledger.budget_account(programme), ledger.resident_account(member)
    clearing = ledger.system_account("clearing")
    refused("wallet_insufficient_balance", ledger.post, account, clearing, 1, key="over", kind="hold")
    refused("wallet_budget_exhausted", ledger.post, budget, account, 1_000_001, key="big", kind="earn")
    refused("wallet_amount_invalid", ledger.post, budget, account, 0, key="zero", kind="earn")
    assert ledger.balance_of(account) == 0 and ledger.accounts_sum() == 0


def test_the_database_refuses_a_negative_resident_balance(member):
    account = ledger.resident_account(member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)


def test_entries_cannot_be_changed_or_deleted(programme, member, earn):
    earn(programme, member)
    entry = Entry.objects.filter(kind="earn").get()
    with pytest.raises(LedgerIsAppendOnly):
        entry.save()
    with pytest.raises(LedgerIsAppendOnly):
        Entry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(LedgerIsAppendOnly):
        entry.delete()
    # Nor behind the ORM's back: the database trigger refuses it.
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:  # noqa: B017
        cursor.execute("UPDATE wallet_entry SET amount = 1 WHERE id = %s", [entry.pk])
    assert Entry.objects.get(pk=entry.pk).amount == 10_000


def test_recompute_finds_a_stored_balance_that_lies(programme, member, earn):
    earn(programme, member)
    account = ledger.resident_account(member)
    Account.objects.filter(pk=account.pk).update(balance=99_999)
    wrong = ledger.recompute()
    assert wrong == [{"account": account.pk, "kind": "resident", "stored": 99_999, "derived": 10_000}]
