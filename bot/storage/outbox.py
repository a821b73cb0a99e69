"""The outbox table: pushes written in the same transaction as what caused them.

A push is a message to send, or an edit of a message an earlier push sent. It stays
pending until the sender has delivered it, so a restart loses none.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import to_db
from bot.storage.database import Database, Session


@dataclass(frozen=True)
class Push:
    """One pending or delivered push."""

    id: int
    op: str
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    protect_content: bool
    pin: bool
    edit_of: int | None
    topic: str | None
    status: str
    attempts: int
    message_id: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Push:
        """Build from an outbox row."""
        markup = row["reply_markup"]
        return cls(
            id=row["id"],
            op=row["op"],
            chat_id=row["chat_id"],
            text=row["text"],
            reply_markup=json.loads(markup) if markup else None,
            protect_content=bool(row["protect_content"]),
            pin=bool(row["pin"]),
            edit_of=row["edit_of"],
            topic=row["topic"],
            status=row["status"],
            attempts=row["attempts"],
            message_id=row["message_id"],
        )


def _markup(markup: dict[str, Any] | None) -> str | None:
    return json.dumps(markup, ensure_ascii=False) if markup else None


class OutboxStore:
    """SQL for the outbox."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    async def enqueue_in(
        s: Session,
        now: datetime,
        chat_id: int,
        text: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        protect_content: bool = False,
        pin: bool = False,
        topic: str | None = None,
    ) -> int:
        """Queue a message inside the caller's transaction."""
        return await s.insert(
            "INSERT INTO outbox (op, chat_id, text, reply_markup, protect_content, pin, topic,"
            " not_before, created_at) VALUES ('send', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                chat_id,
                text,
                _markup(reply_markup),
                int(protect_content),
                int(pin),
                topic,
                to_db(now),
                to_db(now),
            ),
        )

    @staticmethod
    async def enqueue_edit_in(
        s: Session,
        now: datetime,
        of_push: int,
        text: str,
        reply_markup: dict[str, Any] | None,
    ) -> None:
        """Queue an edit of an earlier push; an unsent push is rewritten in place instead."""
        original = await s.fetchone("SELECT * FROM outbox WHERE id = ?", (of_push,))
        if original is None:
            return
        if original["status"] == "pending":
            await s.execute(
                "UPDATE outbox SET text = ?, reply_markup = ? WHERE id = ?",
                (text, _markup(reply_markup), of_push),
            )
            return
        if original["status"] != "sent":
            return
        await s.execute(
            "UPDATE outbox SET status = 'superseded' WHERE edit_of = ? AND status = 'pending'",
            (of_push,),
        )
        await s.insert(
            "INSERT INTO outbox (op, chat_id, text, reply_markup, protect_content, edit_of,"
            " topic, not_before, created_at) VALUES ('edit', ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                original["chat_id"],
                text,
                _markup(reply_markup),
                original["protect_content"],
                of_push,
                original["topic"],
                to_db(now),
                to_db(now),
            ),
        )

    @staticmethod
    async def sends_for_topic_in(s: Session, topic: str) -> list[Push]:
        """Return the (unsuperseded) message pushes of a topic, oldest first."""
        rows = await s.fetchall(
            "SELECT * FROM outbox WHERE topic = ? AND op = 'send' AND status IN ('pending', 'sent')"
            " ORDER BY id",
            (topic,),
        )
        return [Push.from_row(r) for r in rows]

    async def due(self, now: datetime, limit: int = 50) -> list[Push]:
        """Return pending pushes whose time has come, oldest first."""
        async with self.db.read() as s:
            rows = await s.fetchall(
                "SELECT * FROM outbox WHERE status = 'pending' AND not_before <= ?"
                " ORDER BY id LIMIT ?",
                (to_db(now), limit),
            )
        return [Push.from_row(r) for r in rows]

    async def message_id_of(self, push_id: int) -> int | None:
        """Return the Telegram message id a sent push produced."""
        async with self.db.read() as s:
            row = await s.fetchone("SELECT message_id FROM outbox WHERE id = ?", (push_id,))
        return int(row["message_id"]) if row and row["message_id"] is not None else None

    async def mark_sent(self, push_id: int, message_id: int | None, now: datetime) -> None:
        """Record a delivery."""
        async with self.db.transaction() as s:
            await s.execute(
                "UPDATE outbox SET status = 'sent', message_id = COALESCE(?, message_id),"
                " sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                (message_id, to_db(now), push_id),
            )

    async def mark_retry(self, push_id: int, not_before: datetime, error: str) -> None:
        """Put a push back for a later try."""
        async with self.db.transaction() as s:
            await s.execute(
                "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?"
                " WHERE id = ?",
                (to_db(not_before), error, push_id),
            )

    async def mark_failed(self, push_id: int, error: str) -> None:
        """Give a push up for good (the user blocked the bot, the chat is gone)."""
        async with self.db.transaction() as s:
            await s.execute(
                "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?"
                " WHERE id = ?",
                (error, push_id),
            )

    async def pending_count(self) -> int:
        """Return how many pushes wait."""
        async with self.db.read() as s:
            row = await s.fetchone("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'")
        return int(row["n"]) if row else 0
