"""추첨제 (lottery) for popular slots: staff open a lottery for one slot of a resource,
residents apply during the application window, and after it closes staff draw. The
draw is reproducible: the application ids are sorted and shuffled with
``random.Random(seed)``, the seed (``secrets.token_hex(16)``) is stored with the ranks,
so anyone can recompute the order (:func:`verify_draw`). The first rank gets a
reservation (pending payment on paid resources, with an order payable for
``pay_deadline_hours``; the exclusion constraint holds it like any booking); when that
reservation is released unpaid or cancelled, the next rank is offered the slot."""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dasan.accounts.permissions import require_staff
from dasan.core import audit, timefmt
from dasan.core.errors import Conflict, DasanError, NotFound
from dasan.core.links import public_url_for

from . import notifications, selectors
from .availability import booking_opens_at, buffered_span, holding, lottery_holds, parse_party, parse_time
from .errors import Code
from .models import (
    ApplicationStatus,
    Kind,
    Lottery,
    LotteryApplication,
    LotteryStatus,
    Reservation,
    Resource,
    Status,
)
from .pricing import create_order, quote
from .rules import check_party_size, check_penalty, check_request, require_signed_in


def get_lottery(pk) -> Lottery:
    pk = pk.pk if isinstance(pk, Lottery) else pk
    lottery = None
    if str(pk).isdigit():
        lottery = Lottery.objects.select_related("resource", "resource__unit").filter(pk=int(pk)).first()
    if lottery is None:
        raise NotFound(Code.UNKNOWN_LOTTERY, _("추첨을 찾을 수 없습니다."))
    return lottery


def open_lotteries(resource, now: dt.datetime | None = None):
    now = now or timezone.now()
    return Lottery.objects.filter(
        resource=resource, status=LotteryStatus.OPEN, applications_close_at__gt=now, applications_open_at__lte=now
    ).order_by("begin")


def lotteries():
    return Lottery.objects.select_related("resource", "resource__unit").order_by("-begin", "-id")


def applications_for(resident):
    return (
        LotteryApplication.objects.filter(resident=resident)
        .select_related("lottery", "lottery__resource", "lottery__resource__unit", "reservation")
        .order_by("-lottery__begin", "-id")
    )


def ranked(lottery: Lottery) -> list[LotteryApplication]:
    return list(lottery.applications.filter(rank__isnull=False).select_related("resident").order_by("rank"))


def create_lottery(
    resource,
    begin,
    end,
    opens_at,
    closes_at,
    *,
    actor,
    pay_deadline_hours: int = 48,
    now: dt.datetime | None = None,
) -> Lottery:
    """Staff open a lottery for one slot. Refused: ``staff_only``, the time rules of the
    resource (``outside_hours``, ``not_slot_aligned``, ``too_short``, ``too_long``,
    ``past``), ``invalid_window``, ``invalid_pay_deadline``, ``slot_taken`` (409) when an
    active reservation or another open lottery overlaps."""
    require_staff(actor, selectors.STAFF_ONLY)
    now = now or timezone.now()
    resource = selectors.get_resource(resource)
    begin, end = parse_time(begin, "begin"), parse_time(end, "end")
    opens_at, closes_at = parse_time(opens_at, "opens_at"), parse_time(closes_at, "closes_at")
    _check_slot(resource, begin, end, now)
    if not (opens_at < closes_at <= begin):
        raise DasanError(
            Code.INVALID_WINDOW,
            _("신청 기간은 시작보다 마감이 늦고, 이용 시작 전에 마감해야 합니다."),
            field="closes_at",
        )
    hours = _pay_deadline_hours(pay_deadline_hours)
    with transaction.atomic():
        locked = Resource.objects.select_for_update(of=("self",)).get(pk=resource.pk)
        start, stop = buffered_span(locked, begin, end)
        if holding(locked, start, stop).exists() or lottery_holds(locked, start, stop):
            raise Conflict(Code.SLOT_TAKEN, _("이미 예약된 시간입니다. 다른 시간을 골라 주세요."), field="begin")
        lottery = Lottery.objects.create(
            resource=locked,
            begin=begin,
            end=end,
            applications_open_at=opens_at,
            applications_close_at=closes_at,
            pay_deadline_hours=hours,
            created_by=actor,
            created_at=now,
        )
        audit.record(
            "reservations.lottery_create",
            actor=actor,
            target=lottery,
            data={
                "resource": locked.pk,
                "begin": begin.isoformat(),
                "end": end.isoformat(),
                "opens_at": opens_at.isoformat(),
                "closes_at": closes_at.isoformat(),
            },
        )
    return lottery


