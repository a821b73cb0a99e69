"""Texts and buttons for duty: a unit's planner hours and its on-call people, as the leader
sees and sets them (``/vagt``), and why typed hours or dates were not understood."""

from __future__ import annotations

from datetime import date

from bot.render.callbacks import on_call_data
from bot.render.i18n import t
from bot.render.pages import NAME_MAX, cut
from bot.render.smartkeys import Rows, as_markup
from bot.storage.duty import DutyView
from state.duty import (
    DateRangeOnCall,
    HoursProblem,
    OnCallRule,
    PlannerHours,
    TimeWindow,
    format_planner_hours,
)

__all__ = ["Rows", "as_markup"]


def day_names(language: str) -> list[str]:
    """The short day names of a language, Monday first."""
    return t(language, "duty.days").split(",")


def hours_text(language: str, hours: PlannerHours) -> str:
    """Planner hours as a leader reads (and may type) them: "man-fre 07:00-15:30"."""
    if hours.empty:
        return t(language, "duty.no_hours")
    return format_planner_hours(hours, day_names(language))


def _window(window: TimeWindow | None) -> str:
    return f" {window.start:%H:%M}-{window.end:%H:%M}" if window else ""


def _day(language: str, day: date) -> str:
    return t(language, "duty.date", day=day.day, month=day.month, year=day.year)


def rule_text(language: str, rule: OnCallRule) -> str:
    """An on-call rule as the leader reads it."""
    if isinstance(rule, DateRangeOnCall):
        days = _day(language, rule.first)
        if rule.last != rule.first:
            days += "–" + _day(language, rule.last)
        return t(language, "duty.rule_dates", days=days, window=_window(rule.window))
    names = day_names(language)
    days = ", ".join(names[day - 1] for day in sorted(rule.weekdays, key=int))
    key = "duty.rule_window" if rule.window else "duty.rule_nights"
    return t(language, key, days=days, window=_window(rule.window))


def duty_view(language: str, view: DutyView) -> tuple[str, Rows]:
    """The unit's hours and on-call people, each with a button to end the appointment."""
    lines = [t(language, "duty.head", unit=view.unit, hours=hours_text(language, view.hours))]
    rows: Rows = []
    if not view.on_call:
        lines.append(t(language, "duty.nobody"))
    for appointment, name in view.on_call:
        shown = cut(name, NAME_MAX)
        lines.append(
            t(language, "duty.line", name=shown, rule=rule_text(language, appointment.rule))
        )
        label = t(language, "duty.end_button", name=cut(name, 24))
        rows.append([(label, on_call_data(appointment.id))])
    lines.append("")
    lines.append(t(language, "duty.usage"))
    return "\n".join(lines), rows


def hours_refused(language: str, problem: HoursProblem, part: str) -> str:
    """Why typed hours were not understood, and how to type them."""
    return (
        t(language, f"duty.bad_{problem.value}", part=cut(part, 40))
        + "\n"
        + t(language, "duty.usage")
    )
