"""Pages of the web shell: "My 다산", the staff workbench, health and robots.

Thin: they gather what the templates show and call services for any change.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from dasan.accounts.decorators import staff_required
from dasan.accounts.permissions import is_city_wide
from dasan.core import catalog

logger = logging.getLogger(__name__)

RECENT_AUDIT_EVENTS = 10


def _municipality():
    from dasan.core.models import Municipality

    return Municipality.current()


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """My 다산: greeting, the city's services and its contact."""
    context = {
        "municipality": _municipality(),
        "tiles": catalog.services("resident", request.user),
    }
    return render(request, "web/home.html", context)


def _business_day(day) -> tuple[bool | None, str]:
    """Whether ``day`` is a business day and the holiday's name; (None, "") while
    the calendar is not installed."""
    try:
        from dasan.core import calendar
    except ImportError:
        return None, ""
    try:
        business = bool(calendar.is_business_day(day))
        name = "" if business else (getattr(calendar, "holiday_name", lambda d: "")(day) or "")
        return business, name
    except Exception:  # the workbench must open even if the calendar is broken
        logger.exception("business calendar failed for %s", day)
        return None, ""


@require_GET
@staff_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """The staff workbench: today, the staff services, recent audit events for admins
    (anonymous visitors are sent to the staff sign-in, residents get 403)."""
    user = request.user
    today = timezone.localdate()
    business_day, holiday = _business_day(today)
    audit_events = None
    if is_city_wide(user):
        from dasan.core.models import AuditEvent

        audit_events = list(AuditEvent.objects.select_related("actor")[:RECENT_AUDIT_EVENTS])
    context = {
        "municipality": _municipality(),
        "tiles": catalog.services("staff", user),
        "today": today,
        "business_day": business_day,
        "holiday": holiday,
        "audit_events": audit_events,
    }
    return render(request, "staff/home.html", context)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language (cookie), and for a signed-in user also the saved preference,
    which wins over the cookie on their next visit."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES) and check_for_language(code):
        try:
            from dasan.accounts.services import set_language as save_language
        except ImportError:
            logger.warning("accounts.services.set_language missing: language not saved on the user")
        else:
            save_language(request.user, code)
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: 200 when the database answers, 503 when it does not."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("health check: database unreachable")
        return JsonResponse({"status": "error", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    return render(request, "robots.txt", content_type="text/plain; charset=utf-8")
