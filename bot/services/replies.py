"""Answers to the person who acted, queued in the outbox in the update's own transaction.

An answer is stored with the change it reports (the update's unit of work), so a crash
never leaves a change without its answer, or an answer without its change; the sender
delivers it first of all pushes (``Priority.REPLY``).
"""

from __future__ import annotations

from typing import Any

from bot.services.base import Service
from bot.storage.inbox import HANDLING
from bot.storage.outbox import Document, Priority


class ReplyService(Service):
    """Queues answers and edits of the bot's own messages."""

    async def say(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        protect_content: bool = False,
        completes: int | None = None,
        priority: Priority = Priority.REPLY,
        topic: str | None = None,
        document: Document | None = None,
    ) -> None:
        """Queue an answer (under a topic, to edit it later).

        ``completes`` names the update whose instant card this answer becomes; a
        ``document`` goes as a file, with the text as its caption (at most 1024 characters).
        """
        async with self.db.transaction() as tx:
            await tx.outbox.enqueue(
                self.clock.now(),
                chat_id,
                text,
                reply_markup=reply_markup,
                protect_content=protect_content,
                priority=priority,
                express_of=completes,
                topic=topic,
                document=document,
            )
        handling = HANDLING.get()
        if completes is not None and handling is not None:
            handling.replaces_express = True

    async def edit(
        self,
        chat_id: int,
        message_id: int,
        text: str,
        *,
        reply_markup: dict[str, Any] | None = None,
    ) -> None:
        """Queue an edit of a message the bot sent (a pending edit of it is replaced)."""
        async with self.db.transaction() as tx:
            await tx.outbox.enqueue_edit_of_message(
                self.clock.now(),
                chat_id,
                message_id,
                text,
                reply_markup=reply_markup,
                priority=Priority.REPLY,
            )

    async def instant_card_sent(self, update_id: int) -> bool:
        """Whether the instant card for an update already went out (before a restart)."""
        async with self.db.read() as tx:
            return await tx.outbox.instant_card(update_id) is not None
