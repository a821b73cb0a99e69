"""The inbox: every update stored before Telegram is told it arrived, and marked handled once.

An update is handled in one transaction (a unit of work): it opens with the update's first
write, every later transaction of the handling is a savepoint inside it, and it commits with
the update's mark when the handling ends (``Database.finish``). The mark, the effects and
the answers stand or fall together. While an update is being handled, ``HANDLING`` holds it;
``Database.transaction`` reads it.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_db
from bot.storage.session import Session


@dataclass
class Handling:
    """The update whose handling runs in this task, its open transaction, and its mark."""

    update_id: int
    marked: bool = False
    session: Session | None = None
    """The update's transaction, open from its first write until its handling ends."""
    depth: int = 0
    """How many savepoints are open inside it."""
    replaces_express: bool = False
    """Whether a stored answer takes the place of the update's instant (express) answer."""


HANDLING: ContextVar[Handling | None] = ContextVar("handling", default=None)
"""The update being handled in this task, if any."""


@dataclass(frozen=True)
class StoredUpdate:
    """An update as the inbox holds it (its text left out when it looked like a CPR number)."""

    update_id: int
    payload: str
    cpr: bool


class Inbox:
    """The inbox table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def store(
        self, update_id: int, person: int, payload: str, cpr: bool, now: datetime
    ) -> bool:
        """Store an update; False if it was stored before (Telegram delivered it again)."""
        changed = await self.s.change(
            "INSERT OR IGNORE INTO inbox (update_id, person, payload, cpr, received_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (update_id, person, payload, int(cpr), to_db(now)),
        )
        return changed == 1

    async def unhandled(self) -> list[StoredUpdate]:
        """The updates not yet handled, in the order they arrived."""
        rows = await self.s.fetchall(
            "SELECT update_id, payload, cpr FROM inbox WHERE handled_at IS NULL"
            " ORDER BY received_at, update_id"
        )
        return [StoredUpdate(r["update_id"], r["payload"], bool(r["cpr"])) for r in rows]

    async def mark_handled(self, update_id: int, now: datetime) -> None:
        """Record that an update has been handled (the first time only)."""
        await self.s.execute(
            "UPDATE inbox SET handled_at = ? WHERE update_id = ? AND handled_at IS NULL",
            (to_db(now), update_id),
        )

    async def is_handled(self, update_id: int) -> bool:
        """Whether an update has been handled."""
        return bool(
            await self.s.count(
                "SELECT COUNT(*) AS n FROM inbox WHERE update_id = ? AND handled_at IS NOT NULL",
                (update_id,),
            )
        )

    async def next_offset(self) -> int | None:
        """The offset that confirms every stored update to Telegram (None: nothing stored)."""
        row = await self.s.fetchone("SELECT MAX(update_id) AS n FROM inbox")
        return int(row["n"]) + 1 if row and row["n"] is not None else None

    async def forget_handled_before(self, moment: datetime) -> int:
        """Drop handled updates older than a moment; return how many."""
        return await self.s.change(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND handled_at < ?", (to_db(moment),)
        )
