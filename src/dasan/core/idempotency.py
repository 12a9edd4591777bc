"""Idempotency keys for creating requests (bookings, payments, complaints...).

A client sends ``Idempotency-Key: <key>`` with a creating request; if the
network drops the answer and the client retries with the same key and the same
payload, it gets the first answer back instead of creating a second booking::

    replay = idempotency.run(
        key, scope="reservations.book", owner=f"user:{request.user.pk}",
        payload=data.dict(), produce=lambda: (201, services.book(...).as_dict()),
    )
    return replay.status, replay.body

How it holds under concurrency:

1. The first request inserts the record (unique on owner+scope+key) in its
   own transaction, committed before any work starts, so a concurrent
   duplicate sees it and is answered 409 ``idempotency_in_progress``.
2. ``produce()`` runs in a transaction together with the write of its
   response, holding a row lock on the record: the work and the stored answer
   commit together or not at all.
3. A :class:`~dasan.core.errors.DasanError` from ``produce()`` (the user did
   something wrong, e.g. slot full) is stored too, so a retry gets the same
   error. Any other exception removes the record, so the retry can run again.
4. A record left "in progress" by a process that died is taken over after
   ``IN_PROGRESS_TIMEOUT``; on PostgreSQL the takeover waits on the row lock,
   so a slow but live first request is never run twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.core.errors import Conflict, CoreCode, DasanError
from dasan.core.models import IdempotencyRecord

__all__ = ["run", "Replay", "IdempotencyMismatch", "payload_hash", "prune", "RETENTION", "MAX_KEY_LENGTH"]

MAX_KEY_LENGTH = 200
RETENTION = dt.timedelta(hours=24)
IN_PROGRESS_TIMEOUT = dt.timedelta(minutes=5)
JSON = "application/json"


class IdempotencyMismatch(DasanError):
    """The key was used before with a different request body."""

    status = 422

    def __init__(self, code: str = CoreCode.IDEMPOTENCY_KEY_REUSED, message=None, **details):
        super().__init__(
            code,
            message
            or _("같은 Idempotency-Key가 다른 요청 내용으로 이미 사용되었습니다. 새 요청에는 새 키를 사용해 주세요."),
            **details,
        )


@dataclasses.dataclass(frozen=True)
class Replay:
    """The response to send: ``status``, ``body`` (parsed JSON, or text for
    other content types), ``content_type``; ``replayed`` is True when it was
    stored by an earlier request with the same key."""

    status: int
    body: object
    content_type: str = JSON
    replayed: bool = False

    def to_response(self):
        """A Django HttpResponse for views that are not django-ninja."""
        from django.http import HttpResponse

        content = json.dumps(self.body, cls=DjangoJSONEncoder, ensure_ascii=False) if self._is_json() else self.body
        response = HttpResponse(content, status=self.status, content_type=self.content_type)
        if self.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _is_json(self) -> bool:
        return self.content_type.split(";")[0].strip().endswith("json")


def payload_hash(payload) -> str:
    """sha256 hex of the payload: bytes as they are, str as UTF-8, anything else
    as canonical JSON (sorted keys, no spaces), so key order does not matter."""
    if isinstance(payload, (bytes, bytearray, memoryview)):
        data = bytes(payload)
    elif isinstance(payload, str):
        data = payload.encode("utf-8")
    else:
        data = json.dumps(
            payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _owner(owner) -> str:
    if owner is None:
        return "anon"
    if hasattr(owner, "_meta") and hasattr(owner, "pk"):
        return f"user:{owner.pk}"
    return str(owner)[:100]


def _validate_key(key) -> str:
    key = (key or "").strip() if isinstance(key, str) else ""
    if not key:
        raise DasanError(CoreCode.IDEMPOTENCY_KEY_INVALID, _("Idempotency-Key가 비어 있습니다."))
    if len(key) > MAX_KEY_LENGTH:
        raise DasanError(
            CoreCode.IDEMPOTENCY_KEY_INVALID,
            _("Idempotency-Key는 %(max)d자를 넘을 수 없습니다.") % {"max": MAX_KEY_LENGTH},
        )
    return key


def _normalise(result) -> tuple[int, str, str]:
    """Turn what produce() returned into (status, stored text, content type)."""
    if isinstance(result, Replay):
        status, body, content_type = result.status, result.body, result.content_type
    elif isinstance(result, tuple) and len(result) in (2, 3) and isinstance(result[0], int):
        status, body = result[0], result[1]
        content_type = result[2] if len(result) == 3 else None
    elif hasattr(result, "status_code") and hasattr(result, "content"):  # HttpResponse
        return result.status_code, result.content.decode(result.charset or "utf-8"), result.get("Content-Type", "")
    else:
        status, body, content_type = 200, result, None
    if content_type is None:
        content_type = "text/plain; charset=utf-8" if isinstance(body, str) else JSON
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    if content_type.split(";")[0].strip().endswith("json") and not isinstance(body, str):
        text = json.dumps(body, cls=DjangoJSONEncoder, ensure_ascii=False)
    else:
        text = body if isinstance(body, str) else str(body)
    return int(status), text, content_type


def _replay_of(record: IdempotencyRecord, *, replayed: bool) -> Replay:
    body: object = record.response_body
    if record.content_type.split(";")[0].strip().endswith("json"):
        body = json.loads(record.response_body) if record.response_body else None
    return Replay(status=record.status_code, body=body, content_type=record.content_type, replayed=replayed)


def _raise_stored_error(record: IdempotencyRecord) -> None:
    """A stored 4xx answer made by a DasanError is raised again as one, so the
    caller's error handling (the API envelope, a form error) works unchanged."""
    try:
        error = json.loads(record.response_body)["error"]
    except (ValueError, KeyError, TypeError):
        return
    exc = DasanError(error.get("code", "error"), error.get("message", ""), status=record.status_code)
    exc.replayed = True
    raise exc


