"""The edge check every request passes before a view, a form or a schema sees it.

:class:`RequestGuardMiddleware` refuses, with a 4xx in the user's language, what no view
should have to handle:

- **Control characters** (``control_characters``, 400). PostgreSQL cannot store NUL in text
  (SQLite can, so this once passed the tests and failed in production with a 500), and no
  form field, title or search needs the others. The path and the query string may hold none
  at all (C0 and DEL); form fields (urlencoded and multipart values, field and file names,
  never file contents) and JSON strings (keys and values) may hold tab, LF and CR only. Lone
  surrogates (``"\\ud800"`` in JSON) cannot be encoded as UTF-8 and are refused the same way;
  JSON that is not UTF-8 is ``malformed_body``. Forms need no such check: Django decodes
  them with replacement characters.
- **Oversized bodies without files** (``request_too_large``, 413). ``MAX_BODY_BYTES`` (1 MB)
  for urlencoded forms and JSON, checked on ``Content-Length`` before a byte is read: no
  form or API payload of this product comes near it, and a 9 MB form was parsed (seconds)
  before its view could answer 403. Multipart uploads keep Django's limits
  (``DATA_UPLOAD_MAX_MEMORY_SIZE`` for their fields; files are bounded by the proxy's
  ``client_max_body_size`` and each app's own checks, e.g. ``core.images``). A
  ``RequestDataTooBig`` that a view still meets answers 413 the same way.
- **Deeply nested JSON** (``body_too_deep``, 400). Nesting deeper than ``MAX_JSON_DEPTH``
  (32) is found by scanning the bytes, without recursion, before anything parses them
  (``[`` × 200,000 made the parser raise ``RecursionError``, a 500). Bodies are treated as
  JSON when their content type says so, and also when another non-form body starts with
  ``{`` or ``[``: some endpoints (the Kakao skill, webhooks) parse whatever they receive.
- **Unreadable multipart bodies** (``malformed_body``, 400), e.g. ``multipart/form-data``
  without a boundary: Django raises while parsing, and code that reads ``request.POST``
  outside a view's error handling (ninja's CSRF check on a session-authenticated API call)
  answered 500.

The answer is the API's envelope ``{"error": {"code", "message"}}`` under ``/api/``, for
JSON requests (by content type, ``Accept`` or a ``.json`` path) and the HTML error page
otherwise. Installed after the middleware that picks the language (the signed-in user's
included) and before anything reads the body (CSRF's ``process_view`` runs after every
middleware's request phase).

Multipart bodies up to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` are read into memory before their
fields are parsed, so ``request.body`` stays readable for code that wants it (a JSON endpoint
sent a form); larger ones are parsed as a stream, as Django does.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from .appconfig import hooks
from .errors import CoreCode, DasanError

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "RequestGuardMiddleware",
    "json_too_deep",
    "refusal",
    "wants_json",
]

#: Largest urlencoded or JSON body, in bytes (see the module docstring).
MAX_BODY_BYTES = 1024 * 1024
#: Deepest nesting of arrays and objects a JSON body may have.
MAX_JSON_DEPTH = 32

# Path and query string: no control character at all.
_CONTROL_STRICT = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# Field values and JSON strings: tab, LF and CR are text.
_CONTROL_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# A JSON string, escapes included (unrolled: no backtracking on long strings).
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")

_FORM = "application/x-www-form-urlencoded"
_MULTIPART = "multipart/form-data"


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` nests arrays/objects deeper than ``limit``, brackets inside strings
    not counted; iterative and stops at the first bracket past the limit. A body that closes
    more than it opened is not JSON: a parser fails there, before any deeper nesting."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
            if depth < 0:
                return False
    return False


def wants_json(request: HttpRequest) -> bool:
    """Whether an error for ``request`` should be the JSON envelope rather than a page."""
    path = request.path_info
    if path.startswith("/api/") or path.endswith(".json"):
        return True
    if _is_json_type(_content_type(request)):
        return True
    accept = request.headers.get("Accept", "")
    return "json" in accept and "text/html" not in accept


def refusal(request: HttpRequest, error: DasanError) -> HttpResponse:
    """``error`` answered in the format the request's endpoint speaks: an app that speaks a
    published protocol declares a ``refuse_request`` hook (Open311's error list); otherwise
    the envelope or the error page (see :func:`wants_json`)."""
    for refuse in hooks("refuse_request"):
        response = refuse(request, error)
        if response is not None:
            return response
    if wants_json(request):
        return JsonResponse(error.as_dict(), status=error.status, json_dumps_params={"ensure_ascii": False})
    return render(request, "errors/user_error.html", {"error": error}, status=error.status)


def _content_type(request: HttpRequest) -> str:
    return (request.META.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()


def _is_json_type(content_type: str) -> bool:
    return content_type.endswith(("/json", "+json"))


def _content_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def _too_large(limit: int) -> DasanError:
    return DasanError(
        CoreCode.REQUEST_TOO_LARGE,
        _("요청이 너무 큽니다. %(limit)d MB 이하로 보내 주세요.") % {"limit": max(1, limit // (1024 * 1024))},
        status=413,
    )


def _control_characters() -> DasanError:
    return DasanError(
        CoreCode.CONTROL_CHARACTERS, _("입력에 쓸 수 없는 문자(제어 문자)가 들어 있습니다. 지우고 다시 보내 주세요.")
    )


def _malformed(json_body: bool) -> DasanError:
    if json_body:
        return DasanError(CoreCode.MALFORMED_BODY, _("요청 본문을 읽을 수 없습니다. 올바른 JSON인지 확인해 주세요."))
    return DasanError(CoreCode.MALFORMED_BODY, _("요청 본문을 읽을 수 없습니다. 보내는 형식을 확인해 주세요."))


def _check_texts(texts, pattern: re.Pattern) -> None:
    for text in texts:
        if isinstance(text, str) and pattern.search(text):
            raise _control_characters()


def _json_strings(value):
    """Every string in a parsed JSON value, keys included, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_json(request: HttpRequest, *, typed: bool) -> None:
    """A JSON body (``typed``: its content type says so; else it only looks like JSON)."""
    body = request.body
    if typed and len(body) > MAX_BODY_BYTES:  # no Content-Length (ASGI, chunked)
        raise _too_large(MAX_BODY_BYTES)
    if not typed and body.lstrip()[:1] not in (b"{", b"["):
        return
    if json_too_deep(body):
        raise DasanError(
            CoreCode.BODY_TOO_DEEP,
            _("요청 본문의 중첩이 너무 깊습니다 (최대 %(depth)d단계).") % {"depth": MAX_JSON_DEPTH},
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        if typed:
            raise _malformed(json_body=True) from None
        return
    try:
        parsed = json.loads(text)
    except ValueError:
        return  # not JSON after all: the view answers its own malformed-body error
    except RecursionError:  # the scan above makes this unreachable; never a 500 regardless
        raise DasanError(
            CoreCode.BODY_TOO_DEEP,
            _("요청 본문의 중첩이 너무 깊습니다 (최대 %(depth)d단계).") % {"depth": MAX_JSON_DEPTH},
        ) from None
    _check_texts(_json_strings(parsed), _CONTROL_TEXT)


def _check_form(request: HttpRequest, content_type: str) -> None:
    if content_type == _MULTIPART:
        if request.method != "POST":
            return  # Django parses multipart for POST only; nothing reads it otherwise
        if _content_length(request) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            request.body  # noqa: B018 - keep the raw body readable after the fields are parsed
        fields, files = request.POST, request.FILES
        _check_texts((name for name, _f in files.items()), _CONTROL_TEXT)
        _check_texts((upload.name for upload in files.values()), _CONTROL_TEXT)
    else:
        fields = request.POST if request.method == "POST" else QueryDict(request.body, encoding=request.encoding)
    for name, values in fields.lists():
        _check_texts([name, *values], _CONTROL_TEXT)


def _check(request: HttpRequest) -> None:
    if _CONTROL_STRICT.search(request.path_info):
        raise _control_characters()
    for name, values in request.GET.lists():
        _check_texts([name, *values], _CONTROL_STRICT)

    content_type = _content_type(request)
    typed_json = _is_json_type(content_type)
    length = _content_length(request)
    if (typed_json or content_type == _FORM) and length > MAX_BODY_BYTES:
        raise _too_large(MAX_BODY_BYTES)
    if content_type in (_FORM, _MULTIPART):
        _check_form(request, content_type)
    elif typed_json:
        _check_json(request, typed=True)
    elif length and length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        _check_json(request, typed=False)


class RequestGuardMiddleware:
    """Refuse control characters, oversized or too deeply nested bodies and unreadable
    forms at the edge (module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        try:
            _check(request)
        except DasanError as error:
            return refusal(request, error)
        except RequestDataTooBig:  # multipart fields over DATA_UPLOAD_MAX_MEMORY_SIZE
            return refusal(request, _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        except (MultiPartParserError, SuspiciousOperation, UnicodeDecodeError):
            # No boundary, a broken part, too many fields or files.
            return refusal(request, _malformed(json_body=False))
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        """A body over Django's own limit that a view read (a type this guard does not read)."""
        if isinstance(exception, RequestDataTooBig):
            return refusal(request, _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))
        return None
