"""Reading the garbage-bag shop: what is on sale at which price, how much a household
has ordered this month, and the orders residents and staff look at.

Prices change on a date set by ordinance (조례): a product's price on a day is the latest
row of its price table that has started by then, so a new price can be entered ahead of
time. The monthly limit counts per household (the resident's account) and per calendar
month in the city's time zone; cancelled orders do not count.

An order is shown to its resident and to staff (a staff read of the name, phone and
address is audited); anyone else is told there is no such order. Nothing here changes a
row (``services`` does).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import is_staff
from dasan.core import audit, timefmt
from dasan.core.errors import NotFound
from dasan.goods.errors import Code

from .models import Order, OrderLine, OrderStatus, Price, Product

# --- catalogue ----------------------------------------------------------------------------------


def today() -> dt.date:
    """The city's calendar day now."""
    return timefmt.local_date()


def price_on(product: Product, day: dt.date | None = None) -> int | None:
    """The price of one pack of ``product`` on ``day`` (today), or None when none applies yet."""
    row = Price.objects.filter(product=product, effective_from__lte=day or today()).order_by("-effective_from").first()
    return row.amount if row else None


def catalogue(day: dt.date | None = None) -> list[tuple[Product, int]]:
    """Products on sale with their price today; products without a price yet are left out."""
    day = day or today()
    items = []
    for product in Product.objects.filter(is_active=True).prefetch_related("prices"):
        prices = sorted((p for p in product.prices.all() if p.effective_from <= day), key=lambda p: p.effective_from)
        if prices:
            items.append((product, prices[-1].amount))
    return items


def month_bounds(moment: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The calendar month (the city's time zone) holding ``moment``, as [start, end)."""
    local = timefmt.local(moment or timezone.now())
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def ordered_this_month(resident, product: Product, moment: dt.datetime | None = None) -> int:
    """Packs of ``product`` the household (resident account) ordered this month, cancelled orders excepted."""
    start, end = month_bounds(moment)
    total = (
        OrderLine.objects.filter(
            order__resident=resident,
            product=product,
            order__created_at__gte=start,
            order__created_at__lt=end,
        )
        .exclude(order__status=OrderStatus.CANCELLED)
        .aggregate(n=Sum("quantity"))["n"]
    )
    return total or 0


# --- orders -------------------------------------------------------------------------------------


def order_url(order: Order) -> str:
    """The resident's page of ``order``."""
    return reverse("goods:detail", args=[order.number])


def payment_url(order: Order) -> str:
    """Where the resident pays (the payments checkout page)."""
    return reverse("payments:checkout", args=[order.payment_order]) if order.payment_order else order_url(order)


def orders_of(resident):
    """The resident's own orders, newest first (the model's order)."""
    return Order.objects.filter(resident=resident).prefetch_related("lines")


def _not_found() -> NotFound:
    return NotFound(Code.ORDER_NOT_FOUND, _("주문을 찾을 수 없습니다."))


def get_order(user, number: str, *, reason: str = "") -> Order:
    """The order ``number`` for its resident or for staff (a staff read is audited);
    anyone else gets ``order_not_found``."""
    order = Order.objects.filter(number=str(number)[:20]).select_related("resident").first()
    if order is None or not getattr(user, "is_authenticated", False):
        raise _not_found()
    if order.resident_id == user.pk:
        return order
    if is_staff(user):
        audit.record_read(user, order, reason=reason or _("종량제봉투 배송 처리"))
        return order
    raise _not_found()


def own_order(user, number: str) -> Order:
    """The order ``number`` of its own resident only (the resident's pages: staff use theirs)."""
    order = Order.objects.filter(number=str(number)[:20]).select_related("resident").first()
    if order is None or not getattr(user, "is_authenticated", False) or order.resident_id != user.pk:
        raise _not_found()
    return order


def orders_to_deliver(status: str = "open", query: str = ""):
    """The staff list: ``status`` one of the order statuses, ``"open"`` (paid, not yet
    delivered) or ``"all"``; ``query`` an order number or part of an address."""
    orders = Order.objects.select_related("resident").prefetch_related("lines")
    if status == "open":
        orders = orders.filter(status__in=[OrderStatus.RECEIVED, OrderStatus.PREPARING, OrderStatus.SHIPPING])
    elif status in OrderStatus.values:
        orders = orders.filter(status=status)
    query = (query or "").strip()[:60]
    if query:
        orders = orders.filter(Q(number__icontains=query) | Q(address__icontains=query))
    return orders.order_by("created_at", "pk")
