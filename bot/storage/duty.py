"""Who is on duty, as stored: each unit's planner hours, the on-call appointments, and the
day each unit's morning summary last went out."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.clock import to_db
from bot.storage.session import Session
from state.duty import (
    DEFAULT_PLANNER_HOURS,
    DateRangeOnCall,
    InvalidHours,
    OnCallRule,
    PlannerHours,
    TimeWindow,
    Weekday,
    WeekdayOnCall,
    format_planner_hours,
    parse_planner_hours,
)
from state.units import unit_key


@dataclass(frozen=True)
class OnCall:
    """One on-call appointment: who, in which unit, by which rule."""

    id: int
    unit: str
    user_id: str
    rule: OnCallRule

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> OnCall:
        """Build from an on_call row."""
        window = _window(row["time_window"])
        rule: OnCallRule
        if row["first_day"]:
            first = date.fromisoformat(row["first_day"])
            last = date.fromisoformat(row["last_day"] or row["first_day"])
            rule = DateRangeOnCall(first, last, window)
        else:
            days = frozenset(Weekday(int(n)) for n in str(row["weekdays"]).split(",") if n)
            rule = WeekdayOnCall(days, window)
        return cls(row["id"], row["unit"], row["user_id"], rule)


def _window(text: str) -> TimeWindow | None:
    if not text:
        return None
    start, end = text.split("-")
    return TimeWindow(_time(start), _time(end))


def _time(text: str) -> time:
    return time.fromisoformat(text)


def _window_text(window: TimeWindow | None) -> str:
    if window is None:
        return ""
    return f"{window.start:%H:%M}-{window.end:%H:%M}"


@dataclass(frozen=True)
class DutyView:
    """A unit's planner hours and its on-call appointments, with names."""

    unit: str
    hours: PlannerHours
    on_call: list[tuple[OnCall, str]]


class Duty:
    """Planner hours (on the units table), on-call appointments, morning summaries."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def hours(self, unit: str) -> PlannerHours:
        """A unit's planner hours (the default until a leader sets them)."""
        row = await self.s.fetchone(
            "SELECT planner_hours FROM units WHERE key = ?", (unit_key(unit),)
        )
        if row is None or not row["planner_hours"]:
            return DEFAULT_PLANNER_HOURS
        try:
            return parse_planner_hours(row["planner_hours"])
        except InvalidHours:
            return DEFAULT_PLANNER_HOURS  # written by newer code: the default is safe

    async def set_hours(self, unit: str, hours: PlannerHours) -> bool:
        """Store a unit's planner hours (False: the bot does not know the unit)."""
        changed = await self.s.change(
            "UPDATE units SET planner_hours = ? WHERE key = ?",
            (format_planner_hours(hours), unit_key(unit)),
        )
        return changed == 1

    async def on_call(self, unit: str) -> list[OnCall]:
        """The unit's on-call appointments in force, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM on_call WHERE unit = ? AND ended_at IS NULL ORDER BY id", (unit,)
        )
        return [OnCall.from_row(r) for r in rows]

    async def get_on_call(self, on_call_id: int) -> OnCall | None:
        """One on-call appointment in force, by id."""
        row = await self.s.fetchone(
            "SELECT * FROM on_call WHERE id = ? AND ended_at IS NULL", (on_call_id,)
        )
        return OnCall.from_row(row) if row else None

    async def appoint(
        self, unit: str, user_id: str, rule: OnCallRule, by: str, now: datetime
    ) -> int:
        """Store an on-call appointment; return its id."""
        first: str | None
        last: str | None
        if isinstance(rule, DateRangeOnCall):
            weekdays, first, last = "", rule.first.isoformat(), rule.last.isoformat()
        else:
            weekdays = ",".join(str(int(day)) for day in sorted(rule.weekdays))
            first = last = None
        return await self.s.insert(
            "INSERT INTO on_call (unit, user_id, weekdays, first_day, last_day, time_window,"
            " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (unit, user_id, weekdays, first, last, _window_text(rule.window), by, to_db(now)),
        )

    async def end(self, on_call_id: int, by: str, now: datetime) -> bool:
        """End an appointment (False: ended already)."""
        changed = await self.s.change(
            "UPDATE on_call SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL",
            (to_db(now), by, on_call_id),
        )
        return changed == 1

    async def end_for(self, user_id: str, by: str, now: datetime) -> None:
        """End every appointment of an employee (a leaver, or one who moved unit)."""
        await self.s.execute(
            "UPDATE on_call SET ended_at = ?, ended_by = ? WHERE user_id = ? AND ended_at IS NULL",
            (to_db(now), by, user_id),
        )

    async def summary_sent_on(self, unit: str) -> date | None:
        """The local day the unit's morning summary last went out."""
        row = await self.s.fetchone(
            "SELECT last_day FROM morning_summaries WHERE unit = ?", (unit,)
        )
        return date.fromisoformat(row["last_day"]) if row else None

    async def mark_summary_sent(self, unit: str, day: date) -> None:
        """Remember that the unit's summary for a local day went out."""
        await self.s.execute(
            "INSERT INTO morning_summaries (unit, last_day) VALUES (?, ?)"
            " ON CONFLICT (unit) DO UPDATE SET last_day = excluded.last_day",
            (unit, day.isoformat()),
        )
