"""KakaoTalk AlimTalk (알림톡) through NHN Cloud KakaoTalk Bizmessage API v2.3.

Docs: https://docs.nhncloud.com/en/Notification/KakaoTalk%20Bizmessage/en/alimtalk-api-guide/
  - send the full text of an approved template:
    POST /alimtalk/v2.3/appkeys/{appkey}/raw-messages
    {senderKey, templateCode, senderGroupingKey, recipientList: [{recipientNo, content, recipientGroupingKey, resendParameter}]}
  - search: GET /alimtalk/v2.3/appkeys/{appkey}/messages?startRequestDate&endRequestDate&recipientGroupingKey
  - headers ``X-Secret-Key`` and ``X-NC-API-IDEMPOTENCY-KEY`` (the provider refuses a
    second request with the same key for 10 minutes): both carry our reference.

The provider's own SMS fallback (``resendParameter``) is switched off: when Kakao
says the person cannot receive AlimTalk, the outbox records that and sends a
separate SMS message of its own, so every copy is visible and counted.

The AlimTalk template code (approved by Kakao) comes from ``register(...,
kakao_template_code=...)`` or the DASAN_KAKAO_TEMPLATE_CODES mapping, else the key.

Settings: DASAN_KAKAO_ALIMTALK_URL (e.g. https://api-alimtalk.cloud.toast.com),
DASAN_KAKAO_ALIMTALK_KEY (secret key), DASAN_KAKAO_APP_KEY, DASAN_KAKAO_SENDER_KEY.
"""

from __future__ import annotations

from dasan.core.conf import setting

from .._nhn import NhnClient, search_window
from ..base import CannotReceive, Channel, PermanentFailure, ProviderStatus, Receipt

# Kakao result codes meaning "this person cannot get AlimTalk" (no KakaoTalk on the
# number, blocked the channel, ...): send an SMS instead.
CANNOT_RECEIVE_CODES = {"3018", "3019"}
DELIVERED_CODES = {"1000"}


def status_from_record(record: dict) -> ProviderStatus:
    state = str(record.get("messageStatus", "")).upper()
    code = str(record.get("resultCode", ""))
    ref = f"{record.get('requestId', '')}:{record.get('recipientSeq', '')}"
    if state == "COMPLETED" and (not code or code in DELIVERED_CODES):
        return ProviderStatus("delivered", ref)
    if state in {"FAILED", "CANCEL"} or (state == "COMPLETED" and code not in DELIVERED_CODES):
        return ProviderStatus(
            "failed",
            ref,
            f"{code} {record.get('resultCodeName', '')}".strip(),
            cannot_receive=code in CANNOT_RECEIVE_CODES,
        )
    return ProviderStatus("sent", ref)


def template_code(message) -> str:
    from dasan.notify.templates import kakao_template_code

    return kakao_template_code(message.template_key)


class KakaoChannel(Channel):
    name = "kakao"
    address = "phone"
    supports_lookup = True

    def __init__(self):
        self.client = NhnClient(
            setting("KAKAO_ALIMTALK_URL"), setting("KAKAO_ALIMTALK_KEY"), timeout=float(setting("KAKAO_TIMEOUT"))
        )
        self.app_key = setting("KAKAO_APP_KEY")
        self.sender_key = setting("KAKAO_SENDER_KEY")

    def send(self, message) -> str:
        if not self.sender_key:
            raise PermanentFailure("Kakao sender key is not configured")
        ref = str(message.reference)
        payload = {
            "senderKey": self.sender_key,
            "templateCode": template_code(message),
            "senderGroupingKey": ref,
            "recipientList": [
                {
                    "recipientNo": message.to,
                    "content": message.body,
                    "recipientGroupingKey": ref,
                    "resendParameter": {"isResend": False},
                }
            ],
        }
        data = self.client.request(
            "POST",
            f"/alimtalk/v2.3/appkeys/{self.app_key}/raw-messages",
            json=payload,
            headers={"X-NC-API-IDEMPOTENCY-KEY": ref},
        )
        result = data.get("message") or {}
        sent = (result.get("sendResults") or [{}])[0]
        code = str(sent.get("resultCode", 0))
        if code in CANNOT_RECEIVE_CODES:
            raise CannotReceive(f"cannot receive AlimTalk ({code})")
        if code not in ("0", "None"):
            raise PermanentFailure(f"recipient rejected {code}: {sent.get('resultMessage', '')}")
        return f"{result.get('requestId', '')}:{sent.get('recipientSeq', 1)}"

    def lookup(self, message) -> ProviderStatus | None:
        params = {**search_window(message), "recipientGroupingKey": str(message.reference), "pageSize": 10}
        data = self.client.request("GET", f"/alimtalk/v2.3/appkeys/{self.app_key}/messages", params=params)
        found = (data.get("messageSearchResultResponse") or {}).get("messages") or []
        return status_from_record(found[0]) if found else None

    def parse_receipts(self, payload: dict) -> list[Receipt]:
        receipts = []
        for hook in payload.get("hooks") or []:
            reference = hook.get("recipientGroupingKey") or hook.get("senderGroupingKey")
            if reference:
                receipts.append(Receipt(reference, status_from_record(hook)))
        return receipts
