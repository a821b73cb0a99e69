"""Invites: one row a token (as a hash), single use, with an expiry."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.session import Session


@dataclass(frozen=True)
class InviteRow:
    """One stored invite."""

    id: int
    user_id: str
    created_by: str
    expires_at: datetime
    redeemed_at: datetime | None
    revoked: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> InviteRow:
        """Build from an invites row."""
        return cls(
            id=row["id"],
            user_id=row["user_id"],
            created_by=row["created_by"],
            expires_at=from_db(row["expires_at"]),
            redeemed_at=from_db(row["redeemed_at"]) if row["redeemed_at"] else None,
            revoked=row["revoked_at"] is not None,
        )


class Invites:
    """The invites table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def create(
        self, token_hash: str, user_id: str, created_by: str, now: datetime, expires_at: datetime
    ) -> int:
        """Revoke the user's unused invites and store a new one."""
        await self.s.execute(
            "UPDATE invites SET revoked_at = ? WHERE user_id = ? AND redeemed_at IS NULL"
            " AND revoked_at IS NULL",
            (to_db(now), user_id),
        )
        return await self.s.insert(
            "INSERT INTO invites (token_hash, user_id, created_by, created_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_hash, user_id, created_by, to_db(now), to_db(expires_at)),
        )

    async def revoke_all(self, user_id: str, now: datetime) -> int:
        """Revoke every unused invite of an employee; return how many."""
        return await self.s.change(
            "UPDATE invites SET revoked_at = ? WHERE user_id = ? AND redeemed_at IS NULL"
            " AND revoked_at IS NULL",
            (to_db(now), user_id),
        )

    async def by_hash(self, token_hash: str) -> InviteRow | None:
        """Return the invite stored under a token hash."""
        row = await self.s.fetchone("SELECT * FROM invites WHERE token_hash = ?", (token_hash,))
        return InviteRow.from_row(row) if row else None

    async def mark_redeemed(self, invite_id: int, telegram_id: int, now: datetime) -> bool:
        """Mark an invite used; False if another redemption got there first."""
        changed = await self.s.change(
            "UPDATE invites SET redeemed_at = ?, redeemed_by = ? WHERE id = ?"
            " AND redeemed_at IS NULL AND revoked_at IS NULL",
            (to_db(now), telegram_id, invite_id),
        )
        return changed == 1
