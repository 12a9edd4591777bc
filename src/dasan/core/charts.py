"""Figures for charts drawn by the template ``charts/columns.html`` (inline SVG, no
JavaScript): the numbers go in, bar geometry comes out, and the same numbers are
shown as a table beside the picture for screen readers and for copying."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 300.0  # the picture is 300 × 118 units, scaled to the page width


@dataclass(frozen=True)
class Column:
    label: str
    value: int
    display: str
    x: float
    y: float
    height: float
    show_label: bool


@dataclass(frozen=True)
class Chart:
    id: str
    caption: str
    columns: list[Column]
    width: float
    maximum: int
    maximum_display: str
    bar_width: float
    baseline: float = 100.0

    @property
    def empty(self) -> bool:
        return not any(column.value for column in self.columns)


def columns(
    chart_id: str, caption: str, rows: list[tuple[str, int]], *, unit: str = "", every: int | None = None
) -> Chart:
    """A column chart of ``rows`` ``[(label, value), ...]`` in a 100-high box; with many
    columns only every ``every``-th label is drawn (all stay in the table)."""
    n = max(len(rows), 1)
    slot = WIDTH / n
    bar = slot * 0.7
    top = max((value for _label, value in rows), default=0)
    every = every or (1 if n <= 12 else 5)

    def fmt(value: int) -> str:
        return f"{value:,}{unit}"

    cols = []
    for i, (label, value) in enumerate(rows):
        height = 0.0 if top <= 0 else 90.0 * max(value, 0) / top
        cols.append(
            Column(
                label=str(label),
                value=value,
                display=fmt(value),
                x=i * slot + (slot - bar) / 2,
                y=100.0 - height,
                height=height,
                show_label=(i % every == 0 or i == n - 1),
            )
        )
    return Chart(
        id=chart_id, caption=caption, columns=cols, width=WIDTH, maximum=top, maximum_display=fmt(top), bar_width=bar
    )
