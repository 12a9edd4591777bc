"""이용료: what a use costs, what a cancellation returns, and the payments order that charges it.

* **Price rule**: the rule in force on the **day of use** (the latest ``effective_from`` that
  has started): ``hourly`` by the minute, rounded down; ``fixed`` per booking; ``daily`` per
  night or day of a stay (a slot resource counts started days); ``per_person`` multiplies
  by the party size. Without a rule the use is free.
* **Discount** (감면): the declared category's percentage of the rule, if the rule offers
  it; it is verified by staff at check-in.
* **Deposit** (보증금): the rule's amount per booking, never discounted, charged on the same
  order and kept apart from the fee (it is returned after the use, see ``staff.settle_deposit``).
* **Refunds**: the resource's ``refund_rules``, else ``RESERVATIONS_REFUND_RULES``, else
  7 days before 100 %, 1 day before 50 %, later nothing (``payments.policy.RefundSchedule``);
  a resident's cancellation always returns the whole deposit.

A reservation keeps the price it was quoted: :func:`quote_of` rebuilds the order lines from
the reservation, never from today's rules.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from dasan.core import timefmt
from dasan.core.conf import setting
from dasan.core.errors import DasanError
from dasan.payments import services as payments
from dasan.payments.policy import RefundSchedule
from dasan.payments.services import Line

from .availability import is_stay, stay_length
from .errors import Code
from .models import Discount, PriceKind, PriceRule, Reservation, Resource
from .selectors import PURPOSE, span_label

logger = logging.getLogger("dasan.reservations")

#: When neither the resource nor RESERVATIONS_REFUND_RULES says: 7 days before, all back;
#: 1 day before, half; later, nothing.
DEFAULT_REFUND_RULES = [(168, 100), (24, 50)]


def price_rule(resource: Resource, day: dt.date) -> PriceRule | None:
    """The price in force for a use on ``day``: the latest rule that has started."""
    return (
        PriceRule.objects.filter(resource=resource, effective_from__lte=day)
        .prefetch_related("discounts")
        .order_by("-effective_from")
        .first()
    )


def discounts_offered(resource: Resource, day: dt.date) -> list[tuple[str, str, int]]:
    """(category, label, percent) the price rule in force on ``day`` grants."""
    rule = price_rule(resource, day)
    if rule is None or rule.amount == 0:
        return []
    return [(d.category, str(Discount(d.category).label), d.percent) for d in rule.discounts.all()]


@dataclass(frozen=True)
class Quote:
    subtotal: int
    discount: str
    percent: int
    total: int
    lines: list[Line]
    deposit: int = 0

    @property
    def discount_amount(self) -> int:
        return self.subtotal - self.total

    @property
    def payable(self) -> int:
        """The fee after discount plus the deposit (보증금): what the order charges."""
        return self.total + self.deposit


def _fee(rule: PriceRule | None, resource: Resource, begin: dt.datetime, end: dt.datetime, party_size: int) -> int:
    if rule is None:
        return 0
    minutes = int((end - begin).total_seconds() // 60)
    if rule.kind == PriceKind.HOURLY:
        fee = rule.amount * minutes // 60
    elif rule.kind == PriceKind.DAILY:  # per night or day; a slot resource counts started days
        units = (stay_length(resource, begin, end) if is_stay(resource) else None) or max(1, -(-minutes // 1440))
        fee = rule.amount * units
    else:
        fee = rule.amount
    return fee * party_size if rule.per_person else fee


def _discount_percent(rule: PriceRule | None, subtotal: int, discount: str) -> int:
    """The percentage ``discount`` takes off; ``unknown_discount``, ``discount_not_offered``."""
    if not discount:
        return 0
    if discount not in Discount.values:
        raise DasanError(Code.UNKNOWN_DISCOUNT, _("감면 대상을 목록에서 골라 주세요."), field="discount")
    offered = {d.category: d.percent for d in rule.discounts.all()} if rule is not None and subtotal else {}
    if discount not in offered:
        raise DasanError(
            Code.DISCOUNT_NOT_OFFERED,
            _("이 시설은 %(category)s 감면을 하지 않습니다.") % {"category": Discount(discount).label},
            field="discount",
        )
    return offered[discount]


def _lines(resource: Resource, begin, end, subtotal: int, discount: str, percent: int, deposit: int) -> list[Line]:
    total = subtotal - subtotal * percent // 100
    lines = [Line(f"{resource.unit.name} {resource.name} {span_label(begin, end)}"[:120], subtotal, 1)]
    if percent:
        lines.append(
            Line(
                _("감면 (%(category)s %(percent)d%%)") % {"category": Discount(discount).label, "percent": percent},
                total - subtotal,
                1,
            )
        )
    if deposit:
        lines.append(Line(_("보증금 (이용 뒤 반환)"), deposit, 1))
    return lines


def quote(
    resource: Resource, begin: dt.datetime, end: dt.datetime, *, party_size: int = 1, discount: str = ""
) -> Quote:
    """The price of a use: the fee by the rule in force on the day of use, less the
    declared category's percentage, plus the rule's deposit (see the module docstring)."""
    rule = price_rule(resource, timefmt.local(begin).date())
    subtotal = _fee(rule, resource, begin, end, party_size)
    discount = str(discount or "").strip()
    percent = _discount_percent(rule, subtotal, discount)
    total = subtotal - subtotal * percent // 100
    deposit = rule.deposit if rule is not None else 0
    lines = _lines(resource, begin, end, subtotal, discount, percent, deposit)
    return Quote(subtotal, discount, percent, total, lines, deposit)


def quote_of(reservation: Reservation) -> Quote:
    """The price the reservation was quoted (kept, never recomputed from today's rules)."""
    lines = _lines(
        reservation.resource,
        reservation.begin,
        reservation.end,
        reservation.subtotal,
        reservation.discount,
        reservation.discount_percent if reservation.discount_amount else 0,
        reservation.deposit,
    )
    return Quote(
        reservation.subtotal,
        reservation.discount,
        reservation.discount_percent,
        reservation.price,
        lines,
        reservation.deposit,
    )


def create_order(reservation: Reservation, priced: Quote, expires_at: dt.datetime):
    """The payments order for ``priced`` (purpose ``reservations.booking``, reference = the
    reservation), payable until ``expires_at``; its id is kept on the reservation. The
    facility's department (``Unit.department``) owns it: its staff handle the payment."""
    order = payments.create_order(
        reservation.resident,
        PURPOSE,
        str(reservation.pk),
        priced.lines,
        title=_("공공시설 예약 %(code)s") % {"code": reservation.code},
        expires_at=expires_at,
        return_url=reverse("reservations:detail", args=[reservation.pk]),
        department=reservation.resource.unit.department,
    )
    Reservation.objects.filter(pk=reservation.pk).update(order_id=order.public_id)
    reservation.order_id = order.public_id
    return order


# --- refunds ------------------------------------------------------------------------------------


def refund_steps(resource: Resource) -> list[tuple[int, int]]:
    """[(hours before the start, percent refunded)], longest notice first — the
    resource's own rules, or ``RESERVATIONS_REFUND_RULES``, or 7 days 100 % / 1 day 50 %."""
    for rules in (resource.refund_rules, setting("RESERVATIONS_REFUND_RULES"), DEFAULT_REFUND_RULES):
        if not rules:
            continue
        try:
            steps = [(int(hours), int(percent)) for hours, percent in rules]
            RefundSchedule([(dt.timedelta(hours=h), p) for h, p in steps])  # validates
        except (TypeError, ValueError):
            logger.warning(
                "refund rules %r of resource %s are not [[hours, percent], ...]; ignored", rules, resource.pk
            )
            continue
        return sorted(steps, reverse=True)
    return []


def refund_schedule(resource: Resource) -> RefundSchedule:
    return RefundSchedule([(dt.timedelta(hours=h), p) for h, p in refund_steps(resource)])


def refund_due(reservation: Reservation, paid: int, *, now: dt.datetime | None = None) -> int:
    """What a resident's cancellation returns now: the fee by the resource's schedule,
    and the whole deposit (보증금), which is never forfeited by cancelling."""
    deposit = min(reservation.deposit, paid)
    return refund_schedule(reservation.resource).amount_for(paid - deposit, reservation.begin, now) + deposit
