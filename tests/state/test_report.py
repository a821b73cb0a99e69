"""The monthly report's maths: median and 90th percentile, local months, own solves, figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from state.report import (
    UNKNOWN_UNIT,
    IncidentFact,
    KeyFigures,
    Month,
    SelfSolvedFact,
    TicketFact,
    TrainingFigures,
    build_report,
    iso_week,
    median,
    month_bounds,
    parse_month,
    percentile_90,
    solved_category,
    weeks_of,
)
from state.ticket import TicketStatus
from state.triage import TriageCategory

CPH = ZoneInfo("Europe/Copenhagen")
NORD, SYD = "Hjemmepleje Nord", "Hjemmepleje Syd"


def minutes(*values: int) -> list[timedelta]:
    return [timedelta(minutes=value) for value in values]


@pytest.mark.parametrize(
    ("values", "middle", "p90"),
    [
        ([], None, None),
        ([7], 7, 7),
        ([10, 4], 7, 10),  # halfway between the two; nine in ten: the larger
        ([9, 1, 8, 2, 7, 3, 6, 4, 5, 10], 5.5, 9),  # the 9th of 10
        ([1, 2, 3], 2, 3),
        ([5, 5, 5, 5], 5, 5),
        (list(range(1, 21)), 10.5, 18),  # the 18th of 20
    ],
    ids=["none", "one", "two", "ten", "three", "all equal", "twenty"],
)
def test_median_and_90th_percentile(
    values: list[int], middle: float | None, p90: int | None
) -> None:
    assert median(minutes(*values)) == (None if middle is None else timedelta(minutes=middle))
    assert percentile_90(minutes(*values)) == (None if p90 is None else timedelta(minutes=p90))


@pytest.mark.parametrize(
    ("text", "month"),
    [("2026-11", Month(2026, 11)), (" 2026-01 ", Month(2026, 1)), ("1999-12", Month(1999, 12))],
)
def test_a_month_is_read(text: str, month: Month) -> None:
    assert parse_month(text) == month
    assert str(month) == text.strip()


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "26-11", "2026/11", "", "nov"])
def test_what_is_not_a_month_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not a month"):
        parse_month(text)


@pytest.mark.parametrize(
    ("month", "start", "end"),
    [
        # winter: local midnight is 23:00 UTC the day before
        (
            Month(2026, 1),
            datetime(2025, 12, 31, 23, tzinfo=UTC),
            datetime(2026, 1, 31, 23, tzinfo=UTC),
        ),
        # summer time starts on 29 March 2026: the month starts in winter, ends in summer
        (
            Month(2026, 3),
            datetime(2026, 2, 28, 23, tzinfo=UTC),
            datetime(2026, 3, 31, 22, tzinfo=UTC),
        ),
        # summer time ends on 25 October 2026: starts in summer, ends in winter
        (
            Month(2026, 10),
            datetime(2026, 9, 30, 22, tzinfo=UTC),
            datetime(2026, 10, 31, 23, tzinfo=UTC),
        ),
        (
            Month(2026, 12),
            datetime(2026, 11, 30, 23, tzinfo=UTC),
            datetime(2026, 12, 31, 23, tzinfo=UTC),
        ),
    ],
    ids=["january", "march (to summer time)", "october (to winter time)", "december (new year)"],
)
def test_a_month_runs_from_local_midnight_to_local_midnight(
    month: Month, start: datetime, end: datetime
) -> None:
    assert month_bounds(month, CPH) == (start, end)


def test_a_report_at_a_month_boundary_falls_in_the_local_month() -> None:
    """00:30 on 1 November in Copenhagen is still 31 October in UTC: it is November's."""
    start, end = month_bounds(Month(2026, 11), CPH)
    just_in = datetime(2026, 10, 31, 23, 30, tzinfo=UTC)
    just_before = datetime(2026, 10, 31, 22, 59, tzinfo=UTC)
    assert start <= just_in < end
    assert not start <= just_before < end
    assert iso_week(just_in, CPH) == "2026-W44"


def test_the_weeks_of_a_month_are_iso_weeks_in_order() -> None:
    assert weeks_of(Month(2026, 11)) == [f"2026-W{n}" for n in range(44, 50)]
    assert weeks_of(Month(2027, 1))[0] == "2026-W53"  # 1 January 2027 is a Friday


@pytest.mark.parametrize(
    ("answers", "category"),
    [
        ({}, TriageCategory.PHONE),
        ({"checking_phone": "yes"}, TriageCategory.LOGIN),
        ({"checking_phone": "yes", "checking_login": "yes"}, TriageCategory.DOOR),
    ],
    ids=["at the phone", "at the login", "at the door"],
)
def test_an_own_solve_belongs_to_the_check_it_happened_at(
    answers: dict[str, str], category: TriageCategory
) -> None:
    assert solved_category(answers) is category


