"""SMS/LMS through NHN Cloud Notification SMS API v3.0.

Docs: https://docs.nhncloud.com/ko/Notification/SMS/ko/api-guide/
  - send SMS:  POST /sms/v3.0/appKeys/{appKey}/sender/sms  (body up to 90 bytes EUC-KR)
  - send LMS:  POST /sms/v3.0/appKeys/{appKey}/sender/mms  (title up to 40 bytes, body up to 2,000)
  - search:    GET  /sms/v3.0/appKeys/{appKey}/sender/{sms|mms}?startRequestDate&endRequestDate&senderGroupingKey
  - header ``X-Secret-Key``; the message's reference travels as ``senderGroupingKey`` and
    ``recipientGroupingKey`` (the sender's own keys), so the outbox can search for it.

Settings: DASAN_SMS_GATEWAY_URL (e.g. https://api-sms.cloud.toast.com),
DASAN_SMS_GATEWAY_KEY (secret key), DASAN_SMS_APP_KEY, DASAN_SMS_SENDER (registered
calling number), DASAN_SMS_TIMEOUT (seconds, default 10).
"""

from __future__ import annotations

from dasan.core.conf import setting

from .._nhn import NhnClient, search_window
from ..base import Channel, PermanentFailure, ProviderStatus, Receipt

SMS_MAX_BYTES = 90
LMS_TITLE_MAX_BYTES = 40


def euc_kr_length(text: str) -> int:
    """Bytes the carrier counts: Korean 2, ASCII 1 (EUC-KR)."""
    return len(text.encode("euc-kr", errors="replace"))


def truncate_bytes(text: str, limit: int) -> str:
    out = ""
    for char in text:
        if euc_kr_length(out + char) > limit:
            break
        out += char
    return out


def message_type(body: str) -> str:
    return "sms" if euc_kr_length(body) <= SMS_MAX_BYTES else "mms"


def status_from_record(record: dict) -> ProviderStatus:
    """NHN msgStatus: 0 failed, 1 requested, 2 processing, 3 delivered (4/5: cancelled/duplicate)."""
    status = str(record.get("msgStatus", ""))
    ref = f"{record.get('requestId', '')}:{record.get('recipientSeq', '')}"
    if status == "3":
        return ProviderStatus("delivered", ref)
    if status in {"0", "4"}:
        return ProviderStatus(
            "failed", ref, f"{record.get('resultCode', '')} {record.get('msgStatusName', '')}".strip()
        )
    return ProviderStatus("sent", ref)


class SmsChannel(Channel):
    name = "sms"
    address = "phone"
    supports_lookup = True

    def __init__(self):
        self.client = NhnClient(
            setting("SMS_GATEWAY_URL"), setting("SMS_GATEWAY_KEY"), timeout=float(setting("SMS_TIMEOUT"))
        )
        self.app_key = setting("SMS_APP_KEY")
        self.sender = setting("SMS_SENDER")

    def _path(self, kind: str) -> str:
        return f"/sms/v3.0/appKeys/{self.app_key}/sender/{kind}"

    def send(self, message) -> str:
        if not self.sender:
            raise PermanentFailure("SMS sender number is not configured")
        kind = message_type(message.body)
        ref = str(message.reference)
        payload = {
            "body": message.body,
            "sendNo": self.sender,
            "senderGroupingKey": ref,
            "recipientList": [{"recipientNo": message.to, "recipientGroupingKey": ref}],
        }
        if kind == "mms":
            payload["title"] = truncate_bytes(message.subject or message.body.split("\n", 1)[0], LMS_TITLE_MAX_BYTES)
        data = self.client.request("POST", self._path(kind), json=payload)
        result = ((data.get("body") or {}).get("data")) or {}
        sent = (result.get("sendResultList") or [{}])[0]
        if sent.get("resultCode") not in (0, "0", None):
            raise PermanentFailure(f"recipient rejected {sent.get('resultCode')}: {sent.get('resultMessage', '')}")
        return f"{result.get('requestId', '')}:{sent.get('recipientSeq', 1)}"

    def lookup(self, message) -> ProviderStatus | None:
        params = {**search_window(message), "senderGroupingKey": str(message.reference), "pageSize": 10}
        data = self.client.request("GET", self._path(message_type(message.body)), params=params)
        records = [
            r
            for r in ((data.get("body") or {}).get("data") or [])
            if r.get("recipientGroupingKey") in (None, str(message.reference))
        ]
        return status_from_record(records[0]) if records else None

    def parse_receipts(self, payload: dict) -> list[Receipt]:
        receipts = []
        for hook in payload.get("hooks") or []:
            reference = hook.get("recipientGroupingKey") or hook.get("senderGroupingKey")
            if reference:
                receipts.append(Receipt(reference, status_from_record(hook)))
        return receipts
