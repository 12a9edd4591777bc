"""Reads of complaints: what pages, the API, the admin and other apps may ask without
changing anything.

Who sees what follows one rule (``accounts.permissions``): a resident their own
complaints; staff their department's (managers with its sub-departments); city
administrators all. Managers also see the triage queue (분류 대기: complaints no
department owns yet), because they route them. A complaint outside the reader's scope
is :class:`~dasan.core.errors.NotFound`, so its existence is not revealed, and a member
of staff opening someone's complaint or photo is recorded in the audit log (개인정보 보호법
제29조, 접속기록). ``services.py`` keeps the state changes.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dasan.accounts import permissions
from dasan.accounts.models import Kind as UserKind
from dasan.complaints.errors import Code
from dasan.core import audit, links
from dasan.core.errors import NotFound

from .models import OPEN_STATUSES, AnswerTemplate, Category, Complaint, ComplaintEvent, ComplaintPhoto, Status

__all__ = [
    "answer_templates",
    "assignable_staff",
    "complaint_not_found",
    "complaint_path",
    "complaint_url",
    "find_by_number",
    "find_own",
    "get_complaint",
    "own_complaints",
    "photo_for",
    "public_categories",
    "timeline",
    "triage_rows",
    "visible_complaints",
    "with_results",
]


def complaint_not_found() -> NotFound:
    """The error for a complaint that is missing or outside the reader's scope (the same answer)."""
    return NotFound(Code.COMPLAINT_NOT_FOUND, _("민원을 찾을 수 없습니다."))


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


def visible_complaints(user) -> QuerySet[Complaint]:
    """The complaints ``user`` may see (the module docstring); managers also the triage queue."""
    rows = permissions.restrict(Complaint.objects.all(), user)
    if permissions.is_manager(user):
        rows = Complaint.objects.filter(Q(pk__in=rows.values("pk")) | Q(department__isnull=True))
    return rows


def get_complaint(user, number: str, *, reason: str = "") -> Complaint:
    """One complaint by its 접수번호, or NotFound when ``user`` may not see it
    (whether it exists is not revealed). Staff reads are recorded in the audit log."""
    complaint = (
        visible_complaints(user)
        .filter(number=str(number or "").strip())
        .select_related("category", "department", "assignee", "resident", "duplicate_of")
        .first()
    )
    if complaint is None:
        raise complaint_not_found()
    if permissions.is_staff(user):
        audit.record_read(user, complaint, reason=reason or "민원 열람")
    return complaint


def own_complaints(user) -> QuerySet[Complaint]:
    """The complaints ``user`` filed (내 민원). One's own complaint is no staff read of
    someone's record: nothing is audited."""
    return visible_complaints(user).filter(resident=user)


def find_own(user, number: str) -> Complaint | None:
    """``user``'s own complaint numbered ``number``, or None (someone else's looks the same as none)."""
    return (
        own_complaints(user)
        .filter(number=str(number or "").strip())
        .select_related("category", "department", "duplicate_of")
        .first()
    )


def timeline(complaint: Complaint, *, for_staff: bool) -> list[ComplaintEvent]:
    """The complaint's history, oldest first; residents do not see internal events."""
    events = complaint.events.select_related("actor", "from_department", "to_department")
    if not for_staff:
        events = events.filter(internal=False)
    return list(events.order_by("created_at", "id"))


def public_categories(*, anonymous_only: bool = False) -> QuerySet[Category]:
    """The categories residents may file under (active ones, in the city's order)."""
    rows = Category.objects.filter(is_active=True).select_related("department")
    if anonymous_only:
        rows = rows.filter(allows_anonymous=True)
    return rows.order_by("order", "code")


def photo_for(user, photo_id: int) -> ComplaintPhoto:
    """A complaint photo, for the resident who filed it or staff who may see the complaint."""
    try:
        photo_id = int(photo_id)
    except (TypeError, ValueError):
        raise NotFound(Code.PHOTO_NOT_FOUND, _("사진을 찾을 수 없습니다.")) from None
    photo = ComplaintPhoto.objects.select_related("complaint").filter(pk=photo_id).first()
    if photo is None or not visible_complaints(user).filter(pk=photo.complaint_id).exists():
        raise NotFound(Code.PHOTO_NOT_FOUND, _("사진을 찾을 수 없습니다."))
    if permissions.is_staff(user):
        audit.record_read(user, photo, reason=f"민원 사진 {photo.complaint.number}")
    return photo


def complaint_path(complaint: Complaint) -> str:
    """The path of the resident's page of ``complaint``."""
    return reverse("complaints:detail", args=[complaint.number])


def complaint_url(complaint: Complaint, *, request=None) -> str:
    """The absolute address of the resident's page of ``complaint`` (``core.links.public_url``):
    ``""`` when neither a public address nor a request tells it."""
    return links.public_url(complaint_path(complaint), request=request)


def triage_rows(user) -> QuerySet[Complaint]:
    """Open complaints no department owns yet (분류 대기), waiting for a manager to route
    them (:func:`visible_complaints` gives them to managers and administrators only)."""
    return visible_complaints(user).filter(department__isnull=True, status__in=OPEN_STATUSES)


def answer_templates(complaint: Complaint) -> list[AnswerTemplate]:
    """The answer templates a clerk may start from: the city's and the complaint's department's."""
    return list(
        AnswerTemplate.objects.filter(is_active=True)
        .filter(Q(department__isnull=True) | Q(department_id=complaint.department_id))
        .order_by("title", "id")
    )


def assignable_staff(department) -> QuerySet:
    """The active staff of ``department`` (a Department or its id), who may be named assignee."""
    if not department:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(kind=UserKind.STAFF, is_active=True, department=department)
        .order_by("name", "username")
    )
