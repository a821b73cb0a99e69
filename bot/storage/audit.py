"""The append-only audit trail: who did what to whom, when, and how it ended. Never text."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_db
from bot.storage.session import Session


@dataclass(frozen=True)
class AuditEntry:
    """One line of the trail."""

    at: str
    actor: str
    action: str
    target: str | None
    outcome: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        """Build from an audit row."""
        return cls(row["at"], row["actor"], row["action"], row["target"], row["outcome"])


class Audit:
    """The audit table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def record(
        self, now: datetime, actor: str, action: str, target: str | None, outcome: str = "ok"
    ) -> None:
        """Append one entry."""
        await self.s.execute(
            "INSERT INTO audit (at, actor, action, target, outcome) VALUES (?, ?, ?, ?, ?)",
            (to_db(now), actor, action, target, outcome),
        )

    async def entries(self, action: str | None = None) -> list[AuditEntry]:
        """Return the trail, oldest first, optionally for one action."""
        if action is None:
            rows = await self.s.fetchall("SELECT * FROM audit ORDER BY id")
        else:
            rows = await self.s.fetchall(
                "SELECT * FROM audit WHERE action = ? ORDER BY id", (action,)
            )
        return [AuditEntry.from_row(r) for r in rows]
