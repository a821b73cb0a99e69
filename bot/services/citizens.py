"""The citizen register as staff use it: look a citizen up (in one's own unit, audited),
import the register."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from bot.services.base import Service
from bot.storage.citizens import Citizen, CitizenRow
from bot.storage.employees import Employee
from state.roles import Permission, may

LOOKUP_SHOWN: Final = 10
"""Citizens one lookup shows; more matches ask for more of the name."""


@dataclass(frozen=True)
class Lookup:
    """A lookup's answer: the citizens shown (at most ``LOOKUP_SHOWN``), and how many matched."""

    citizens: list[Citizen]
    matches: int


class CitizenService(Service):
    """Reads and imports citizens."""

    async def get(self, citizen_id: int) -> Citizen | None:
        """Return a citizen by id."""
        async with self.db.read() as tx:
            return await tx.citizens.get(citizen_id)

    async def look_up(self, employee: Employee, query: str) -> Lookup | None:
        """Find citizens of the employee's own unit by part of a name, address or reference
        (None: the role may not); every citizen shown is audited (who looked up whom)."""
        if not (employee.active and may(employee.roles, Permission.LOOK_UP_CITIZEN)):
            return None
        async with self.db.transaction() as tx:
            now = self.clock.now()
            found = await tx.citizens.look_up(employee.unit, query)
            shown = found[:LOOKUP_SHOWN]
            for citizen in shown:
                await tx.audit.record(now, employee.user_id, "citizen_lookup", citizen.ref)
            return Lookup(shown, len(found))

    async def import_rows(self, rows: list[CitizenRow], *, actor: str) -> int:
        """Create or update every row in one transaction (audited); return how many."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            for row in rows:
                await tx.citizens.upsert(row, now)
            await tx.audit.record(now, actor, "import_citizens", str(len(rows)))
        return len(rows)
