"""The callback context of this bot: the services, the employee, and the ways to answer.

Every answer goes out through the one sender: ``reply`` and ``edit`` queue it in the
update's transaction (durable, paced, in order); ``answer`` answers a button press at once,
outside the queue (it is not a message); ``express`` sends without the database, for the
first emergency card and for the answers that must go out when the database fails.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol, TypeVar

from telegram import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MaybeInaccessibleMessage,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import Application, CallbackContext, ExtBot

from bot.render.i18n import t
from bot.services import Services
from bot.storage.employees import Employee
from bot.storage.outbox import Document, Priority

log = logging.getLogger(__name__)

BotData = dict[str, Any]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove

_BACKGROUND: set[asyncio.Task[Any]] = set()

REPLAYED = "replayed"
"""bot_data key: the updates the inbox handed on again after a restart (their instant card
may have gone out before it)."""


class Express(Protocol):
    """The sender's lane for answers that must not wait for the database."""

    def express(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        protect_content: bool = False,
        key: int | None = None,
    ) -> None:
        """Send at once, before anything queued."""

    def delivered(self, key: int) -> bool:
        """Whether the instant answer for an update has gone out."""


class BekeyContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]):
    """A context that knows the services, the chat, and (after the gate) the employee."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.employee_or_none: Employee | None = None
        self.chat: int | None = chat_id
        """The private chat the update came from (set by the gate)."""
        self.update_id: int | None = None
        self.sent_at: datetime | None = None
        """When the person sent the message (None for a press)."""
        self.late_key = "late.message"

    @property
    def services(self) -> Services:
        """The shared services."""
        services: Services = self.bot_data["services"]
        return services

    @property
    def employee(self) -> Employee:
        """The bound, active employee who sent this update (the gate guarantees one)."""
        if self.employee_or_none is None:
            raise LookupError("no employee on this update")
        return self.employee_or_none

    @property
    def language(self) -> str:
        """The language to answer in."""
        if self.employee_or_none is not None:
            return self.employee_or_none.language
        return self.services.settings.default_language

    def _chat(self) -> int:
        if self.chat is None:
            raise LookupError("no chat on this update")
        return self.chat

    async def reply(
        self,
        text: str,
        *,
        markup: Markup | None = None,
        protect: bool = False,
        completes_card: bool = False,
        topic: str | None = None,
        document: Document | None = None,
    ) -> None:
        """Answer in this chat, stored with the update's changes and sent first of all pushes.

        ``completes_card``: this answer is the full form of the instant emergency card sent
        for this update; the card is edited into it (or it is sent instead, if the card has
        not gone out yet). An answer to a message sent long ago says when it was sent.
        ``document``: a file sent with the text as its caption (keep it short: Telegram
        takes at most 1024 characters).
        """
        completes = self.update_id if completes_card else None
        sender: Express = self.bot_data["sender"]
        first = completes is not None and not sender.delivered(completes)
        await self.services.replies.say(
            self._chat(),
            self.late(text),
            reply_markup=markup.to_dict() if markup is not None else None,
            protect_content=protect,
            completes=completes,
            topic=topic,
            document=document,
            # Not out yet: this is the person's first card, and takes the instant card's rank.
            priority=Priority.EXPRESS if first else Priority.REPLY,
        )

    async def edit(
        self,
        message: MaybeInaccessibleMessage | None,
        text: str,
        markup: InlineKeyboardMarkup | None = None,
    ) -> None:
        """Edit one of the bot's messages in this chat (its buttons go unless given again)."""
        if message is None:
            await self.reply(text, markup=markup)
            return
        await self.services.replies.edit(
            message.chat.id,
            message.message_id,
            text,
            reply_markup=markup.to_dict() if markup is not None else None,
        )

    def answer(self, query: CallbackQuery, text: str | None = None, *, alert: bool = False) -> None:
        """Answer a button press at once, outside the queue (a press is not a message)."""
        background(query.answer(text, show_alert=alert), "answering a press")

    def express(self, text: str, *, protect: bool = False, instant_card: bool = False) -> None:
        """Send in this chat at once, without the database (not durable)."""
        sender: Express = self.bot_data["sender"]
        sender.express(
            self._chat(),
            text,
            protect_content=protect,
            key=self.update_id if instant_card else None,
        )

    async def answered_before_a_restart(self) -> bool:
        """Whether this update's instant card went out before a crash (it is replayed now)."""
        replayed = self.bot_data.get(REPLAYED)
        if self.update_id is None or not isinstance(replayed, set):
            return False
        if self.update_id not in replayed:
            return False
        return await self.services.replies.instant_card_sent(self.update_id)

    def late(self, text: str) -> str:
        """Say when the message was sent, if it is answered long after (the bot was down)."""
        return late(self.services, self.language, self.late_key, self.sent_at, text)


def late(services: Services, language: str, key: str, sent_at: datetime | None, text: str) -> str:
    """An answer that says when the message was sent, if that was long ago (the bot was down)."""
    settings = services.settings
    if sent_at is None or services.clock.now() - sent_at < settings.late_answer:
        return text
    local = sent_at.astimezone(settings.zone)
    return f"{t(language, key, time=local.strftime('%H:%M'))}\n\n{text}"


def background(coroutine: Coroutine[Any, Any, Any], what: str) -> None:
    """Run a call to Telegram beside the update's handling; a failure is logged, not raised."""
    task = asyncio.create_task(coroutine)
    _BACKGROUND.add(task)

    def done(finished: asyncio.Task[Any]) -> None:
        _BACKGROUND.discard(finished)
        if not finished.cancelled() and finished.exception() is not None:
            log.warning("%s failed: %s", what, type(finished.exception()).__name__)

    task.add_done_callback(done)


Pressed = TypeVar("Pressed")


def pressed(
    update: Update, context: BekeyContext, parse: Callable[[str], Pressed | None]
) -> tuple[CallbackQuery, Pressed] | None:
    """The press and its button's data, parsed; data that does not parse (an old or a forged
    button) is answered as stale, and None comes back."""
    query = update.callback_query
    assert query is not None
    press = parse(query.data or "")
    if press is None:
        context.answer(query, t(context.language, "access.stale_button"), alert=True)
        return None
    return query, press


def inline_markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup | None:
    """Telegram's inline keyboard of rendered rows of (label, data) buttons (None for none)."""
    kept = [row for row in rows if row]
    if not kept:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in kept]
    )


def after_command(update: Update) -> str:
    """What follows the command in the message, as typed (line breaks kept)."""
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) == 2 else ""
