"""Processed updates: Telegram may deliver an update twice; it is handled once."""

from __future__ import annotations

from datetime import datetime

from bot.clock import to_db
from bot.storage.session import Session


class ProcessedUpdates:
    """The processed_updates table, keyed by update_id (set membership, not a high-water mark)."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def first_time(self, update_id: int, now: datetime) -> bool:
        """Record an update; True if it had not been seen before."""
        changed = await self.s.change(
            "INSERT OR IGNORE INTO processed_updates (update_id, received_at) VALUES (?, ?)",
            (update_id, to_db(now)),
        )
        return changed == 1

    async def forget_before(self, moment: datetime) -> int:
        """Drop records older than a moment."""
        return await self.s.change(
            "DELETE FROM processed_updates WHERE received_at < ?", (to_db(moment),)
        )
