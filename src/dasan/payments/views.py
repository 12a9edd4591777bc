"""Payment pages: the payer's checkout, the card PG's return URLs, provider webhooks,
and the staff pages for counter payments and refunds. Thin: every change is a call
to ``services``."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from dasan.accounts.decorators import staff_required
from dasan.core.csp import csp_update
from dasan.core.errors import DasanError
from dasan.core.http import user_errors
from dasan.payments.errors import Code

from . import providers, selectors, services
from .models import Order, OrderStatus, PaymentMethod, PaymentStatus, RefundApproval
from .providers.base import InvalidSignature, ProviderUnavailable
from .providers.toss import fail_message

logger = logging.getLogger("dasan.payments")

OFFICE_METHODS = [
    PaymentMethod.CASH,
    PaymentMethod.CARD_TERMINAL,
    PaymentMethod.TRANSFER,
    PaymentMethod.VIRTUAL_ACCOUNT,
]


@login_required
@never_cache
@require_GET
# Paying by card posts to `start`, which redirects to the card company's checkout page: the
# CSP's form-action covers that redirect, and the page's address is only known then.
@csp_update(form_action=["'self'", "https:"])
def checkout(request, public_id: str):
    """결제하기: the order's lines and total, how to pay, and the result."""
    order = selectors.payer_order(request.user, public_id)
    step = selectors.next_step(order)
    payable = order.status == OrderStatus.PENDING and order.expires_at > timezone.now()
    return render(
        request,
        "payments/checkout.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "step": step,
            "payable": payable,
            "providers": providers.available() if payable else [],
            "payments": order.payments.exclude(status=PaymentStatus.FAILED),
            "refunds": [r for p in order.payments.all() for r in p.refunds.filter(status="done")],
        },
    )


