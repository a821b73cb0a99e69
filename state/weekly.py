"""Weekly reminders: due once a week, from a weekday and a time of day on (local time).

A bot that was down at the hour reminds when it is back, the same week. The week a unit
was last reminded in is stored (``2026-W49``), so a restart never reminds twice.
"""

from __future__ import annotations

from datetime import datetime, time


def week_label(moment: datetime) -> str:
    """The ISO week a moment falls in (``2026-W49``), in the moment's own time zone."""
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_reminder_due(
    now_local: datetime, weekday: int, at: time, reminded_week: str | None
) -> str | None:
    """The week whose reminder is due now, or None.

    Due from ``weekday`` (ISO: 1 is Monday) at ``at`` local time until the week ends, once per
    week: a bot that was down at the hour reminds when it is back, the same week.
    """
    week = week_label(now_local)
    if reminded_week == week:
        return None
    if (now_local.isoweekday(), now_local.time()) < (weekday, at):
        return None
    return week
