"""Reading orders: who may see an order, the lists staff search, and what the payer does next.

An order's number (``public_id``) is printed on receipts and read aloud at a counter, so it
is no secret: an order is shown to its payer and to the staff who handle it, and anyone
else is told there is no such order (``order_not_found``), the same answer as for a number
that does not exist. Staff handle the orders of their own department (``Order.department``,
the department that owns what was sold; managers also their sub-departments, the
complaints rule through ``accounts.permissions.restrict``); orders without a department
and every other department's orders are for city-wide staff and for staff holding the
``payments.handle_any_order`` permission (세입 담당, granted in the admin). A staff member's look at someone's order is a read of personal data and
goes into the audit log with its reason.

Other apps read their own orders here (``orders_for``, ``order_by_public_id``) instead of
the payments models; nothing here changes a row (``services`` does).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dasan.accounts import permissions
from dasan.accounts.permissions import is_staff
from dasan.core import audit
from dasan.core.errors import NotFound
from dasan.payments.errors import Code

from .models import ApprovalStatus, Order, OrderStatus, RefundApproval
from .providers import NextStep

__all__ = [
    "FINANCE_PERMISSION",
    "can_handle",
    "get_order",
    "pending_refund_approvals",
    "staff_orders",
    "next_step",
    "order_not_found",
    "order_by_public_id",
    "orders_for",
    "payer_order",
    "refundable_amount",
    "search_orders",
]

#: The staff list's filters: order statuses by what staff look for.
STATUS_GROUPS = {
    "pending": [OrderStatus.PENDING],
    "paid": [OrderStatus.PAID],
    "refunds": [OrderStatus.PARTIALLY_REFUNDED, OrderStatus.REFUNDED],
    "closed": [OrderStatus.CANCELLED, OrderStatus.EXPIRED],
}


#: 세입 담당: staff holding it see and handle every department's orders.
FINANCE_PERMISSION = "payments.handle_any_order"


def order_not_found() -> NotFound:
    """The one answer for an order that does not exist or is not the user's to see."""
    return NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))


_not_found = order_not_found


def staff_orders(user) -> QuerySet[Order]:
    """The orders ``user`` handles as staff (none for anyone else): every order for city-wide
    staff and 세입 담당; otherwise their department's (managers: and its sub-departments)."""
    if not is_staff(user):
        return Order.objects.none()
    if permissions.holds(user, FINANCE_PERMISSION):
        return Order.objects.all()
    return permissions.restrict(Order.objects.all(), user, "change", owner_field=None, department_field="department")


def can_handle(user, order: Order) -> bool:
    """Whether ``user`` is staff who may see ``order`` and take money for it or return it."""
    if not is_staff(user) or order is None:
        return False
    if permissions.holds(user, FINANCE_PERMISSION):
        return True
    return permissions.can(user, "change", order, owner_field=None, department_field="department")


def get_order(user, public_id: str, *, reason: str = "") -> Order:
    """The order ``public_id`` if ``user`` may see it: its payer, or staff who handle it
    (:func:`can_handle`; the read is recorded in the audit log with ``reason``). Otherwise
    ``NotFound``, the same as for an unknown number."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise _not_found()
    order = Order.objects.select_related("payer").filter(public_id=str(public_id)[:40]).first()
    if order is None:
        raise _not_found()
    if order.payer_id == user.pk:
        return order
    if can_handle(user, order):
        audit.record_read(user, order, reason=reason or "payments.order")
        return order
    raise _not_found()


def payer_order(user, public_id: str) -> Order:
    """The order ``public_id`` of its own payer: paying is the payer's own act, so anyone
    else (staff included) gets the same ``NotFound`` as for no order."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise _not_found()
    order = Order.objects.filter(public_id=str(public_id)[:40], payer=user).first()
    if order is None:
        raise _not_found()
    return order


def order_by_public_id(public_id: str) -> Order | None:
    """The order with this number, for the app that created it (which keeps the number);
    None for an empty or unknown number. No permission check: the caller owns the order."""
    if not public_id:
        return None
    return Order.objects.filter(public_id=str(public_id)[:40]).first()


def orders_for(purpose: str, reference: str) -> QuerySet[Order]:
    """The orders an owner app created for one of its objects, newest first."""
    return Order.objects.filter(purpose=purpose, reference=str(reference)).order_by("-created_at", "-id")


def refundable_amount(order: Order) -> int:
    """Paid and not yet refunded, in KRW."""
    return order.paid_amount - order.refunded_amount


def next_step(order: Order) -> NextStep | None:
    """What the checkout page shows for ``order`` now."""
    if order.is_paid:
        return NextStep(kind="paid")
    return NextStep.from_data(order.provider_data)


def pending_refund_approvals(order: Order) -> QuerySet[RefundApproval]:
    """The refunds of ``order`` waiting for a second person's approval, oldest first."""
    return (
        RefundApproval.objects.filter(order=order, status=ApprovalStatus.PENDING)
        .select_related("requested_by")
        .order_by("created_at", "id")
    )


def search_orders(user, *, query: str = "", status: str = "pending") -> QuerySet[Order]:
    """Orders for ``user``'s staff list (those they handle, :func:`staff_orders`): by order
    number or owner reference, filtered by ``status`` (pending, paid, refunds, closed, all)."""
    orders = staff_orders(user).order_by("-created_at", "-id")
    if status in STATUS_GROUPS:
        orders = orders.filter(status__in=STATUS_GROUPS[status])
    if query:
        orders = orders.filter(Q(public_id__icontains=query) | Q(reference=query))
    return orders
