"""core.guard on its own: the depth scan and which answer a refusal takes (the whole
middleware, through the project's stack, is tested in tests/web/test_request_guard.py)."""

from __future__ import annotations

import json

import pytest
from django.test import RequestFactory

from dasan.core.guard import MAX_JSON_DEPTH, json_too_deep, wants_json


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_depth_up_to_the_limit_passes_one_more_does_not():
    assert not json_too_deep(nested(MAX_JSON_DEPTH))
    assert json_too_deep(nested(MAX_JSON_DEPTH + 1))
    assert json_too_deep(b'{"a": {"b": [{"c": 1}]}}', limit=3)
    assert not json_too_deep(b'{"a": {"b": [{"c": 1}]}}', limit=4)


def test_a_huge_nesting_is_found_without_recursion():
    assert json_too_deep(b"[" * 200_000)
    assert json_too_deep(b'{"a":' * 200_000)


@pytest.mark.parametrize(
    "value",
    ["[" * 100, "{" * 100 + "\\", '"[[[[', "\\\\[[[[", "a\\u005b[[[["],
    ids=["brackets", "backslash at the end", "escaped quote", "escaped backslash", "unicode escape"],
)
def test_brackets_inside_strings_are_not_nesting(value):
    body = json.dumps({"text": value, "more": [value, {"k": value}]}).encode()
    assert not json_too_deep(body, limit=3)


def test_more_closing_than_opening_is_left_to_the_parser():
    assert not json_too_deep(b"]" * 100 + b"[" * 100)


def test_flat_arrays_are_shallow_however_long():
    assert not json_too_deep(json.dumps(list(range(100_000))).encode())


@pytest.mark.parametrize(
    ("path", "headers", "expected"),
    [
        ("/api/v1/complaints/", {}, True),
        ("/open311/v2/requests.json", {}, True),
        ("/channels/kakao/skill", {"CONTENT_TYPE": "application/json"}, True),
        ("/channels/kakao/skill", {"CONTENT_TYPE": "application/vnd.kakao+json; charset=utf-8"}, True),
        ("/complaints/new/", {"HTTP_ACCEPT": "application/json"}, True),
        ("/complaints/new/", {"HTTP_ACCEPT": "text/html,application/json;q=0.9"}, False),
        ("/complaints/new/", {"CONTENT_TYPE": "application/x-www-form-urlencoded"}, False),
        ("/", {}, False),
    ],
)
def test_which_requests_get_the_json_envelope(path, headers, expected):
    request = RequestFactory().post(path, **headers)
    if "CONTENT_TYPE" in headers:
        request.META["CONTENT_TYPE"] = headers["CONTENT_TYPE"]
    assert wants_json(request) is expected