def _check_slot(resource: Resource, begin: dt.datetime, end: dt.datetime, now: dt.datetime) -> None:
    """Not ``past``, and the resource's hours and slot rules, judged as if booking had just
    opened (the draw may come before the booking window does)."""
    if begin < now:
        raise DasanError(Code.PAST, _("지난 시간은 예약할 수 없습니다."), field="begin")
    check_request(resource, begin, end, now=booking_opens_at(resource, timefmt.local(begin).date()))


def _pay_deadline_hours(value) -> int:
    """1 hour to 30 days to pay after winning (``invalid_pay_deadline``)."""
    try:
        hours = int(value)
    except (TypeError, ValueError):
        hours = 0
    if not 1 <= hours <= 24 * 30:
        raise DasanError(
            Code.INVALID_PAY_DEADLINE, _("결제 기한은 1시간 이상으로 적어 주세요."), field="pay_deadline_hours"
        )
    return hours


def apply(lottery, *, actor, party_size=1, now: dt.datetime | None = None) -> LotteryApplication:
    """``actor`` applies during the window. Refused: ``login_required``, ``no_show_penalty``,
    ``unknown_lottery`` (404), ``lottery_not_open``, ``lottery_closed``, ``invalid_party_size``,
    ``over_capacity``, ``already_applied`` (409)."""
    require_signed_in(actor)
    resident = actor
    now = now or timezone.now()
    check_penalty(resident, now)
    lottery = get_lottery(lottery)
    party = parse_party(party_size)
    if now < lottery.applications_open_at:
        raise Conflict(
            Code.LOTTERY_NOT_OPEN,
            _("%(opens)s부터 추첨 신청을 받습니다.") % {"opens": timefmt.fmt(lottery.applications_open_at)},
        )
    if lottery.status != LotteryStatus.OPEN or now >= lottery.applications_close_at:
        raise Conflict(Code.LOTTERY_CLOSED, _("추첨 신청이 마감되었습니다."))
    check_party_size(lottery.resource, party)
    try:
        with transaction.atomic():
            application = LotteryApplication.objects.create(
                lottery=lottery, resident=resident, party_size=party, created_at=now
            )
            audit.record(
                "reservations.lottery_apply",
                actor=resident,
                target=application,
                data={"lottery": lottery.pk, "party": party},
            )
    except IntegrityError:
        raise Conflict(Code.ALREADY_APPLIED, _("이미 이 추첨에 신청했습니다.")) from None
    return application


def withdraw(application, *, actor, now: dt.datetime | None = None) -> LotteryApplication:
    """The applicant (``actor``) withdraws before the draw (``not_withdrawable`` 409
    afterwards); another's application is ``unknown_lottery_application`` (404)."""
    resident = actor
    pk = application.pk if isinstance(application, LotteryApplication) else application
    with transaction.atomic():
        found = None
        if getattr(resident, "pk", None) and str(pk).isdigit():
            found = (
                LotteryApplication.objects.select_for_update(of=("self",))
                .select_related("lottery")
                .filter(pk=int(pk), resident=resident)
                .first()
            )
        if found is None:
            raise NotFound(Code.UNKNOWN_LOTTERY_APPLICATION, _("추첨 신청을 찾을 수 없습니다."))
        if found.status != ApplicationStatus.APPLIED or found.lottery.status != LotteryStatus.OPEN:
            raise Conflict(Code.NOT_WITHDRAWABLE, _("추첨이 끝나 신청을 취소할 수 없습니다."))
        found.status = ApplicationStatus.WITHDRAWN
        found.save(update_fields=["status"])
        audit.record("reservations.lottery_withdraw", actor=resident, target=found)
    return found


