"""The morning summary's rules: which local day it is due for, and since when it reports.

- ``summary_due``: the local day whose summary is due now (None: not yet, not a working
  day, or sent already). It is due on a day with planner hours (never on a weekend or a
  Danish public holiday, as ``state.duty`` reads them) from the summary's time (the start of
  that day's hours unless a time of day is set) until the day ends, once: a bot down at
  07:00 sends it when it is back the same day.
- ``quiet_since``: when the planners last went home before that day's hours (what came in
  since then is "overnight"); 24 hours before the day's hours if they did not work in the
  month before (a unit whose hours were "none").

Moments in and out are aware UTC datetimes; times of day are local, in the zone passed in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from state.duty import PlannerHours, Span, planner_spans

LOOKBACK: Final = timedelta(days=31)
"""How far back the planners' last day is looked for (the longest holiday stretch is a week)."""

FIRST_NIGHT: Final = timedelta(hours=24)
"""What a summary covers when the planners did not work within ``LOOKBACK``."""


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC)


def hours_of_day(hours: PlannerHours, day: date, zone: ZoneInfo) -> Span | None:
    """A local day's planner hours (UTC), or None on a day off or a public holiday."""
    spans = planner_spans(
        hours, _midnight(day, zone), _midnight(day + timedelta(days=1), zone), zone
    )
    return spans[0] if spans else None


def summary_due(
    hours: PlannerHours,
    now_utc: datetime,
    zone: ZoneInfo,
    at: time | None,
    sent_on: date | None,
) -> date | None:
    """The local day whose summary is due now (``at`` None: when the day's hours start)."""
    day = now_utc.astimezone(zone).date()
    if sent_on is not None and sent_on >= day:
        return None
    window = hours_of_day(hours, day, zone)
    if window is None:
        return None
    start = window.start if at is None else datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    return day if now_utc >= start else None


def quiet_since(hours: PlannerHours, day: date, zone: ZoneInfo) -> datetime:
    """When the planners went home before a local day's hours (UTC)."""
    window = hours_of_day(hours, day, zone)
    start = window.start if window is not None else _midnight(day, zone)
    before = planner_spans(hours, start - LOOKBACK, start, zone)
    return before[-1].end if before else start - FIRST_NIGHT
