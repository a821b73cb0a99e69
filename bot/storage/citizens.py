"""The citizen register: the least that lets staff find the right door. Never a CPR number."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_db
from bot.storage.database import Database, Session


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
    bekey_status: str

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
            bekey_status=row["bekey_status"],
        )


class Citizens:
    """The citizens table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    async def upsert_in(s: Session, citizen: CitizenRow, now: datetime) -> None:
        """Create or update a citizen by reference (an import run twice changes, never doubles)."""
        stamp = to_db(now)
        await s.execute(
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

    @staticmethod
    async def get_in(s: Session, citizen_id: int) -> Citizen | None:
        """Return a citizen by id, inside a session."""
        row = await s.fetchone("SELECT * FROM citizens WHERE id = ?", (citizen_id,))
        return Citizen.from_row(row) if row else None

    async def get(self, citizen_id: int) -> Citizen | None:
        """Return a citizen by id."""
        async with self.db.read() as s:
            return await self.get_in(s, citizen_id)

    async def with_bekey(self, unit: str, query: str = "") -> list[Citizen]:
        """Return a unit's active Bekey citizens whose name, address or ref contains the query."""
        like = f"%{query.strip().lower()}%"
        async with self.db.read() as s:
            rows = await s.fetchall(
                "SELECT * FROM citizens WHERE unit = ? AND bekey_status = 'active'"
                " AND (lower(name) LIKE ? OR lower(address) LIKE ? OR lower(ref) LIKE ?)"
                " ORDER BY name, address",
                (unit, like, like, like),
            )
        return [Citizen.from_row(r) for r in rows]

    async def count(self) -> int:
        """Return how many citizens are registered."""
        async with self.db.read() as s:
            row = await s.fetchone("SELECT COUNT(*) AS n FROM citizens")
        return int(row["n"]) if row else 0
