"""Resident pages ("내 알림", unsubscribe) and the providers' delivery-receipt webhook."""

from __future__ import annotations

import hmac
import json
import logging
import os

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dasan.core.errors import DasanError

from . import services
from .models import Message


@login_required
def inbox(request):
    """내 알림: the signed-in person's own notifications, newest first."""
    # Only messages addressed to this person, also for staff: the department-wide
    # view of the outbox is the admin's, not this page's.
    messages = Message.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    page = Paginator(messages, 20).get_page(request.GET.get("page"))
    return render(request, "notify/inbox.html", {"page": page})


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """수신거부: GET asks for confirmation, POST withdraws promotional consent."""
    try:
        if request.method == "POST":
            services.unsubscribe(token)
            return render(request, "notify/unsubscribe.html", {"done": True})
        from django.core import signing

        signing.loads(token, salt=services.UNSUBSCRIBE_SALT)
    except (DasanError, Exception) as exc:  # noqa: BLE001 - any bad token is the same 404 page
        status = getattr(exc, "status", 404)
        return render(request, "notify/unsubscribe.html", {"invalid": True}, status=status if status == 404 else 404)
    return render(request, "notify/unsubscribe.html", {"token": token})


def receipt_secret() -> str:
    return settings.DASAN.get("NOTIFY_RECEIPT_SECRET") or os.environ.get("DASAN_NOTIFY_RECEIPT_SECRET", "")


@csrf_exempt
@require_POST
def receipts(request, channel: str):
    """Delivery-status callback from a provider (NHN Cloud webhooks). The shared secret
    comes in ``X-Dasan-Receipt-Secret`` or NHN's ``X-Toast-Webhook-Signature``."""
    secret = receipt_secret()
    if not secret:
        return JsonResponse({"error": {"code": "not_found", "message": "receipts are not enabled"}}, status=404)
    given = request.headers.get("X-Dasan-Receipt-Secret") or request.headers.get("X-Toast-Webhook-Signature") or ""
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"error": {"code": "forbidden", "message": "bad secret"}}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": {"code": "malformed_body", "message": "not JSON"}}, status=400)
    try:
        moved = services.apply_receipts(channel, payload if isinstance(payload, dict) else {})
    except DasanError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    logging.getLogger(__name__).info("receipts for %s: %s moved", channel, moved)
    return HttpResponse(status=204)
