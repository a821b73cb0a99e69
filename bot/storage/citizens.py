"""The citizen register: the least that lets staff find the right door. Never a CPR number."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_db
from bot.storage.session import Session
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
        )


class Citizens:
    """The citizens table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def upsert(self, citizen: CitizenRow, now: datetime) -> None:
        """Create or update a citizen by reference (an import run twice changes, never doubles)."""
        stamp = to_db(now)
        await self.s.execute(
            "INSERT INTO citizens (ref, name, address, unit, bekey_door, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (ref) DO UPDATE SET name = excluded.name, address = excluded.address,"
            " unit = excluded.unit, bekey_door = excluded.bekey_door,"
            " updated_at = excluded.updated_at",
            (
                citizen.ref,
                citizen.name,
                citizen.address,
                citizen.unit,
                citizen.bekey_door,
                stamp,
                stamp,
            ),
        )

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
