"""The morning summary's rules: due once a working day from the start of planner hours (or the
configured time) until the day ends; and it reports since the planners went home."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from state.duty import DEFAULT_PLANNER_HOURS, PlannerHours, parse_planner_hours
from state.summary import quiet_since, summary_due

CPH = ZoneInfo("Europe/Copenhagen")
OWN = parse_planner_hours("mon-fri 08:00-16:00")


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    """A Copenhagen time as UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH).astimezone(UTC)


@pytest.mark.parametrize(
    ("hours", "now", "at", "sent_on", "due"),
    [
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 6, 59), None, None, None),
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 7, 0), None, None, date(2026, 11, 30)),
        (
            DEFAULT_PLANNER_HOURS,
            local(2026, 11, 30, 23, 59),
            None,
            date(2026, 11, 27),
            date(2026, 11, 30),
        ),
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 9, 0), None, date(2026, 11, 30), None),
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 28, 9, 0), None, None, None),  # Saturday
        (DEFAULT_PLANNER_HOURS, local(2026, 12, 25, 9, 0), None, None, None),  # Christmas Day
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 6, 45), time(6, 45), None, date(2026, 11, 30)),
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 6, 44), time(6, 45), None, None),
        (OWN, local(2026, 11, 30, 7, 0), None, None, None),
        (OWN, local(2026, 11, 30, 8, 0), None, None, date(2026, 11, 30)),
        (PlannerHours(), local(2026, 11, 30, 9, 0), None, None, None),
        (DEFAULT_PLANNER_HOURS, local(2026, 3, 30, 7, 0), None, None, date(2026, 3, 30)),  # summer
    ],
)
def test_summary_due(
    hours: PlannerHours, now: datetime, at: time | None, sent_on: date | None, due: date | None
) -> None:
    assert summary_due(hours, now, CPH, at, sent_on) == due


@pytest.mark.parametrize(
    ("hours", "day", "since"),
    [
        (DEFAULT_PLANNER_HOURS, date(2026, 12, 1), local(2026, 11, 30, 15, 30)),  # Tuesday
        (DEFAULT_PLANNER_HOURS, date(2026, 11, 30), local(2026, 11, 27, 15, 30)),  # Monday
        (DEFAULT_PLANNER_HOURS, date(2026, 12, 28), local(2026, 12, 24, 15, 30)),  # after Xmas
        (OWN, date(2026, 11, 30), local(2026, 11, 27, 16, 0)),
        (DEFAULT_PLANNER_HOURS, date(2026, 3, 30), local(2026, 3, 27, 15, 30)),  # over the change
        (PlannerHours(), date(2026, 11, 30), local(2026, 11, 29, 0, 0)),  # no hours: 24 h
    ],
)
def test_quiet_since(hours: PlannerHours, day: date, since: datetime) -> None:
    assert quiet_since(hours, day, CPH) == since
