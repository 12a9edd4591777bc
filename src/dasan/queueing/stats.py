"""대기·처리 시간 통계 (read only): for tickets called in a date range, the waiting time
(issued → called) and the service time (called → finished) by hour of issue, by service
type and by office, as medians and averages in minutes, plus counts of no-shows. Charts
are drawn by ``core.charts`` with the same figures as tables."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from dasan.core.charts import columns
from dasan.core.timefmt import local

from .models import Ticket, TicketStatus


@dataclass
class Figures:
    label: str
    tickets: int = 0
    no_shows: int = 0
    waits: list[float] = field(default_factory=list)
    services: list[float] = field(default_factory=list)

    @property
    def median_wait(self) -> int:
        return round(statistics.median(self.waits)) if self.waits else 0

    @property
    def mean_wait(self) -> float:
        return round(statistics.fmean(self.waits), 1) if self.waits else 0.0

    @property
    def median_service(self) -> int:
        return round(statistics.median(self.services)) if self.services else 0


@dataclass
class Report:
    start: dt.date
    end: dt.date
    total: Figures
    by_hour: list[Figures]
    by_service: list[Figures]
    by_office: list[Figures]
    charts: list = field(default_factory=list)


def report(*, office=None, start: dt.date, end: dt.date) -> Report:
    rows = Ticket.objects.filter(issued_on__gte=start, issued_on__lte=end).select_related("office", "service_type")
    if office is not None:
        rows = rows.filter(office=office)
    total = Figures(_("전체"))
    hours: dict[int, Figures] = {}
    kinds: dict[str, Figures] = {}
    offices: dict[str, Figures] = {}
    for t in rows.iterator():
        groups = [
            total,
            hours.setdefault(local(t.issued_at).hour, Figures(f"{local(t.issued_at).hour:02d}")),
            kinds.setdefault(t.service_type.name, Figures(t.service_type.name)),
            offices.setdefault(t.office.name, Figures(t.office.name)),
        ]
        for g in groups:
            g.tickets += 1
            if t.status == TicketStatus.NO_SHOW:
                g.no_shows += 1
            if t.called_at:
                g.waits.append((t.called_at - t.issued_at).total_seconds() / 60)
                if t.finished_at and t.status == TicketStatus.SERVED:
                    g.services.append((t.finished_at - t.called_at).total_seconds() / 60)
    by_hour = [hours[h] for h in sorted(hours)]
    by_service = sorted(kinds.values(), key=lambda f: f.label)
    by_office = sorted(offices.values(), key=lambda f: f.label)
    minutes = _("분")
    charts = [
        columns(
            "wait-by-hour",
            _("발급 시각별 대기 시간 (중앙값, 분)"),
            [(f.label, f.median_wait) for f in by_hour],
            unit=minutes,
            every=1,
        ),
        columns("tickets-by-hour", _("발급 시각별 번호표 수"), [(f.label, f.tickets) for f in by_hour], every=1),
        columns(
            "service-by-type",
            _("업무별 처리 시간 (중앙값, 분)"),
            [(f.label, f.median_service) for f in by_service],
            unit=minutes,
            every=1,
        ),
    ]
    return Report(start, end, total, by_hour, by_service, by_office, charts)
