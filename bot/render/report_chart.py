"""The monthly report's chart: a PNG of the reports per ISO week by category (stacked bars),
and the time to take per category (median and 90th percentile, in minutes).

``chart_png(report, words, unit=None)``: the chart of every unit, or of one. The words come
from the caller (the locale texts in chat, ``chart_words(language)``; ``OPERATOR_WORDS`` for
the command line). Drawn
with matplotlib's object API on the Agg canvas: no display, no pyplot's global state (safe
from any thread), always ``SIZE`` pixels, and no software version in the file.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.render.i18n import t
from bot.render.report_sheet import minutes, unit_name
from state.report import CATEGORIES, MonthReport
from state.triage import TriageCategory

DPI: Final = 100
SIZE: Final = (900, 700)
"""The PNG's width and height in pixels."""

_COLOURS: Final[Mapping[TriageCategory, str]] = {
    TriageCategory.PHONE: "#4c78a8",
    TriageCategory.LOGIN: "#f58518",
    TriageCategory.DOOR: "#54a24b",
    TriageCategory.EMERGENCY: "#e45756",
    TriageCategory.SMARTKEY: "#b279a2",
}


@dataclass(frozen=True)
class ChartWords:
    """What the chart says, in the reader's language."""

    title: str
    """The heading; ``{month}`` and ``{unit}`` are filled in."""
    per_week: str
    reports: str
    time_to_take: str
    minutes: str
    median: str
    p90: str
    categories: Mapping[TriageCategory, str] = field(default_factory=dict)
    """A short name per category (the code where one is missing)."""


OPERATOR_WORDS: Final = ChartWords(
    title="Bekey fault reports {month}: {unit}",
    per_week="Reports per week",
    reports="reports",
    time_to_take="Time to take",
    minutes="minutes",
    median="median",
    p90="90th percentile",
    categories={
        TriageCategory.PHONE: "phone",
        TriageCategory.LOGIN: "login",
        TriageCategory.DOOR: "door",
        TriageCategory.EMERGENCY: "emergency",
        TriageCategory.SMARTKEY: "Smartkey",
    },
)
"""English words for the operator (the command line and tests)."""


def chart_words(language: str | None) -> ChartWords:
    """The chart's words in a language, from the locale texts (``[report.chart]``)."""
    return ChartWords(
        title=t(language, "report.chart.title"),
        per_week=t(language, "report.chart.per_week"),
        reports=t(language, "report.chart.reports"),
        time_to_take=t(language, "report.chart.time_to_take"),
        minutes=t(language, "report.chart.minutes"),
        median=t(language, "report.chart.median"),
        p90=t(language, "report.chart.p90"),
        categories={
            category: t(language, f"report.category.{category.value}") for category in CATEGORIES
        },
    )


def chart_png(
    report: MonthReport, words: ChartWords, unit: str | None = None, unit_label: str | None = None
) -> bytes:
    """Draw the month's chart of one unit (None: every unit) as PNG bytes of ``SIZE``.

    The per-week bars of one unit count its reports only; ``unit_label`` names it in the title
    (by default as the table does: the unit's name, or ``All units``).
    """
    figure = Figure(figsize=(SIZE[0] / DPI, SIZE[1] / DPI), dpi=DPI)
    FigureCanvasAgg(figure)
    weeks_axes, take_axes = figure.subplots(2, 1)
    names = [words.categories.get(category, category.value) for category in CATEGORIES]
    per_week = report.per_week if unit is None else report.unit_weeks(unit)
    bottoms = [0] * len(report.weeks)
    for category, name in zip(CATEGORIES, names, strict=True):
        counts = [per_week.get(week, {}).get(category, 0) for week in report.weeks]
        weeks_axes.bar(report.weeks, counts, bottom=bottoms, label=name, color=_COLOURS[category])
        bottoms = [low + count for low, count in zip(bottoms, counts, strict=True)]
    weeks_axes.set_title(words.per_week)
    weeks_axes.set_ylabel(words.reports)
    weeks_axes.yaxis.get_major_locator().set_params(integer=True)
    weeks_axes.legend(loc="upper left", fontsize="small", ncols=len(CATEGORIES))
    weeks_axes.set_ylim(0, max([*bottoms, 1]) * 1.3)
    positions = list(range(len(CATEGORIES)))
    lines = [report.line(unit, category).figures for category in CATEGORIES]
    middle = [minutes(f.take_median) or 0.0 for f in lines]
    high = [minutes(f.take_p90) or 0.0 for f in lines]
    width = 0.38
    take_axes.bar([x - width / 2 for x in positions], middle, width, label=words.median)
    take_axes.bar([x + width / 2 for x in positions], high, width, label=words.p90)
    take_axes.set_xticks(positions, names)
    take_axes.set_title(words.time_to_take)
    take_axes.set_ylabel(words.minutes)
    take_axes.legend(loc="upper left", fontsize="small")
    label = unit_name(unit) if unit_label is None else unit_label
    figure.suptitle(words.title.format(month=report.month, unit=label))
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
