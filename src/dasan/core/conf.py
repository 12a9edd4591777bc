"""Reading Dasan's settings: one registry, ``settings.DASAN``.

Every ``DASAN_*`` environment variable is read in ``settings.py`` (and only there), with
its default beside it, into the ``settings.DASAN`` dict; ``docs/configuration.md`` lists
each one (a test holds the two together). Code reads a value with :func:`setting`, so a
test overrides it with pytest-django's ``settings`` fixture and an operator with the
environment variable: there is no third place a value can come from.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def setting(name: str) -> Any:
    """``settings.DASAN[name]``; an unknown name is a programming error (KeyError)."""
    return settings.DASAN[name]
