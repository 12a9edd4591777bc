"""A resident's double submission racing itself on PostgreSQL yields one ballot."""

from __future__ import annotations

import pytest

from dasan.participation import services
from dasan.participation.models import Ballot
from tests.concurrency import need_postgres, race

from .conftest import NOW


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_resident_submitting_at_once_gets_one_ballot(citywide, projects, voter, is_postgres):
    need_postgres(is_postgres)
    choices = {str(projects[0].pk): 1}
    results, errors = race([lambda: services.vote(citywide, choices, actor=voter, now=NOW).pk] * 6)
    assert errors == [] and len(set(results)) == 1
    ballot = Ballot.objects.get()
    assert ballot.version == 6 and ballot.choices.count() == 1
