"""Errors a user can cause, with a stable code and a message in the user's language.

Services raise these; the API turns them into ``{"error": {"code", "message"}}``
with ``status``, and views show ``message`` as a form error.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


class DasanError(Exception):
    status = 400

    def __init__(self, code: str, message, status: int | None = None, **details):
        super().__init__(str(message))
        self.code = code
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

    def __init__(self, code: str = "not_found", message=_("찾을 수 없습니다."), **details):
        super().__init__(code, message, **details)


class PermissionDenied(DasanError):
    status = 403

    def __init__(self, code: str = "forbidden", message=_("권한이 없습니다."), **details):
        super().__init__(code, message, **details)


class Conflict(DasanError):
    status = 409


class RateLimited(DasanError):
    status = 429

    def __init__(
        self,
        retry_after: int,
        code: str = "rate_limited",
        message=_("요청이 너무 많습니다. 잠시 후 다시 시도해 주세요."),
        **details,
    ):
        super().__init__(code, message, retry_after=retry_after, **details)
        self.retry_after = retry_after
