"""The units the bot knows, each under one spelling."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import to_db
from bot.storage.session import Session
from state.units import tidy_unit_name, unit_key


@dataclass(frozen=True)
class Unit:
    """One unit."""

    id: int
    name: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Unit:
        """Build from a units row."""
        return cls(id=row["id"], name=row["name"])


class Units:
    """The units table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def all(self) -> list[Unit]:
        """Every unit, by name."""
        rows = await self.s.fetchall("SELECT * FROM units ORDER BY key")
        return [Unit.from_row(r) for r in rows]

    async def find(self, name: str) -> Unit | None:
        """The unit this name means (trimmed, case-folded), if the bot knows it."""
        row = await self.s.fetchone("SELECT * FROM units WHERE key = ?", (unit_key(name),))
        return Unit.from_row(row) if row else None

    async def add(self, name: str, now: datetime) -> Unit:
        """Store a new unit (the caller made sure the bot does not know it yet)."""
        tidy = tidy_unit_name(name)
        unit_id = await self.s.insert(
            "INSERT INTO units (name, key, created_at) VALUES (?, ?, ?)",
            (tidy, unit_key(tidy), to_db(now)),
        )
        return Unit(unit_id, tidy)
