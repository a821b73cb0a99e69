"""Employees, keyed by SmartCare user-id, and the Telegram account bound to each."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_db
from bot.storage.session import Session
from state.roles import Role


@dataclass(frozen=True)
class Employee:
    """One member of staff."""

    user_id: str
    name: str
    role: Role
    unit: str
    language: str
    active: bool
    telegram_id: int | None
    menu_role: Role | None = None
    key_person: bool = False
    """Appointed key person of their unit by its leader, on top of their role."""
    firm_id: int | None = None
    """A lock partner's firm (they belong to no unit)."""

    @property
    def acts_as(self) -> Role:
        """The role whose invite rights and menu the employee has: a key person's, if
        appointed (a leader keeps a leader's, which hold a key person's)."""
        if self.key_person and self.role is not Role.LEADER:
            return Role.KEY_PERSON
        return self.role

    @property
    def roles(self) -> frozenset[Role]:
        """What the employee acts as: their role, and key person if appointed."""
        return (
            frozenset({self.role, Role.KEY_PERSON}) if self.key_person else frozenset({self.role})
        )

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Employee:
        """Build from an employees row."""
        return cls(
            user_id=row["user_id"],
            name=row["name"],
            role=Role(row["role"]),
            unit=row["unit"],
            language=row["language"],
            active=bool(row["active"]),
            telegram_id=row["telegram_id"],
            menu_role=Role(row["menu_role"]) if row["menu_role"] else None,
            key_person=bool(row["key_person"]),
            firm_id=row["firm_id"],
        )


@dataclass(frozen=True)
class StaffRow:
    """An employee as given by an invite or a staff import."""

    user_id: str
    name: str
    role: Role
    unit: str
    firm_id: int | None = None
    """A lock partner's firm (their unit is then empty)."""


class Employees:
    """The employees table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def get(self, user_id: str) -> Employee | None:
        """Return an employee by user-id."""
        row = await self.s.fetchone("SELECT * FROM employees WHERE user_id = ?", (user_id,))
        return Employee.from_row(row) if row else None

    async def by_telegram_id(self, telegram_id: int) -> Employee | None:
        """Return the employee bound to a Telegram account, if any."""
        row = await self.s.fetchone("SELECT * FROM employees WHERE telegram_id = ?", (telegram_id,))
        return Employee.from_row(row) if row else None

    async def upsert(
        self, staff: StaffRow, now: datetime, language: str
    ) -> tuple[Employee | None, Employee]:
        """Create or update an employee; return (before, after). Never reactivates anyone."""
        before = await self.get(staff.user_id)
        stamp = to_db(now)
        # "Key person" is an appointment on top of a role: a row that names it appoints a
        # caregiver; any other row leaves an appointment as it is (only a leader removes one).
        appointed = staff.role is Role.KEY_PERSON
        role = Role.CAREGIVER if appointed else staff.role
        await self.s.execute(
            "INSERT INTO employees (user_id, name, role, unit, language, active, key_person,"
            " firm_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, role = excluded.role,"
            " unit = excluded.unit, firm_id = excluded.firm_id,"
            " key_person = CASE WHEN unit = excluded.unit"
            " THEN MAX(key_person, excluded.key_person) ELSE excluded.key_person END,"
            " updated_at = excluded.updated_at",
            (
                staff.user_id,
                staff.name,
                role.value,
                staff.unit,
                language,
                int(appointed),
                staff.firm_id,
                stamp,
                stamp,
            ),
        )
        after = await self.get(staff.user_id)
        assert after is not None
        return before, after

    async def bind(self, user_id: str, telegram_id: int, now: datetime) -> None:
        """Bind a Telegram account to a user-id (the previous account, if any, loses it)."""
        await self.s.execute(
            "UPDATE employees SET telegram_id = ?, bound_at = ?, updated_at = ? WHERE user_id = ?",
            (telegram_id, to_db(now), to_db(now), user_id),
        )

    async def set_language(self, user_id: str, language: str, now: datetime) -> None:
        """Store an employee's chosen language."""
        await self.s.execute(
            "UPDATE employees SET language = ?, updated_at = ? WHERE user_id = ?",
            (language, to_db(now), user_id),
        )

    async def active_in_unit(self, unit: str) -> list[Employee]:
        """Return a unit's active employees, whether or not they have joined with a phone."""
        rows = await self.s.fetchall(
            "SELECT * FROM employees WHERE unit = ? AND active = 1 ORDER BY user_id", (unit,)
        )
        return [Employee.from_row(r) for r in rows]

    async def key_persons(self, unit: str) -> list[Employee]:
        """Return the unit's active key persons, bound or not (appointed, or of the role)."""
        rows = await self.s.fetchall(
            "SELECT * FROM employees WHERE unit = ? AND active = 1"
            " AND (key_person = 1 OR role = ?) ORDER BY user_id",
            (unit, Role.KEY_PERSON.value),
        )
        return [Employee.from_row(r) for r in rows]

    async def appoint_key_person(self, user_id: str, appointed: bool, now: datetime) -> None:
        """Appoint an employee key person of their unit, or remove the appointment."""
        await self.s.execute(
            "UPDATE employees SET key_person = ?, updated_at = ? WHERE user_id = ?",
            (int(appointed), to_db(now), user_id),
        )

    async def set_menu_role(self, user_id: str, role: Role) -> None:
        """Remember the role the employee's commands and buttons were drawn for."""
        await self.s.execute(
            "UPDATE employees SET menu_role = ? WHERE user_id = ?", (role.value, user_id)
        )

    async def deactivate(self, user_id: str, now: datetime) -> None:
        """Close an employee's access: inactive from now, no phone bound any longer, and no
        key person's appointment (one who comes back is appointed again by the leader)."""
        stamp = to_db(now)
        await self.s.execute(
            "UPDATE employees SET active = 0, telegram_id = NULL, key_person = 0,"
            " deactivated_at = ?, updated_at = ? WHERE user_id = ?",
            (stamp, stamp, user_id),
        )

    async def reactivate(self, user_id: str, now: datetime) -> None:
        """Open an employee's access again; the old phone stays unbound (a new invite binds)."""
        await self.s.execute(
            "UPDATE employees SET active = 1, telegram_id = NULL, deactivated_at = NULL,"
            " updated_at = ? WHERE user_id = ?",
            (to_db(now), user_id),
        )

    async def of_role(self, role: Role, firm_id: int | None = None) -> list[Employee]:
        """Return the active, bound employees of a role across the municipality (of one lock
        partner firm, if given): visitation, or a firm's lock partners."""
        rows = await self.s.fetchall(
            "SELECT * FROM employees WHERE role = ? AND active = 1 AND telegram_id IS NOT NULL"
            " AND (? IS NULL OR firm_id = ?) ORDER BY user_id",
            (role.value, firm_id, firm_id),
        )
        return [Employee.from_row(r) for r in rows]

    async def in_unit(self, unit: str, roles: frozenset[Role]) -> list[Employee]:
        """Return the active, bound employees of a unit who hold one of the roles."""
        if not roles:
            return []
        marks = ",".join("?" for _ in roles)
        appointed = int(Role.KEY_PERSON in roles)  # key persons by appointment, too
        rows = await self.s.fetchall(
            f"SELECT * FROM employees WHERE unit = ? AND (role IN ({marks})"  # noqa: S608
            " OR (key_person = 1 AND ? = 1))"
            " AND active = 1 AND telegram_id IS NOT NULL ORDER BY user_id",
            (unit, *sorted(r.value for r in roles), appointed),
        )
        return [Employee.from_row(r) for r in rows]
