"""서비스 목록 (service catalogue): the tiles on "My 다산" and on the staff workbench.

Each app registers its services from its ``AppConfig.ready()``::

    from dasan.core.catalog import register_service

    register_service(
        "waste.report",
        title=_("대형폐기물 배출 신고"),
        description=_("수수료를 내고 수거 날짜를 정합니다."),
        url_name="waste:start",
        audience="resident",
        icon="truck",
        order=20,
    )

The catalogue holds no data in the database and imports no domain app: it is
a registry filled at start-up. Links are resolved when the page is drawn, and a
service whose URL cannot be resolved (an app switched off, a URL renamed) is
left out rather than breaking the page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

logger = logging.getLogger(__name__)

AUDIENCES = ("resident", "staff")


@dataclass(frozen=True)
class Service:
    """One registered service."""

    key: str
    title: Any
    description: Any
    url_name: str
    audience: str
    icon: str = ""
    order: int = 100
    # Optional predicate deciding whether a given user sees the tile
    # (e.g. the audit log only for city administrators).
    visible: Callable[[Any], bool] | None = None

    def is_visible_to(self, user) -> bool:
        if self.visible is None:
            return True
        try:
            return bool(self.visible(user))
        except Exception:  # a faulty predicate must not break the page
            logger.exception("visibility check of service %s failed", self.key)
            return False


@dataclass(frozen=True)
class Tile:
    """A service ready to draw: its link resolved."""

    key: str
    title: Any
    description: Any
    url: str
    icon: str
    order: int


_registry: dict[str, Service] = {}


def register_service(
    key: str,
    *,
    title,
    description,
    url_name: str,
    audience: str = "resident",
    icon: str = "",
    order: int = 100,
    visible: Callable[[Any], bool] | None = None,
) -> Service:
    """Register (or replace) the service ``key`` shown to ``audience``.

    ``title`` and ``description`` should be lazy translations (``gettext_lazy``);
    ``url_name`` is a URL name such as ``"notify:inbox"``; ``order`` sorts the
    tiles (smaller first). Registering the same key again replaces the entry,
    so ``ready()`` running twice is harmless.
    """
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    service = Service(
        key=key,
        title=title,
        description=description,
        url_name=url_name,
        audience=audience,
        icon=icon,
        order=order,
        visible=visible,
    )
    _registry[key] = service
    return service


def unregister_service(key: str) -> None:
    """Remove a service (tests, or a city switching a service off)."""
    _registry.pop(key, None)


def registered(audience: str | None = None) -> list[Service]:
    """Every registered service (for ``audience`` if given), unresolved."""
    items = [s for s in _registry.values() if audience is None or s.audience == audience]
    return sorted(items, key=lambda s: (s.order, s.key))


def services(audience: str, user=None) -> list[Tile]:
    """The tiles ``user`` sees for ``audience``, sorted, with links resolved.

    ``user`` may be None or anonymous; a service's ``visible`` predicate gets it as is.

    Services whose URL does not resolve are skipped (and logged once per call).
    """
    tiles: list[Tile] = []
    for service in registered(audience):
        if not service.is_visible_to(user):
            continue
        try:
            url = reverse(service.url_name)
        except NoReverseMatch:
            logger.debug("service %s skipped: no URL named %s", service.key, service.url_name)
            continue
        tiles.append(
            Tile(
                key=service.key,
                title=service.title,
                description=service.description,
                url=url,
                icon=service.icon,
                order=service.order,
            )
        )
    return tiles