def shuffled(ids, seed: str) -> list[int]:
    """The draw order: sorted ids shuffled by ``random.Random(seed)``."""
    order = sorted(int(i) for i in ids)
    random.Random(seed).shuffle(order)
    return order


def draw(lottery, *, actor, now: dt.datetime | None = None) -> Lottery:
    """Staff draw after the window closed (``staff_only``; ``lottery_still_open`` 409
    before, ``already_drawn`` 409 after a draw). Ranks every applicant; the first is
    offered the slot; the others are told they were not drawn."""
    require_staff(actor, selectors.STAFF_ONLY)
    staff = actor
    now = now or timezone.now()
    with transaction.atomic():
        lottery = Lottery.objects.select_for_update(of=("self",)).get(pk=get_lottery(lottery).pk)
        if lottery.status != LotteryStatus.OPEN:
            raise Conflict(Code.ALREADY_DRAWN, _("이미 추첨했습니다."))
        if now < lottery.applications_close_at:
            raise Conflict(
                Code.LOTTERY_STILL_OPEN,
                _("신청 마감(%(closes)s) 뒤에 추첨할 수 있습니다.")
                % {"closes": timefmt.fmt(lottery.applications_close_at)},
            )
        applications = {
            a.pk: a
            for a in lottery.applications.select_for_update(of=("self",)).filter(status=ApplicationStatus.APPLIED)
        }
        seed = secrets.token_hex(16)
        order = shuffled(applications, seed)
        for rank, pk in enumerate(order, start=1):
            application = applications[pk]
            application.rank, application.status = rank, ApplicationStatus.LOST
            application.save(update_fields=["rank", "status"])
        lottery.seed, lottery.drawn_at, lottery.drawn_by = seed, now, staff
        lottery.status = LotteryStatus.DRAWN
        lottery.save(update_fields=["seed", "drawn_at", "drawn_by", "status"])
        audit.record("reservations.lottery_draw", actor=staff, target=lottery, data={"seed": seed, "ranked": order})
        winner = _offer_next(lottery, now=now)
        for pk in order:
            if winner is None or pk != winner.pk:
                _notify(applications[pk], "reservations.lottery_lost")
    return lottery


def verify_draw(lottery) -> bool:
    """Recompute the order from the stored seed and ids; True when the stored ranks match."""
    lottery = get_lottery(lottery)
    if not lottery.seed:
        return False
    rows = list(lottery.applications.filter(rank__isnull=False).values_list("pk", "rank"))
    stored = [pk for pk, _rank in sorted(rows, key=lambda row: row[1])]
    ranks = sorted(rank for _pk, rank in rows)
    return ranks == list(range(1, len(rows) + 1)) and stored == shuffled([pk for pk, _r in rows], lottery.seed)


def _offer_next(lottery: Lottery, *, now: dt.datetime) -> LotteryApplication | None:
    """Give the slot to the best-ranked applicant not yet offered it; skip those under a
    no-show penalty. The lottery closes when its start has passed or nobody is left."""
    resource = Resource.objects.select_for_update(of=("self",)).select_related("unit").get(pk=lottery.resource_id)
    if lottery.begin <= now:
        return _close(lottery)
    for application in (
        lottery.applications.select_for_update(of=("self",))
        .select_related("resident")
        .filter(status=ApplicationStatus.LOST, rank__isnull=False)
        .order_by("rank")
    ):
        if selectors.penalty_for(application.resident, now) is not None:
            continue
        start, stop = buffered_span(resource, lottery.begin, lottery.end)
        if holding(resource, start, stop).exists():
            return None  # someone (staff) holds the time; nothing to offer
        return _offer(application, lottery, resource, now=now)
    return _close(lottery)


