"""민원 services: every change to a complaint after it is filed happens here (filing is
:mod:`.intake` and :mod:`.parking`; reads are :mod:`.selectors`).

Views, the API, the admin, tasks and the demo call these functions; none of them writes
the models directly. Each step

* runs in one transaction, with the complaint's row locked so two staff members
  clicking at once cannot both move it;
* checks who may take it (staff whose scope holds the complaint — managers also the
  unrouted ones — or the resident who filed it) and the workflow (:data:`TRANSITIONS`),
  raising :class:`~dasan.core.errors.Conflict` for a step that is not allowed now;
* leaves a timeline event, an audit record and — for the steps residents are told
  about — a message in the complaint's language (:mod:`.changes`).

Workflow::

    received ─▶ assigned ─▶ in_progress ─▶ answered ─▶ closed
        │           │            │   ▲
        │           │            ▼   │
        │           │         extended
        └───────────┴── any open status ─▶ transferred (이송) | withdrawn (취하)

The law this follows: 「민원 처리에 관한 법률」 (법) and its decree (시행령):
processing periods in :mod:`.deadlines`; 이송 of a complaint that belongs to
another agency with notice to the resident (법 제16조); one extension within the
length of the original period with the reason and the new date sent to the
resident, and one more with the resident's consent (시행령 제21조).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dasan.accounts import permissions
from dasan.complaints.errors import Code
from dasan.core.errors import Conflict, DasanError
from dasan.core.models import Department

from . import deadlines, inputs, selectors
from .changes import notify_resident, record_audit, record_event
from .inputs import ANSWER_MAX, ANSWER_MIN, COMMENT_MAX, DESCRIPTION_MAX, NOTE_MAX, REASON_MAX, REASON_MIN, TITLE_MAX
from .models import Complaint, ComplaintEvent, EventKind, PeriodUnit, Routing, Status, TranslationState

__all__ = [
    "MAX_EXTENSIONS",
    "TRANSITIONS",
    "add_note",
    "answer",
    "assign",
    "bulk_reassign",
    "close",
    "extend",
    "rate",
    "start",
    "transfer",
    "translate",
    "withdraw",
]

#: 시행령 제21조: one extension; a second only with the resident's consent.
MAX_EXTENSIONS = 2

#: Which statuses each step may start from (anything else is a Conflict).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assign": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "start": (Status.RECEIVED, Status.ASSIGNED),
    "extend": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "answer": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "close": (Status.ANSWERED,),
    "transfer": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "withdraw": (Status.RECEIVED, Status.ASSIGNED, Status.IN_PROGRESS, Status.EXTENDED),
    "rate": (Status.ANSWERED, Status.CLOSED),
}


# --- steps every change takes ---------------------------------------------------------------------


def _authorise(actor, complaint: Complaint) -> None:
    """Staff only (``staff_only``); the complaint must be in their scope, else ``not_found``
    (managers may also take unrouted ones, which no department's scope holds)."""
    permissions.require_staff(actor, _("담당 공무원만 할 수 있는 일입니다."))
    if complaint.department_id is None and permissions.is_manager(actor):
        return
    if not permissions.can(actor, "change", complaint):
        raise selectors.complaint_not_found()


def _require_owner(resident, complaint: Complaint) -> None:
    if (
        resident is None
        or not getattr(resident, "is_authenticated", False)
        or complaint.resident_id is None
        or complaint.resident_id != resident.pk
    ):
        raise selectors.complaint_not_found()


def _lock(complaint: Complaint) -> Complaint:
    try:
        return Complaint.objects.select_for_update().get(pk=complaint.pk)
    except Complaint.DoesNotExist:
        raise selectors.complaint_not_found() from None


def _check_step(complaint: Complaint, step: str) -> None:
    if complaint.status not in TRANSITIONS[step]:
        messages = {
            "assign": _("이미 처리가 끝난 민원(%(status)s)은 배정할 수 없습니다."),
            "start": _("지금 상태(%(status)s)에서는 처리를 시작할 수 없습니다."),
            "extend": _("지금 상태(%(status)s)에서는 처리기간을 연장할 수 없습니다."),
            "answer": _("지금 상태(%(status)s)에서는 답변할 수 없습니다."),
            "close": _("답변이 끝난 민원만 종결할 수 있습니다. 지금 상태: %(status)s"),
            "transfer": _("지금 상태(%(status)s)에서는 이송할 수 없습니다."),
            "withdraw": _("지금 상태(%(status)s)에서는 취하할 수 없습니다."),
            "rate": _("답변을 받은 뒤에 만족도를 남길 수 있습니다. 지금 상태: %(status)s"),
        }
        raise Conflict(
            Code(f"cannot_{step}"),
            messages[step] % {"status": complaint.get_status_display()},
            status_now=complaint.status,
        )


def _department(department) -> Department:
    if not isinstance(department, Department):
        department = Department.objects.filter(pk=getattr(department, "pk", department)).first()
    if department is None or not department.is_active:
        raise DasanError(Code.DEPARTMENT_INVALID, _("배정할 수 없는 부서입니다."))
    return department


def _done(original: Complaint, locked: Complaint) -> Complaint:
    if original is not locked:
        original.refresh_from_db()
    return original


def _check_assignee(assignee, department: Department) -> None:
    if assignee is not None and not (permissions.is_staff(assignee) and assignee.department_id == department.pk):
        raise DasanError(Code.ASSIGNEE_INVALID, _("담당자는 배정할 부서의 직원이어야 합니다."))


def _record_assignment(complaint: Complaint, *, actor, before: tuple, assignee, reason: str) -> None:
    """The event, audit record and message of an assignment (``before``: department, status)."""
    old_department, old_status = before
    department = complaint.department
    moved = old_department is None or old_department.pk != department.pk
    # A staff member moving it between departments is what the classifier learns from.
    kind = EventKind.REASSIGNED if moved and old_department is not None else EventKind.ASSIGNED
    record_event(
        complaint,
        kind,
        actor=actor,
        from_status=old_status,
        to_status=complaint.status,
        from_department=old_department,
        to_department=department,
        reason=reason,
        data={
            "assignee": getattr(assignee, "pk", None),
            "by_staff": True,
            "from_triage": old_department is None,
            "category": getattr(complaint.category, "code", None),
        },
    )
    record_audit(
        "reassigned" if kind == EventKind.REASSIGNED else "assigned",
        complaint,
        actor,
        reason=reason,
        data={
            "from": getattr(old_department, "code", None),
            "to": department.code,
            "assignee": getattr(assignee, "pk", None),
        },
    )
    if moved or old_status == Status.RECEIVED:
        notify_resident(complaint, "complaints.assigned", department=department.name)


def _assign_locked(complaint: Complaint, *, department: Department, actor, assignee=None, reason: str = "") -> None:
    """Assign an already locked complaint."""
    _authorise(actor, complaint)
    _check_step(complaint, "assign")
    _check_assignee(assignee, department)
    before = (complaint.department, complaint.status)
    moved = before[0] is None or before[0].pk != department.pk
    if not moved and before[1] != Status.RECEIVED and (assignee is None or assignee.pk == complaint.assignee_id):
        raise Conflict(
            Code.ALREADY_ASSIGNED, _("이미 %(department)s에 배정된 민원입니다.") % {"department": department.name}
        )
    if moved:
        complaint.department = department
        complaint.routing = Routing.STAFF
        complaint.assignee = assignee
        complaint.status = Status.ASSIGNED
    else:
        if assignee is not None:
            complaint.assignee = assignee
        if before[1] == Status.RECEIVED:
            complaint.status = Status.ASSIGNED
    complaint.save(update_fields=["department", "routing", "assignee", "status", "updated_at"])
    _record_assignment(complaint, actor=actor, before=before, assignee=assignee, reason=reason)


def assign(complaint: Complaint, *, department, actor, assignee=None, reason: str = "") -> Complaint:
    """담당 배정: give the complaint to ``department`` (and optionally a named
    ``assignee`` there). Moving it from one department to another records a
    ``reassigned`` event with both departments; the resident is told which
    department now handles it."""
    department = _department(department)
    reason = inputs.text(reason)[:REASON_MAX]
    with transaction.atomic():
        locked = _lock(complaint)
        _assign_locked(locked, department=department, actor=actor, assignee=assignee, reason=reason)
    return _done(complaint, locked)


def bulk_reassign(numbers: list[str], *, department, actor, reason: str) -> int:
    """Move the complaints numbered ``numbers`` to ``department`` with one reason.

    Only complaints the actor may handle and that are still open move; the rest
    are left as they are. Returns how many moved."""
    department = _department(department)
    reason = inputs.length(inputs.text(reason), code="reason", label=_("옮기는 사유"), minimum=2, maximum=REASON_MAX)
    permissions.require_staff(actor, _("담당 공무원만 할 수 있는 일입니다."))
    wanted = sorted({str(n).strip() for n in numbers or () if str(n).strip()})
    if not wanted:
        raise DasanError(Code.NOTHING_SELECTED, _("옮길 민원을 하나 이상 고르세요."))
    moved = 0
    with transaction.atomic():
        ids = list(
            selectors.visible_complaints(actor)
            .filter(number__in=wanted, status__in=TRANSITIONS["assign"])
            .values_list("pk", flat=True)
        )
        for locked in Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
            if locked.status not in TRANSITIONS["assign"] or locked.department_id == department.pk:
                continue
            _assign_locked(locked, department=department, actor=actor, reason=reason)
            moved += 1
    return moved


def start(complaint: Complaint, *, actor) -> Complaint:
    """처리 시작: the department starts working on it (the actor becomes the
    assignee when there is none)."""
    with transaction.atomic():
        locked = _lock(complaint)
        _authorise(actor, locked)
        _check_step(locked, "start")
        if locked.department_id is None:
            raise Conflict(Code.NOT_ROUTED, _("담당 부서를 먼저 정해야 합니다."))
        old = locked.status
        locked.status = Status.IN_PROGRESS
        if locked.assignee_id is None:
            locked.assignee = actor
        locked.save(update_fields=["status", "assignee", "updated_at"])
        record_event(locked, EventKind.STATUS, actor=actor, from_status=old, to_status=Status.IN_PROGRESS)
        record_audit("started", locked, actor)
    return _done(complaint, locked)


def _answer_for_resident(complaint: Complaint, text: str, translated: str) -> tuple[str, str]:
    """(answer_translated, state): the answer in the complaint's language when it is not
    Korean — a member of staff's own translation first, else the engine's, else flagged."""
    if complaint.language == "ko":
        return "", TranslationState.NOT_NEEDED
    translated = inputs.text(translated)
    if translated:
        return translated[:ANSWER_MAX], TranslationState.STAFF
    from dasan import translation as mt

    machine = mt.translate_or_none(text, source="ko", target=complaint.language)
    if machine is None:
        return "", TranslationState.NEEDED
    return machine.text[:ANSWER_MAX], TranslationState.MACHINE


def answer(complaint: Complaint, *, actor, text: str, translated: str = "") -> Complaint:
    """답변: record the department's answer; the resident is told it is there.

    For a complaint in another language the answer goes back in that language too:
    ``translated`` (the member of staff's own), else the city's engine, else it is
    flagged "needs translation" and the resident sees the Korean with a note."""
    text = inputs.length(inputs.text(text), code="answer", label=_("답변"), minimum=ANSWER_MIN, maximum=ANSWER_MAX)
    answer_translated, answer_state = _answer_for_resident(complaint, text, translated)  # before the lock: HTTP
    with transaction.atomic():
        locked = _lock(complaint)
        _authorise(actor, locked)
        _check_step(locked, "answer")
        if locked.department_id is None:
            raise Conflict(Code.NOT_ROUTED, _("담당 부서를 먼저 정해야 합니다."))
        old = locked.status
        locked.status = Status.ANSWERED
        locked.answer = text
        locked.answer_translated, locked.answer_translation = answer_translated, answer_state
        locked.answered_at = timezone.now()
        locked.answered_by = actor
        if locked.assignee_id is None:
            locked.assignee = actor
        locked.save(
            update_fields=[
                "status",
                "answer",
                "answer_translated",
                "answer_translation",
                "answered_at",
                "answered_by",
                "assignee",
                "updated_at",
            ]
        )
        record_event(
            locked,
            EventKind.ANSWERED,
            actor=actor,
            from_status=old,
            to_status=Status.ANSWERED,
            data={"length": len(text), "on_time": locked.answered_at <= locked.due_at},
        )
        record_audit("answered", locked, actor, data={"on_time": locked.answered_at <= locked.due_at})
        notify_resident(locked, "complaints.answered")
    return _done(complaint, locked)


def translate(
    complaint: Complaint, *, actor, title_ko: str = "", description_ko: str = "", answer_translated: str | None = None
) -> Complaint:
    """A member of staff's own translation: the filing into Korean, and/or the answer into
    the complaint's language. It replaces a machine translation and clears the flag."""
    title_ko, description_ko = inputs.text(title_ko)[:TITLE_MAX], inputs.text(description_ko)[:DESCRIPTION_MAX]
    with transaction.atomic():
        locked = _lock(complaint)
        _authorise(actor, locked)
        fields = []
        if description_ko:
            locked.title_ko, locked.description_ko = title_ko or locked.title_ko, description_ko
            locked.translation = TranslationState.STAFF
            fields += ["title_ko", "description_ko", "translation"]
        if answer_translated is not None and inputs.text(answer_translated):
            if not locked.answer:
                raise Conflict(Code.NOT_ANSWERED, _("답변을 먼저 보내야 합니다."))
            locked.answer_translated = inputs.text(answer_translated)[:ANSWER_MAX]
            locked.answer_translation = TranslationState.STAFF
            fields += ["answer_translated", "answer_translation"]
        if not fields:
            raise DasanError(Code.TRANSLATION_EMPTY, _("번역한 내용을 적어 주세요."))
        locked.save(update_fields=[*fields, "updated_at"])
        record_event(
            locked,
            EventKind.NOTE,
            actor=actor,
            internal=True,
            reason="번역 입력",
            data={"fields": [f for f in fields if not f.endswith("translation")]},
        )
        record_audit("translated", locked, actor, data={"fields": fields})
    return _done(complaint, locked)


def close(complaint: Complaint, *, actor=None) -> Complaint:
    """종결: close an answered complaint (staff, the resident who filed it, or the
    system when ``actor`` is None — see ``tasks.close_answered``)."""
    with transaction.atomic():
        locked = _lock(complaint)
        if actor is not None:
            if locked.resident_id is not None and locked.resident_id == getattr(actor, "pk", None):
                pass
            else:
                _authorise(actor, locked)
        _check_step(locked, "close")
        locked.status = Status.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        record_event(locked, EventKind.STATUS, actor=actor, from_status=Status.ANSWERED, to_status=Status.CLOSED)
        record_audit("closed", locked, actor)
    return _done(complaint, locked)


def _period_days(complaint: Complaint) -> int:
    """The original period's length in days, the most one extension may add (시행령 제21조)."""
    value, unit = deadlines.period_for(complaint.category, complaint.kind)
    per_unit = {PeriodUnit.DAYS: 1, PeriodUnit.WEEKS: 7, PeriodUnit.MONTHS: 30, PeriodUnit.YEARS: 365}
    # 즉시 (3 working hours) cannot be extended by less than a day here; one day is the least.
    return max(1, int(value) * per_unit.get(unit, 0))


def _check_extension(complaint: Complaint, days: int, *, resident_consented: bool) -> None:
    """시행령 제21조: once (again only with consent), within the original period's length,
    before the period has run out."""
    if complaint.extended_count >= MAX_EXTENSIONS or (complaint.extended_count >= 1 and not resident_consented):
        raise Conflict(
            Code.ALREADY_EXTENDED,
            _("처리기간은 한 번만 연장할 수 있습니다. 다시 연장하려면 신청인의 동의가 필요합니다.")
            if complaint.extended_count < MAX_EXTENSIONS
            else _("처리기간은 더 연장할 수 없습니다."),
        )
    limit = _period_days(complaint)
    if days < 1 or days > limit:
        raise DasanError(
            Code.DAYS_INVALID, _("연장 기간은 1일에서 %(max)s일(원래 처리기간) 사이여야 합니다.") % {"max": limit}
        )
    if timezone.now() > complaint.due_at:
        raise Conflict(Code.EXTENSION_TOO_LATE, _("처리기간이 이미 지났습니다. 연장은 처리기간 안에 해야 합니다."))


def extend(complaint: Complaint, *, actor, days: int, reason: str, resident_consented: bool = False) -> Complaint:
    """처리기간 연장 (시행령 제21조): push the due date back by ``days`` business days
    (counted as :func:`deadlines.extend_due` does) for ``reason``.

    Once, by at most the length of the original period, and before the period
    has run out; a second extension only with ``resident_consented``. The
    resident is told the reason and the new date."""
    reason = inputs.length(
        inputs.text(reason), code="reason", label=_("연장 사유"), minimum=REASON_MIN, maximum=REASON_MAX
    )
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise DasanError(Code.DAYS_INVALID, _("연장할 기간을 숫자(일)로 적어 주세요.")) from None
    with transaction.atomic():
        locked = _lock(complaint)
        _authorise(actor, locked)
        _check_step(locked, "extend")
        _check_extension(locked, days, resident_consented=resident_consented)
        old_status, old_due = locked.status, locked.due_at
        locked.due_at = deadlines.extend_due(old_due, days, PeriodUnit.DAYS)
        locked.extended_count += 1
        locked.status = Status.EXTENDED
        locked.save(update_fields=["due_at", "extended_count", "status", "updated_at"])
        record_event(
            locked,
            EventKind.EXTENDED,
            actor=actor,
            from_status=old_status,
            to_status=Status.EXTENDED,
            reason=reason,
            data={
                "days": days,
                "previous_due": old_due.isoformat(),
                "new_due": locked.due_at.isoformat(),
                "resident_consented": resident_consented,
            },
        )
        record_audit("extended", locked, actor, reason=reason, data={"days": days, "new_due": locked.due_at})
        notify_resident(locked, "complaints.extended", reason=reason)
    return _done(complaint, locked)


def transfer(complaint: Complaint, *, actor, agency: str, reason: str) -> Complaint:
    """이송 (법 제16조): the complaint belongs to another agency; it goes there and
    the resident is told where and why. Nothing more happens to it here."""
    agency = inputs.length(inputs.text(agency), code="agency", label=_("이송 기관"), minimum=2, maximum=100)
    reason = inputs.length(
        inputs.text(reason), code="reason", label=_("이송 사유"), minimum=REASON_MIN, maximum=REASON_MAX
    )
    with transaction.atomic():
        locked = _lock(complaint)
        _authorise(actor, locked)
        _check_step(locked, "transfer")
        old = locked.status
        locked.status = Status.TRANSFERRED
        locked.transferred_to = agency
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "transferred_to", "closed_at", "updated_at"])
        record_event(
            locked,
            EventKind.TRANSFERRED,
            actor=actor,
            from_status=old,
            to_status=Status.TRANSFERRED,
            reason=reason,
            data={"agency": agency},
        )
        record_audit("transferred", locked, actor, reason=reason, data={"agency": agency})
        notify_resident(locked, "complaints.transferred", agency=agency, reason=reason)
    return _done(complaint, locked)


