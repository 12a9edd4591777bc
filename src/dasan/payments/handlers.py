"""The two steps every seller's payment handlers share (see ``PaymentPurpose`` in
core.appconfig): what happens to the app's own row when its order is released unpaid, or
refunded. The row (a reservation, a bulky-waste booking, …) has ``status``,
``cancelled_at`` and ``refunded_amount``; the caller holds its lock and does what is its
own afterwards (free the slot, give the capacity back, tell the resident, audit).
"""

from __future__ import annotations

from django.utils import timezone

from .models import OrderStatus


def mark_released(order, item, *, pending, expired, cancelled) -> bool:
    """The order expired or was cancelled unpaid: ``item``, still ``pending``, becomes
    ``expired`` or ``cancelled`` as the order did. False when it was no longer pending
    (paid meanwhile, or released already: the handler runs once per change)."""
    if item.status != pending:
        return False
    item.status = expired if order.status == OrderStatus.EXPIRED else cancelled
    item.cancelled_at = timezone.now()
    item.save(update_fields=["status", "cancelled_at"])
    return True


def record_refund(order, item, *, confirmed, cancelled) -> bool:
    """Keep the order's refunded total on ``item``; a full refund of a ``confirmed`` item
    cancels it. True when it was cancelled by this refund."""
    item.refunded_amount = order.refunded_amount
    fields = ["refunded_amount"]
    cancel = item.status == confirmed and order.refunded_amount >= order.paid_amount
    if cancel:
        item.status, item.cancelled_at = cancelled, timezone.now()
        fields += ["status", "cancelled_at"]
    item.save(update_fields=fields)
    return cancel
