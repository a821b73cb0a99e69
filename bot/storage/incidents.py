"""Outage incidents, the tickets they hold, the message each recipient has, and broadcasts.

- ``Incidents``: the incidents table; which tickets are an incident's (``tickets.incident_id``)
  and which emergencies' reporters said the mobile network is down (``tickets.no_network``:
  shown, and counted, but not what makes a report part of an incident); the one message
  each recipient of an affected unit has (``incident_messages``: the push, and the unit
  whose view it shows).
- ``Broadcasts``: a short message to all active staff of a unit, drafted then confirmed.
  Its text is kept only until it is sent or dropped (the outbox then holds it).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.employees import Employee
from bot.storage.outbox import PushStatus
from bot.storage.session import Session, StaleVersion
from bot.storage.tickets import StoredTicket
from state.incident import Incident, IncidentKind, IncidentState
from state.ticket import OPEN_STATES
from state.triage import TriageCategory

_OPEN_TICKET = tuple(sorted(state.value for state in OPEN_STATES))
_OPEN_TICKET_MARKS = ",".join("?" for _ in _OPEN_TICKET)
_LIVE_PUSH = (PushStatus.PENDING.value, PushStatus.SENT.value)


@dataclass
class StoredIncident:
    """An incident model as stored, with its times.

    ``quiet_from``: when the quiet spell that leads to "is it over?" began (the last report,
    or the last "not yet"). ``synced_at``: when its messages were last brought up to date;
    ``unsynced``: a report came in since (in a storm, messages are brought up to date at
    most once per edit interval, and by the due work after the last report).
    """

    model: Incident
    escalation_level: int
    opened_at: datetime
    last_report_at: datetime
    quiet_from: datetime
    asked_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    synced_at: datetime | None = None
    unsynced: bool = False

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredIncident:
        """Build from an incidents row."""
        model = Incident(
            id=row["id"],
            kind=IncidentKind(row["kind"]),
            state=row["state"],
            taken_by=row["taken_by"],
            resolved_by=row["resolved_by"],
            version=row["version"],
        )
        return cls(
            model=model,
            escalation_level=row["escalation_level"],
            opened_at=from_db(row["opened_at"]),
            last_report_at=from_db(row["last_report_at"]),
            quiet_from=from_db(row["quiet_from"]),
            asked_at=from_db(row["asked_at"]) if row["asked_at"] else None,
            closed_at=from_db(row["closed_at"]) if row["closed_at"] else None,
            updated_at=from_db(row["updated_at"]),
            synced_at=from_db(row["synced_at"]) if row["synced_at"] else None,
            unsynced=bool(row["unsynced"]),
        )

    @property
    def id(self) -> int:
        """The incident's row id (also its number)."""
        assert self.model.id is not None
        return self.model.id


@dataclass(frozen=True)
class IncidentMessage:
    """One recipient's incident message: the push, its chat, whose unit it shows, a digest of
    what it shows now, and the employee the chat belongs to now (None: nobody)."""

    push_id: int
    chat_id: int
    unit: str
    shown: str | None = None
    holder: Employee | None = None
    delivering: bool = True
    """Still pending or delivered (not given up: a blocked bot, a chat gone)."""


@dataclass(frozen=True)
class WaitingTicket:
    """An incident's open ticket as its unit's message lists it: the citizen, the reporter."""

    ticket: StoredTicket
    citizen_name: str | None
    citizen_address: str | None
    reporter_name: str | None
    no_network: bool = False


@dataclass(frozen=True)
class UnitCount:
    """How many of an incident's reports came from one unit, how many still wait, and how many
    of them said the mobile network is down."""

    unit: str
    reports: int
    waiting: int
    no_network: int = 0


def _kind_filter(kind: IncidentKind) -> tuple[str, tuple[object, ...]]:
    """The tickets that are reports of this kind (SQL condition and its parameters).

    Emergencies are every emergency, with or without "no mobile network" (the fault
    report's network-down ending is stored as an emergency too).
    """
    if kind is IncidentKind.LOGIN:
        return "category = ?", (TriageCategory.LOGIN.value,)
    return "category = ?", (TriageCategory.EMERGENCY.value,)


