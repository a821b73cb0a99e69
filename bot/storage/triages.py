"""Triages in progress and ended: the model's fields plus where its message is and when it moved."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.session import Session, StaleVersion
from state.triage import FINAL_STATES, Triage, TriageCategory


@dataclass
class StoredTriage:
    """A triage model as stored, with its chat, message and times."""

    model: Triage
    chat_id: int
    message_id: int | None
    search: str | None
    ticket_id: int | None
    started_at: datetime
    updated_at: datetime
    ended: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredTriage:
        """Build from a triages row."""
        model = Triage(
            id=row["id"],
            user_id=row["user_id"],
            state=row["state"],
            citizen_id=row["citizen_id"],
            citizen_text=row["citizen_text"],
            category=TriageCategory(row["category"]) if row["category"] else None,
            answers=json.loads(row["answers"]),
            description=row["description"],
            version=row["version"],
        )
        return cls(
            model=model,
            chat_id=row["chat_id"],
            message_id=row["message_id"],
            search=row["search"],
            ticket_id=row["ticket_id"],
            started_at=from_db(row["started_at"]),
            updated_at=from_db(row["updated_at"]),
            ended=row["ended_at"] is not None,
        )

    @property
    def id(self) -> int:
        """The triage's row id."""
        assert self.model.id is not None
        return self.model.id


class Triages:
    """The triages table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def active_for(self, user_id: str) -> StoredTriage | None:
        """Return the employee's triage in progress, if any."""
        row = await self.s.fetchone(
            "SELECT * FROM triages WHERE user_id = ? AND ended_at IS NULL", (user_id,)
        )
        return StoredTriage.from_row(row) if row else None

    async def start(self, model: Triage, chat_id: int, now: datetime) -> StoredTriage:
        """Store a new triage (the caller made sure none is active)."""
        stamp = to_db(now)
        model.id = await self.s.insert(
            "INSERT INTO triages (user_id, chat_id, state, answers, version, started_at,"
            " updated_at) VALUES (?, ?, ?, '{}', ?, ?, ?)",
            (model.user_id, chat_id, model.state, model.version, stamp, stamp),
        )
        return StoredTriage(model, chat_id, None, None, None, now, now, False)

    async def save(self, stored: StoredTriage, expected_version: int, now: datetime) -> None:
        """Write the triage back; StaleVersion if it moved meanwhile or has ended."""
        model = stored.model
        ended = to_db(now) if model.state in FINAL_STATES else None
        changed = await self.s.change(
            "UPDATE triages SET state = ?, citizen_id = ?, citizen_text = ?, category = ?,"
            " answers = ?,"
            " description = ?, version = ?, search = ?, ticket_id = ?, updated_at = ?,"
            " ended_at = ? WHERE id = ? AND version = ? AND ended_at IS NULL",
            (
                model.state,
                model.citizen_id,
                model.citizen_text,
                model.category.value if model.category else None,
                json.dumps(model.answers),
                model.description,
                model.version,
                stored.search,
                stored.ticket_id,
                to_db(now),
                ended,
                model.id,
                expected_version,
            ),
        )
        if changed != 1:
            raise StaleVersion(f"triage {model.id}")
        stored.updated_at = now
        stored.ended = ended is not None

    async def set_message(self, triage_id: int, message_id: int) -> None:
        """Remember which message shows the triage (its buttons are edited there)."""
        await self.s.execute(
            "UPDATE triages SET message_id = ? WHERE id = ?", (message_id, triage_id)
        )

    async def idle(self, before: datetime) -> list[StoredTriage]:
        """Return triages in progress that have not moved since a moment."""
        rows = await self.s.fetchall(
            "SELECT * FROM triages WHERE ended_at IS NULL AND updated_at < ? ORDER BY id",
            (to_db(before),),
        )
        return [StoredTriage.from_row(r) for r in rows]

    async def outcomes(self) -> dict[str, int]:
        """Count ended triages by how they ended (statistics: solved by the caregiver, ...)."""
        rows = await self.s.fetchall(
            "SELECT state, COUNT(*) AS n FROM triages WHERE ended_at IS NOT NULL GROUP BY state"
        )
        return {r["state"]: int(r["n"]) for r in rows}
