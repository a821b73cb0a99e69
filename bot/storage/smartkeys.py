"""Smartkeys: the cabinets, the keys, each key's history, requests, and the weekly reminder."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.employees import Employee
from bot.storage.session import Session, StaleVersion
from state.smartkey import Smartkey, SmartkeyState
from state.smartkey_request import KeyRequest, RequestState


def _moment(value: str | None) -> datetime | None:
    return from_db(value) if value else None


def _stamp(value: datetime | None) -> str | None:
    return to_db(value) if value else None


@dataclass(frozen=True)
class Cabinet:
    """A locked cabinet of a unit, where its Smartkeys are kept."""

    id: int
    unit: str
    name: str
    location: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Cabinet:
        """Build from a cabinets row."""
        return cls(row["id"], row["unit"], row["name"], row["location"])


@dataclass(frozen=True)
class KeyEvent:
    """One step in a key's history: who did what, with whom holding it."""

    key_id: int
    label: str
    at: datetime
    actor: str
    from_state: str | None
    to_state: str
    holder: str | None
    detail: str | None


@dataclass(frozen=True)
class KeyLine:
    """A key as a list shows it: where it is, who has it, and what is wrong with it."""

    key: Smartkey
    cabinet: Cabinet
    holder: Employee | None
    stale: bool
    overdue: bool


@dataclass(frozen=True)
class CabinetKeys:
    """A cabinet and its keys in use."""

    cabinet: Cabinet
    keys: list[KeyLine]

    @property
    def inside(self) -> int:
        """How many keys are in the cabinet now."""
        return sum(line.key.state == SmartkeyState.IN_CABINET for line in self.keys)


@dataclass(frozen=True)
class KeyHistory:
    """A key's or an employee's history, with the names of everyone in it."""

    events: list[KeyEvent]
    names: dict[str, str]


@dataclass(frozen=True)
class SmartkeyRow:
    """One line of a Smartkey import: a key, its unit, its cabinet and where that is."""

    label: str
    unit: str
    cabinet: str
    location: str


def _key_from_row(row: sqlite3.Row) -> Smartkey:
    return Smartkey(
        id=row["id"],
        label=row["label"],
        unit=row["unit"],
        cabinet_id=row["cabinet_id"],
        state=row["state"],
        holder=row["holder"],
        handed_out_by=row["handed_out_by"],
        handed_out_at=_moment(row["handed_out_at"]),
        due_at=_moment(row["due_at"]),
        confirmed_at=_moment(row["confirmed_at"]),
        self_recorded=bool(row["self_recorded"]),
        overdue_level=row["overdue_level"],
        updated_at=_moment(row["updated_at"]),
        lost_ticket_id=row["lost_ticket_id"],
        version=row["version"],
    )


def _request_from_row(row: sqlite3.Row) -> KeyRequest:
    return KeyRequest(
        id=row["id"],
        requester=row["requester"],
        unit=row["unit"],
        state=row["state"],
        created_at=from_db(row["created_at"]),
        key_id=row["key_id"],
        decided_by=row["decided_by"],
        decided_at=_moment(row["decided_at"]),
        escalation_level=row["escalation_level"],
        version=row["version"],
    )


