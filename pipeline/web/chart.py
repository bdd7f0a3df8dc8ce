"""The coverage bar chart as plain geometry; the template draws it as inline SVG."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.store.read.articles import WeekCount

WIDTH = 720
HEIGHT = 160
LABEL_SPACE = 18


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str
    """The week's Monday, ISO."""
    show_label: bool


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    peak: int
    total: int
    baseline: float


def bar_chart(weeks: Sequence[WeekCount], width: int = WIDTH, height: int = HEIGHT) -> Chart:
    """Bars scaled to the busiest week; every fourth week labelled (month.day)."""
    peak = max((w.count for w in weeks), default=0)
    plot = height - LABEL_SPACE
    slot = width / max(len(weeks), 1)
    bars = tuple(
        Bar(
            x=round(i * slot + 1, 2),
            y=round(plot - _scaled(w.count, peak, plot), 2),
            width=round(max(slot - 2, 1), 2),
            height=round(_scaled(w.count, peak, plot), 2),
            count=w.count,
            label=w.week.isoformat(),
            show_label=i % 4 == 0,
        )
        for i, w in enumerate(weeks)
    )
    return Chart(width, height, bars, peak, sum(w.count for w in weeks), plot)


def _scaled(count: int, peak: int, plot: float) -> float:
    if peak == 0 or count == 0:
        return 0.0
    return max(plot * count / peak, 1.0)
