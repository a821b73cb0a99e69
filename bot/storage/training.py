"""The Bekey training register (``training``, one line per employee; none: a new employee,
untrained) and the week each unit's key persons were last reminded (``training_reminders``)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.employees import Employee
from bot.storage.session import Session
from state.training import TRAINEES, TrainingRecord, TrainingStatus, new_record


@dataclass(frozen=True)
class Trainee:
    """An active employee the register covers, their line, and when they joined."""

    employee: Employee
    record: TrainingRecord
    joined: datetime


def _flag(value: object) -> bool | None:
    """A nullable INTEGER column as yes, no or not recorded."""
    return None if value is None else bool(value)


def _moment(value: object) -> datetime | None:
    """A nullable stored moment."""
    return None if value is None else from_db(str(value))


def _record(user_id: str, row: sqlite3.Row) -> TrainingRecord:
    """A register line from a row joined onto employees (no line: a new employee)."""
    if row["status"] is None:
        return new_record(user_id)
    return TrainingRecord(
        user_id=user_id,
        status=TrainingStatus(row["status"]),
        trained_at=_moment(row["trained_at"]),
        trained_by=row["trained_by"],
        bekey_installed=_flag(row["bekey_installed"]),
        can_update=_flag(row["can_update"]),
        late_told_at=_moment(row["late_told_at"]),
    )


def _db_flag(value: bool | None) -> int | None:
    """Yes, no or not recorded as a nullable INTEGER."""
    return None if value is None else int(value)


_SELECT_TRAINEES = (
    "SELECT e.*, t.status, t.trained_at, t.trained_by, t.bekey_installed, t.can_update,"
    " t.late_told_at FROM employees e LEFT JOIN training t ON t.user_id = e.user_id"
)


class Training:
    """The training and training_reminders tables."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def get(self, user_id: str) -> TrainingRecord:
        """An employee's line (an employee with none is new: untrained)."""
        row = await self.s.fetchone("SELECT * FROM training WHERE user_id = ?", (user_id,))
        return _record(user_id, row) if row else new_record(user_id)

    async def trainee(self, user_id: str) -> Trainee | None:
        """One employee with their line, whatever their state (the caller checks)."""
        row = await self.s.fetchone(f"{_SELECT_TRAINEES} WHERE e.user_id = ?", (user_id,))
        if row is None:
            return None
        return Trainee(Employee.from_row(row), _record(user_id, row), from_db(row["created_at"]))

    async def staff(self, unit: str) -> list[Trainee]:
        """The unit's active staff the register covers, newest first, then by name."""
        marks = ",".join("?" for _ in TRAINEES)
        rows = await self.s.fetchall(
            f"{_SELECT_TRAINEES} WHERE e.unit = ? AND e.active = 1"
            f" AND e.role IN ({marks}) ORDER BY e.created_at DESC, e.name, e.user_id",
            (unit, *sorted(role.value for role in TRAINEES)),
        )
        return [
            Trainee(Employee.from_row(r), _record(r["user_id"], r), from_db(r["created_at"]))
            for r in rows
        ]

    async def save(self, record: TrainingRecord, now: datetime) -> None:
        """Write an employee's line (made if they had none)."""
        await self.s.execute(
            "INSERT INTO training (user_id, status, trained_at, trained_by, bekey_installed,"
            " can_update, late_told_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET status = excluded.status,"
            " trained_at = excluded.trained_at, trained_by = excluded.trained_by,"
            " bekey_installed = excluded.bekey_installed, can_update = excluded.can_update,"
            " late_told_at = excluded.late_told_at, updated_at = excluded.updated_at",
            (
                record.user_id,
                record.status.value,
                to_db(record.trained_at) if record.trained_at else None,
                record.trained_by,
                _db_flag(record.bekey_installed),
                _db_flag(record.can_update),
                to_db(record.late_told_at) if record.late_told_at else None,
                to_db(now),
            ),
        )

    async def units(self) -> list[str]:
        """Every unit the bot knows or has active staff in, by name."""
        rows = await self.s.fetchall(
            "SELECT name FROM units UNION SELECT DISTINCT unit FROM employees WHERE active = 1"
            " ORDER BY 1"
        )
        return [row[0] for row in rows]

    async def reminded_week(self, unit: str) -> str | None:
        """The week the unit's key persons were last reminded (``2026-W49``), if ever."""
        row = await self.s.fetchone(
            "SELECT last_week FROM training_reminders WHERE unit = ?", (unit,)
        )
        return str(row["last_week"]) if row else None

    async def mark_reminded(self, unit: str, week: str) -> None:
        """Remember that the unit's weekly reminder of this week is done."""
        await self.s.execute(
            "INSERT INTO training_reminders (unit, last_week) VALUES (?, ?)"
            " ON CONFLICT (unit) DO UPDATE SET last_week = excluded.last_week",
            (unit, week),
        )