def _close(lottery: Lottery) -> None:
    lottery.status = LotteryStatus.CLOSED
    lottery.save(update_fields=["status"])


def _offer(application: LotteryApplication, lottery: Lottery, resource: Resource, *, now) -> LotteryApplication | None:
    """A reservation of the lottery's slot for ``application`` — made like a booking (the
    same buffered span, exclusion constraint and quoted price, no discount) but without
    ``book()``'s window and limit rules, since the draw may come before booking opens:
    free → confirmed (``booked``), paid → pending payment until ``pay_deadline_hours``
    (never after the start) (``won``)."""
    start, stop = buffered_span(resource, lottery.begin, lottery.end)
    priced = quote(resource, lottery.begin, lottery.end, party_size=application.party_size)
    status = Status.CONFIRMED if priced.payable == 0 else Status.PENDING_PAYMENT
    try:
        with transaction.atomic():
            reservation = Reservation.objects.create(
                resource=resource,
                resident=application.resident,
                kind=Kind.BOOKING,
                status=status,
                begin=lottery.begin,
                end=lottery.end,
                blocked_from=start,
                blocked_until=stop,
                exclusive=resource.exclusive,
                party_size=application.party_size,
                purpose=str(_("추첨 당첨")),
                subtotal=priced.subtotal,
                price=priced.total,
                deposit=priced.deposit,
                idempotency_key=f"lottery-{application.pk}",
                created_at=now,
                confirmed_at=now if status == Status.CONFIRMED else None,
            )
    except IntegrityError:
        return None
    deadline = None
    if status == Status.PENDING_PAYMENT:
        deadline = min(now + dt.timedelta(hours=lottery.pay_deadline_hours), lottery.begin)
        create_order(reservation, priced, deadline)
    application.status = ApplicationStatus.WON if status == Status.PENDING_PAYMENT else ApplicationStatus.BOOKED
    application.reservation = reservation
    application.save(update_fields=["status", "reservation"])
    audit.record(
        "reservations.lottery_offer",
        target=application,
        data={"lottery": lottery.pk, "rank": application.rank, "reservation": reservation.pk},
    )
    _notify(application, "reservations.lottery_won", reservation=reservation, deadline=deadline)
    return application


def released(reservation: Reservation, *, now: dt.datetime | None = None) -> bool:
    """Hook for the services: ``reservation`` stopped holding its time. When it was a
    lottery's, the applicant's turn lapses and the next rank is offered. True when the
    time went to the next applicant (or the lottery still owns it)."""
    application = (
        LotteryApplication.objects.select_for_update(of=("self",))
        .select_related("lottery")
        .filter(reservation=reservation, status__in=(ApplicationStatus.WON, ApplicationStatus.BOOKED))
        .first()
    )
    if application is None:
        return False
    application.status = ApplicationStatus.LAPSED
    application.save(update_fields=["status"])
    audit.record("reservations.lottery_lapsed", target=application, data={"reservation": reservation.pk})
    return _offer_next(application.lottery, now=now or timezone.now()) is not None


def paid(reservation: Reservation) -> None:
    """Hook: the winner paid."""
    LotteryApplication.objects.filter(reservation=reservation, status=ApplicationStatus.WON).update(
        status=ApplicationStatus.BOOKED
    )


def _notify(application: LotteryApplication, template: str, *, reservation=None, deadline=None) -> None:
    lottery = application.lottery
    resource = lottery.resource
    notifications.send(
        template,
        application.resident,
        {
            "resource": f"{resource.unit.name} {resource.name}",
            "when": selectors.span_label(lottery.begin, lottery.end),
            "code": reservation.code if reservation else "",
            "price": f"{reservation.price:,}" if reservation else "",
            "deadline": timefmt.fmt(deadline),
            "rank": str(application.rank or ""),
            "url": public_url_for("reservations:mine"),
        },
    )
