"""Refund policies by time before the service starts (환불 기준).

Owner apps keep their own rules and pass the resulting amount to
``services.refund``; this helper covers the common shape "N % back when cancelled
at least this long before the start", e.g. a facility's schedule::

    RefundSchedule([(timedelta(days=7), 100), (timedelta(days=3), 50), (timedelta(days=1), 20)])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone


class RefundSchedule:
    """Steps of (at least this long before the start, percentage back). Cancelling
    later than the last step returns nothing."""

    def __init__(self, steps: Iterable[tuple[dt.timedelta, int]]):
        cleaned = []
        for before, percent in steps:
            if not isinstance(before, dt.timedelta) or before < dt.timedelta(0):
                raise ValueError("each step needs a non-negative timedelta")
            if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
                raise ValueError("percentages are integers from 0 to 100")
            cleaned.append((before, percent))
        # Longest notice first: the first step that holds is the best one the payer earned.
        self.steps = sorted(cleaned, key=lambda step: step[0], reverse=True)

    def percent_for(self, starts_at: dt.datetime, now: dt.datetime | None = None) -> int:
        """The percentage returned when cancelling at ``now`` for a start at ``starts_at``."""
        notice = starts_at - (now or timezone.now())
        for before, percent in self.steps:
            if notice >= before:
                return percent
        return 0

    def amount_for(self, refundable: int, starts_at: dt.datetime, now: dt.datetime | None = None) -> int:
        """Whole won to return out of ``refundable``, rounded down (the city never
        returns more than the schedule grants)."""
        if refundable <= 0:
            return 0
        return refundable * self.percent_for(starts_at, now) // 100
