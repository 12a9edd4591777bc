"""Errors a user can cause, with a stable code and a message in the user's language.

Services raise these; the API turns them into ``{"error": {"code", "message"}}``
with ``status``, and views show ``message`` as a form error.
"""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _


class ErrorCode(enum.StrEnum):
    """Base of each app's error codes (``<app>/errors.py``): one enum per app, so the codes a
    client may see are listed in one place (the OpenAPI document and ``docs/errors.md``).

    A member is its code string (``Code.SLOT_TAKEN == "slot_taken"``), so a code keeps the
    same value on the wire when it moves into an enum."""


class CoreCode(ErrorCode):
    """Codes any app may raise: the platform's own and the generic ones."""

    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    STAFF_ONLY = "staff_only"
    RATE_LIMITED = "rate_limited"
    INVALID_INPUT = "invalid_input"
    MALFORMED_BODY = "malformed_body"
    # Refused at the edge (core.guard), before any view reads the request.
    CONTROL_CHARACTERS = "control_characters"
    BODY_TOO_DEEP = "body_too_deep"
    REQUEST_TOO_LARGE = "request_too_large"
    CITY_NOT_CONFIGURED = "city_not_configured"
    INVALID_DATE_RANGE = "invalid_date_range"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    IDEMPOTENCY_KEY_INVALID = "idempotency_key_invalid"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    # Uploaded pictures (core.images), whichever app takes them.
    PHOTO_INVALID = "photo_invalid"
    PHOTO_TOO_LARGE = "photo_too_large"
    PHOTO_TOO_MANY_PIXELS = "photo_too_many_pixels"


class DasanError(Exception):
    status = 400

    def __init__(self, code: str, message, status: int | None = None, **details):
        super().__init__(str(message))
        self.code = str(code)
        self.message = message
        if status is not None:
            self.status = status
        self.details = details

    def as_dict(self) -> dict:
        error = {"code": self.code, "message": str(self.message)}
        if self.details:
            error["details"] = self.details
        return {"error": error}


class NotFound(DasanError):
    status = 404

    def __init__(self, code: str = CoreCode.NOT_FOUND, message=_("찾을 수 없습니다."), **details):
        super().__init__(code, message, **details)


class PermissionDenied(DasanError):
    status = 403

    def __init__(self, code: str = CoreCode.FORBIDDEN, message=_("권한이 없습니다."), **details):
        super().__init__(code, message, **details)


class Conflict(DasanError):
    status = 409


class RateLimited(DasanError):
    status = 429

    def __init__(
        self,
        retry_after: int,
        code: str = CoreCode.RATE_LIMITED,
        message=_("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."),
        **details,
    ):
        super().__init__(code, message, retry_after=retry_after, **details)
        self.retry_after = retry_after
