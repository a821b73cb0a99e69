"""Who is on duty in a unit: its planner hours and its on-call people.

- ``duty_now`` (inside the caller's transaction): whether the planners are at work, who is
  on call now, when the planners are back; new tickets, emergencies, incidents and
  escalation ask it.
- ``DutyService``: a leader sets the unit's planner hours and appoints on-call people (for
  a weekday pattern or a date range); the command line sets hours for any unit.

The rules themselves are pure functions in ``state.duty``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.services.base import Service
from bot.settings import Settings
from bot.storage.database import Tx
from bot.storage.duty import DutyView
from bot.storage.employees import Employee
from state.duty import (
    OnCallRule,
    PlannerHours,
    in_planner_hours,
    next_planner_start,
    on_call_now,
)
from state.roles import Permission, may


@dataclass(frozen=True)
class DutyNow:
    """A unit's duty at one moment."""

    hours: PlannerHours
    in_hours: bool
    on_call: list[Employee]
    """The unit's active, bound employees on call now (none during planner hours)."""
    back_at: datetime | None
    """When the planners are next at work (None: in hours now, or never)."""
    rules: list[OnCallRule]
    """Every on-call rule of the unit (escalation counts the time they cover)."""


async def duty_now(tx: Tx, settings: Settings, unit: str, now: datetime) -> DutyNow:
    """Who is on duty in a unit now."""
    zone = settings.zone
    hours = await tx.duty.hours(unit)
    appointments = await tx.duty.on_call(unit)
    in_hours = in_planner_hours(hours, now, zone)
    on_call: list[Employee] = []
    if not in_hours:
        for user_id in dict.fromkeys(a.user_id for a in appointments):
            rules = [a.rule for a in appointments if a.user_id == user_id]
            if not on_call_now(rules, hours, now, zone):
                continue
            person = await tx.employees.get(user_id)
            if person and person.active and person.telegram_id and person.unit == unit:
                on_call.append(person)
    back_at = None if in_hours else next_planner_start(hours, now, zone)
    return DutyNow(hours, in_hours, on_call, back_at, [a.rule for a in appointments])


class DutyOutcome(StrEnum):
    """How a leader's change to duty ended."""

    DONE = "done"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    """No such employee in the unit (or no such appointment)."""


class DutyService(Service):
    """Planner hours and on-call appointments, set by the unit's leader."""

    async def view(self, unit: str) -> DutyView:
        """A unit's hours and on-call people."""
        async with self.db.read() as tx:
            hours = await tx.duty.hours(unit)
            named = []
            for appointment in await tx.duty.on_call(unit):
                person = await tx.employees.get(appointment.user_id)
                named.append((appointment, person.name if person else appointment.user_id))
            return DutyView(unit, hours, named)

    async def set_hours(self, actor: Employee | str, unit: str, hours: PlannerHours) -> bool:
        """Set a unit's planner hours (a leader their own unit; the CLI any); audited."""
        if isinstance(actor, Employee) and not _leader_of(actor, unit):
            return False
        who = actor.user_id if isinstance(actor, Employee) else actor
        async with self.db.transaction() as tx:
            if not await tx.duty.set_hours(unit, hours):
                return False
            await tx.audit.record(self.clock.now(), who, "planner_hours_set", unit)
            return True

    async def appoint(self, actor: Employee, user_id: str, rule: OnCallRule) -> DutyOutcome:
        """Appoint an active employee of the leader's unit on call by a rule; audited."""
        if not _leader_of(actor, actor.unit):
            return DutyOutcome.NOT_ALLOWED
        async with self.db.transaction() as tx:
            now = self.clock.now()
            person = await tx.employees.get(user_id) or await tx.employees.get(user_id.lower())
            if person is None or not person.active or person.unit != actor.unit:
                return DutyOutcome.NOT_FOUND
            await tx.duty.appoint(actor.unit, person.user_id, rule, actor.user_id, now)
            await tx.audit.record(now, actor.user_id, "on_call_appointed", person.user_id)
            return DutyOutcome.DONE

    async def end(self, actor: Employee, on_call_id: int) -> DutyOutcome:
        """End an on-call appointment of the leader's unit; audited."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            appointment = await tx.duty.get_on_call(on_call_id)
            if appointment is None:
                return DutyOutcome.NOT_FOUND
            if not _leader_of(actor, appointment.unit):
                return DutyOutcome.NOT_ALLOWED
            await tx.duty.end(on_call_id, actor.user_id, now)
            await tx.audit.record(now, actor.user_id, "on_call_ended", appointment.user_id)
            return DutyOutcome.DONE

    def today(self) -> date:
        """Today, local."""
        return self.clock.now().astimezone(self.settings.zone).date()


def _leader_of(actor: Employee, unit: str) -> bool:
    """Whether the actor may set duty for the unit: an active leader of it."""
    return actor.active and may(actor.roles, Permission.SET_DUTY) and actor.unit == unit
