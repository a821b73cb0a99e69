"""Access: each update once, only bound and active staff; refusals and CPR refusals audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.services.base import Service
from bot.storage.employees import Employee

UPDATE_MEMORY = timedelta(days=2)
"""How long an update id is remembered (Telegram keeps an unconfirmed update at most 24 h)."""


@dataclass(frozen=True)
class Admission:
    """Whether an update is new, and the active employee behind it (None for anyone else)."""

    first_time: bool
    employee: Employee | None


class AccessService(Service):
    """Decides who gets in, and remembers which updates were handled."""

    async def admit(self, update_id: int, telegram_id: int) -> Admission:
        """Record the update (once) and find the active employee bound to the account."""
        async with self.db.transaction() as tx:
            if not await tx.updates.first_time(update_id, self.clock.now()):
                return Admission(False, None)
            employee = await tx.employees.by_telegram_id(telegram_id)
        return Admission(True, employee if employee is not None and employee.active else None)

    async def refuse(self, telegram_id: int) -> None:
        """Audit a refused account."""
        async with self.db.transaction() as tx:
            await tx.audit.record(self.clock.now(), f"tg:{telegram_id}", "access", None, "refused")

    async def record_cpr_refusal(self, employee: Employee | None) -> None:
        """Audit a message refused for holding a CPR number (never the text)."""
        actor = employee.user_id if employee else "unknown"
        async with self.db.transaction() as tx:
            await tx.audit.record(self.clock.now(), actor, "cpr_refused", None, "refused")

    async def forget_old_updates(self) -> int:
        """Drop update ids older than Telegram could deliver again."""
        async with self.db.transaction() as tx:
            return await tx.updates.forget_before(self.clock.now() - UPDATE_MEMORY)
