"""The citizen register: the least that lets staff find the right door. Never a CPR number."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.session import Session
from state.bekey_lifecycle import LifecycleState, status_of
from state.citizens import CitizenStatus
from state.text import fold


def _escape_like(text: str) -> str:
    """Make LIKE's wildcards in typed text match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class CitizenRow:
    """A citizen as given by an import."""

    ref: str
    name: str
    address: str
    unit: str
    bekey_door: str
    lifecycle: LifecycleState | None = None
    """Where their Bekey stands (None: active when new, unchanged when known)."""


@dataclass(frozen=True)
class Citizen:
    """A stored citizen."""

    id: int
    ref: str
    name: str
    address: str
    unit: str
    bekey_door: str
    bekey_status: CitizenStatus
    lifecycle: LifecycleState = LifecycleState.ACTIVE
    version: int = 0

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Citizen:
        """Build from a citizens row."""
        return cls(
            id=row["id"],
            ref=row["ref"],
            name=row["name"],
            address=row["address"],
            unit=row["unit"],
            bekey_door=row["bekey_door"],
            bekey_status=CitizenStatus(row["bekey_status"]),
            lifecycle=LifecycleState(row["lifecycle"]),
            version=row["version"],
        )


@dataclass(frozen=True)
class CitizenEvent:
    """One step of a citizen's Bekey: when, who, from and to which state, and its detail
    (the door, the unit moved to, the firm ordered from)."""

    at: datetime
    actor: str
    step: str
    from_state: LifecycleState
    to_state: LifecycleState
    detail: str
    order_id: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CitizenEvent:
        """Build from a citizen_events row."""
        return cls(
            at=from_db(row["at"]),
            actor=row["actor"],
            step=row["step"],
            from_state=LifecycleState(row["from_state"]),
            to_state=LifecycleState(row["to_state"]),
            detail=row["detail"],
            order_id=row["order_id"],
        )