@login_required
@require_POST
def start(request, public_id: str):
    order = selectors.payer_order(request.user, public_id)
    with user_errors(request) as outcome:
        step = services.start_payment(
            order,
            provider=request.POST.get("provider") or None,
            actor=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
    if outcome.ok and step.kind == "redirect" and step.redirect_url:
        return HttpResponseRedirect(step.redirect_url)
    return redirect("payments:checkout", order.public_id)


@login_required
@never_cache
@require_GET
def success(request, public_id: str):
    """The card PG sends the payer back here with paymentKey, orderId and amount."""
    order = selectors.payer_order(request.user, public_id)
    params = {key: request.GET.get(key, "") for key in ("paymentKey", "orderId", "amount")}
    with user_errors(request) as outcome:
        services.confirm_payment(order, params, actor=request.user)
    if outcome.ok:
        messages.success(request, _("결제가 완료되었습니다."))
    # Redirect so that reloading the page does not send the confirmation again.
    return redirect("payments:checkout", order.public_id)


@login_required
@never_cache
@require_GET
def fail(request, public_id: str):
    """The card PG sends the payer back here when the payment did not go through."""
    order = selectors.payer_order(request.user, public_id)
    messages.error(request, str(fail_message(request.GET.get("code", "")[:60])))
    return redirect("payments:checkout", order.public_id)


@csrf_exempt  # the signature (or the PG's own record) is the credential
@require_POST
def webhook(request, provider: str):
    """Notices from a provider: a deposit into a virtual account, a PG status change.

    The sender is a machine that reads the status: this answers JSON, with a status that
    tells it whether to retry (503) or stop (200 also for a refused notice), not a page."""
    try:
        payment = services.handle_webhook(provider, request.body, request.headers)
    except InvalidSignature as exc:
        return JsonResponse(exc.as_dict(), status=403)
    except ProviderUnavailable as exc:
        return JsonResponse(exc.as_dict(), status=503)  # the sender retries later
    except DasanError as exc:
        if exc.status == 404 or exc.code == Code.UNKNOWN_PROVIDER:
            return JsonResponse(exc.as_dict(), status=404)
        # Understood but refused (amount differs, order expired...): recorded for staff;
        # answering 200 stops the sender from retrying something that will not change.
        return JsonResponse({"ok": False, **exc.as_dict()}, status=200)
    body = {"ok": True}
    if payment is not None:
        body.update(order=payment.order.public_id, status=payment.order.status)
    return JsonResponse(body)


# --- staff --------------------------------------------------------------------------------------


STATUS_FILTERS = ["pending", "paid", "refunds", "closed", "all"]


@staff_required
@require_GET
def staff_list(request):
    """결제·환불: find an order by its number (or the owner's reference)."""
    query = request.GET.get("q", "").strip()[:64]
    status = request.GET.get("status", "pending")
    if status not in STATUS_FILTERS:
        status = "pending"
    orders = selectors.search_orders(request.user, query=query, status=status)
    page = Paginator(orders, 30).get_page(request.GET.get("page"))
    filters = [
        ("pending", _("결제 대기")),
        ("paid", _("결제 완료")),
        ("refunds", _("환불")),
        ("closed", _("취소·만료")),
        ("all", _("전체")),
    ]
    return render(
        request, "payments/staff/list.html", {"page": page, "query": query, "status": status, "filters": filters}
    )


def _staff_order(request, public_id: str) -> Order:
    """The order for a staff page (a read of personal data, audited); 404 when unknown or
    not one this member of staff handles (another department's)."""
    return selectors.get_order(request.user, public_id, reason=_("결제 관리"))


@staff_required
@require_GET
def staff_detail(request, public_id: str):
    order = _staff_order(request, public_id)
    payments = order.payments.prefetch_related("refunds").all()
    return render(
        request,
        "payments/staff/detail.html",
        {
            "order": order,
            "lines": order.lines.all(),
            "payments": payments,
            "methods": [(m.value, m.label) for m in OFFICE_METHODS],
            "refundable": selectors.refundable_amount(order),
            "payable": order.status == OrderStatus.PENDING,
            "approvals": selectors.pending_refund_approvals(order),
        },
    )


@staff_required
@require_POST
def staff_mark_paid(request, public_id: str):
    order = _staff_order(request, public_id)
    with user_errors(request) as outcome:
        services.mark_paid_at_office(
            order,
            actor=request.user,
            method=request.POST.get("method", "cash"),
            note=request.POST.get("note", "")[:200],
        )
    if outcome.ok:
        messages.success(request, _("수납 처리했습니다."))
    return redirect("payments:staff_detail", order.public_id)


@staff_required
@require_POST
def staff_refund(request, public_id: str):
    order = _staff_order(request, public_id)
    raw_amount = request.POST.get("amount", "").replace(",", "").strip()
    reason = request.POST.get("reason", "").strip()
    if not raw_amount.isdigit():
        messages.error(request, _("환불 금액을 숫자로 입력해 주세요."))
    elif not reason:
        messages.error(request, _("환불 사유를 입력해 주세요."))
    else:
        with user_errors(request) as outcome:
            done = services.staff_refund(order, int(raw_amount), reason, actor=request.user)
        if outcome.ok and isinstance(done, RefundApproval):
            messages.success(
                request,
                _("%(amount)s원 환불을 요청했습니다. 다른 담당자가 승인하면 환불됩니다.")
                % {"amount": f"{done.amount:,}"},
            )
        elif outcome.ok:
            messages.success(request, _("%(amount)s원을 환불했습니다.") % {"amount": f"{done.amount:,}"})
    return redirect("payments:staff_detail", order.public_id)


@staff_required
@require_POST
def staff_approve_refund(request, public_id: str, pk: int):
    """A second member of staff approves a refund above the city's threshold."""
    order = _staff_order(request, public_id)
    approval = selectors.pending_refund_approvals(order).filter(pk=pk).first()
    if approval is None:
        raise selectors.order_not_found()
    with user_errors(request) as outcome:
        done = services.approve_refund(approval, actor=request.user)
    if outcome.ok:
        messages.success(request, _("%(amount)s원을 환불했습니다.") % {"amount": f"{done.amount:,}"})
    return redirect("payments:staff_detail", order.public_id)


@staff_required
@require_POST
def staff_cancel(request, public_id: str):
    order = _staff_order(request, public_id)
    with user_errors(request) as outcome:
        services.cancel_order(order, actor=request.user, reason=request.POST.get("reason", "")[:200])
    if outcome.ok:
        messages.success(request, _("주문을 취소했습니다."))
    return redirect("payments:staff_detail", order.public_id)