def _answer_existing(record: IdempotencyRecord, request_hash: str) -> Replay:
    if record.request_hash != request_hash:
        raise IdempotencyMismatch()
    if record.status_code is None:
        raise Conflict(
            CoreCode.IDEMPOTENCY_IN_PROGRESS,
            _("같은 요청이 아직 처리 중입니다. 잠시 후 다시 시도해 주세요."),
        )
    if record.content_type == "application/vnd.dasan.error+json":
        _raise_stored_error(record)
    return _replay_of(record, replayed=True)


def _timeout() -> dt.timedelta:
    seconds = getattr(settings, "DASAN", {}).get("IDEMPOTENCY_IN_PROGRESS_TIMEOUT")
    return dt.timedelta(seconds=float(seconds)) if seconds else IN_PROGRESS_TIMEOUT


def _claim(
    key: str, scope: str, owner: str, request_hash: str
) -> tuple[IdempotencyRecord | None, IdempotencyRecord | None]:
    """Insert the in-progress record. Returns (claimed, existing): exactly one is set."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(key=key, scope=scope, owner=owner, request_hash=request_hash), None
    except IntegrityError:
        pass
    existing = IdempotencyRecord.objects.filter(key=key, scope=scope, owner=owner).first()
    if existing is None:
        # Deleted between our insert and read (its producer failed): try once more.
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    key=key, scope=scope, owner=owner, request_hash=request_hash
                ), None
        except IntegrityError:
            existing = IdempotencyRecord.objects.get(key=key, scope=scope, owner=owner)
    if existing.status_code is None and existing.request_hash == request_hash:
        # Take over a record abandoned by a process that died mid-way. The
        # conditional UPDATE blocks on the producer's row lock while it is alive.
        cutoff = timezone.now() - _timeout()
        taken = IdempotencyRecord.objects.filter(
            pk=existing.pk, status_code__isnull=True, created_at__lt=cutoff
        ).update(created_at=timezone.now())
        if taken:
            existing.refresh_from_db()
            return existing, None
        existing.refresh_from_db()
    return None, existing


def run(key: str, *, scope: str, owner, payload, produce) -> Replay:
    """Run ``produce()`` once per (owner, scope, key); replay its answer on retries.

    ``produce`` returns ``(status, body)``, ``(status, body, content_type)``,
    a :class:`Replay`, an ``HttpResponse``, or a bare body (status 200). A dict
    or list body is stored as JSON; the returned ``Replay.body`` is always the
    stored form read back, so first answer and replays are identical.

    Raises :class:`IdempotencyMismatch` (422) when the key was used with another
    payload, :class:`~dasan.core.errors.Conflict` (409, ``idempotency_in_progress``)
    while the first request is still running, ``DasanError`` (400) for an empty
    or over-long key, and — first time and on replay alike — the DasanError
    that ``produce()`` raised.
    """
    key = _validate_key(key)
    owner = _owner(owner)
    scope = str(scope)[:100]
    request_hash = payload_hash(payload)

    claimed, existing = _claim(key, scope, owner, request_hash)
    if existing is not None:
        return _answer_existing(existing, request_hash)

    try:
        with transaction.atomic():
            # Hold the record's row lock while producing (PostgreSQL; SQLite
            # serialises writers anyway), so a takeover waits for us.
            IdempotencyRecord.objects.select_for_update().filter(pk=claimed.pk).exists()
            status, text, content_type = _normalise(produce())
            IdempotencyRecord.objects.filter(pk=claimed.pk).update(
                status_code=status, response_body=text, content_type=content_type
            )
    except DasanError as error:
        # The user's mistake is an answer too: a retry must get the same one.
        IdempotencyRecord.objects.filter(pk=claimed.pk).update(
            status_code=error.status,
            response_body=json.dumps(error.as_dict(), ensure_ascii=False, cls=DjangoJSONEncoder),
            content_type="application/vnd.dasan.error+json",
        )
        raise
    except BaseException:
        # Our failure, not the user's: forget the key so the retry runs again.
        IdempotencyRecord.objects.filter(pk=claimed.pk, status_code__isnull=True).delete()
        raise
    # Answer with the stored form read back, so the first answer and replays match exactly.
    return _replay_of(
        IdempotencyRecord(status_code=status, response_body=text, content_type=content_type), replayed=False
    )


def prune(older_than: dt.timedelta = RETENTION) -> int:
    """Delete idempotency records older than ``older_than`` (default 24 hours);
    return how many. Registered as the periodic job ``core.prune_idempotency``."""
    cutoff = timezone.now() - older_than
    deleted, _details = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
