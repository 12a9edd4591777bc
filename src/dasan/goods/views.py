"""Pages of the garbage-bag shop: the catalogue with the order form, the resident's
orders, and the staff delivery list and stock page. Thin: every change is a service call."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dasan.accounts.decorators import staff_required
from dasan.core import audit
from dasan.core.errors import DasanError
from dasan.core.http import user_errors
from dasan.core.idempotency import IdempotencyMismatch
from dasan.goods.errors import Code

from . import selectors, services
from .models import OrderStatus, Product, StockAdjustment


def _limits_left(user, items):
    """{product pk: packs the household may still order this month} for a signed-in resident."""
    if not getattr(user, "is_resident", False):
        return {}
    return {
        product.pk: max(product.monthly_limit - selectors.ordered_this_month(user, product), 0)
        for product, _price in items
        if product.monthly_limit is not None
    }


def _order(request, items):
    """Place the posted order: a redirect when it is placed (or was placed before by the
    same form), else the refusal to show on the form."""
    quantities = [(p.code, request.POST.get(f"qty-{p.code}", "")) for p, _price in items]
    delivery = services.Delivery(
        recipient_name=request.POST.get("recipient_name", ""),
        phone=request.POST.get("phone", ""),
        address=request.POST.get("address", ""),
        address_detail=request.POST.get("address_detail", ""),
        note=request.POST.get("note", ""),
    )
    with user_errors(flash=False) as outcome:
        order = services.place_order(
            quantities, delivery, actor=request.user, idempotency_key=request.POST.get("token", "")[:64]
        )
    if isinstance(outcome.error, IdempotencyMismatch):
        # The same form sent again with other quantities after it already ordered.
        messages.error(
            request,
            _("이 주문서는 이미 제출되어 주문되었습니다. 내 주문에서 확인하시고, 더 주문하려면 새로 작성해 주세요."),
        )
        return redirect("goods:mine"), None
    if outcome.error:
        return None, outcome.error
    if order.status == OrderStatus.AWAITING_PAYMENT:
        messages.success(request, _("주문이 접수되었습니다. 결제를 마치면 배송이 시작됩니다."))
        return redirect(selectors.payment_url(order)), None
    return redirect("goods:detail", order.number), None


@never_cache
@require_http_methods(["GET", "POST"])
def catalogue(request):
    """종량제봉투 배송 신청: the products with prices and stock, and the order form."""
    items = selectors.catalogue()
    values = {}
    error = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        done, error = _order(request, items)
        if done is not None:
            return done
        values = request.POST
    user = request.user
    initial = {}
    if getattr(user, "is_resident", False):
        initial = {"recipient_name": user.name, "phone": user.phone or ""}
    rows = [
        {"product": p, "price": price, "value": values.get(f"qty-{p.code}", "") if values else ""} for p, price in items
    ]
    left = _limits_left(user, items)
    for row in rows:
        row["left"] = left.get(row["product"].pk)
    field = getattr(error, "details", {}).get("field") if error else None
    return render(
        request,
        "goods/catalogue.html",
        {
            "rows": rows,
            "error": error,
            "error_field": field,
            "values": values or initial,
            # A fresh token per form: submitting the same form twice orders once.
            "token": (values.get("token") if values else "") or secrets.token_urlsafe(16),
            "can_order": getattr(user, "is_resident", False),
        },
        status=400 if error else 200,
    )


@login_required
@never_cache
@require_GET
def mine(request):
    """내 배송 주문."""
    return render(request, "goods/mine.html", {"orders": selectors.orders_of(request.user)[:50]})


@login_required
@never_cache
@require_GET
def detail(request, number):
    order = selectors.own_order(request.user, number)
    return render(
        request,
        "goods/detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "events": order.events.all(),
            "pay_url": selectors.payment_url(order) if order.status == OrderStatus.AWAITING_PAYMENT else "",
            "can_cancel": order.status in (OrderStatus.AWAITING_PAYMENT, OrderStatus.RECEIVED),
        },
    )


@login_required
@require_POST
def cancel(request, number):
    order = selectors.own_order(request.user, number)
    with user_errors(request) as outcome:
        services.cancel_order(order, actor=request.user, reason=_("주민 취소"))
    if outcome.ok:
        messages.success(request, _("주문을 취소했습니다."))
    return redirect("goods:detail", order.number)


# --- staff --------------------------------------------------------------------------------------


STAFF_FILTERS = ["open", "received", "preparing", "shipping", "delivered", "awaiting_payment", "cancelled", "all"]


@staff_required
@require_GET
def staff(request):
    """배송 관리: the orders to deliver, oldest first, with the next status to set."""
    status = request.GET.get("status", "open")
    if status not in STAFF_FILTERS:
        status = "open"
    query = request.GET.get("q", "").strip()[:60]
    page = Paginator(selectors.orders_to_deliver(status, query), 30).get_page(request.GET.get("page"))
    for order in page:
        # The list shows names, phone numbers and addresses: each is a read of personal data.
        audit.record_read(request.user, order, reason=_("종량제봉투 배송 목록"))
        order.next_statuses = [(s, OrderStatus(s).label) for s in services.STAFF_TRANSITIONS.get(order.status, [])]
    labels = {"open": _("배송할 주문"), "all": _("전체")}
    filters = [(key, labels.get(key) or OrderStatus(key).label) for key in STAFF_FILTERS]
    return render(
        request, "goods/staff/list.html", {"page": page, "status": status, "query": query, "filters": filters}
    )


@staff_required
@require_POST
def staff_status(request, number):
    with user_errors(request) as outcome:
        order = selectors.get_order(request.user, number, reason=_("배송 상태 변경"))
        services.change_status(
            order, request.POST.get("status", ""), actor=request.user, note=request.POST.get("note", "")
        )
    if outcome.ok:
        messages.success(
            request,
            _("%(number)s: %(status)s(으)로 바꿨습니다.")
            % {
                "number": order.number,
                "status": OrderStatus(request.POST["status"]).label,
            },
        )
    shown = request.POST.get("filter", "open")
    return redirect(reverse("goods:staff") + f"?status={shown if shown in STAFF_FILTERS else 'open'}")


@staff_required
@require_http_methods(["GET", "POST"])
def staff_stock(request):
    """재고 관리: stock per product and adjustments with a reason (audited)."""
    error = None
    if request.method == "POST":
        product = Product.objects.filter(code=request.POST.get("product", "")).first()
        with user_errors(flash=False) as outcome:
            if product is None:
                raise DasanError(Code.UNKNOWN_PRODUCT, _("물품을 선택해 주세요."))
            services.adjust_stock(
                product, request.POST.get("delta", ""), actor=request.user, reason=request.POST.get("reason", "")
            )
        error = outcome.error
        if outcome.ok:
            messages.success(request, _("%(name)s 재고를 조정했습니다.") % {"name": product.name})
            return redirect("goods:staff_stock")
    products = Product.objects.all()
    return render(
        request,
        "goods/staff/stock.html",
        {
            "products": products,
            "adjustments": StockAdjustment.objects.select_related("product", "actor")[:30],
            "error": error,
            "values": request.POST if error else {},
        },
        status=400 if error else 200,
    )