AT = datetime(2026, 11, 10, 8, tzinfo=UTC)


def ticket(
    unit: str,
    category: TriageCategory,
    take: int | None,
    resolve: int | None,
    *,
    status: TicketStatus = TicketStatus.RESOLVED,
    escalations: int = 0,
    incident: int | None = None,
) -> TicketFact:
    return TicketFact(
        unit=unit,
        category=category,
        status=status,
        created_at=AT,
        taken_at=None if take is None else AT + timedelta(minutes=take),
        resolved_at=None if resolve is None else AT + timedelta(minutes=resolve),
        escalations=escalations,
        incident_id=incident,
    )


def test_the_figures_per_unit_and_category_per_unit_and_in_all() -> None:
    login, door = TriageCategory.LOGIN, TriageCategory.DOOR
    tickets = [
        ticket(NORD, door, 10, 60),
        ticket(NORD, door, 20, 120),
        ticket(NORD, login, 5, None, status=TicketStatus.TAKEN),
        ticket(NORD, login, None, None, status=TicketStatus.OPEN, escalations=2),
        ticket(SYD, login, 30, 30, incident=1),
        ticket(SYD, door, None, None, status=TicketStatus.CANCELLED),
    ]
    solved = [
        SelfSolvedFact(NORD, TriageCategory.PHONE, AT),
        SelfSolvedFact(UNKNOWN_UNIT, TriageCategory.LOGIN, AT),  # anonymised since
    ]
    incidents = [IncidentFact(1, login, AT, 1, {SYD: 1, NORD: 2})]
    report = build_report(
        Month(2026, 11),
        CPH,
        units=[SYD, NORD, "Plejecenter Øst"],
        tickets=tickets,
        solved=solved,
        incidents=incidents,
        keys={NORD: KeyFigures(3, 1, 1)},
        training={NORD: TrainingFigures(5, 4), SYD: TrainingFigures(2, 0)},
    )

    assert report.units == [NORD, SYD, "Plejecenter Øst", UNKNOWN_UNIT]
    nord_door = report.line(NORD, door).figures
    assert (nord_door.reports, nord_door.taken, nord_door.resolved) == (2, 2, 2)
    assert nord_door.take_median == timedelta(minutes=15)
    assert nord_door.take_p90 == timedelta(minutes=20)
    assert nord_door.resolve_median == timedelta(minutes=90)
    nord = report.line(NORD, None)
    assert nord.figures.reports == 4 and nord.figures.still_open == 2
    assert nord.figures.self_solved == 1
    assert nord.figures.escalations == 2 + 1  # the ticket's two, and the incident's one
    assert (nord.figures.incidents, nord.figures.incident_reports) == (1, 2)
    assert nord.figures.largest_incident == 3
    assert nord.keys == KeyFigures(3, 1, 1)
    assert nord.training == TrainingFigures(5, 4) and nord.training.untrained == 1
    assert report.line(NORD, door).keys is None  # only on the unit's line of every category
    syd = report.line(SYD, None).figures
    assert (syd.reports, syd.cancelled, syd.incident_reports) == (2, 1, 1)
    total = report.total
    assert total.unit is None and total.category is None
    assert total.figures.reports == 6
    assert total.figures.self_solved == 2
    assert total.figures.escalations == 3  # the incident once, not once per unit
    assert (total.figures.incidents, total.figures.incident_reports) == (1, 3)
    assert total.figures.take_median == timedelta(minutes=15)  # 5, 10, 20, 30
    assert total.figures.take_p90 == timedelta(minutes=30)
    assert total.keys == KeyFigures(3, 1, 1)
    assert total.training == TrainingFigures(7, 4)
    assert report.line(None, TriageCategory.PHONE).figures.self_solved == 1
    empty = report.line("Plejecenter Øst", None).figures
    assert (empty.reports, empty.take_median, empty.take_p90) == (0, None, None)
    assert report.per_week["2026-W46"][door] == 3
    assert report.unit_weeks(SYD)["2026-W46"][login] == 1
    assert sum(report.per_week["2026-W45"].values()) == 0


def test_no_facts_make_a_report_of_zeros() -> None:
    report = build_report(
        Month(2026, 2), CPH, units=[], tickets=[], solved=[], incidents=[], keys={}, training={}
    )
    assert report.units == []
    assert report.total.figures.reports == 0
    assert report.total.keys == KeyFigures() and report.total.training == TrainingFigures()
