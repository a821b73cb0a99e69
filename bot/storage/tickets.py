"""Tickets and their time-stamped event trail."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.session import Session, StaleVersion
from state.routing import SupportParty
from state.ticket import OPEN_STATES, Ticket, TicketStatus
from state.triage import TriageCategory


@dataclass
class StoredTicket:
    """A ticket model as stored, with what the report said."""

    model: Ticket
    reporter: str
    unit: str
    citizen_id: int | None
    citizen_text: str | None
    answers: dict[str, str]
    description: str | None
    escalation_level: int
    created_at: datetime
    updated_at: datetime
    citizen_search: str | None = None  # typed for the citizen, not yet confirmed

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredTicket:
        """Build from a tickets row."""
        model = Ticket(
            id=row["id"],
            number=row["number"],
            state=row["state"],
            category=TriageCategory(row["category"]),
            taken_by=row["taken_by"],
            contacted=SupportParty(row["contacted"]) if row["contacted"] else None,
            version=row["version"],
        )
        return cls(
            model=model,
            reporter=row["reporter"],
            unit=row["unit"],
            citizen_id=row["citizen_id"],
            citizen_text=row["citizen_text"],
            answers=json.loads(row["answers"]),
            description=row["description"],
            escalation_level=row["escalation_level"],
            created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
            citizen_search=row["citizen_search"],
        )

    @property
    def id(self) -> int:
        """The ticket's row id."""
        assert self.model.id is not None
        return self.model.id


@dataclass(frozen=True)
class NewTicket:
    """What a report carries when it becomes a ticket."""

    reporter: str
    unit: str
    category: TriageCategory
    citizen_id: int | None
    answers: dict[str, str]
    description: str | None
    triage_id: int | None = None
    citizen_text: str | None = None


@dataclass(frozen=True)
class TicketEvent:
    """One step in a ticket's life."""

    at: datetime
    actor: str
    from_state: str | None
    to_state: str
    detail: str | None


_OPEN = tuple(state.value for state in sorted(OPEN_STATES))
_OPEN_MARKS = ",".join("?" for _ in _OPEN)


class Tickets:
    """The tickets and ticket_events tables."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def create(self, new: NewTicket, now: datetime) -> StoredTicket:
        """Store a new open ticket with the next number, and its first event."""
        number = await self.s.count("SELECT COALESCE(MAX(number), 0) + 1 AS n FROM tickets")
        stamp = to_db(now)
        ticket_id = await self.s.insert(
            "INSERT INTO tickets (number, reporter, unit, citizen_id, citizen_text, category,"
            " answers, description, state, triage_id, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                number,
                new.reporter,
                new.unit,
                new.citizen_id,
                new.citizen_text,
                new.category.value,
                json.dumps(new.answers),
                new.description,
                TicketStatus.OPEN.value,
                new.triage_id,
                stamp,
                stamp,
            ),
        )
        await self.record_event(ticket_id, now, new.reporter, None, TicketStatus.OPEN, new.category)
        stored = await self.get(ticket_id)
        assert stored is not None
        return stored

    async def get(self, ticket_id: int) -> StoredTicket | None:
        """Return a ticket by id."""
        row = await self.s.fetchone("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        return StoredTicket.from_row(row) if row else None

    async def save(self, stored: StoredTicket, expected_version: int, now: datetime) -> None:
        """Write the ticket back; StaleVersion if its stored version is not the one expected."""
        model = stored.model
        changed = await self.s.change(
            "UPDATE tickets SET state = ?, taken_by = ?, contacted = ?, version = ?,"
            " citizen_id = ?, citizen_text = ?, citizen_search = ?, escalation_level = ?,"
            " updated_at = ? WHERE id = ? AND version = ?",
            (
                model.state,
                model.taken_by,
                model.contacted.value if model.contacted else None,
                model.version,
                stored.citizen_id,
                stored.citizen_text,
                stored.citizen_search,
                stored.escalation_level,
                to_db(now),
                model.id,
                expected_version,
            ),
        )
        if changed != 1:
            raise StaleVersion(f"ticket {model.id}")
        stored.updated_at = now

    async def record_event(
        self,
        ticket_id: int,
        now: datetime,
        actor: str,
        from_state: str | None,
        to_state: str,
        detail: str | None = None,
    ) -> None:
        """Append a time-stamped step to the ticket's trail."""
        await self.s.execute(
            "INSERT INTO ticket_events (ticket_id, at, actor, from_state, to_state, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (ticket_id, to_db(now), actor, from_state, to_state, detail),
        )

    async def events(self, ticket_id: int) -> list[TicketEvent]:
        """Return a ticket's trail, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM ticket_events WHERE ticket_id = ? ORDER BY id", (ticket_id,)
        )
        return [
            TicketEvent(from_db(r["at"]), r["actor"], r["from_state"], r["to_state"], r["detail"])
            for r in rows
        ]

    async def open_in_unit(self, unit: str) -> list[StoredTicket]:
        """Return the open tickets of a unit, oldest first."""
        rows = await self.s.fetchall(
            f"SELECT * FROM tickets WHERE unit = ? AND state IN ({_OPEN_MARKS})"  # noqa: S608
            " ORDER BY created_at, id",
            (unit, *_OPEN),
        )
        return [StoredTicket.from_row(r) for r in rows]

    async def open_reported_by(self, user_id: str) -> list[StoredTicket]:
        """Return the open tickets an employee reported, oldest first."""
        rows = await self.s.fetchall(
            f"SELECT * FROM tickets WHERE reporter = ? AND state IN ({_OPEN_MARKS})"  # noqa: S608
            " ORDER BY created_at, id",
            (user_id, *_OPEN),
        )
        return [StoredTicket.from_row(r) for r in rows]

    async def created_in_unit_since(self, unit: str, since: datetime) -> list[StoredTicket]:
        """Return a unit's tickets created at or after a moment, open or not, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM tickets WHERE unit = ? AND created_at >= ? ORDER BY created_at, id",
            (unit, to_db(since)),
        )
        return [StoredTicket.from_row(r) for r in rows]

    async def untaken_ids(self) -> list[int]:
        """Return the ids of every ticket still open and untaken (escalation candidates)."""
        rows = await self.s.fetchall(
            "SELECT id FROM tickets WHERE state = ? ORDER BY created_at, id",
            (TicketStatus.OPEN.value,),
        )
        return [int(r["id"]) for r in rows]

    async def recent_emergency(self, user_id: str, since: datetime) -> StoredTicket | None:
        """Return the employee's newest open emergency ticket created since a moment."""
        row = await self.s.fetchone(
            "SELECT * FROM tickets WHERE reporter = ? AND category = ? AND state = ?"
            " AND created_at >= ? ORDER BY id DESC LIMIT 1",
            (user_id, TriageCategory.EMERGENCY.value, TicketStatus.OPEN.value, to_db(since)),
        )
        return StoredTicket.from_row(row) if row else None

    async def count(self) -> int:
        """Return how many tickets exist."""
        return await self.s.count("SELECT COUNT(*) AS n FROM tickets")
