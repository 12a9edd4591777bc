"""The HTTP API root (``/api/v1/``): mounts each app's django-ninja router and
turns every error into the one envelope integrators can rely on::

    {"error": {"code": "invalid_input", "message": "<in the request's language>"}}

Ninja answers errors in its own shapes (``{"detail": ...}``, an HTML 404, a plain
"Method not allowed"); the handlers below replace all of them.
"""

from __future__ import annotations

import functools
import logging
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, RawPostDataException
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled, ValidationError

import dasan
from dasan.core.appconfig import api_routers, error_enums
from dasan.core.errors import CoreCode, DasanError
from dasan.core.pii import mask

logger = logging.getLogger("dasan.api")

API_DESCRIPTION = """\
Public and integration API of Dasan (다산), the civil-service platform of this city.

* Errors always come as `{"error": {"code": "...", "message": "..."}}` with a 4xx or 5xx status;
  `code` is stable, `message` is in the request's language (`Accept-Language`: ko, en, zh-hans, vi).
  Every code, by app, is under `info.x-error-codes` in this document.
* Endpoints that create things accept an `Idempotency-Key` header; a retry returns the first result.
* Authentication: the web session (with the CSRF token) or `Authorization: Bearer <token>`.
"""

# Ninja's built-in English messages, replaced by our translated defaults.
_NINJA_DEFAULT_MESSAGES = {"Unauthorized", "Forbidden", "Too many requests.", "Not Found", "Method not allowed"}


def _default_message(status: int) -> str:
    messages = {
        400: _("요청을 처리할 수 없습니다. 입력 내용을 확인해 주세요."),
        401: _("로그인이 필요합니다."),
        403: _("권한이 없습니다."),
        404: _("찾을 수 없습니다."),
        405: _("허용되지 않는 요청 방식입니다."),
        409: _("요청이 현재 상태와 충돌합니다."),
        413: _("요청이 너무 큽니다."),
        415: _("지원하지 않는 형식입니다."),
        422: _("입력값이 올바르지 않습니다."),
        429: _("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."),
        500: _("서버에서 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."),
        503: _("서비스를 잠시 이용할 수 없습니다. 잠시 후 다시 시도해 주세요."),
    }
    if status in messages:
        return messages[status]
    return messages[500] if status >= 500 else messages[400]


def _default_code(status: int) -> str:
    codes = {
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        429: "rate_limited",
        500: "server_error",
    }
    if status in codes:
        return codes[status]
    try:
        return HTTPStatus(status).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        return "server_error" if status >= 500 else "bad_request"


