"""Working days (Monday to Friday minus Danish public holidays) and the lock partner's order
reminder after five of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from state.workdays import (
    ORDER_WORKING_DAYS,
    is_working_day,
    order_reminder_due,
    working_days_between,
)

WORKING_DAYS: list[tuple[date, bool]] = [
    (date(2026, 3, 27), True),  # Friday
    (date(2026, 3, 28), False),  # Saturday
    (date(2026, 3, 29), False),  # Sunday
    (date(2026, 3, 30), True),  # Monday
    (date(2026, 4, 1), True),  # Wednesday before Easter
    (date(2026, 4, 2), False),  # Maundy Thursday
    (date(2026, 4, 3), False),  # Good Friday
    (date(2026, 4, 4), False),  # Saturday
    (date(2026, 4, 5), False),  # Easter Sunday
    (date(2026, 4, 6), False),  # Easter Monday
    (date(2026, 4, 7), True),  # Tuesday after Easter
    (date(2026, 5, 1), True),  # Friday: Great Prayer Day, abolished from 2024
    (date(2026, 5, 13), True),  # Wednesday
    (date(2026, 5, 14), False),  # Ascension Day
    (date(2026, 5, 15), True),  # Friday after Ascension
    (date(2026, 5, 24), False),  # Whit Sunday
    (date(2026, 5, 25), False),  # Whit Monday
    (date(2026, 5, 26), True),  # Tuesday
    (date(2026, 12, 25), False),  # Christmas Day, a Friday
    (date(2026, 12, 26), False),  # Second Day of Christmas, a Saturday
    (date(2026, 12, 28), True),  # Monday
    (date(2027, 1, 1), False),  # New Year's Day, a Friday
    (date(2027, 1, 2), False),  # Saturday
    (date(2027, 1, 4), True),  # Monday
    (date(2026, 1, 1), False),  # New Year's Day, a Thursday
    (date(2026, 1, 2), True),  # Friday
]


@pytest.mark.parametrize(("day", "working"), WORKING_DAYS)
def test_is_working_day(day: date, working: bool) -> None:
    """Weekends and Danish public holidays are not working days; other weekdays are."""
    assert is_working_day(day) is working


def test_a_year_of_working_days() -> None:
    """2026 has 261 weekdays, 7 of them public holidays: 254 working days."""
    assert working_days_between(date(2025, 12, 31), date(2026, 12, 31)) == 254


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        (date(2026, 3, 31), date(2026, 3, 31), 0),  # the same day
        (date(2026, 3, 31), date(2026, 3, 30), 0),  # the end before the start
        (date(2026, 3, 31), date(2026, 4, 1), 1),
        (date(2026, 3, 31), date(2026, 4, 6), 1),  # across Easter, to Easter Monday
        (date(2026, 3, 31), date(2026, 4, 7), 2),
        (date(2026, 3, 31), date(2026, 4, 10), 5),
        (date(2026, 4, 1), date(2026, 4, 7), 1),  # the start itself does not count
        (date(2026, 4, 2), date(2026, 4, 6), 0),  # Easter alone
        (date(2026, 3, 27), date(2026, 3, 29), 0),  # a weekend
        (date(2026, 3, 27), date(2026, 3, 30), 1),  # over the weekend
        (date(2026, 12, 29), date(2027, 1, 4), 3),  # across the new year
        (date(2026, 12, 31), date(2027, 1, 4), 1),  # New Year's Day and a weekend skipped
        (date(2026, 12, 25), date(2027, 1, 4), 5),  # Christmas to after the new year
    ],
)
def test_working_days_between(start: date, end: date, count: int) -> None:
    """Counts the working days after start, up to and including end."""
    assert working_days_between(start, end) == count


def test_the_reminder_comes_after_five_working_days() -> None:
    """A lock partner has five working days to confirm an order."""
    assert ORDER_WORKING_DAYS == 5


@pytest.mark.parametrize(
    ("ordered", "today", "due"),
    [
        (date(2026, 3, 2), date(2026, 3, 2), False),  # the day of the order
        (date(2026, 3, 2), date(2026, 3, 6), False),  # Monday to Friday: 4 working days
        (date(2026, 3, 2), date(2026, 3, 9), True),  # to the next Monday: exactly 5
        (date(2026, 3, 2), date(2026, 3, 20), True),  # long overdue
        (date(2026, 3, 31), date(2026, 4, 7), False),  # Easter: 2 working days
        (date(2026, 3, 31), date(2026, 4, 8), False),  # 3
        (date(2026, 3, 31), date(2026, 4, 9), False),  # 4
        (date(2026, 3, 31), date(2026, 4, 10), True),  # exactly 5, only on Friday 10 April
        (date(2026, 5, 12), date(2026, 5, 19), False),  # Ascension: 4 working days
        (date(2026, 5, 12), date(2026, 5, 20), True),  # exactly 5
        (date(2026, 12, 29), date(2027, 1, 5), False),  # across the new year: 4
        (date(2026, 12, 29), date(2027, 1, 6), True),  # exactly 5
    ],
)
def test_order_reminder_due(ordered: date, today: date, due: bool) -> None:
    """An order unconfirmed for five working days is due for a reminder, not before."""
    assert order_reminder_due(ordered, today) is due


def test_an_order_before_easter_is_due_only_on_the_fifth_working_day() -> None:
    """Ordered Tuesday 31 March 2026, the first due day is Friday 10 April."""
    ordered = date(2026, 3, 31)
    days = [ordered + timedelta(days=n) for n in range(1, 15)]
    assert next(day for day in days if order_reminder_due(ordered, day)) == date(2026, 4, 10)


@pytest.mark.parametrize(
    ("days", "today", "due"),
    [
        (1, date(2026, 4, 6), False),  # only Easter holidays since the Wednesday
        (1, date(2026, 4, 7), True),
        (2, date(2026, 4, 7), False),
        (2, date(2026, 4, 8), True),
    ],
)
def test_order_reminder_due_takes_other_day_counts(days: int, today: date, due: bool) -> None:
    """The number of working days can be given; the count is the same."""
    assert order_reminder_due(date(2026, 4, 1), today, days) is due