class Incidents:
    """The incidents and incident_messages tables, and the tickets' link to them."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def create(self, kind: IncidentKind, now: datetime) -> StoredIncident:
        """Store a new open incident of a kind."""
        stamp = to_db(now)
        incident_id = await self.s.insert(
            "INSERT INTO incidents (kind, state, opened_at, last_report_at, quiet_from,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (kind.value, IncidentState.OPEN.value, stamp, stamp, stamp, stamp),
        )
        stored = await self.get(incident_id)
        assert stored is not None
        return stored

    async def get(self, incident_id: int) -> StoredIncident | None:
        """Return an incident by id."""
        row = await self.s.fetchone("SELECT * FROM incidents WHERE id = ?", (incident_id,))
        return StoredIncident.from_row(row) if row else None

    async def open_of_kind(self, kind: IncidentKind) -> StoredIncident | None:
        """Return the open incident of a kind, if one is (there is at most one)."""
        row = await self.s.fetchone(
            "SELECT * FROM incidents WHERE kind = ? AND closed_at IS NULL", (kind.value,)
        )
        return StoredIncident.from_row(row) if row else None

    async def open_ids(self) -> list[int]:
        """Return the ids of every open incident, oldest first."""
        rows = await self.s.fetchall("SELECT id FROM incidents WHERE closed_at IS NULL ORDER BY id")
        return [int(r["id"]) for r in rows]

    async def open_in_unit(self, unit: str) -> list[StoredIncident]:
        """Return the open incidents with a report from a unit, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM incidents WHERE closed_at IS NULL AND id IN"
            " (SELECT incident_id FROM tickets WHERE unit = ? AND incident_id IS NOT NULL)"
            " ORDER BY id",
            (unit,),
        )
        return [StoredIncident.from_row(r) for r in rows]

    async def save(self, stored: StoredIncident, expected_version: int, now: datetime) -> None:
        """Write the incident back; StaleVersion if its stored version is not the one expected."""
        model = stored.model
        closed = model.state == IncidentState.RESOLVED
        if closed and stored.closed_at is None:
            stored.closed_at = now
        changed = await self.s.change(
            "UPDATE incidents SET state = ?, taken_by = ?, resolved_by = ?, version = ?,"
            " escalation_level = ?, last_report_at = ?, quiet_from = ?, asked_at = ?,"
            " closed_at = ?, updated_at = ? WHERE id = ? AND version = ?",
            (
                model.state,
                model.taken_by,
                model.resolved_by,
                model.version,
                stored.escalation_level,
                to_db(stored.last_report_at),
                to_db(stored.quiet_from),
                to_db(stored.asked_at) if stored.asked_at else None,
                to_db(stored.closed_at) if stored.closed_at else None,
                to_db(now),
                model.id,
                expected_version,
            ),
        )
        if changed != 1:
            raise StaleVersion(f"incident {model.id}")
        stored.updated_at = now

    async def mark_synced(self, incident_id: int, now: datetime) -> None:
        """Record that an incident's messages were just brought up to date."""
        await self.s.execute(
            "UPDATE incidents SET synced_at = ?, unsynced = 0 WHERE id = ?",
            (to_db(now), incident_id),
        )

    async def mark_unsynced(self, incident_id: int) -> None:
        """Record that an incident changed since its messages were brought up to date."""
        await self.s.execute("UPDATE incidents SET unsynced = 1 WHERE id = ?", (incident_id,))

    # The tickets: which are reports of a kind, which are an incident's.

    async def mark_no_network(self, ticket_id: int) -> bool:
        """Record that an emergency's reporter said the mobile network is down; False if it was
        recorded already."""
        changed = await self.s.change(
            "UPDATE tickets SET no_network = 1 WHERE id = ? AND no_network = 0", (ticket_id,)
        )
        return changed == 1

    async def no_network(self, ticket_id: int) -> bool:
        """Whether an emergency was marked as having no mobile network."""
        row = await self.s.fetchone("SELECT no_network FROM tickets WHERE id = ?", (ticket_id,))
        return bool(row and row["no_network"])

    async def incident_of(self, ticket_id: int) -> int | None:
        """Return the id of the incident a ticket belongs to, if any."""
        row = await self.s.fetchone("SELECT incident_id FROM tickets WHERE id = ?", (ticket_id,))
        return int(row["incident_id"]) if row and row["incident_id"] is not None else None

    async def unattached(self, kind: IncidentKind, since: datetime) -> list[StoredTicket]:
        """Return the open reports of a kind made since a moment, in no incident, oldest first."""
        condition, params = _kind_filter(kind)
        rows = await self.s.fetchall(
            f"SELECT * FROM tickets WHERE {condition} AND incident_id IS NULL"  # noqa: S608
            f" AND created_at >= ? AND state IN ({_OPEN_TICKET_MARKS}) ORDER BY created_at, id",
            (*params, to_db(since), *_OPEN_TICKET),
        )
        return [StoredTicket.from_row(r) for r in rows]

    async def attach(self, incident_id: int, ticket_id: int) -> None:
        """Make a ticket one of an incident's reports."""
        await self.s.execute(
            "UPDATE tickets SET incident_id = ? WHERE id = ?", (incident_id, ticket_id)
        )

    async def tickets(self, incident_id: int) -> list[StoredTicket]:
        """Return every ticket of an incident, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM tickets WHERE incident_id = ? ORDER BY created_at, id", (incident_id,)
        )
        return [StoredTicket.from_row(r) for r in rows]

    async def waiting_in_unit(self, incident_id: int, unit: str, limit: int) -> list[WaitingTicket]:
        """Return up to ``limit`` of an incident's open tickets of one unit, oldest first, with
        their citizens and reporters (one query: this runs for every report in a storm)."""
        rows = await self.s.fetchall(
            "SELECT t.*, c.name AS citizen_name, c.address AS citizen_address,"  # noqa: S608
            " e.name AS reporter_name FROM tickets AS t"
            " LEFT JOIN citizens AS c ON c.id = t.citizen_id"
            " LEFT JOIN employees AS e ON e.user_id = t.reporter"
            " WHERE t.incident_id = ? AND t.unit = ?"
            f" AND t.state IN ({_OPEN_TICKET_MARKS}) ORDER BY t.created_at, t.id LIMIT ?",
            (incident_id, unit, *_OPEN_TICKET, limit),
        )
        return [
            WaitingTicket(
                StoredTicket.from_row(r),
                r["citizen_name"],
                r["citizen_address"],
                r["reporter_name"],
                bool(r["no_network"]),
            )
            for r in rows
        ]

    async def unit_counts(self, incident_id: int) -> list[UnitCount]:
        """Return each affected unit's reports, still open ones and ones without mobile network,
        most reports first."""
        rows = await self.s.fetchall(
            "SELECT unit, COUNT(*) AS reports,"  # noqa: S608 - fixed text
            f" SUM(state IN ({_OPEN_TICKET_MARKS})) AS waiting, SUM(no_network) AS no_network"
            " FROM tickets WHERE incident_id = ? GROUP BY unit ORDER BY reports DESC, unit",
            (*_OPEN_TICKET, incident_id),
        )
        return [
            UnitCount(r["unit"], int(r["reports"]), int(r["waiting"]), int(r["no_network"]))
            for r in rows
        ]

    # The messages: one per recipient, kept in step by edits.

    async def add_message(self, incident_id: int, unit: str, push_id: int, shown: str) -> None:
        """Remember a push as a recipient's live message of an incident, showing one unit's view.

        ``shown`` is a digest of what it shows, so that an edit that changes nothing is skipped.
        """
        await self.s.execute(
            "INSERT INTO incident_messages (incident_id, unit, push_id, shown) VALUES (?, ?, ?, ?)",
            (incident_id, unit, push_id, shown),
        )

    async def messages(self, incident_id: int) -> list[IncidentMessage]:
        """Return an incident's live messages (one per chat), oldest first, each with the
        employee its chat belongs to now."""
        rows = await self.s.fetchall(
            "SELECT e.*, m.push_id, o.chat_id, o.status AS push_status, m.unit AS shown_unit,"
            " m.shown FROM incident_messages AS m JOIN outbox AS o ON o.id = m.push_id"
            " LEFT JOIN employees AS e ON e.telegram_id = o.chat_id"
            " WHERE m.incident_id = ? AND m.live = 1 ORDER BY m.id",
            (incident_id,),
        )
        return [
            IncidentMessage(
                r["push_id"],
                r["chat_id"],
                r["shown_unit"],
                r["shown"],
                Employee.from_row(r) if r["user_id"] is not None else None,
                r["push_status"] in _LIVE_PUSH,
            )
            for r in rows
        ]

    async def set_shown(self, shown: list[tuple[str, int]]) -> None:
        """Record what messages now show: (digest, push id) pairs."""
        await self.s.executemany("UPDATE incident_messages SET shown = ? WHERE push_id = ?", shown)

    async def retire(self, push_id: int) -> None:
        """Stop keeping a message in step (a newer message in the same chat took its place)."""
        await self.s.execute("UPDATE incident_messages SET live = 0 WHERE push_id = ?", (push_id,))


@dataclass(frozen=True)
class Broadcast:
    """A broadcast: its author and unit, its text while it is a draft, and how it ended."""

    id: int
    author: str
    unit: str
    text: str | None
    created_at: datetime
    sent_at: datetime | None
    cancelled_at: datetime | None
    recipients: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Broadcast:
        """Build from a broadcasts row."""
        return cls(
            id=row["id"],
            author=row["author"],
            unit=row["unit"],
            text=row["text"],
            created_at=from_db(row["created_at"]),
            sent_at=from_db(row["sent_at"]) if row["sent_at"] else None,
            cancelled_at=from_db(row["cancelled_at"]) if row["cancelled_at"] else None,
            recipients=row["recipients"],
        )

    @property
    def draft(self) -> bool:
        """Whether it waits for its author's confirmation."""
        return self.sent_at is None and self.cancelled_at is None


