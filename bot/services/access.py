"""Access: only bound and active staff; refusals and CPR refusals audited; the inbox kept short.

Each update is stored once in the inbox before it is handled (``bot.inbox``), so the gate
no longer needs to tell a repeated update from a new one.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.base import Service
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.employees import Employee

INBOX_MEMORY = timedelta(days=1)
"""How long a handled update stays in the inbox."""
STRANGER_ANSWER_EVERY = timedelta(hours=1)
"""A stranger is answered (and audited) once in this time, not once per message."""
REMEMBERED_STRANGERS = 10_000


class AccessService(Service):
    """Decides who gets in."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        super().__init__(db, clock, settings)
        self._refused: dict[int, datetime] = {}

    async def admit(self, telegram_id: int) -> Employee | None:
        """The active employee bound to the account (None for anyone else).

        Read on the gate's own connection, so it never waits behind other people's work;
        if that read fails, the shared connection is asked (and may raise).
        """
        try:
            employee = self.db.lookup.by_telegram_id(telegram_id)
        except sqlite3.Error:
            async with self.db.read() as tx:
                employee = await tx.employees.by_telegram_id(telegram_id)
        return employee if employee is not None and employee.active else None

    async def refuse(self, telegram_id: int) -> bool:
        """Audit a refused account once an hour; True when it should be answered (then)."""
        now = self.clock.now()
        last = self._refused.get(telegram_id)
        if last is not None and now - last < STRANGER_ANSWER_EVERY:
            return False
        self._refused[telegram_id] = now
        if len(self._refused) > REMEMBERED_STRANGERS:
            self._refused = {
                k: v for k, v in self._refused.items() if now - v < STRANGER_ANSWER_EVERY
            }
        async with self.db.transaction() as tx:
            await tx.audit.record(now, f"tg:{telegram_id}", "access", None, "refused")
        return True

    async def record_cpr_refusal(self, employee: Employee | None) -> None:
        """Audit a message refused for holding a CPR number (never the text)."""
        actor = employee.user_id if employee else "unknown"
        async with self.db.transaction() as tx:
            await tx.audit.record(self.clock.now(), actor, "cpr_refused", None, "refused")

    async def forget_handled_updates(self) -> int:
        """Drop handled updates from the inbox after a day."""
        async with self.db.transaction() as tx:
            return await tx.inbox.forget_handled_before(self.clock.now() - INBOX_MEMORY)
