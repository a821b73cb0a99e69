"""The one sender: a single task that delivers the outbox, woken after each update and by the scan.

Handlers and services only queue pushes (in the transaction of the change that caused
them); this task sends and edits them in queue order. Within a chat the order is kept:
when a push is held back (a 429's retry time, a network error's backoff), the chat's later
pushes wait behind it. A restart loses nothing: what is pending stays in the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.clock import Clock
from bot.storage.database import Database
from bot.storage.outbox import Push, PushOp

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
ROUND_SIZE = 500
IDLE_WAIT = 30.0
"""Seconds the task sleeps when nothing is due and nobody wakes it."""


class Sender:
    """Delivers what the outbox holds, one round at a time, in one task."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock
        self._wanted = asyncio.Event()
        self._requested = 0
        self._completed = 0
        self._rounds: asyncio.Condition | None = None
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """Ask for a delivery round soon (cheap; many wakes make one round)."""
        self._requested += 1
        self._wanted.set()

    def start(self, bot: Bot) -> None:
        """Start the task (once); it delivers whatever is pending at once."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(bot), name="sender")
            self.wake()

    async def stop(self) -> None:
        """Stop the task; what is pending stays pending."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until a round that began after the latest wake has finished (tests, sandbox)."""
        target = self._requested
        rounds = self._condition()
        async with rounds:
            await asyncio.wait_for(rounds.wait_for(lambda: self._completed >= target), timeout)

    def _condition(self) -> asyncio.Condition:
        if self._rounds is None:
            self._rounds = asyncio.Condition()
        return self._rounds

    async def _run(self, bot: Bot) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wanted.wait(), await self._sleep_for())
            self._wanted.clear()
            target = self._requested
            try:
                await self.deliver_due(bot)
            except Exception:
                log.exception("delivery round failed; the next round tries again")
                await asyncio.sleep(1)
            rounds = self._condition()
            async with rounds:
                self._completed = target
                rounds.notify_all()

    async def _sleep_for(self) -> float:
        """Seconds until the earliest held-back push falls due (at most IDLE_WAIT)."""
        async with self.db.read() as tx:
            due_at = await tx.outbox.next_due_at()
        if due_at is None:
            return IDLE_WAIT
        seconds = (due_at - self.clock.now()).total_seconds()
        return min(IDLE_WAIT, max(0.05, seconds))

    async def deliver_due(self, bot: Bot) -> int:
        """Deliver every due push; return how many were delivered."""
        async with self.db.read() as tx:
            due = await tx.outbox.due(self.clock.now(), ROUND_SIZE)
        delivered = 0
        held: set[int] = set()
        for push in due:
            if push.chat_id in held:
                continue
            if await self._deliver(bot, push):
                delivered += 1
            else:
                held.add(push.chat_id)
        return delivered

    async def _deliver(self, bot: Bot, push: Push) -> bool:
        """Deliver one push; False if the chat must wait (its later pushes wait too)."""
        markup = InlineKeyboardMarkup.de_json(push.reply_markup, bot) if push.reply_markup else None
        now = self.clock.now()
        try:
            if push.op is PushOp.SEND:
                message = await bot.send_message(
                    push.chat_id,
                    push.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    protect_content=push.protect_content,
                )
                await self._mark_sent(push, message.message_id)
                if push.pin:
                    await _pin(bot, push.chat_id, message.message_id)
                    await self._unpin_earlier(bot, push)
            else:
                target = (
                    push.message_id
                    if push.edit_of is None
                    else await self._message_id_of(push.edit_of)
                )
                if target is None:
                    await self._mark_failed(push, "original not delivered")
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
                await self._mark_sent(push, target)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._mark_retry(push, now + timedelta(seconds=seconds), "429")
            log.warning("push %s to chat %s: flood wait %ss", push.id, push.chat_id, seconds)
            return False
        except (Forbidden, BadRequest) as exc:
            await self._mark_failed(push, type(exc).__name__)
            log.warning("push %s to chat %s failed: %s", push.id, push.chat_id, type(exc).__name__)
            return True
        except TelegramError as exc:
            if push.attempts + 1 >= MAX_ATTEMPTS:
                await self._mark_failed(push, type(exc).__name__)
                return True
            backoff = timedelta(seconds=min(300, 2 ** (push.attempts + 1)))
            await self._mark_retry(push, now + backoff, type(exc).__name__)
            log.warning("push %s: %s, retry in %s", push.id, type(exc).__name__, backoff)
            return False
        log.info("push %s (%s) delivered to chat %s", push.id, push.op.value, push.chat_id)
        return True

    async def _unpin_earlier(self, bot: Bot, push: Push) -> None:
        """Unpin what this push replaces (the same card, pinned before in another language)."""
        if push.topic is None:
            return
        async with self.db.read() as tx:
            earlier = await tx.outbox.earlier_pins(push)
        for old in earlier:
            assert old.message_id is not None
            try:
                await bot.unpin_chat_message(old.chat_id, old.message_id)
            except TelegramError as exc:
                log.warning("unpinning in chat %s failed: %s", old.chat_id, type(exc).__name__)
            async with self.db.transaction() as tx:
                await tx.outbox.mark_unpinned(old.id)

    async def _message_id_of(self, push_id: int) -> int | None:
        async with self.db.read() as tx:
            return await tx.outbox.message_id_of(push_id)

    async def _mark_sent(self, push: Push, message_id: int) -> None:
        async with self.db.transaction() as tx:
            await tx.outbox.mark_sent(push.id, message_id, self.clock.now())

    async def _mark_retry(self, push: Push, not_before: datetime, error: str) -> None:
        async with self.db.transaction() as tx:
            await tx.outbox.mark_retry(push.id, not_before, error)

    async def _mark_failed(self, push: Push, error: str) -> None:
        """Give the push up for good, and audit that a message could not be delivered."""
        async with self.db.transaction() as tx:
            await tx.outbox.mark_failed(push.id, error)
            target = f"push:{push.id} chat:{push.chat_id}"
            await tx.audit.record(self.clock.now(), "system", "push_failed", target, error)


async def _pin(bot: Bot, chat_id: int, message_id: int) -> None:
    """Pin a delivered message; a failure to pin never resends it."""
    try:
        await bot.pin_chat_message(chat_id, message_id, disable_notification=True)
    except TelegramError as exc:
        log.warning(
            "pinning message %s in chat %s failed: %s", message_id, chat_id, type(exc).__name__
        )
