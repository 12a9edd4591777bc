"""Dasan's categories and complaints as GeoReport v2 documents (plain dicts that
``views`` writes as JSON or, through ``xml.render``, as XML).

What is published about a complaint is deliberately little: the service, the
masked description and address, the position, the status and the public answer.
Never the person: no name, phone, e-mail or account.
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from dasan.core.conf import setting
from dasan.core.pii import mask

from .. import models
from . import attributes

__all__ = [
    "SPECIFICATION",
    "FORMATS",
    "iso",
    "listed_categories",
    "service",
    "service_definition",
    "published_requests",
    "request",
    "token_for",
    "number_for_token",
    "changeset",
    "public_notice",
]

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: Content types by the format extension of the URL.
FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
#: When the attribute definitions in ``attributes.py`` last changed (a release of Dasan).
DEFINITIONS_CHANGED = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)

STATUS_NOTES_MAX = 500
DESCRIPTION_MAX = 4000  # the spec's schema limit for description


def iso(moment: dt.datetime | None) -> str | None:
    """ISO 8601 in the city's time zone, e.g. 2026-03-01T09:30:00+09:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- services -------------------------------------------------------------------------------
def listed_categories():
    """Active categories that can be requested through Open311. Illegal-parking reports
    are left out: they need photos taken a minute apart and a signed statement
    (see ``parking.file_parking_report``), which GeoReport cannot carry."""
    return (
        models.Category.objects.filter(is_active=True)
        .exclude(form=models.FormKind.ILLEGAL_PARKING)
        .order_by("order", "code")
    )


def service(category: models.Category) -> dict:
    return {
        "service_code": category.service_code,
        "service_name": category.name,
        "description": category.description or None,
        "metadata": bool(attributes.for_category(category)),
        # Requests become complaints at once: the answer carries the request id.
        "type": "realtime",
        "keywords": category.keywords or None,
        "group": category.group or None,
    }


def service_definition(category: models.Category) -> dict:
    return {"service_code": category.service_code, "attributes": attributes.definition(category)}


# --- requests ------------------------------------------------------------------------------
def published_requests():
    """Complaints GET requests may show: those the resident made public and those filed
    through Open311 (whose clients are told that requests are public), that have a
    service code; never illegal-parking reports (they name a vehicle)."""
    return (
        models.Complaint.objects.filter(Q(is_public=True) | Q(channel=models.Channel.OPEN311))
        .filter(category__isnull=False)
        .exclude(category__form=models.FormKind.ILLEGAL_PARKING)
        .select_related("category", "department")
    )


def _is_open(complaint: models.Complaint) -> bool:
    return complaint.status in models.OPEN_STATUSES


def _status_notes(complaint: models.Complaint) -> str | None:
    status = complaint.status
    if _is_open(complaint):
        return complaint.get_status_display()
    if status == models.Status.TRANSFERRED:
        return _("%(agency)s(으)로 이송되었습니다.") % {"agency": complaint.transferred_to or _("다른 기관")}
    if status == models.Status.WITHDRAWN:
        return _("신청인이 취하했습니다.")
    if complaint.answer:
        return _truncate(mask(complaint.answer), STATUS_NOTES_MAX)
    return complaint.get_status_display()


def _updated(complaint: models.Complaint) -> dt.datetime:
    if not _is_open(complaint):
        # The spec: for closed requests, the date it was closed.
        return complaint.closed_at or complaint.answered_at or complaint.updated_at
    return complaint.updated_at


def _agency(complaint: models.Complaint) -> str | None:
    if complaint.status == models.Status.TRANSFERRED and complaint.transferred_to:
        return complaint.transferred_to
    return complaint.department.name if complaint.department_id else None


def due_notice(complaint: models.Complaint) -> str:
    return _("처리 기한은 %(due)s입니다.") % {"due": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M")}


def public_notice() -> str:
    return _("요청의 설명과 위치는 공개되며(개인정보는 가려서), 이름과 연락처는 공개되지 않습니다.")


def request(complaint: models.Complaint) -> dict:
    category = complaint.category
    return {
        "service_request_id": complaint.number,
        "status": "open" if _is_open(complaint) else "closed",
        "status_notes": _status_notes(complaint),
        "service_name": category.name,
        "service_code": category.service_code,
        "description": _truncate(mask(complaint.description), DESCRIPTION_MAX) or None,
        "agency_responsible": _agency(complaint),
        "service_notice": due_notice(complaint) if _is_open(complaint) else None,
        "requested_datetime": iso(complaint.received_at),
        "updated_datetime": iso(_updated(complaint)),
        "expected_datetime": iso(complaint.due_at),
        "address": mask(complaint.address) or None,
        # Dasan keeps no address ids or postcodes apart from the address text.
        "address_id": None,
        "zipcode": None,
        "lat": float(complaint.latitude) if complaint.latitude is not None else None,
        "long": float(complaint.longitude) if complaint.longitude is not None else None,
        # Photos are shown only to the resident and staff, never linked publicly.
        "media_url": None,
    }


# --- tokens --------------------------------------------------------------------------------
# Requests are created at once, so a token is only a second way to the id; it is
# the id plus a keyed hash, so only tokens this server issued resolve.
def _token_mac(number: str) -> str:
    return salted_hmac("dasan.complaints.open311.token", number).hexdigest()[:20]


def token_for(number: str) -> str:
    return f"{number}-{_token_mac(number)}"


def number_for_token(token: str) -> str | None:
    number, _sep, mac = token.rpartition("-")
    if not number or not hmac.compare_digest(mac, _token_mac(number)):
        return None
    return number


# --- discovery -----------------------------------------------------------------------------
def changeset() -> dt.datetime:
    """When services or definitions last changed: the last admin edit of a category,
    or the release that changed the attribute definitions."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    last_edit = (
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(models.Category))
        .order_by("-action_time")
        .values_list("action_time", flat=True)
        .first()
    )
    return max(filter(None, [last_edit, DEFINITIONS_CHANGED]))


def discovery(base_url: str) -> dict:
    from dasan.core.models import Municipality

    city = Municipality.current()
    if city is not None:
        contact = " ".join(part for part in (city.name, _("민원 담당"), city.phone, city.email) if part)
    else:
        contact = _("시청 민원 담당 부서")
    stamp = iso(changeset())
    return {
        "changeset": stamp,
        "contact": contact,
        "key_service": _(
            "요청 접수(POST)에는 API 키가 필요합니다. 시청에 신청하면 담당 공무원이 관리 화면에서 발급합니다. "
            "조회(GET)에는 키가 필요 없습니다. "
        )
        + public_notice(),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base_url,
                "changeset": stamp,
                "type": "production",
                "formats": [FORMATS["xml"].split(";")[0], FORMATS["json"].split(";")[0]],
            }
        ],
    }


def jurisdiction() -> str:
    return setting("OPEN311_JURISDICTION") or ""
