"""The API against its own OpenAPI document.

* Every schema has its own name: django-ninja keeps one component per name, so two
  classes called ``LineOut`` would leave one app's responses described by another's.
* Property-based runs over every documented operation, as a signed-in resident of a
  city with its catalogue loaded: whatever the input (valid, or deliberately invalid),
  the API never answers a server error, and what it answers matches the document
  (status-specific schema, content type).
"""

from __future__ import annotations

import dataclasses
import typing

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Examples per operation and mode: enough to reach every documented status of most
# operations, few enough that the whole file stays under a minute on SQLite.
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 4}


def _operations() -> list[tuple[str, str, bool]]:
    """(path, method, takes input) of every documented operation."""
    from dasan.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1")
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((path, method.upper(), bool(operation.get("parameters") or operation.get("requestBody"))))
    return found


# --- one name, one schema ----------------------------------------------------------------


def _models_in(annotation, found: set) -> None:
    """Add the models (pydantic models and dataclasses) ``annotation`` names, and theirs."""
    from pydantic import BaseModel

    if isinstance(annotation, type) and (issubclass(annotation, BaseModel) or dataclasses.is_dataclass(annotation)):
        if annotation in found:
            return
        found.add(annotation)
        if issubclass(annotation, BaseModel):
            fields = [field.annotation for field in annotation.model_fields.values()]
        else:
            fields = list(typing.get_type_hints(annotation).values())
        for field in fields:
            _models_in(field, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def _operation_models() -> set[type]:
    """Every pydantic model an operation of the mounted API reads or answers, nested ones
    included, less ninja's own wrappers (flattened into the operation, never a component)."""
    from dasan.api import api

    found: set[type] = set()
    for bound in api._get_bound_routers():
        for view in bound.path_operations.values():
            for operation in view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _models_in(model, found)
    from ninja.params.models import ParamModel

    return {m for m in found if not issubclass(m, ParamModel) and m.__name__ != "NinjaResponseSchema"}


def test_every_schema_has_its_own_name():
    by_name: dict[str, set[str]] = {}
    for model in _operation_models():
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert not shared, f"schema names used by several classes (one hides the others in the document): {shared}"


def test_the_document_names_every_schema_it_uses():
    """The walk above sees what ninja documents: one component per model, none missing."""
    from dasan.api import api

    components = api.get_openapi_schema(path_prefix="/api/v1")["components"]["schemas"]
    assert {model.__name__ for model in _operation_models()} == set(components)


# --- schemathesis ------------------------------------------------------------------------

CSRF = "schemathesisCsrfToken0123456789a"  # 32 letters and digits: a valid CSRF secret


@pytest.fixture
def resident_session(transactional_db, settings):
    """The demo city's catalogue (fees, resources, products, offices, documents, complaint
    categories), the city's local-currency operator (the fake one, a real HTTPS server on this
    machine) and a signed-in resident's cookies and CSRF header."""
    from django.conf import settings as django_settings

    settings.DASAN = {**settings.DASAN, "WALLET_CURRENCY_ENGINE": "fake", "WALLET_CURRENCY_URL": ""}
    from django.test import Client

    from dasan.complaints.demo import load_categories
    from dasan.core.appconfig import demo_loaders

    for app, load in demo_loaders():
        # Complaints' sample complaints take seconds to route and index; categories are enough.
        load_categories() if app.label == "complaints" else load()
    from dasan.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(phone="01000000001"))
    cookies = {
        django_settings.SESSION_COOKIE_NAME: client.cookies[django_settings.SESSION_COOKIE_NAME].value,
        django_settings.CSRF_COOKIE_NAME: CSRF,
    }
    return {"cookies": cookies, "headers": {"X-CSRFToken": CSRF}}


@pytest.fixture
def api_schema(transactional_db):
    # A fresh handler, built after the test settings are in place (middleware
    # reads its settings when it is created).
    from django.core.handlers.wsgi import WSGIHandler

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.mark.parametrize(("path", "method", "takes_input"), _operations())
def test_operation_keeps_its_contract(api_schema, resident_session, path, method, takes_input, caplog):
    """Valid inputs, and for operations that take input deliberately invalid ones too
    (wrong types, missing fields): no server error, and the answer matches the document."""
    operation = api_schema[path][method]
    modes = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE] if takes_input else [GenerationMode.POSITIVE]
    for mode in modes:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES[mode],
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def run(case):
            response = case.call(**resident_session)
            case.validate_response(response, checks=CHECKS)

        run()
    # The API's last-resort handler answers 500s with the envelope; it must never run.
    assert not [r for r in caplog.records if r.name == "dasan.api" and r.levelname == "ERROR"]


# --- the answers of real work ------------------------------------------------------------


@pytest.fixture
def call(api_schema, resident_session):
    """``call(method, path, **case)``: one request as the resident, checked against the document
    like the generated ones; answers the response."""

    def call(method: str, path: str, **case):
        operation = api_schema[f"/api/v1{path}"][method]
        made = operation.Case(**case)
        response = made.call(**resident_session)
        made.validate_response(response, checks=CHECKS)
        return response

    return call


def test_a_residents_bookings_and_orders_match_the_document(call):
    """Random input rarely books anything, so the answers that carry a booking, an order,
    a payment or a request come from real ones: each created, read, listed, paid and
    cancelled through the API, every answer checked against the document."""
    district = next(d["id"] for d in call("GET", "/waste/districts").json() if d["name"] == "북문동")
    day = call("GET", "/waste/districts/{district_id}/days", path_parameters={"district_id": district}).json()[0]
    variant = next(v for item in call("GET", "/waste/items").json() for v in item["variants"] if not v["free"])
    booking = call(
        "POST",
        "/waste/bookings",
        body={
            "district": district,
            "collection_date": day["date"],
            "address": "북문로 7",
            "items": [{"variant": variant["id"], "quantity": 2}],
        },
    )
    assert booking.status_code == 201, booking.text
    booking = booking.json()
    assert booking["lines"][0]["unit_fee"] == variant["fee"]
    call("GET", "/waste/bookings/{booking_id}", path_parameters={"booking_id": booking["id"]})
    assert call("GET", "/waste/bookings").json()[0]["id"] == booking["id"]
    order = call("GET", "/payments/orders/{public_id}", path_parameters={"public_id": booking["order"]}).json()
    assert order["lines"][0]["unit_price"] == variant["fee"]
    call("POST", "/payments/orders/{public_id}/start", path_parameters={"public_id": booking["order"]}, body={})
    cancelled = call("POST", "/waste/bookings/{booking_id}/cancel", path_parameters={"booking_id": booking["id"]})
    assert cancelled.status_code == 200, cancelled.text

    product = call("GET", "/goods/products").json()[0]
    placed = call(
        "POST",
        "/goods/orders",
        body={
            "items": [{"product": product["code"], "quantity": 1}],
            "recipient_name": "홍길동",
            "phone": "010-0000-0001",
            "address": "북문로 7",
        },
    )
    assert placed.status_code == 201, placed.text
    call("GET", "/goods/orders/{number}", path_parameters={"number": placed.json()["number"]})
    call("GET", "/goods/orders")
