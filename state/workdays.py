"""Working days: weekdays that are not Danish public holidays (``holidays``' calendar).

A lock partner's order not confirmed within ``ORDER_WORKING_DAYS`` working days reminds
visitation. Pure functions over dates; the calendar is the maintained ``holidays`` package.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import Final

import holidays

ORDER_WORKING_DAYS: Final = 5
"""Working days a lock partner has to confirm an order before visitation is reminded."""


@cache
def _danish(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("DK", years=year)


def is_public_holiday(day: date) -> bool:
    """Whether a date is a Danish public holiday."""
    return day in _danish(day.year)


def is_working_day(day: date) -> bool:
    """Whether a day is a working day: Monday to Friday, and not a Danish public holiday."""
    return day.isoweekday() <= 5 and not is_public_holiday(day)


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after ``start`` up to and including ``end`` (0 if none)."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def order_reminder_due(ordered: date, today: date, days: int = ORDER_WORKING_DAYS) -> bool:
    """Whether an order placed on ``ordered`` and still unconfirmed ``today`` is overdue."""
    return working_days_between(ordered, today) >= days
