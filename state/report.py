"""The leader's monthly report: which month, what each figure counts, and the maths of it.

- ``Month``, ``parse_month``, ``month_bounds``, ``iso_week``, ``weeks_of``: a calendar month
  in the local time zone (``TIMEZONE``), the UTC moments it runs between (summer time
  included), and the ISO weeks it touches.
- ``median``, ``percentile_90``: the middle time, and the time nine in ten kept within.
- ``solved_category``: the check at which a caregiver's own check solved the fault.
- The facts the storage reads from the stored events: ``TicketFact``, ``SelfSolvedFact``,
  ``IncidentFact``, ``KeyFigures``, ``TrainingFigures``.
- ``Figures``, ``ReportLine``, ``MonthReport``, ``build_report``: the figures per unit and
  category, per unit, per category and for all, and reports per week by category.

Pure: no I/O, no clock; every moment is passed in (aware, any zone).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from state.ticket import OPEN_STATES, TicketStatus
from state.triage import CHECK_STEPS, TriageCategory, TriageState

UNKNOWN_UNIT: Final = ""
"""The unit of a caregiver's own solve whose employee is no longer known (anonymised)."""

CATEGORIES: Final = tuple(TriageCategory)
"""Every category, in the order the report shows them."""

_MONTH: Final = re.compile(r"(\d{4})-(\d{2})")

