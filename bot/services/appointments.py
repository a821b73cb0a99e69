"""Key persons: an appointment by the unit's leader, on top of the employee's role.

A caregiver or planner appointed key person keeps their role and gets the key person's
rights and menu besides (``Employee.roles``). A unit may have several key persons, or none
(a gap the leader's status shows). Every change is authorised anew and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.render.i18n import t
from bot.services.base import Service
from bot.services.staff import KEY_PERSON_APPOINTED, KEY_PERSON_REMOVED
from bot.storage.employees import Employee
from state.roles import Permission, Role, may


class Appointed(StrEnum):
    """How an appointment (or its removal) ended."""

    DONE = "done"
    ALREADY = "already"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    LEADER = "leader"
    """A leader has a key person's rights already."""


@dataclass(frozen=True)
class Appointment:
    """The outcome, and the employee as they stand after it."""

    outcome: Appointed
    employee: Employee | None = None


class AppointmentService(Service):
    """Appoints and removes key persons."""

    async def key_persons(self, unit: str) -> list[Employee]:
        """Return the unit's active key persons (appointed, or of the role), by name."""
        async with self.db.read() as tx:
            found = await tx.employees.key_persons(unit)
        return sorted(found, key=lambda person: person.name.casefold())

    async def appoint(self, leader: Employee, user_id: str, appointed: bool) -> Appointment:
        """Appoint an employee of the leader's unit key person, or remove the appointment."""
        action = KEY_PERSON_APPOINTED if appointed else KEY_PERSON_REMOVED
        async with self.db.transaction() as tx:
            now = self.clock.now()
            if not (leader.active and may(leader.roles, Permission.APPOINT_KEY_PERSON)):
                await tx.audit.record(now, leader.user_id, action, user_id, "refused")
                return Appointment(Appointed.NOT_ALLOWED)
            employee = await tx.employees.get(user_id)
            if employee is None or not employee.active:
                return Appointment(Appointed.NOT_FOUND)
            if employee.unit != leader.unit:
                await tx.audit.record(now, leader.user_id, action, user_id, "refused")
                return Appointment(Appointed.NOT_ALLOWED, employee)
            if employee.role is Role.LEADER:
                return Appointment(Appointed.LEADER, employee)
            if employee.key_person == appointed:
                return Appointment(Appointed.ALREADY, employee)
            await tx.employees.appoint_key_person(user_id, appointed, now)
            await tx.audit.record(now, leader.user_id, action, user_id)
            after = await tx.employees.get(user_id)
            assert after is not None
            return Appointment(Appointed.DONE, after)

    async def tell_appointee(
        self, employee: Employee, leader: Employee, keyboard: dict[str, object]
    ) -> None:
        """Tell the employee of the change, with their new big buttons; their menu is drawn."""
        if employee.telegram_id is None:
            return
        key = "keyperson.you_appointed" if employee.key_person else "keyperson.you_removed"
        text = t(employee.language, key, unit=employee.unit, leader=leader.name)
        async with self.db.transaction() as tx:
            now = self.clock.now()
            await tx.outbox.enqueue(now, employee.telegram_id, text, reply_markup=keyboard)
            await tx.employees.set_menu_role(employee.user_id, employee.acts_as)
