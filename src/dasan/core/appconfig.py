"""The app contract: what an app of Dasan declares, and what the platform does with it.

An app is a package under ``src/dasan/`` plus one line in ``INSTALLED_APPS``. Its
``AppConfig`` subclasses :class:`DasanAppConfig` and *declares* what it brings; the
platform finds it there. Nothing in ``urls.py``, ``api.py``, the demo command, the
workbench menu or the worker names an app.

Declarations (all optional)::

    class WasteConfig(DasanAppConfig):
        name = "dasan.waste"
        label = "waste"
        verbose_name = _("대형폐기물")

        layer = "service"                                               # see LAYERS
        urls = [("waste/", "urls"), ("staff/waste/", "urls_staff")]   # modules of this app
        api = [("/waste/", "api")]                                      # each module has ``router``
        tiles = [Tile("waste.book", _("대형폐기물 배출신고"), _("..."), "waste:index", order=20),
                 Tile("waste.staff", _("수거 관리"), _("..."), "waste_staff:index", audience=STAFF)]
        jobs = [Job("waste.send_reminders", "services.send_reminders", every_seconds=900)]
        payment_purposes = [PaymentPurpose("waste.booking", paid="services.booking_paid",
                                           refunded="services.booking_refunded",
                                           cancelled="services.booking_released")]
        demo = "demo.load_demo"
        hooks = {"warm": "indexing.manager.warm"}

and, by file name:

- ``<app>/notifications.py`` with ``TEXTS`` (key → language → subject/body) and optionally
  ``CATEGORY``: the messages the app sends, registered by ``notify``;
- ``<app>/errors.py`` with one :class:`dasan.core.errors.ErrorCode` enum: every error code the
  app raises, listed by the API's OpenAPI document and ``docs/errors.md``.

Dotted paths are relative to the app's package (``"services.booking_paid"`` is
``dasan.waste.services.booking_paid``) and are imported only when used, so declaring a
hook never creates an import between layers: ``payments`` calls the waste app's
``booking_paid`` without importing ``waste``.

Who reads what: ``core`` registers tiles (``core.catalog``) and jobs (``core.schedule``) from
``DasanAppConfig.ready()``; ``notify`` registers the texts and ``payments`` the purposes from
their own ``ready()`` (they sit below the apps that declare them); ``dasan.urls`` and
``dasan.api`` mount what :func:`url_patterns` and :func:`api_routers` give; ``dasan demo``
runs :func:`demo_loaders` in ``INSTALLED_APPS`` order.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

from django.apps import AppConfig, apps

logger = logging.getLogger(__name__)

RESIDENT = "resident"
STAFF = "staff"

#: The layers of the house, lowest first (docs/DESIGN.md, "Layers"). Each app declares its
#: own (``layer``); it may import its own modules and those of lower layers, never a layer
#: above nor an app beside it in its own layer. ``tests/test_layers.py`` holds the code to it.
LAYERS = (
    "core",  # the city, its calendar, audit, errors, shared helpers, this contract
    "identity",  # who people are and what language they read: accounts, translation
    "messaging",  # telling people: notify
    "platform",  # what services build on: payments, knowledge
    "assistant",  # the AI assistant (the complaint form may prefill from it)
    "service",  # the residents' services: complaints, waste, goods, reservations, queueing, …
    "composite",  # apps that combine services: certificates (documents about bookings, complaints)
    "web",  # the shell over everything: home, workbench, demo
)


@dataclasses.dataclass(frozen=True)
class Tile:
    """A tile on "My 다산" (``audience=RESIDENT``) or an entry of the staff menu (``STAFF``).

    ``visible`` is a predicate on the user, or a dotted path to one relative to the app
    (e.g. ``"permissions.can_refund"``); without it everyone of the audience sees it.
    """

    key: str
    title: Any
    description: Any
    url_name: str
    audience: str = RESIDENT
    icon: str = ""
    order: int = 100
    visible: Callable[[Any], bool] | str | None = None


@dataclasses.dataclass(frozen=True)
class Job:
    """A periodic job run by ``dasan worker``: idempotent and safe beside another worker's run."""

    name: str
    func: str
    every_seconds: float


@dataclasses.dataclass(frozen=True)
class PaymentPurpose:
    """What an app sells (``Order.purpose``) and who is told when its orders change.

    ``paid(order)`` runs inside the payment's transaction (raising rolls the payment back);
    ``refunded(order, refund)`` after each refund; ``cancelled(order)`` when a pending order is
    cancelled or expires.
    """

    purpose: str
    paid: str | Callable | None = None
    refunded: str | Callable | None = None
    cancelled: str | Callable | None = None


def resolve(dotted: str, package: str | None = None) -> Any:
    """The object at ``dotted``: ``a.b.c`` imports the longest importable module prefix and
    walks the rest as attributes. Relative to ``package`` unless it starts with ``dasan.``."""
    path = dotted if package is None or dotted.startswith("dasan.") else f"{package}.{dotted}"
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            target = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # Only "this prefix is not a module" moves on; a missing import inside the
            # module is a real error.
            if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
                continue
            raise
        for attribute in parts[cut:]:
            target = getattr(target, attribute)
        return target
    raise ImportError(f"cannot resolve {path!r}")


