"""Weekly reminders: due from a weekday and time on, once per ISO week, late but the same week
if the bot was down at the hour."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from state.weekly import week_label, weekly_reminder_due

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY, NINE = 1, time(9, 0)


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Copenhagen."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH)


@pytest.mark.parametrize(
    ("moment", "label"),
    [
        (local(2026, 12, 7, 9), "2026-W50"),
        (local(2026, 12, 31, 23), "2026-W53"),
        (local(2027, 1, 3, 12), "2026-W53"),  # a Sunday: still the old ISO year's week
        (local(2027, 1, 4, 0), "2027-W01"),
        (local(2026, 1, 5, 0), "2026-W02"),
    ],
)
def test_a_week_is_named_by_its_iso_year_and_number(moment: datetime, label: str) -> None:
    """ISO weeks, across the turn of the year."""
    assert week_label(moment) == label


@pytest.mark.parametrize(
    ("moment", "reminded", "due"),
    [
        (local(2026, 12, 7, 8, 59), None, None),  # Monday, before the hour
        (local(2026, 12, 7, 9, 0), None, "2026-W50"),  # at the hour
        (local(2026, 12, 7, 9, 0), "2026-W50", None),  # done this week
        (local(2026, 12, 7, 9, 0), "2026-W49", "2026-W50"),  # last week's does not count
        (local(2026, 12, 9, 14, 0), None, "2026-W50"),  # down on Monday: Wednesday, same week
        (local(2026, 12, 13, 23, 59), "2026-W49", "2026-W50"),  # Sunday night still
        (local(2026, 12, 6, 23, 59), "2026-W48", "2026-W49"),  # the Sunday before: its own week
    ],
)
def test_a_weekly_reminder_is_due_from_the_day_and_hour_once_a_week(
    moment: datetime, reminded: str | None, due: str | None
) -> None:
    """Due from Monday 09:00 until the week ends, once."""
    assert weekly_reminder_due(moment, MONDAY, NINE, reminded) == due


@pytest.mark.parametrize(
    ("moment", "due"),
    [
        (local(2026, 12, 9, 16, 59), None),  # Wednesday 16:59
        (local(2026, 12, 9, 17, 0), "2026-W50"),
        (local(2026, 12, 10, 8, 0), "2026-W50"),  # Thursday morning: after Wednesday 17:00
        (local(2026, 12, 7, 23, 0), None),  # Monday night: before Wednesday
    ],
)
def test_the_day_and_the_time_are_compared_together(moment: datetime, due: str | None) -> None:
    """A Wednesday 17:00 reminder: day and time as one moment in the week."""
    assert weekly_reminder_due(moment, 3, time(17, 0), None) == due
