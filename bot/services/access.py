"""Access: only bound and active staff; refusals and CPR refusals audited; the inbox kept short.

Each update is stored once in the inbox before it is handled (``bot.inbox``), so the gate
no longer needs to tell a repeated update from a new one.
"""

from __future__ import annotations

from datetime import timedelta

from bot.services.base import Service
from bot.storage.employees import Employee

INBOX_MEMORY = timedelta(days=1)
"""How long a handled update stays in the inbox."""


class AccessService(Service):
    """Decides who gets in."""

    async def admit(self, telegram_id: int) -> Employee | None:
        """The active employee bound to the account (None for anyone else)."""
        async with self.db.read() as tx:
            employee = await tx.employees.by_telegram_id(telegram_id)
        return employee if employee is not None and employee.active else None

    async def refuse(self, telegram_id: int) -> None:
        """Audit a refused account."""
        async with self.db.transaction() as tx:
            await tx.audit.record(self.clock.now(), f"tg:{telegram_id}", "access", None, "refused")

    async def record_cpr_refusal(self, employee: Employee | None) -> None:
        """Audit a message refused for holding a CPR number (never the text)."""
        actor = employee.user_id if employee else "unknown"
        async with self.db.transaction() as tx:
            await tx.audit.record(self.clock.now(), actor, "cpr_refused", None, "refused")

    async def forget_handled_updates(self) -> int:
        """Drop handled updates from the inbox after a day."""
        async with self.db.transaction() as tx:
            return await tx.inbox.forget_handled_before(self.clock.now() - INBOX_MEMORY)
