"""Processed updates: Telegram may deliver an update twice; it is handled once."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import to_db
from bot.storage.database import Database


class ProcessedUpdates:
    """The processed_updates table, keyed by update_id (set membership, not a high-water mark)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def first_time(self, update_id: int, now: datetime) -> bool:
        """Record an update; True if it had not been seen before."""
        async with self.db.transaction() as s:
            changed = await s.change(
                "INSERT OR IGNORE INTO processed_updates (update_id, received_at) VALUES (?, ?)",
                (update_id, to_db(now)),
            )
        return changed == 1

    async def forget_before(self, moment: datetime) -> int:
        """Drop records older than Telegram could redeliver (it keeps updates at most 24 h)."""
        async with self.db.transaction() as s:
            return await s.change(
                "DELETE FROM processed_updates WHERE received_at < ?", (to_db(moment),)
            )

    @staticmethod
    def horizon(now: datetime) -> datetime:
        """The moment before which a record can no longer matter."""
        return now - timedelta(days=2)