def _field_name(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    # loc starts with the source ("body", "query", "path", ...); for the body the
    # next element is the view's parameter name, which says nothing to a client.
    if len(parts) > 2 and parts[0] == "body":
        parts = parts[2:]
    elif len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def _install_error_handlers(api: DasanAPI) -> None:
    """Replace ninja's default handlers: every error answers the envelope."""

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields = []
        for error in exc.errors:
            loc = error.get("loc", ())
            fields.append(
                {"field": _field_name(loc), "location": str(loc[0]) if loc else "", "type": error.get("type", "")}
            )
        names = ", ".join(dict.fromkeys(f["field"] for f in fields if f["field"])) or "-"
        return api.error_response(
            request,
            422,
            "invalid_input",
            _("입력값이 올바르지 않습니다: %(fields)s") % {"fields": names},
            details={"fields": fields},
        )

    def dasan_error(request: HttpRequest, exc: DasanError) -> HttpResponse:
        headers = {}
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        error = exc.as_dict()["error"]
        return api.error_response(
            request, exc.status, error["code"], error["message"], details=error.get("details"), headers=headers
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        message = str(exc.message) if exc.message is not None else ""
        code = None
        headers = {}
        if isinstance(exc, AuthenticationError) or status == 401:
            code = "not_authenticated"
        elif isinstance(exc, AuthorizationError):
            code = "forbidden"
        elif isinstance(exc, Throttled):
            code = "rate_limited"
            if exc.wait:
                headers["Retry-After"] = str(int(exc.wait))
        if status == 400 and message.startswith("Cannot parse request body"):
            code = CoreCode.MALFORMED_BODY
            message = _("요청 본문을 읽을 수 없습니다. 올바른 JSON인지 확인해 주세요.")
        elif message in _NINJA_DEFAULT_MESSAGES:
            message = ""
        return api.error_response(request, status, code, message or None, headers=headers)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.error_response(request, 404, "not_found")

    def permission_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        return api.error_response(request, 403, "forbidden")

    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit_mb = max(1, settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024))
        return api.error_response(
            request,
            413,
            CoreCode.REQUEST_TOO_LARGE,
            _("요청이 너무 큽니다. %(limit)d MB 이하로 보내 주세요.") % {"limit": limit_mb},
        )

    def body_already_read(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
        # A multipart body too large to keep in memory was parsed as a form at the edge
        # (core.guard); an endpoint that wanted JSON cannot read it raw any more.
        return api.error_response(request, 415, "unsupported_media_type")

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Never shows the exception to the client. The log line is masked here as
        # well as by the PII filter on the handlers, in case a handler lacks it.
        logger.error(
            "unhandled API error on %s %s: %s", request.method, mask(request.path), mask(repr(exc)), exc_info=exc
        )
        return api.error_response(request, 500, "server_error")

    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(DasanError, dasan_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(DjangoPermissionDenied, permission_denied)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(RawPostDataException, body_already_read)
    api.add_exception_handler(Exception, unexpected)


class DasanAPI(NinjaAPI):
    """NinjaAPI whose errors, unknown paths and wrong methods all answer the envelope."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _install_error_handlers(self)

    def get_openapi_schema(self, *args, **kwargs):
        """The OpenAPI document, with every error code an app may answer, by app
        (``info.x-error-codes``; the same list as docs/errors.md)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema["info"]["x-error-codes"] = {
            label: [member.value for member in enum] for label, enum in error_enums().items()
        }
        return schema

    def error_response(
        self,
        request: HttpRequest,
        status: int,
        code: str | None = None,
        message: Any = None,
        *,
        details: dict | None = None,
        headers: dict | None = None,
    ) -> HttpResponse:
        error: dict[str, Any] = {
            "code": code or _default_code(status),
            "message": str(message) if message not in (None, "") else _default_message(status),
        }
        if details:
            error["details"] = details
        response = self.create_response(request, {"error": error}, status=status)
        for name, value in (headers or {}).items():
            response[name] = value
        return response

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = self._guard(pattern.callback)
        # Last: anything else under the API prefix is an enveloped 404, not an HTML page.
        urls.append(re_path(r"^.*$", self._guard(self._unknown_route), name="unknown-route"))
        return urls

    def _unknown_route(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        raise Http404(request.path)

    def _guard(self, view):
        """Wrap a URL-level view: 405s and exceptions raised outside an operation
        (ninja's API root, the catch-all) become envelopes too."""

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                response = view(request, *args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - every error gets the envelope
                return self.on_exception(request, exc)
            if getattr(response, "status_code", None) == 405:
                allow = response.get("Allow", "")
                return self.error_response(
                    request,
                    405,
                    "method_not_allowed",
                    _("허용되지 않는 요청 방식입니다: %(method)s") % {"method": request.method},
                    headers={"Allow": allow} if allow else None,
                )
            return response

        wrapper.csrf_exempt = getattr(view, "csrf_exempt", False)
        return wrapper


api = DasanAPI(
    title="Dasan API",
    version="1",
    description=API_DESCRIPTION,
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- routes -------------------------------------------------------------------------


class HealthOut(Schema):
    status: str
    version: str
    api_version: str


@api.get("/health", response=HealthOut, tags=["meta"], summary="Liveness and version", auth=None)
def health(request):
    """Answers while the application runs; the database is checked by ``/healthz``."""
    return {"status": "ok", "version": dasan.__version__, "api_version": api.version}


def _mount_routers() -> None:
    # Each app declares its routers (``api`` in its AppConfig, see core.appconfig).
    for prefix, router in api_routers():
        api.add_router(prefix, router)


_mount_routers()