class DasanAppConfig(AppConfig):
    """Base of every Dasan app's ``AppConfig``: see the module docstring."""

    default_auto_field = "django.db.models.BigAutoField"
    # Django picks an app's config from the AppConfig subclasses in its apps.py, which
    # imports this base too: the base is never the default, each subclass is.
    default = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "default" not in cls.__dict__:
            cls.default = True
        if cls.layer not in LAYERS:
            raise ValueError(f"{cls.__name__}.layer must be one of {LAYERS}, not {cls.layer!r}")

    layer: ClassVar[str] = "service"
    urls: ClassVar[list[tuple[str, str]]] = []
    api: ClassVar[list[tuple[str, str]]] = []
    tiles: ClassVar[list[Tile]] = []
    jobs: ClassVar[list[Job]] = []
    payment_purposes: ClassVar[list[PaymentPurpose]] = []
    demo: ClassVar[str | None] = None
    hooks: ClassVar[dict[str, str]] = {}

    # --- resolution ------------------------------------------------------------------------
    def resolve(self, dotted: str) -> Any:
        return resolve(dotted, self.name)

    def optional_module(self, name: str):
        """``<app>.<name>`` or None when the app has no such module."""
        module_name = f"{self.name}.{name}"
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                return None
            raise

    def notification_texts(self) -> tuple[str, dict[str, dict]]:
        """(category, {key: texts}) from ``<app>/notifications.py``; empty when it has none."""
        module = self.optional_module("notifications")
        if module is None:
            return "transactional", {}
        return getattr(module, "CATEGORY", "transactional"), dict(module.TEXTS)

    def error_codes(self):
        """The app's :class:`ErrorCode` enum from ``<app>/errors.py``, or None."""
        from dasan.core.errors import ErrorCode

        module = self.optional_module("errors")
        if module is None:
            return None
        enums = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, ErrorCode)
            and value is not ErrorCode
            and value.__module__ == module.__name__
        ]
        if len(enums) != 1:
            raise ImportError(f"{module.__name__} must define exactly one ErrorCode enum, found {len(enums)}")
        return enums[0]

    # --- start-up ------------------------------------------------------------------------
    def ready(self) -> None:
        from dasan.core import catalog, schedule

        for tile in self.tiles:
            visible = tile.visible
            if isinstance(visible, str):
                visible = self.resolve(visible)
            catalog.register_service(
                tile.key,
                title=tile.title,
                description=tile.description,
                url_name=tile.url_name,
                audience=tile.audience,
                icon=tile.icon,
                order=tile.order,
                visible=visible,
            )
        for job in self.jobs:
            schedule.register(job.name, self.resolve(job.func), every_seconds=job.every_seconds)


# --- what the platform reads ----------------------------------------------------------------


def dasan_apps() -> list[DasanAppConfig]:
    """The installed Dasan apps, in ``INSTALLED_APPS`` order."""
    return [config for config in apps.get_app_configs() if isinstance(config, DasanAppConfig)]


def url_patterns() -> list:
    """Every app's URL mounts, as ``path(prefix, include(module))`` entries."""
    from django.urls import include, path

    patterns = []
    for app in dasan_apps():
        for prefix, module in app.urls:
            patterns.append(path(prefix, include(f"{app.name}.{module}")))
    return patterns


def api_routers() -> Iterator[tuple[str, Any]]:
    """(prefix, django-ninja router) of every app, in ``INSTALLED_APPS`` order."""
    for app in dasan_apps():
        for prefix, module in app.api:
            yield prefix, app.resolve(f"{module}.router")


def demo_loaders() -> Iterator[tuple[DasanAppConfig, Callable[[], object]]]:
    """(app, loader) for each app with demo content, lower layers first."""
    for app in dasan_apps():
        if app.demo:
            yield app, app.resolve(app.demo)


def hooks(name: str) -> list[Callable]:
    """The callables that apps declared under hook ``name`` (e.g. ``"warm"``)."""
    found = []
    for app in dasan_apps():
        if name in app.hooks:
            found.append(app.resolve(app.hooks[name]))
    return found


_registered_purposes: list[PaymentPurpose] = []


def register_payment_purpose(declared: PaymentPurpose) -> Callable[[], None]:
    """Add a purpose at run time (something that sells without being an app: an integration,
    a test); its handlers are callables or absolute dotted paths. Returns the undo."""
    _registered_purposes.append(declared)
    return lambda: _registered_purposes.remove(declared)


def payment_handlers(purpose: str, kind: str) -> list[Callable]:
    """The ``kind`` ("paid", "refunded", "cancelled") handlers declared for ``purpose``."""
    declared = [(app, d) for app in dasan_apps() for d in app.payment_purposes]
    declared += [(None, d) for d in _registered_purposes]
    found = []
    for app, item in declared:
        handler = getattr(item, kind)
        if item.purpose != purpose or not handler:
            continue
        if isinstance(handler, str):
            handler = app.resolve(handler) if app else resolve(handler)
        found.append(handler)
    return found


def payment_purposes() -> list[str]:
    return [d.purpose for app in dasan_apps() for d in app.payment_purposes] + [d.purpose for d in _registered_purposes]


def error_enums() -> dict[str, type]:
    """{app label: its ErrorCode enum} for every app that has ``errors.py`` (core included)."""
    found = {}
    for app in dasan_apps():
        enum = app.error_codes()
        if enum is not None:
            found[app.label] = enum
    return found
