"""The citizen register as staff use it: look a citizen up, import the register."""

from __future__ import annotations

from bot.services.base import Service
from bot.storage.citizens import Citizen, CitizenRow


class CitizenService(Service):
    """Reads and imports citizens."""

    async def get(self, citizen_id: int) -> Citizen | None:
        """Return a citizen by id."""
        async with self.db.read() as tx:
            return await tx.citizens.get(citizen_id)

    async def import_rows(self, rows: list[CitizenRow], *, actor: str) -> int:
        """Create or update every row in one transaction (audited); return how many."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            for row in rows:
                await tx.citizens.upsert(row, now)
            await tx.audit.record(now, actor, "import_citizens", str(len(rows)))
        return len(rows)
