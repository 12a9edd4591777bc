"""Shared HTTP transport for NHN Cloud Notification APIs (SMS v3.0, KakaoTalk
Bizmessage AlimTalk v2.3): the same authentication header, envelope and error shape.

Docs: https://docs.nhncloud.com/ko/Notification/SMS/ko/api-guide/ and
https://docs.nhncloud.com/en/Notification/KakaoTalk%20Bizmessage/en/alimtalk-api-guide/
Both take ``X-Secret-Key`` and answer ``{"header": {"isSuccessful", "resultCode",
"resultMessage"}, ...}``; both let the sender attach its own key to each recipient
(``recipientGroupingKey``) and search by it, which is what makes crash recovery
without a second send possible.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx

from .base import PermanentFailure, TemporaryFailure

SEOUL = ZoneInfo("Asia/Seoul")


class NhnClient:
    def __init__(self, base_url: str, secret_key: str, timeout: float = 10.0):
        if not base_url:
            raise PermanentFailure("gateway URL is not configured")
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.timeout = timeout

    def request(self, method: str, path: str, *, json=None, params=None, headers=None) -> dict:
        """One call; raise TemporaryFailure for timeouts, 429 and 5xx, PermanentFailure for
        other 4xx and for answers the provider marks unsuccessful."""
        all_headers = {"X-Secret-Key": self.secret_key, "Content-Type": "application/json;charset=UTF-8"}
        all_headers.update(headers or {})
        try:
            with httpx.Client(timeout=self.timeout) as client:
                response = client.request(method, self.base_url + path, json=json, params=params, headers=all_headers)
        except httpx.TimeoutException as exc:
            raise TemporaryFailure(f"gateway timeout ({exc.__class__.__name__})") from exc
        except httpx.TransportError as exc:
            raise TemporaryFailure(f"gateway unreachable ({exc.__class__.__name__})") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(f"gateway HTTP {response.status_code}")
        if response.status_code >= 400:
            raise PermanentFailure(f"gateway HTTP {response.status_code}: {response.text[:200]}")
        try:
            data = response.json()
        except ValueError as exc:
            raise TemporaryFailure("gateway answered with something that is not JSON") from exc
        header = data.get("header") or {}
        if header and not header.get("isSuccessful", True):
            raise PermanentFailure(f"gateway error {header.get('resultCode')}: {header.get('resultMessage', '')}")
        return data


def search_window(message) -> dict:
    """The request-date range NHN's search APIs require, around the message's life."""
    start = (message.created_at or dt.datetime.now(tz=SEOUL)) - dt.timedelta(hours=1)
    end = dt.datetime.now(tz=SEOUL) + dt.timedelta(hours=1)
    fmt = "%Y-%m-%d %H:%M:%S"
    return {
        "startRequestDate": start.astimezone(SEOUL).strftime(fmt),
        "endRequestDate": end.astimezone(SEOUL).strftime(fmt),
    }
