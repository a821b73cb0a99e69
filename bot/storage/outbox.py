"""The outbox table: pushes written in the same transaction as what caused them.

A push is a message to send, or an edit of a message an earlier push sent. It stays
pending until the sender has delivered it, so a restart loses none.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.clock import from_db, to_db
from bot.storage.session import Session


class PushOp(StrEnum):
    """What a push does."""

    SEND = "send"
    EDIT = "edit"


class PushStatus(StrEnum):
    """Where a push stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Push:
    """One pending or delivered push."""

    id: int
    op: PushOp
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    protect_content: bool
    pin: bool
    edit_of: int | None
    topic: str | None
    status: PushStatus
    attempts: int
    message_id: int | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Push:
        """Build from an outbox row."""
        markup = row["reply_markup"]
        return cls(
            id=row["id"],
            op=PushOp(row["op"]),
            chat_id=row["chat_id"],
            text=row["text"],
            reply_markup=json.loads(markup) if markup else None,
            protect_content=bool(row["protect_content"]),
            pin=bool(row["pin"]),
            edit_of=row["edit_of"],
            topic=row["topic"],
            status=PushStatus(row["status"]),
            attempts=row["attempts"],
            message_id=row["message_id"],
        )


def _markup(markup: dict[str, Any] | None) -> str | None:
    return json.dumps(markup, ensure_ascii=False) if markup else None


class Outbox:
    """The outbox table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def enqueue(
        self,
        now: datetime,
        chat_id: int,
        text: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        protect_content: bool = False,
        pin: bool = False,
        topic: str | None = None,
    ) -> int:
        """Queue a message."""
        return await self.s.insert(
            "INSERT INTO outbox (op, chat_id, text, reply_markup, protect_content, pin, topic,"
            " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                PushOp.SEND.value,
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

    async def enqueue_edit(
        self, now: datetime, of_push: int, text: str, reply_markup: dict[str, Any] | None
    ) -> None:
        """Queue an edit of an earlier push; an unsent push is rewritten in place instead."""
        original = await self.s.fetchone("SELECT * FROM outbox WHERE id = ?", (of_push,))
        if original is None:
            return
        if original["status"] == PushStatus.PENDING:
            await self.s.execute(
                "UPDATE outbox SET text = ?, reply_markup = ? WHERE id = ?",
                (text, _markup(reply_markup), of_push),
            )
            return
        if original["status"] != PushStatus.SENT:
            return
        await self.s.execute(
            "UPDATE outbox SET status = ? WHERE edit_of = ? AND status = ?",
            (PushStatus.SUPERSEDED.value, of_push, PushStatus.PENDING.value),
        )
        await self.s.insert(
            "INSERT INTO outbox (op, chat_id, text, reply_markup, protect_content, edit_of,"
            " topic, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                PushOp.EDIT.value,
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

    async def enqueue_edit_of_message(
        self, now: datetime, chat_id: int, message_id: int, text: str, *, topic: str | None = None
    ) -> None:
        """Queue an edit of a message the bot sent directly (not through the outbox)."""
        await self.s.insert(
            "INSERT INTO outbox (op, chat_id, text, message_id, topic, not_before, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (PushOp.EDIT.value, chat_id, text, message_id, topic, to_db(now), to_db(now)),
        )

    async def earlier_pins(self, push: Push) -> list[Push]:
        """Return the delivered, still pinned pushes of the same chat and topic before this one."""
        rows = await self.s.fetchall(
            "SELECT * FROM outbox WHERE chat_id = ? AND topic = ? AND pin = 1 AND status = ?"
            " AND id < ? AND message_id IS NOT NULL ORDER BY id",
            (push.chat_id, push.topic, PushStatus.SENT.value, push.id),
        )
        return [Push.from_row(r) for r in rows]

    async def mark_unpinned(self, push_id: int) -> None:
        """Record that a pinned push's message is pinned no longer."""
        await self.s.execute("UPDATE outbox SET pin = 0 WHERE id = ?", (push_id,))

    async def sends_for_topic(self, topic: str) -> list[Push]:
        """Return the (unsuperseded) message pushes of a topic, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM outbox WHERE topic = ? AND op = ? AND status IN (?, ?) ORDER BY id",
            (topic, PushOp.SEND.value, PushStatus.PENDING.value, PushStatus.SENT.value),
        )
        return [Push.from_row(r) for r in rows]

    async def due(self, now: datetime, limit: int) -> list[Push]:
        """Return pending pushes whose time has come, oldest first.

        A push waits while an earlier push to the same chat is held back (a 429's retry
        time): a chat's messages arrive in the order they were queued.
        """
        pending, stamp = PushStatus.PENDING.value, to_db(now)
        rows = await self.s.fetchall(
            "SELECT * FROM outbox AS o WHERE o.status = ? AND o.not_before <= ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox AS p WHERE p.chat_id = o.chat_id"
            " AND p.status = ? AND p.id < o.id AND p.not_before > ?)"
            " ORDER BY o.id LIMIT ?",
            (pending, stamp, pending, stamp, limit),
        )
        return [Push.from_row(r) for r in rows]

    async def next_due_at(self) -> datetime | None:
        """Return when the earliest pending push falls due, if any waits."""
        row = await self.s.fetchone(
            "SELECT MIN(not_before) AS at FROM outbox WHERE status = ?",
            (PushStatus.PENDING.value,),
        )
        return from_db(row["at"]) if row and row["at"] is not None else None

    async def message_id_of(self, push_id: int) -> int | None:
        """Return the Telegram message id a sent push produced."""
        row = await self.s.fetchone("SELECT message_id FROM outbox WHERE id = ?", (push_id,))
        return int(row["message_id"]) if row and row["message_id"] is not None else None

    async def mark_sent(self, push_id: int, message_id: int | None, now: datetime) -> None:
        """Record a delivery."""
        await self.s.execute(
            "UPDATE outbox SET status = ?, message_id = COALESCE(?, message_id),"
            " sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
            (PushStatus.SENT.value, message_id, to_db(now), push_id),
        )

    async def mark_retry(self, push_id: int, not_before: datetime, error: str) -> None:
        """Put a push back for a later try."""
        await self.s.execute(
            "UPDATE outbox SET attempts = attempts + 1, not_before = ?, last_error = ?"
            " WHERE id = ?",
            (to_db(not_before), error, push_id),
        )

    async def mark_failed(self, push_id: int, error: str) -> None:
        """Give a push up for good (the user blocked the bot, the chat is gone)."""
        await self.s.execute(
            "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ? WHERE id = ?",
            (PushStatus.FAILED.value, error, push_id),
        )

    async def pending_count(self) -> int:
        """Return how many pushes wait."""
        return await self.s.count(
            "SELECT COUNT(*) AS n FROM outbox WHERE status = ?", (PushStatus.PENDING.value,)
        )
