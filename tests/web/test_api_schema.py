"""Property-based run over every documented API operation: whatever the input,
the API answers 2xx-4xx, never a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode


def _documented_cases() -> list[tuple[str, str, GenerationMode]]:
    """Every operation with valid input, and those that take input with invalid input too
    (an operation without parameters or body has nothing invalid to send)."""
    from dasan.api import api

    document = api.get_openapi_schema(path_prefix="/api/v1")
    cases = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            cases.append((path, method.upper(), GenerationMode.POSITIVE))
            if operation.get("parameters") or operation.get("requestBody"):
                cases.append((path, method.upper(), GenerationMode.NEGATIVE))
    return cases


@pytest.fixture
def api_schema():
    # A fresh handler, built after the test settings are in place (middleware
    # reads its settings when it is created).
    from django.core.handlers.wsgi import WSGIHandler

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "method", "mode"),
    _documented_cases(),
    ids=lambda v: ("valid" if v is GenerationMode.POSITIVE else "invalid") if isinstance(v, GenerationMode) else v,
)
def test_no_server_errors(api_schema, path, method, mode, caplog):
    """Valid inputs and deliberately invalid ones (wrong types, missing fields)."""
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=20, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])

    run()
    # The API's last-resort handler answers 500s with the envelope; it must never run.
    assert not [r for r in caplog.records if r.name == "dasan.api" and r.levelname == "ERROR"]
