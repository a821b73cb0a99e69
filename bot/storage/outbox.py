"""The outbox table: pushes written in the same transaction as what caused them.

A push is a message to send, or an edit of a message an earlier push sent. It stays
pending until the sender has delivered it, so a restart loses none.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from bot.clock import from_db, to_db
from bot.storage.session import Session


class PushOp(StrEnum):
    """What a push does."""

    SEND = "send"
    EDIT = "edit"


class Priority(IntEnum):
    """Which chat the sender serves next (lowest first); within a chat, order is kept."""

    EXPRESS = -1
    """An instant answer that never touched the database (the first emergency card)."""
    REPLY = 0
    """The answer to the person who just acted."""
    EMERGENCY = 1
    """Emergency pushes and outage incidents."""
    PUSH = 2
    """Other pushes: tickets, notices, reminders."""
    COPY = 3
    """Edits of copies of a card that others acted on."""


class PushStatus(StrEnum):
    """Where a push stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SUPERSEDED = "superseded"


@dataclass(frozen=True)
class Document:
    """A file to send: its name as the recipient sees it, and its bytes."""

    filename: str
    content: bytes


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
    priority: Priority = Priority.PUSH
    express_of: int | None = None
    created_at: datetime | None = None
    queued: int = 1
    """How many pushes wait for the chat, this one included (as ``heads`` found it)."""
    document: Document | None = None
    """A file sent with the text as its caption."""

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
            priority=Priority(row["priority"]),
            express_of=row["express_of"],
            created_at=from_db(row["created_at"]),
            queued=row["queued"] if "queued" in row.keys() else 1,  # noqa: SIM118 (sqlite3.Row)
            document=Document(row["filename"], bytes(row["document"])) if row["filename"] else None,
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
        priority: Priority = Priority.PUSH,
        express_of: int | None = None,
        document: Document | None = None,
    ) -> int:
        """Queue a message (``express_of``: the instant card it completes, by update id; a
        ``document`` goes as a file with the text as its caption)."""
        return await self.s.insert(
            "INSERT INTO outbox (op, chat_id, text, reply_markup, protect_content, pin, topic,"
            " priority, express_of, not_before, created_at, filename, document)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                PushOp.SEND.value,
                chat_id,
                text,
                _markup(reply_markup),
                int(protect_content),
                int(pin),
                topic,
                int(priority),
                express_of,
                to_db(now),
                to_db(now),
                document.filename if document else None,
                document.content if document else None,
            ),
        )

    async def enqueue_edit(
        self,
        now: datetime,
        of_push: int,
        text: str,
        reply_markup: dict[str, Any] | None,
        *,
        priority: Priority = Priority.COPY,
        every: timedelta = timedelta(0),
    ) -> None:
        """Queue an edit of an earlier push; an unsent push is rewritten in place instead.

        Of several pending edits of one message only the latest is sent, and no sooner than
        ``every`` after the message was last sent or edited (so a growing card does not flood).
        """
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
        last = await self.s.fetchone(
            "SELECT MAX(sent_at) AS at FROM outbox WHERE (id = ? OR edit_of = ?) AND status = ?",
            (of_push, of_push, PushStatus.SENT.value),
        )
        not_before = now
        if last is not None and last["at"] is not None:
            not_before = max(now, from_db(last["at"]) + every)
        await self.s.insert(
            "INSERT INTO outbox (op, chat_id, text, reply_markup, protect_content, edit_of,"
            " topic, priority, not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                PushOp.EDIT.value,
                original["chat_id"],
                text,
                _markup(reply_markup),
                original["protect_content"],
                of_push,
                original["topic"],
                int(priority),
                to_db(not_before),
                to_db(now),
            ),
        )

    async def enqueue_edit_of_message(
        self,
        now: datetime,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        topic: str | None = None,
        priority: Priority = Priority.PUSH,
    ) -> None:
        """Queue an edit of a message the bot sent; a pending edit of it is replaced."""
        await self.s.execute(
            "UPDATE outbox SET status = ? WHERE chat_id = ? AND message_id = ? AND op = ?"
            " AND status = ?",
            (
                PushStatus.SUPERSEDED.value,
                chat_id,
                message_id,
                PushOp.EDIT.value,
                PushStatus.PENDING.value,
            ),
        )
        await self.s.insert(
            "INSERT INTO outbox (op, chat_id, text, reply_markup, message_id, topic, priority,"
            " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                PushOp.EDIT.value,
                chat_id,
                text,
                _markup(reply_markup),
                message_id,
                topic,
                int(priority),
                to_db(now),
                to_db(now),
            ),
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

    async def record_instant_card(
        self, now: datetime, chat_id: int, message_id: int, text: str, update_id: int
    ) -> None:
        """Remember an instant card the sender delivered from memory (so a restart knows it)."""
        await self.s.insert(
            "INSERT INTO outbox (op, chat_id, text, protect_content, priority, express_of, status,"
            " message_id, attempts, not_before, created_at, sent_at)"
            " VALUES (?, ?, ?, 1, ?, ?, ?, ?, 1, ?, ?, ?)",
            (
                PushOp.SEND.value,
                chat_id,
                text,
                int(Priority.EXPRESS),
                update_id,
                PushStatus.SENT.value,
                message_id,
                to_db(now),
                to_db(now),
                to_db(now),
            ),
        )

    async def instant_card(self, update_id: int) -> tuple[int, int] | None:
        """The chat and message of the instant card delivered for an update, if one was."""
        row = await self.s.fetchone(
            "SELECT chat_id, message_id FROM outbox WHERE express_of = ? AND priority = ?"
            " AND status = ? ORDER BY id LIMIT 1",
            (update_id, int(Priority.EXPRESS), PushStatus.SENT.value),
        )
        return (int(row["chat_id"]), int(row["message_id"])) if row else None

    async def heads(self, now: datetime, limit: int) -> list[Push]:
        """Return each chat's first pending push if its time has come, best chat first.

        Within a chat the order is kept: a push held back (a 429's wait, a network error's
        backoff) holds the chat's later pushes too. An edit that only waits for its turn
        (``every``) holds nothing back. Chats are served by the best priority they wait
        with, then by age.
        """
        pending, stamp = PushStatus.PENDING.value, to_db(now)
        rows = await self.s.fetchall(
            "WITH waiting AS (SELECT * FROM outbox WHERE status = :pending"
            "  AND NOT (op = :edit AND attempts = 0 AND not_before > :now)),"
            " firsts AS (SELECT chat_id, MIN(id) AS id, MIN(priority) AS rank,"
            "  COUNT(*) AS queued FROM waiting GROUP BY chat_id)"
            " SELECT o.*, firsts.queued FROM firsts JOIN outbox AS o ON o.id = firsts.id"
            " WHERE o.not_before <= :now ORDER BY firsts.rank, o.id LIMIT :limit",
            {"pending": pending, "edit": PushOp.EDIT.value, "now": stamp, "limit": limit},
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