def withdraw(complaint: Complaint, *, actor) -> Complaint:
    """취하: the resident who filed it withdraws it while it is still open."""
    with transaction.atomic():
        locked = _lock(complaint)
        _require_owner(actor, locked)
        _check_step(locked, "withdraw")
        old = locked.status
        locked.status = Status.WITHDRAWN
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        record_event(
            locked,
            EventKind.WITHDRAWN,
            actor=None if locked.is_anonymous else actor,
            from_status=old,
            to_status=Status.WITHDRAWN,
        )
        record_audit("withdrawn", locked, actor)
    return _done(complaint, locked)


def add_note(complaint: Complaint, *, actor, text: str) -> ComplaintEvent:
    """내부 메모: a note for colleagues, never shown to the resident."""
    text = inputs.length(inputs.text(text), code="note", label=_("메모"), minimum=1, maximum=NOTE_MAX)
    with transaction.atomic():
        locked = _lock(complaint)
        _authorise(actor, locked)
        event = record_event(locked, EventKind.NOTE, actor=actor, reason=text, internal=True)
        record_audit("note", locked, actor)
    return event


def rate(complaint: Complaint, *, actor, score: int, comment: str = "") -> Complaint:
    """만족도: the resident who filed it rates the answer once (1 to 5)."""
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DasanError(Code.SCORE_INVALID, _("만족도는 1에서 5 사이로 골라 주세요."))
    comment = inputs.text(comment)
    if len(comment) > COMMENT_MAX:
        raise DasanError(Code.COMMENT_TOO_LONG, _("의견은 %(max)s자까지 쓸 수 있습니다.") % {"max": COMMENT_MAX})
    with transaction.atomic():
        locked = _lock(complaint)
        _require_owner(actor, locked)
        _check_step(locked, "rate")
        if locked.satisfaction is not None:
            raise Conflict(Code.ALREADY_RATED, _("이미 만족도를 남겼습니다."))
        locked.satisfaction = score
        locked.satisfaction_comment = comment
        locked.save(update_fields=["satisfaction", "satisfaction_comment", "updated_at"])
        record_event(locked, EventKind.RATED, actor=None if locked.is_anonymous else actor, data={"score": score})
        record_audit("rated", locked, actor, data={"score": score})
    return _done(complaint, locked)