class Citizens:
    """The citizens table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def upsert(self, citizen: CitizenRow, now: datetime) -> None:
        """Create or update a citizen by reference (an import run twice changes, never doubles).

        A row without a lifecycle makes a new citizen active and leaves a known one's as it is.
        """
        stamp = to_db(now)
        lifecycle = citizen.lifecycle or LifecycleState.ACTIVE
        given = int(citizen.lifecycle is not None)
        await self.s.execute(
            "INSERT INTO citizens (ref, name, address, unit, bekey_door, lifecycle, bekey_status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (ref) DO UPDATE SET name = excluded.name, address = excluded.address,"
            " unit = excluded.unit, bekey_door = excluded.bekey_door,"
            " lifecycle = CASE WHEN ? THEN excluded.lifecycle ELSE lifecycle END,"
            " bekey_status = CASE WHEN ? THEN excluded.bekey_status ELSE bekey_status END,"
            " version = version + CASE WHEN ? THEN 1 ELSE 0 END,"
            " updated_at = excluded.updated_at",
            (
                citizen.ref,
                citizen.name,
                citizen.address,
                citizen.unit,
                citizen.bekey_door,
                lifecycle.value,
                status_of(lifecycle).value,
                stamp,
                stamp,
                given,
                given,
                given,  # a card drawn before an import stays good unless the Bekey moved
            ),
        )

    async def create(self, citizen: CitizenRow, now: datetime) -> int | None:
        """Add a new citizen (None: the reference is taken)."""
        if await self.by_ref(citizen.ref) is not None:
            return None
        lifecycle = citizen.lifecycle or LifecycleState.REQUESTED
        stamp = to_db(now)
        return await self.s.insert(
            "INSERT INTO citizens (ref, name, address, unit, bekey_door, lifecycle, bekey_status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                citizen.ref,
                citizen.name,
                citizen.address,
                citizen.unit,
                citizen.bekey_door,
                lifecycle.value,
                status_of(lifecycle).value,
                stamp,
                stamp,
            ),
        )

    async def by_ref(self, ref: str) -> Citizen | None:
        """Return a citizen by their reference."""
        row = await self.s.fetchone("SELECT * FROM citizens WHERE ref = ?", (ref,))
        return Citizen.from_row(row) if row else None

    async def save_step(
        self, citizen: Citizen, lifecycle: LifecycleState, unit: str, door: str, now: datetime
    ) -> bool:
        """Store a citizen's step if nobody stepped them since they were read (False: stale)."""
        changed = await self.s.change(
            "UPDATE citizens SET lifecycle = ?, bekey_status = ?, unit = ?, bekey_door = ?,"
            " version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
            (
                lifecycle.value,
                status_of(lifecycle).value,
                unit,
                door,
                to_db(now),
                citizen.id,
                citizen.version,
            ),
        )
        return changed == 1

    async def record_event(
        self,
        citizen_id: int,
        event: CitizenEvent,
    ) -> None:
        """Add a step to a citizen's history."""
        await self.s.execute(
            "INSERT INTO citizen_events (citizen_id, at, actor, step, from_state, to_state,"
            " detail, order_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                citizen_id,
                to_db(event.at),
                event.actor,
                event.step,
                event.from_state.value,
                event.to_state.value,
                event.detail,
                event.order_id,
            ),
        )

    async def history(self, citizen_id: int) -> list[CitizenEvent]:
        """Return a citizen's Bekey steps, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM citizen_events WHERE citizen_id = ? ORDER BY id", (citizen_id,)
        )
        return [CitizenEvent.from_row(r) for r in rows]

    async def search(self, query: str) -> list[Citizen]:
        """Return every unit's citizens, in any state, whose name, address or ref contains the
        query (folded as ``with_bekey``), by name: visitation's register."""
        like = "%" + _escape_like(fold(query)) + "%"
        rows = await self.s.fetchall(
            "SELECT * FROM citizens WHERE fold(name) LIKE ? ESCAPE '\\'"
            " OR fold(address) LIKE ? ESCAPE '\\' OR fold(ref) LIKE ? ESCAPE '\\'"
            " ORDER BY name, address",
            (like, like, like),
        )
        return [Citizen.from_row(r) for r in rows]

    async def get(self, citizen_id: int) -> Citizen | None:
        """Return a citizen by id."""
        row = await self.s.fetchone("SELECT * FROM citizens WHERE id = ?", (citizen_id,))
        return Citizen.from_row(row) if row else None

    async def with_bekey(self, unit: str, query: str = "") -> list[Citizen]:
        """Return a unit's active Bekey citizens whose name, address or ref contains the query.

        Both sides are folded (``state.text.fold``): ``aase`` and ``Åse`` find Åse Ørum.
        """
        return await self._matching(unit, query, (CitizenStatus.ACTIVE,))

    async def look_up(self, unit: str, query: str) -> list[Citizen]:
        """Return a unit's citizens with Bekey, active or on the way in, whose name, address
        or ref contains the query (folded as ``with_bekey``), by name."""
        return await self._matching(unit, query, (CitizenStatus.ACTIVE, CitizenStatus.PENDING))

    async def _matching(
        self, unit: str, query: str, statuses: tuple[CitizenStatus, ...]
    ) -> list[Citizen]:
        like = "%" + _escape_like(fold(query)) + "%"
        marks = ", ".join("?" for _ in statuses)
        rows = await self.s.fetchall(
            f"SELECT * FROM citizens WHERE unit = ? AND bekey_status IN ({marks})"  # noqa: S608
            " AND (fold(name) LIKE ? ESCAPE '\\' OR fold(address) LIKE ? ESCAPE '\\'"
            " OR fold(ref) LIKE ? ESCAPE '\\')"
            " ORDER BY name, address",
            (unit, *(status.value for status in statuses), like, like, like),
        )
        return [Citizen.from_row(r) for r in rows]

    async def count(self) -> int:
        """Return how many citizens are registered."""
        return await self.s.count("SELECT COUNT(*) AS n FROM citizens")
