"""Leavers' Bekey tasks: "close <user-id> in Bekey", one per deactivation, open until a
planner marks it done (the seed: the planner tells Bekey), reminded every day meanwhile;
and the tickets a leaver had taken, to be released."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.employees import Employee
from bot.storage.session import Session
from state.smartkey import Smartkey
from state.ticket import TicketStatus

_TAKEN = (TicketStatus.TAKEN.value, TicketStatus.CONTACTED.value)


@dataclass(frozen=True)
class LeaverTask:
    """One task: close a leaver in Bekey (and get their Smartkey back)."""

    id: int
    user_id: str
    unit: str
    created_by: str
    created_at: datetime
    reminded_at: datetime | None
    done_at: datetime | None
    done_by: str | None
    bekey_closed_at: datetime | None = None
    """When a planner said the leaver is closed in Bekey, while a Smartkey was still out."""
    bekey_closed_by: str | None = None

    @property
    def open(self) -> bool:
        """Whether the task still waits for a planner."""
        return self.done_at is None

    @property
    def last_told(self) -> datetime:
        """When the planners were last told of the task (the push, or the last reminder)."""
        return self.reminded_at or self.created_at

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> LeaverTask:
        """Build from a leaver_tasks row."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            unit=row["unit"],
            created_by=row["created_by"],
            created_at=from_db(row["created_at"]),
            reminded_at=from_db(row["reminded_at"]) if row["reminded_at"] else None,
            done_at=from_db(row["done_at"]) if row["done_at"] else None,
            done_by=row["done_by"],
            bekey_closed_at=from_db(row["bekey_closed_at"]) if row["bekey_closed_at"] else None,
            bekey_closed_by=row["bekey_closed_by"],
        )


@dataclass(frozen=True)
class LeaverTaskView:
    """A task as its pushes and list show it: the leaver (None if unknown), who made and who
    closed it (names, or the command line's actor), and the Smartkeys the leaver still holds."""

    task: LeaverTask
    leaver: Employee | None
    created_by: str
    keys: list[Smartkey]
    done_by: str | None = None

    @property
    def name(self) -> str:
        """The leaver's name (their user-id if the employee is unknown)."""
        return self.leaver.name if self.leaver else self.task.user_id

    @property
    def labels(self) -> list[str]:
        """The labels of the keys the leaver still holds."""
        return [key.label for key in self.keys]


class Leavers:
    """The leaver_tasks table, and the tickets a leaver had taken."""

    def __init__(self, session: Session) -> None:
        """Bind the repository to a transaction's session."""
        self.s = session

    async def create(self, user_id: str, unit: str, created_by: str, now: datetime) -> LeaverTask:
        """Store a new open task for a leaver of a unit."""
        task_id = await self.s.insert(
            "INSERT INTO leaver_tasks (user_id, unit, created_by, created_at) VALUES (?, ?, ?, ?)",
            (user_id, unit, created_by, to_db(now)),
        )
        task = await self.get(task_id)
        assert task is not None
        return task

    async def get(self, task_id: int) -> LeaverTask | None:
        """Return a task by id."""
        row = await self.s.fetchone("SELECT * FROM leaver_tasks WHERE id = ?", (task_id,))
        return LeaverTask.from_row(row) if row else None

    async def about(self, user_id: str) -> list[LeaverTask]:
        """Return every task about one employee, oldest first (subject access)."""
        rows = await self.s.fetchall(
            "SELECT * FROM leaver_tasks WHERE user_id = ? ORDER BY id", (user_id,)
        )
        return [LeaverTask.from_row(r) for r in rows]

    async def mark_bekey_closed(self, task_id: int, by: str, now: datetime) -> bool:
        """Record that the leaver is closed in Bekey (the task stays open for a Smartkey still
        out); False if it was recorded already."""
        changed = await self.s.change(
            "UPDATE leaver_tasks SET bekey_closed_at = ?, bekey_closed_by = ?"
            " WHERE id = ? AND bekey_closed_at IS NULL AND done_at IS NULL",
            (to_db(now), by, task_id),
        )
        return changed == 1

    async def open_for(self, user_id: str) -> LeaverTask | None:
        """Return the leaver's open task, if any (there is at most one)."""
        row = await self.s.fetchone(
            "SELECT * FROM leaver_tasks WHERE user_id = ? AND done_at IS NULL"
            " ORDER BY id DESC LIMIT 1",
            (user_id,),
        )
        return LeaverTask.from_row(row) if row else None

    async def open_in_unit(self, unit: str) -> list[LeaverTask]:
        """Return a unit's open tasks, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM leaver_tasks WHERE done_at IS NULL AND unit = ? ORDER BY id", (unit,)
        )
        return [LeaverTask.from_row(r) for r in rows]

    async def due_reminders(self, told_before: datetime) -> list[int]:
        """Return the ids of open tasks whose planners were last told before a moment."""
        rows = await self.s.fetchall(
            "SELECT id FROM leaver_tasks WHERE done_at IS NULL"
            " AND COALESCE(reminded_at, created_at) <= ? ORDER BY id",
            (to_db(told_before),),
        )
        return [int(r["id"]) for r in rows]

    async def mark_reminded(self, task_id: int, now: datetime) -> None:
        """Remember that the planners were reminded of an open task now."""
        await self.s.execute(
            "UPDATE leaver_tasks SET reminded_at = ? WHERE id = ? AND done_at IS NULL",
            (to_db(now), task_id),
        )

    async def close(self, task_id: int, by: str, now: datetime) -> bool:
        """Mark an open task done; False if it was done already (a double tap, a colleague)."""
        changed = await self.s.change(
            "UPDATE leaver_tasks SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL",
            (to_db(now), by, task_id),
        )
        return changed == 1

    async def tickets_taken_by(self, user_id: str) -> list[int]:
        """Return the ids of the open tickets an employee has taken (taken or contacted)."""
        rows = await self.s.fetchall(
            "SELECT id FROM tickets WHERE taken_by = ? AND state IN (?, ?) ORDER BY id",
            (user_id, *_TAKEN),
        )
        return [int(r["id"]) for r in rows]
