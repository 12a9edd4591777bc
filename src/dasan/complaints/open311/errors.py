"""GeoReport v2 errors: ``[{"code": <HTTP status>, "description": "…"}]`` in JSON,
``<errors><error><code>…</code><description>…</description></error></errors>`` in XML.

The spec's ``code`` is the HTTP status of the answer; ``description`` says what to
fix, in the request's language.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

__all__ = ["Open311Error", "jurisdiction_not_found", "api_key_invalid", "service_not_found"]


class Open311Error(Exception):
    """A request the spec answers with an error list and ``status``."""

    def __init__(self, status: int, *descriptions, headers: dict | None = None):
        self.status = status
        self.descriptions = [str(description) for description in descriptions]
        self.headers = headers or {}
        super().__init__("; ".join(self.descriptions))

    def as_list(self) -> list[dict]:
        return [{"code": self.status, "description": description} for description in self.descriptions]


def jurisdiction_not_found() -> Open311Error:
    return Open311Error(404, _("jurisdiction_id가 이 지자체의 것이 아닙니다."))


def api_key_invalid() -> Open311Error:
    return Open311Error(403, _("api_key가 없거나 올바르지 않습니다. 시에서 발급한 API 키를 보내 주세요."))


def service_not_found(code: str) -> Open311Error:
    return Open311Error(404, _("service_code '%(code)s'인 서비스가 없습니다.") % {"code": code})
