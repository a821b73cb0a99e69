"""Delivers the outbox: sends and edits in order, backs off on 429 and network errors."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.storage.outbox import OutboxStore, Push

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


class Outbox:
    """Sends what the outbox table holds; one delivery round at a time."""

    def __init__(self, store: OutboxStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        self._lock = asyncio.Lock()

    async def flush(self, bot: Bot) -> int:
        """Deliver every due push; return how many were delivered."""
        delivered = 0
        async with self._lock:
            held: set[int] = set()
            for push in await self.store.due(self.clock.now(), limit=500):
                if push.chat_id in held:
                    continue
                if await self._deliver(bot, push):
                    delivered += 1
                else:
                    held.add(push.chat_id)
        return delivered

    async def _deliver(self, bot: Bot, push: Push) -> bool:
        """Deliver one push; False if the chat must wait (order within a chat is kept)."""
        markup = InlineKeyboardMarkup.de_json(push.reply_markup, bot) if push.reply_markup else None
        now = self.clock.now()
        try:
            if push.op == "send":
                message = await bot.send_message(
                    push.chat_id,
                    push.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    protect_content=push.protect_content,
                )
                await self.store.mark_sent(push.id, message.message_id, now)
                if push.pin:
                    await self._pin(bot, push.chat_id, message.message_id)
            else:
                target = await self.store.message_id_of(push.edit_of) if push.edit_of else None
                if target is None:
                    await self.store.mark_failed(push.id, "original not delivered")
                    return True
                try:
                    await bot.edit_message_text(
                        push.text,
                        chat_id=push.chat_id,
                        message_id=target,
                        parse_mode=ParseMode.HTML,
                        reply_markup=markup,
                    )
                except BadRequest as exc:
                    if "not modified" not in exc.message:
                        raise
                await self.store.mark_sent(push.id, target, now)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self.store.mark_retry(push.id, now + timedelta(seconds=seconds), "429")
            log.warning("outbox push %s to chat %s: flood wait %ss", push.id, push.chat_id, seconds)
            return False
        except (Forbidden, BadRequest) as exc:
            await self.store.mark_failed(push.id, type(exc).__name__)
            log.warning(
                "outbox push %s to chat %s failed: %s", push.id, push.chat_id, type(exc).__name__
            )
            return True
        except (NetworkError, TelegramError) as exc:
            if push.attempts + 1 >= MAX_ATTEMPTS:
                await self.store.mark_failed(push.id, type(exc).__name__)
                return True
            backoff = timedelta(seconds=min(300, 2 ** (push.attempts + 1)))
            await self.store.mark_retry(push.id, now + backoff, type(exc).__name__)
            log.warning("outbox push %s: %s, retry in %s", push.id, type(exc).__name__, backoff)
            return False
        log.info("outbox push %s (%s) delivered to chat %s", push.id, push.op, push.chat_id)
        return True

    @staticmethod
    async def _pin(bot: Bot, chat_id: int, message_id: int) -> None:
        """Pin a delivered message; a failure to pin never resends it."""
        try:
            await bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        except TelegramError as exc:
            log.warning(
                "pinning message %s in chat %s failed: %s", message_id, chat_id, type(exc).__name__
            )
