"""Reads of 주민참여예산: what pages, the API and other apps may ask without changing anything.
Scope every list with dasan.accounts.permissions.restrict(queryset, user)."""

from __future__ import annotations


def summary(user) -> dict:
    """What the app's pages show on their first screen for ``user``."""
    return {"ready": True}
