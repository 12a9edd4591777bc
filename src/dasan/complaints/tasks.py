"""Background work for complaints. Each job is idempotent and safe to run in
several workers at once."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from dasan.core.conf import setting
from dasan.core.errors import DasanError

from .models import Complaint, Status

logger = logging.getLogger(__name__)

BATCH = 200


def close_answered(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """종결: close complaints answered more than ``days`` days ago
    (``DASAN["COMPLAINT_AUTO_CLOSE_DAYS"]``, 14 by default). Returns how many closed.

    Rows another worker is closing right now are skipped (``skip_locked``), and a
    complaint that is no longer answered is left alone, so running twice is harmless."""
    from . import services

    days = days if days is not None else int(setting("COMPLAINT_AUTO_CLOSE_DAYS"))
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    closed = 0
    ids = list(
        Complaint.objects.filter(status=Status.ANSWERED, answered_at__lt=cutoff)
        .order_by("answered_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    for pk in ids:
        with transaction.atomic():
            complaint = (
                Complaint.objects.select_for_update(skip_locked=True).filter(pk=pk, status=Status.ANSWERED).first()
            )
            if complaint is None:
                continue
            try:
                services.close(complaint, actor=None)
            except DasanError as exc:  # changed under us; the next run sees the new state
                logger.info("complaint %s not closed: %s", complaint.number, exc.code)
                continue
            closed += 1
    return closed