def _event_from_row(row: sqlite3.Row) -> KeyEvent:
    return KeyEvent(
        key_id=row["key_id"],
        label=row["label"],
        at=from_db(row["at"]),
        actor=row["actor"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        holder=row["holder"],
        detail=row["detail"],
    )


class Smartkeys:
    """The cabinets, smartkeys, smartkey_events and smartkey_reminders tables."""

    def __init__(self, session: Session) -> None:
        self.s = session

    # Cabinets

    async def cabinets_of(self, unit: str) -> list[Cabinet]:
        """Return a unit's cabinets, by name."""
        rows = await self.s.fetchall(
            "SELECT * FROM cabinets WHERE unit = ? ORDER BY fold(name), id", (unit,)
        )
        return [Cabinet.from_row(r) for r in rows]

    async def cabinet(self, cabinet_id: int) -> Cabinet | None:
        """Return a cabinet by id."""
        row = await self.s.fetchone("SELECT * FROM cabinets WHERE id = ?", (cabinet_id,))
        return Cabinet.from_row(row) if row else None

    async def find_cabinet(self, unit: str, name: str) -> Cabinet | None:
        """Return the unit's cabinet of this name (case and æøå spelling aside)."""
        row = await self.s.fetchone(
            "SELECT * FROM cabinets WHERE unit = ? AND fold(name) = fold(?)", (unit, name)
        )
        return Cabinet.from_row(row) if row else None

    async def add_cabinet(self, unit: str, name: str, location: str, now: datetime) -> Cabinet:
        """Register a cabinet."""
        stamp = to_db(now)
        cabinet_id = await self.s.insert(
            "INSERT INTO cabinets (unit, name, location, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (unit, name, location, stamp, stamp),
        )
        return Cabinet(cabinet_id, unit, name, location)

    async def set_location(self, cabinet_id: int, location: str, now: datetime) -> None:
        """Change where a cabinet is."""
        await self.s.execute(
            "UPDATE cabinets SET location = ?, updated_at = ? WHERE id = ?",
            (location, to_db(now), cabinet_id),
        )

    # Keys

    async def get(self, key_id: int) -> Smartkey | None:
        """Return a key by id."""
        row = await self.s.fetchone("SELECT * FROM smartkeys WHERE id = ?", (key_id,))
        return _key_from_row(row) if row else None

    async def find(self, unit: str, label: str) -> Smartkey | None:
        """Return the unit's key with this label (case aside), retired ones too."""
        row = await self.s.fetchone(
            "SELECT * FROM smartkeys WHERE unit = ? AND fold(label) = fold(?)", (unit, label)
        )
        return _key_from_row(row) if row else None

    async def add(self, label: str, cabinet: Cabinet, now: datetime) -> Smartkey:
        """Register a key in a cabinet, as just updated (it comes from the lock partner so)."""
        stamp = to_db(now)
        key_id = await self.s.insert(
            "INSERT INTO smartkeys (label, unit, cabinet_id, state, updated_at, created_at,"
            " changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (label, cabinet.unit, cabinet.id, SmartkeyState.IN_CABINET.value, stamp, stamp, stamp),
        )
        key = await self.get(key_id)
        assert key is not None
        return key

    async def move(self, key_id: int, cabinet_id: int, now: datetime) -> None:
        """Keep a key in another cabinet of its unit."""
        await self.s.execute(
            "UPDATE smartkeys SET cabinet_id = ?, version = version + 1, changed_at = ?"
            " WHERE id = ?",
            (cabinet_id, to_db(now), key_id),
        )

    async def save(self, key: Smartkey, expected_version: int, now: datetime) -> None:
        """Write the key back; StaleVersion if its stored version is not the one expected."""
        changed = await self.s.change(
            "UPDATE smartkeys SET state = ?, holder = ?, handed_out_by = ?, handed_out_at = ?,"
            " due_at = ?, confirmed_at = ?, self_recorded = ?, overdue_level = ?,"
            " updated_at = ?, lost_ticket_id = ?, version = ?, changed_at = ?"
            " WHERE id = ? AND version = ?",
            (
                key.state,
                key.holder,
                key.handed_out_by,
                _stamp(key.handed_out_at),
                _stamp(key.due_at),
                _stamp(key.confirmed_at),
                int(key.self_recorded),
                key.overdue_level,
                _stamp(key.updated_at),
                key.lost_ticket_id,
                key.version,
                to_db(now),
                key.id,
                expected_version,
            ),
        )
        if changed != 1:
            raise StaleVersion(f"smartkey {key.id}")

    async def in_unit(self, unit: str) -> list[Smartkey]:
        """Return a unit's keys in use (not retired), by cabinet, then label."""
        rows = await self.s.fetchall(
            "SELECT k.* FROM smartkeys k JOIN cabinets c ON c.id = k.cabinet_id"
            " WHERE k.unit = ? AND k.state != 'retired' ORDER BY fold(c.name), c.id,"
            " length(k.label), fold(k.label)",
            (unit,),
        )
        return [_key_from_row(r) for r in rows]

    async def in_cabinet(self, cabinet_id: int) -> list[Smartkey]:
        """Return a cabinet's keys in use, by label."""
        rows = await self.s.fetchall(
            "SELECT * FROM smartkeys WHERE cabinet_id = ? AND state != 'retired'"
            " ORDER BY length(label), fold(label)",
            (cabinet_id,),
        )
        return [_key_from_row(r) for r in rows]

    async def held_by(self, user_id: str) -> list[Smartkey]:
        """Return the keys an employee holds now, oldest hand-out first."""
        rows = await self.s.fetchall(
            "SELECT * FROM smartkeys WHERE holder = ? AND state = ? ORDER BY handed_out_at, id",
            (user_id, SmartkeyState.HANDED_OUT.value),
        )
        return [_key_from_row(r) for r in rows]

    async def overdue_candidates(self, now: datetime) -> list[int]:
        """Return the ids of handed-out keys past their due time not yet at the last alert."""
        rows = await self.s.fetchall(
            "SELECT id FROM smartkeys WHERE state = ? AND due_at <= ? AND overdue_level < 2"
            " ORDER BY due_at, id",
            (SmartkeyState.HANDED_OUT.value, to_db(now)),
        )
        return [int(r["id"]) for r in rows]

    async def units_with_keys(self) -> list[str]:
        """Return every unit that has a key in use."""
        rows = await self.s.fetchall(
            "SELECT DISTINCT unit FROM smartkeys WHERE state != 'retired' ORDER BY unit"
        )
        return [str(r["unit"]) for r in rows]

    async def record_event(
        self,
        key: Smartkey,
        now: datetime,
        actor: str,
        from_state: str | None,
        *,
        holder: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Append a time-stamped step to the key's history. ``holder``: the employee the step
        concerns (who has the key after it; for a return, who gave it back)."""
        await self.s.execute(
            "INSERT INTO smartkey_events (key_id, at, actor, from_state, to_state, holder, detail)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key.id, to_db(now), actor, from_state, key.state, holder or key.holder, detail),
        )

    async def history_of_key(self, key_id: int, limit: int) -> list[KeyEvent]:
        """Return a key's newest steps, newest first."""
        rows = await self.s.fetchall(
            "SELECT e.*, k.label FROM smartkey_events e JOIN smartkeys k ON k.id = e.key_id"
            " WHERE e.key_id = ? ORDER BY e.id DESC LIMIT ?",
            (key_id, limit),
        )
        return [_event_from_row(r) for r in rows]

    async def steps_involving(self, user_id: str) -> list[KeyEvent]:
        """Return every step an employee took or held a key in, oldest first (subject access)."""
        rows = await self.s.fetchall(
            "SELECT e.*, k.label FROM smartkey_events e JOIN smartkeys k ON k.id = e.key_id"
            " WHERE e.actor = :user OR e.holder = :user ORDER BY e.id",
            {"user": user_id},
        )
        return [_event_from_row(r) for r in rows]

    async def takes_since(self, unit: str, since: datetime) -> list[KeyEvent]:
        """Return the takes staff of a unit recorded themselves since a moment, oldest first."""
        rows = await self.s.fetchall(
            "SELECT e.*, k.label FROM smartkey_events e JOIN smartkeys k ON k.id = e.key_id"
            " WHERE k.unit = ? AND e.at >= ? AND e.to_state = ? AND e.from_state = ?"
            " AND e.actor = e.holder ORDER BY e.id",
            (unit, to_db(since), SmartkeyState.HANDED_OUT.value, SmartkeyState.IN_CABINET.value),
        )
        return [_event_from_row(r) for r in rows]

    async def history_of_holder(self, user_id: str, limit: int) -> list[KeyEvent]:
        """Return the newest steps that concerned an employee, newest first."""
        rows = await self.s.fetchall(
            "SELECT e.*, k.label FROM smartkey_events e JOIN smartkeys k ON k.id = e.key_id"
            " WHERE e.holder = ? ORDER BY e.id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_event_from_row(r) for r in rows]

    async def cabinet_counts(self, unit: str) -> list[tuple[Cabinet, int]]:
        """Return a unit's cabinets, each with how many keys are in it now."""
        rows = await self.s.fetchall(
            "SELECT c.*, (SELECT COUNT(*) FROM smartkeys k WHERE k.cabinet_id = c.id"
            " AND k.state = ?) AS inside FROM cabinets c WHERE c.unit = ?"
            " ORDER BY fold(c.name), c.id",
            (SmartkeyState.IN_CABINET.value, unit),
        )
        return [(Cabinet.from_row(r), int(r["inside"])) for r in rows]

    # The weekly reminder

    async def reminded_week(self, unit: str) -> str | None:
        """Return the week (``2026-W49``) a unit's planners were last reminded in, if ever."""
        row = await self.s.fetchone(
            "SELECT last_week FROM smartkey_reminders WHERE unit = ?", (unit,)
        )
        return str(row["last_week"]) if row else None

    async def mark_reminded(self, unit: str, week: str) -> None:
        """Record that a unit's planners were reminded in this week."""
        await self.s.execute(
            "INSERT INTO smartkey_reminders (unit, last_week) VALUES (?, ?)"
            " ON CONFLICT (unit) DO UPDATE SET last_week = excluded.last_week",
            (unit, week),
        )


class KeyRequests:
    """The smartkey_requests table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def create(self, requester: str, unit: str, now: datetime) -> KeyRequest:
        """Store a new waiting request."""
        request_id = await self.s.insert(
            "INSERT INTO smartkey_requests (requester, unit, state, created_at)"
            " VALUES (?, ?, ?, ?)",
            (requester, unit, RequestState.WAITING.value, to_db(now)),
        )
        request = await self.get(request_id)
        assert request is not None
        return request

    async def get(self, request_id: int) -> KeyRequest | None:
        """Return a request by id."""
        row = await self.s.fetchone("SELECT * FROM smartkey_requests WHERE id = ?", (request_id,))
        return _request_from_row(row) if row else None

    async def waiting_of(self, requester: str) -> KeyRequest | None:
        """Return the employee's waiting request, if any."""
        row = await self.s.fetchone(
            "SELECT * FROM smartkey_requests WHERE requester = ? AND state = ?"
            " ORDER BY id DESC LIMIT 1",
            (requester, RequestState.WAITING.value),
        )
        return _request_from_row(row) if row else None

    async def waiting_ids(self) -> list[int]:
        """Return the ids of every waiting request, oldest first (escalation candidates)."""
        rows = await self.s.fetchall(
            "SELECT id FROM smartkey_requests WHERE state = ? ORDER BY created_at, id",
            (RequestState.WAITING.value,),
        )
        return [int(r["id"]) for r in rows]

    async def save(self, request: KeyRequest, expected_version: int) -> None:
        """Write the request back; StaleVersion if its stored version is not the one expected."""
        changed = await self.s.change(
            "UPDATE smartkey_requests SET state = ?, key_id = ?, decided_by = ?, decided_at = ?,"
            " escalation_level = ?, version = ? WHERE id = ? AND version = ?",
            (
                request.state,
                request.key_id,
                request.decided_by,
                _stamp(request.decided_at),
                request.escalation_level,
                request.version,
                request.id,
                expected_version,
            ),
        )
        if changed != 1:
            raise StaleVersion(f"smartkey request {request.id}")