class Broadcasts:
    """The broadcasts table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def draft(self, author: str, unit: str, text: str, now: datetime) -> int:
        """Store a draft (an author's earlier drafts are dropped); return its id."""
        await self.drop_drafts_of(author, now)
        return await self.s.insert(
            "INSERT INTO broadcasts (author, unit, text, created_at) VALUES (?, ?, ?, ?)",
            (author, unit, text, to_db(now)),
        )

    async def get(self, broadcast_id: int) -> Broadcast | None:
        """Return a broadcast by id."""
        row = await self.s.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return Broadcast.from_row(row) if row else None

    async def mark_sent(self, broadcast_id: int, recipients: int, now: datetime) -> bool:
        """Record a draft as sent (its text goes); False if it was no longer a draft."""
        changed = await self.s.change(
            "UPDATE broadcasts SET sent_at = ?, recipients = ?, text = NULL"
            " WHERE id = ? AND sent_at IS NULL AND cancelled_at IS NULL",
            (to_db(now), recipients, broadcast_id),
        )
        return changed == 1

    async def drop(self, broadcast_id: int, now: datetime) -> bool:
        """Drop a draft (its text goes); False if it was no longer a draft."""
        changed = await self.s.change(
            "UPDATE broadcasts SET cancelled_at = ?, text = NULL"
            " WHERE id = ? AND sent_at IS NULL AND cancelled_at IS NULL",
            (to_db(now), broadcast_id),
        )
        return changed == 1

    async def drop_drafts_of(self, author: str, now: datetime) -> None:
        """Drop every draft of an author."""
        await self.s.execute(
            "UPDATE broadcasts SET cancelled_at = ?, text = NULL"
            " WHERE author = ? AND sent_at IS NULL AND cancelled_at IS NULL",
            (to_db(now), author),
        )

    async def drop_drafts_before(self, before: datetime, now: datetime) -> int:
        """Drop every draft made before a moment (never confirmed); return how many."""
        return await self.s.change(
            "UPDATE broadcasts SET cancelled_at = ?, text = NULL"
            " WHERE created_at < ? AND sent_at IS NULL AND cancelled_at IS NULL",
            (to_db(now), to_db(before)),
        )
