"""Resident pages ("내 알림", unsubscribe) and the providers' delivery-receipt webhook."""

from __future__ import annotations

import hmac
import json
import logging

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from dasan.core.conf import setting
from dasan.core.errors import CoreCode
from dasan.core.http import user_errors

from . import selectors, services

logger = logging.getLogger(__name__)


@login_required
def inbox(request):
    """내 알림: the signed-in person's own notifications, newest first."""
    page = Paginator(selectors.messages_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "notify/inbox.html", {"page": page})


@csrf_exempt  # the signed token is the credential; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """수신거부: GET asks for confirmation, POST withdraws promotional consent."""
    with user_errors(flash=False) as outcome:
        if request.method == "POST":
            services.unsubscribe(token)
        else:
            selectors.unsubscribe_user(token)
    if outcome.error:
        return render(request, "notify/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        return render(request, "notify/unsubscribe.html", {"done": True})
    return render(request, "notify/unsubscribe.html", {"token": token})


@csrf_exempt
@require_POST
def receipts(request, channel: str):
    """Delivery-status callback from a provider (NHN Cloud webhooks). The shared secret
    comes in ``X-Dasan-Receipt-Secret`` or NHN's ``X-Toast-Webhook-Signature``."""
    secret = setting("NOTIFY_RECEIPT_SECRET")
    if not secret:
        return JsonResponse({"error": {"code": CoreCode.NOT_FOUND, "message": "receipts are not enabled"}}, status=404)
    given = request.headers.get("X-Dasan-Receipt-Secret") or request.headers.get("X-Toast-Webhook-Signature") or ""
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return JsonResponse({"error": {"code": CoreCode.FORBIDDEN, "message": "bad secret"}}, status=403)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        # The same code the API answers for a body that is not JSON.
        return JsonResponse({"error": {"code": CoreCode.MALFORMED_BODY, "message": "not JSON"}}, status=400)
    with user_errors(flash=False) as outcome:
        moved = services.apply_receipts(channel, payload if isinstance(payload, dict) else {})
    if outcome.error:
        return JsonResponse(outcome.error.as_dict(), status=outcome.status)
    logger.info("receipts for %s: %s moved", channel, moved)
    return HttpResponse(status=204)