_SOLVED_AT: Final[Mapping[TriageState, TriageCategory]] = {
    TriageState.CHECKING_PHONE: TriageCategory.PHONE,
    TriageState.CHECKING_LOGIN: TriageCategory.LOGIN,
    TriageState.CHECKING_LOCK: TriageCategory.DOOR,
}


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month."""

    year: int
    month: int

    def __post_init__(self) -> None:
        """Refuse a month that does not exist."""
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9998:
            raise ValueError(f"no month {self.year:04d}-{self.month:02d}")

    def __str__(self) -> str:
        """The month as ``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> date:
        """The month's first day."""
        return date(self.year, self.month, 1)

    @property
    def next(self) -> Month:
        """The month after."""
        return Month(self.year + self.month // 12, self.month % 12 + 1)


def parse_month(text: str) -> Month:
    """Read ``YYYY-MM``; ValueError if it is not a month."""
    found = _MONTH.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a month (YYYY-MM)")
    try:
        return Month(int(found.group(1)), int(found.group(2)))
    except ValueError:
        raise ValueError(f"{text!r} is not a month (YYYY-MM)") from None


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    """The start of a local day, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)


def month_bounds(month: Month, zone: tzinfo) -> tuple[datetime, datetime]:
    """The UTC moments a local month runs from (included) and to (excluded)."""
    return _local_midnight(month.first_day, zone), _local_midnight(month.next.first_day, zone)


def iso_week(moment: datetime, zone: tzinfo) -> str:
    """The local ISO week of a moment (``2026-W48``)."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year:04d}-W{week:02d}"


def weeks_of(month: Month) -> list[str]:
    """The ISO weeks a month's days fall in, in order."""
    day, end = month.first_day, month.next.first_day
    weeks: list[str] = []
    while day < end:
        year, week, _ = day.isocalendar()
        label = f"{year:04d}-W{week:02d}"
        if label not in weeks:
            weeks.append(label)
        day += timedelta(days=1)
    return weeks


def median(values: Iterable[timedelta]) -> timedelta | None:
    """The middle value (of two middle values, halfway between); None of no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return ordered[middle - 1] + (ordered[middle] - ordered[middle - 1]) / 2


def percentile_90(values: Iterable[timedelta]) -> timedelta | None:
    """The 90th percentile by nearest rank: the least value that nine in ten are within."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


def solved_category(answers: Mapping[str, str]) -> TriageCategory:
    """The category whose check solved the fault: the first check not answered before "works"."""
    for step in CHECK_STEPS:
        if step.value not in answers:
            return _SOLVED_AT[step]
    return TriageCategory.DOOR  # every check answered: it was the door's check


@dataclass(frozen=True)
class TicketFact:
    """One ticket of the month, as its stored trail tells it."""

    unit: str
    category: TriageCategory
    status: TicketStatus
    created_at: datetime
    taken_at: datetime | None
    """The first time someone had it: taken, contacted the party, or resolved it."""
    resolved_at: datetime | None
    escalations: int
    """How many escalation steps were sent about it (its incident's are counted there)."""
    incident_id: int | None = None


@dataclass(frozen=True)
class SelfSolvedFact:
    """One fault report that a caregiver's own check solved (no ticket was made)."""

    unit: str
    category: TriageCategory
    ended_at: datetime


@dataclass(frozen=True)
class IncidentFact:
    """One outage incident opened in the month: its reports per unit, and escalation steps."""

    id: int
    category: TriageCategory
    opened_at: datetime
    escalations: int
    reports: Mapping[str, int]
    """Reports joined, by the unit of each report."""

    @property
    def size(self) -> int:
        """Every report joined."""
        return sum(self.reports.values())


@dataclass(frozen=True)
class KeyFigures:
    """A unit's Smartkeys in the month."""

    handed_out: int = 0
    """Hand-outs (by a planner or taken by the employee), from the cabinet."""
    lost: int = 0
    """Keys reported lost."""
    overdue: int = 0
    """Hand-outs that first went overdue in the month (not back by their due time)."""

    def __add__(self, other: KeyFigures) -> KeyFigures:
        """Two units together."""
        return KeyFigures(
            self.handed_out + other.handed_out, self.lost + other.lost, self.overdue + other.overdue
        )


@dataclass(frozen=True)
class TrainingFigures:
    """A unit's staff in the training register at the month's end."""

    staff: int = 0
    trained: int = 0
    """Trained by the month's end (the register's training date)."""

    @property
    def untrained(self) -> int:
        """Not trained by the month's end (not recorded included)."""
        return self.staff - self.trained

    def __add__(self, other: TrainingFigures) -> TrainingFigures:
        """Two units together."""
        return TrainingFigures(self.staff + other.staff, self.trained + other.trained)


@dataclass(frozen=True)
class Figures:
    """The fault figures of one line of the report."""

    reports: int
    """Tickets created in the month."""
    self_solved: int
    """Fault reports a caregiver's own check solved (no ticket)."""
    cancelled: int
    still_open: int
    """Of the month's tickets, those open when the report was made."""
    taken: int
    take_median: timedelta | None
    take_p90: timedelta | None
    resolved: int
    resolve_median: timedelta | None
    resolve_p90: timedelta | None
    escalations: int
    """Escalation steps sent: about the month's tickets, and the month's incidents."""
    incidents: int
    """Incidents opened in the month that touched this line."""
    incident_reports: int
    """Reports of this line joined to those incidents."""
    largest_incident: int
    """The most reports one of those incidents joined (all units)."""


@dataclass(frozen=True)
class ReportLine:
    """One line: a unit (None: all units) and a category (None: every category)."""

    unit: str | None
    category: TriageCategory | None
    figures: Figures
    keys: KeyFigures | None = None
    """Only on the lines of every category."""
    training: TrainingFigures | None = None
    """Only on the lines of every category."""


@dataclass(frozen=True)
class MonthReport:
    """The month's report."""

    month: Month
    zone: str
    start: datetime
    end: datetime
    lines: list[ReportLine]
    """Per unit: each category, then all; then all units: each category, then all."""
    weeks: list[str]
    per_week: Mapping[str, Mapping[TriageCategory, int]] = field(default_factory=dict)
    """Reports (tickets) created per local ISO week, by category."""
    per_unit_week: Mapping[str, Mapping[str, Mapping[TriageCategory, int]]] = field(
        default_factory=dict
    )
    """The same, per unit."""

    def unit_weeks(self, unit: str) -> Mapping[str, Mapping[TriageCategory, int]]:
        """A unit's reports per local ISO week, by category."""
        return self.per_unit_week.get(unit, {})

    @property
    def total(self) -> ReportLine:
        """The line of all units and every category."""
        return self.lines[-1]

    def line(self, unit: str | None, category: TriageCategory | None) -> ReportLine:
        """One line of the report."""
        return next(x for x in self.lines if x.unit == unit and x.category == category)

    @property
    def units(self) -> list[str]:
        """The units the report has lines for, in order."""
        return list(dict.fromkeys(x.unit for x in self.lines if x.unit is not None))


def _figures(
    unit: str | None,
    category: TriageCategory | None,
    tickets: Sequence[TicketFact],
    solved: Sequence[SelfSolvedFact],
    incidents: Sequence[IncidentFact],
) -> Figures:
    """Count one line's figures from the facts that belong to it."""

    def ours(fact_unit: str, fact_category: TriageCategory) -> bool:
        return unit in {None, fact_unit} and category in {None, fact_category}

    mine = [x for x in tickets if ours(x.unit, x.category)]
    takes = [x.taken_at - x.created_at for x in mine if x.taken_at is not None]
    fixes = [x.resolved_at - x.created_at for x in mine if x.resolved_at is not None]
    hit = [
        x
        for x in incidents
        if category in {None, x.category} and (unit is None or x.reports.get(unit, 0) > 0)
    ]
    return Figures(
        reports=len(mine),
        self_solved=sum(ours(x.unit, x.category) for x in solved),
        cancelled=sum(x.status is TicketStatus.CANCELLED for x in mine),
        still_open=sum(x.status in OPEN_STATES for x in mine),
        taken=len(takes),
        take_median=median(takes),
        take_p90=percentile_90(takes),
        resolved=len(fixes),
        resolve_median=median(fixes),
        resolve_p90=percentile_90(fixes),
        escalations=sum(x.escalations for x in mine) + sum(x.escalations for x in hit),
        incidents=len(hit),
        incident_reports=sum(x.size if unit is None else x.reports.get(unit, 0) for x in hit),
        largest_incident=max((x.size for x in hit), default=0),
    )


def build_report(
    month: Month,
    zone: tzinfo,
    *,
    units: Iterable[str],
    tickets: Sequence[TicketFact],
    solved: Sequence[SelfSolvedFact],
    incidents: Sequence[IncidentFact],
    keys: Mapping[str, KeyFigures],
    training: Mapping[str, TrainingFigures],
) -> MonthReport:
    """Count the month's figures per unit and category, per unit, per category and in all."""
    start, end = month_bounds(month, zone)
    seen = {*units, *(x.unit for x in tickets), *(x.unit for x in solved), *keys, *training}
    seen |= {unit for x in incidents for unit in x.reports}
    known = sorted(seen - {UNKNOWN_UNIT}, key=lambda name: (name.casefold(), name))
    if UNKNOWN_UNIT in seen:
        known.append(UNKNOWN_UNIT)  # last: own solves whose employee is anonymised
    lines: list[ReportLine] = []
    for unit in [*known, None]:
        for category in CATEGORIES:
            figures = _figures(unit, category, tickets, solved, incidents)
            lines.append(ReportLine(unit, category, figures))
        whole = _figures(unit, None, tickets, solved, incidents)
        if unit is None:
            unit_keys = sum(keys.values(), KeyFigures())
            unit_training = sum(training.values(), TrainingFigures())
        else:
            unit_keys = keys.get(unit, KeyFigures())
            unit_training = training.get(unit, TrainingFigures())
        lines.append(ReportLine(unit, None, whole, unit_keys, unit_training))
    weeks = weeks_of(month)
    per_week = _per_week(weeks, tickets, zone)
    per_unit = {
        unit: _per_week(weeks, [x for x in tickets if x.unit == unit], zone) for unit in known
    }
    return MonthReport(month, str(zone), start, end, lines, weeks, per_week, per_unit)


def _per_week(
    weeks: Sequence[str], tickets: Iterable[TicketFact], zone: tzinfo
) -> dict[str, dict[TriageCategory, int]]:
    """Count tickets per local ISO week and category (every week of the month, none left out)."""
    counts = {week: dict.fromkeys(CATEGORIES, 0) for week in weeks}
    for ticket in tickets:
        week = counts.setdefault(iso_week(ticket.created_at, zone), dict.fromkeys(CATEGORIES, 0))
        week[ticket.category] += 1
    return counts
