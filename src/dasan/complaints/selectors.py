"""Reads of complaints: what pages, the API and other apps may ask without changing anything.

``services.py`` keeps the state changes.
"""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Complaint, Status


def with_results(resident) -> QuerySet[Complaint]:
    """The resident's complaints with a result to notify (answered or closed, with an
    answer), newest first: what a 민원 처리 결과 통지서 can be issued for."""
    return (
        Complaint.objects.filter(resident=resident, status__in=(Status.ANSWERED, Status.CLOSED))
        .exclude(answer="")
        .select_related("department")
        .order_by("-received_at")
    )


def find_by_number(number) -> Complaint | None:
    """The complaint with 접수번호 ``number`` (a string or a Complaint) with its department and
    resident, or None. No permission check: the caller decides who may see it."""
    value = number.number if isinstance(number, Complaint) else str(number or "").strip()
    if not value:
        return None
    return Complaint.objects.select_related("department", "resident").filter(number=value[:20]).first()
