"""The one sender: every message, edit and pin goes out through this task, paced.

Handlers and services queue what they send in the outbox, in the transaction of the change
it reports; only the first emergency card, and the few answers that must go out when the
database cannot be used, are queued here in memory (``express``). The sender:

- keeps under Telegram's limits (about 30 messages a second in all, about one a second to
  one chat, short bursts) with two kinds of token bucket, so a 429 is rare rather than the
  way it learns the limits;
- keeps each chat's order, and serves chats by priority: the person who just acted, then
  emergencies and incidents, then other pushes, then edits of copies (``Priority``);
- has several calls under way at once (to different chats), so a slow Bot API does not
  slow the pace;
- on a 429 waits the given time for that chat (for all chats when many chats got one) and
  sends again; on a network error waits with a capped backoff, for as long as it takes
  (``give_up_sending``, at least a day), probing with one call at a time; gives up only on a
  message that can never be delivered (the person blocked the bot, the chat is gone), and
  audits that.

A restart loses nothing queued in the outbox: what is pending stays in the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from bot.reachability import Reachability
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.inbox import Handling
from bot.storage.outbox import Push, PushOp
from bot.storage.turns import RANK, URGENT

log = logging.getLogger(__name__)

HEADS_PER_ROUND = 40
"""How many chats' first pushes one round reads from the outbox."""
IDLE_WAIT = 30.0
"""Seconds the task sleeps when nothing is due and nobody wakes it."""
MAX_ATTEMPTS = 8
"""Tries of a push that meets an unexpected Bot API error (not a network error, not a 429)."""
MANY_429 = 3
"""429s for this many chats within a second mean the bot-wide limit: all chats wait."""
REMEMBERED_CARDS = 10_000
"""Instant cards remembered (by update id) so that the full card edits them."""


@dataclass(frozen=True)
class Pacing:
    """The sender's numbers (the defaults keep under Telegram's limits with some room)."""

    rate: float = 29.0
    burst: int = 20
    chat_rate: float = 1.0
    chat_burst: int = 2
    in_flight: int = 16
    retry_max: float = 30.0
    give_up: timedelta = timedelta(hours=48)

    @classmethod
    def of(cls, settings: Settings) -> Pacing:
        """The numbers from the settings."""
        return cls(
            rate=settings.send_rate_per_second,
            burst=settings.send_burst,
            chat_rate=settings.send_chat_rate_per_second,
            chat_burst=settings.send_chat_burst,
            in_flight=settings.send_in_flight,
            retry_max=settings.send_retry_max_seconds,
            give_up=settings.give_up_sending,
        )


class Bucket:
    """Up to ``burst`` tokens, refilled at ``rate`` a second; a call takes one."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.updated = time.monotonic()
        self.blocked_until = 0.0

    def wait(self, now: float) -> float:
        """Seconds until a token is there (0: now)."""
        if now < self.blocked_until:
            self.updated = now  # nothing refills while Telegram says to wait
            return self.blocked_until - now
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Take a token (after ``wait`` said 0)."""
        self.tokens -= 1

    def block(self, until: float) -> None:
        """Take no token before ``until`` (Telegram said to wait)."""
        self.blocked_until = max(self.blocked_until, until)
        self.tokens = 1.0  # one call when the wait is over, then the usual pace

    def full(self, now: float) -> bool:
        """Whether the bucket is back to its burst (so it need not be remembered)."""
        return self.wait(now) == 0 and self.tokens >= self.burst


@dataclass
class Express:
    """An answer kept in memory only: it must not wait for the database."""

    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None = None
    protect_content: bool = False
    key: int | None = None
    """The update it answers; the full answer, once stored, takes its place or edits it."""
    seq: int = field(default_factory=count().__next__)


Item = Express | Push


class Sender:
    """Delivers the outbox and the express answers, paced, in one task."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        pacing: Pacing | None = None,
        reachability: Reachability | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.pacing = pacing or Pacing()
        self.reachability = reachability or Reachability(self.pending_count)
        self._all = Bucket(self.pacing.rate, self.pacing.burst)
        self._chats: dict[int, Bucket] = {}
        self._busy: set[int] = set()
        self._calls: set[asyncio.Task[None]] = set()
        self._records: set[asyncio.Task[None]] = set()
        self._express: list[Express] = []
        self._replaced: OrderedDict[int, None] = OrderedDict()
        self._cards: OrderedDict[int, tuple[int, int]] = OrderedDict()
        self._expressed: OrderedDict[int, None] = OrderedDict()
        self._recent_429: dict[int, float] = {}
        self._backoff = 0.0
        self._more = True
        self._wanted = asyncio.Event()
        self._requested = 0
        self._completed = 0
        self._rounds: asyncio.Condition | None = None
        self._task: asyncio.Task[None] | None = None

    # -- what handlers and the processor call ----------------------------------------------

    def wake(self) -> None:
        """Ask for a delivery round soon (cheap; many wakes make one round)."""
        self._requested += 1
        self._wanted.set()

    def after_update(self, handling: Handling | None) -> None:
        """An update's handling ended: its stored answers may replace its instant card."""
        if handling is not None and handling.replaces_express and handling.marked:
            self._replaced[handling.update_id] = None
            while len(self._replaced) > REMEMBERED_CARDS:
                self._replaced.popitem(last=False)
        self.wake()

    def express(
        self,
        chat_id: int,
        text: str,
        *,
        reply_markup: dict[str, Any] | None = None,
        protect_content: bool = False,
        key: int | None = None,
    ) -> None:
        """Send at once, before anything queued, without the database (not durable).

        An answer with a key is sent once: a second one for the same update is ignored.
        """
        if key is not None:
            if key in self._expressed:
                return
            self._expressed[key] = None
            while len(self._expressed) > REMEMBERED_CARDS:
                self._expressed.popitem(last=False)
        self._express.append(Express(chat_id, text, reply_markup, protect_content, key))
        self.wake()

    def delivered(self, key: int) -> bool:
        """Whether the instant answer for an update has gone out (as far as this process knows)."""
        return key in self._cards

    async def pending_count(self) -> int:
        """How many messages wait (stored and in memory)."""
        async with self.db.read() as tx:
            stored = await tx.outbox.pending_count()
        return stored + len(self._express)

    # -- the task ----------------------------------------------------------------------------

    def start(self, bot: Bot) -> None:
        """Start the task (once); it delivers whatever is pending at once."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(bot), name="sender")
            self.wake()

    async def stop(self) -> None:
        """Stop the task and the calls under way; what is stored and pending stays pending."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for call in list(self._calls):
            call.cancel()
        if self._calls or self._records:
            await asyncio.gather(*self._calls, *self._records, return_exceptions=True)

    async def settled(self, timeout: float = 10.0) -> None:
        """Wait until everything due when this was called has been delivered (tests, sandbox)."""
        self.wake()
        target = self._requested
        rounds = self._condition()
        async with rounds:
            await asyncio.wait_for(rounds.wait_for(lambda: self._completed >= target), timeout)

    def _condition(self) -> asyncio.Condition:
        if self._rounds is None:
            self._rounds = asyncio.Condition()
        return self._rounds

    async def _run(self, bot: Bot) -> None:
        RANK.set(URGENT)  # the sender's reads and marks go before updates' work
        seen, timed_out = -1, True
        while True:
            self._wanted.clear()
            target = self._requested
            # Only a call that ended wakes us, and it freed nothing that waits: no need to ask.
            asked = timed_out or target != seen or self._more or bool(self._express)
            seen = target
            wait: float | None = None
            if asked:
                try:
                    wait = await self._dispatch(bot)
                except Exception:
                    log.exception("delivery round failed; the next round tries again")
                    wait = 1.0
            if wait is None:
                if not self._calls:
                    await self._round_done(target)
                wait = await self._sleep_for()
            timed_out = False
            try:
                await asyncio.wait_for(self._wanted.wait(), wait)
            except TimeoutError:
                timed_out = True

    async def _round_done(self, target: int) -> None:
        rounds = self._condition()
        async with rounds:
            self._completed = max(self._completed, target)
            rounds.notify_all()

    async def _sleep_for(self) -> float:
        """Seconds until the earliest held-back push falls due (at most IDLE_WAIT)."""
        async with self.db.read() as tx:
            due_at = await tx.outbox.next_due_at()
        if due_at is None:
            return IDLE_WAIT
        seconds = (due_at - self.clock.now()).total_seconds()
        return min(IDLE_WAIT, max(0.05, seconds))

    # -- choosing what goes next ------------------------------------------------------------

    async def _dispatch(self, bot: Bot) -> float | None:
        """Start every call that may go now; return seconds until one more may, None if none."""
        waits: list[float] = []
        for item in list(self._express):
            if item.key is not None and item.key in self._replaced:
                self._express.remove(item)  # the stored, full answer goes instead
                continue
            wait = self._wait_for(item.chat_id)
            if wait is None:
                continue
            if wait > 0:
                if self._must_stop():
                    return wait
                waits.append(wait)
                continue
            self._express.remove(item)
            self._start(bot, item)
        if (spent := self._all.wait(time.monotonic())) > 0:
            self._more = True
            return spent  # nothing may go: no need to ask the database what waits
        async with self.db.read() as tx:
            heads = await tx.outbox.heads(self.clock.now(), HEADS_PER_ROUND)
        # More may be due once a call ends: a full page, or a chat with more behind its first.
        self._more = len(heads) == HEADS_PER_ROUND or any(push.queued > 1 for push in heads)
        for push in heads:
            wait = self._wait_for(push.chat_id)
            if wait is None:
                self._more = True  # its chat is busy: ask again when that call ends
                continue
            if wait > 0:
                if self._must_stop():
                    self._more = True
                    return wait
                waits.append(wait)
                continue
            if push.express_of is not None:
                self._express = [e for e in self._express if e.key != push.express_of]
            self._start(bot, push)
        if waits:
            return min(waits)
        return None if not self._calls else IDLE_WAIT

    def _wait_for(self, chat_id: int) -> float | None:
        """Seconds until a call to this chat may start (None: one is under way)."""
        if chat_id in self._busy:
            return None
        now = time.monotonic()
        if self._calls_full():
            return IDLE_WAIT  # a call that ends wakes the task
        bucket = self._chats.get(chat_id)
        chat_wait = bucket.wait(now) if bucket is not None else 0.0
        return max(self._all.wait(now), chat_wait)

    def _calls_full(self) -> bool:
        """Whether calls enough are under way (one probe at a time while the API is gone)."""
        limit = 1 if self.reachability.down else self.pacing.in_flight
        return len(self._calls) >= limit

    def _must_stop(self) -> bool:
        """Whether nothing at all may go now (the bot-wide limit, or calls enough under way)."""
        return self._all.wait(time.monotonic()) > 0 or self._calls_full()

    def _start(self, bot: Bot, item: Item) -> None:
        now = time.monotonic()
        self._all.take()
        bucket = self._bucket_of(item.chat_id)
        bucket.wait(now)
        bucket.take()
        self._busy.add(item.chat_id)
        call = asyncio.create_task(self._call(bot, item), name=f"send:{item.chat_id}")
        self._calls.add(call)
        if len(self._chats) > 4 * HEADS_PER_ROUND:
            self._chats = {c: b for c, b in self._chats.items() if not b.full(now)}

    def _bucket_of(self, chat_id: int) -> Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = Bucket(self.pacing.chat_rate, self.pacing.chat_burst)
        return bucket

    async def _call(self, bot: Bot, item: Item) -> None:
        try:
            if isinstance(item, Express):
                await self._send_express(bot, item)
            else:
                await self._deliver(bot, item)
        except Exception:
            log.exception("sending to chat %s failed unexpectedly", item.chat_id)
        finally:
            self._busy.discard(item.chat_id)
            task = asyncio.current_task()
            if task is not None:
                self._calls.discard(task)
            self._wanted.set()

    # -- the calls --------------------------------------------------------------------------

    async def _send_express(self, bot: Bot, item: Express) -> None:
        try:
            message = await _send(bot, item)
        except RetryAfter as exc:
            self._held(item.chat_id, exc)
            self._express.insert(0, item)
            return
        except (Forbidden, BadRequest) as exc:
            log.warning("answer to chat %s not delivered: %s", item.chat_id, type(exc).__name__)
            return
        except TelegramError as exc:
            self._unreachable(exc)
            self._express.insert(0, item)
            return
        await self.reachability.reached()
        self._backoff = 0.0
        if item.key is not None:
            self._cards[item.key] = (item.chat_id, message.message_id)
            while len(self._cards) > REMEMBERED_CARDS:
                self._cards.popitem(last=False)
            # A restart must know it went out; written beside the sending, so that the next
            # card does not wait for the database (the full card finds it in memory first).
            record = asyncio.create_task(self._record_card(item, message.message_id))
            self._records.add(record)
            record.add_done_callback(self._records.discard)
        log.info("instant answer delivered to chat %s", item.chat_id)

    async def _record_card(self, item: Express, message_id: int) -> None:
        assert item.key is not None
        try:
            async with self.db.transaction() as tx:
                await tx.outbox.record_instant_card(
                    self.clock.now(), item.chat_id, message_id, item.text, item.key
                )
        except Exception:
            log.exception("recording the instant card for chat %s failed", item.chat_id)

    async def _deliver(self, bot: Bot, push: Push) -> None:
        """Deliver one stored push, or put it back for later."""
        now = self.clock.now()
        try:
            if push.op is PushOp.SEND:
                card = await self._instant_card(push.express_of)
                if card is not None and card[0] == push.chat_id:
                    await self._edit(bot, push, card[1])  # the instant card becomes the full one
                    await self._mark_sent(push, card[1])
                else:
                    message = await _send(bot, push)
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
                    return
                await self._edit(bot, push, target)
                await self._mark_sent(push, target)
        except RetryAfter as exc:
            seconds = self._held(push.chat_id, exc)
            await self._mark_retry(push, now + timedelta(seconds=seconds), "429")
            return
        except (Forbidden, BadRequest) as exc:
            await self._mark_failed(push, type(exc).__name__)
            log.warning("push %s to chat %s failed: %s", push.id, push.chat_id, type(exc).__name__)
            return
        except NetworkError as exc:
            self._unreachable(exc)
            if push.created_at is not None and now - push.created_at > self.pacing.give_up:
                await self._mark_failed(push, f"unreachable for {self.pacing.give_up}")
                return
            await self._mark_retry(push, now, type(exc).__name__)
            return
        except TelegramError as exc:
            if push.attempts + 1 >= MAX_ATTEMPTS:
                await self._mark_failed(push, type(exc).__name__)
                return
            backoff = timedelta(seconds=min(300, 2 ** (push.attempts + 1)))
            await self._mark_retry(push, now + backoff, type(exc).__name__)
            log.warning("push %s: %s, retry in %s", push.id, type(exc).__name__, backoff)
            return
        await self.reachability.reached()
        self._backoff = 0.0
        log.info("push %s (%s) delivered to chat %s", push.id, push.op.value, push.chat_id)

    async def _instant_card(self, update_id: int | None) -> tuple[int, int] | None:
        """The instant card this push completes, if it went out (remembered, or stored)."""
        if update_id is None:
            return None
        card = self._cards.pop(update_id, None)
        if card is not None:
            return card
        async with self.db.read() as tx:
            return await tx.outbox.instant_card(update_id)

    async def _edit(self, bot: Bot, push: Push, message_id: int) -> None:
        try:
            await bot.edit_message_text(
                push.text,
                chat_id=push.chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=_inline(push.reply_markup, bot),
            )
        except BadRequest as exc:
            if "not modified" not in exc.message:
                raise

    def _held(self, chat_id: int, exc: RetryAfter) -> float:
        """A 429: that chat waits the time given; many chats at once mean all wait."""
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        now = time.monotonic()
        self._bucket_of(chat_id).block(now + seconds)
        self._recent_429 = {c: at for c, at in self._recent_429.items() if now - at < 1.0}
        self._recent_429[chat_id] = now
        if len(self._recent_429) >= MANY_429:
            self._all.block(now + seconds)
        log.warning("chat %s: Telegram asks to wait %.0f s (429)", chat_id, seconds)
        return seconds

    def _unreachable(self, exc: TelegramError) -> None:
        """A network error: every chat waits, a little longer each time, one probe at a time."""
        self.reachability.failed(exc)
        self._backoff = min(self.pacing.retry_max, max(1.0, self._backoff * 2))
        self._all.block(time.monotonic() + self._backoff)

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


async def _send(bot: Bot, item: Item) -> Message:
    """Send an answer or a push as a new message (HTML, its keyboard, protected or not), or
    as a file with the text as its caption."""
    document = item.document if isinstance(item, Push) else None
    if document is not None:
        return await bot.send_document(
            item.chat_id,
            InputFile(document.content, filename=document.filename),
            caption=item.text,
            parse_mode=ParseMode.HTML,
            reply_markup=_markup(item.reply_markup, bot),
            protect_content=item.protect_content,
        )
    return await bot.send_message(
        item.chat_id,
        item.text,
        parse_mode=ParseMode.HTML,
        reply_markup=_markup(item.reply_markup, bot),
        protect_content=item.protect_content,
    )


def _markup(
    data: dict[str, Any] | None, bot: Bot
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """The stored keyboard as PTB's object: inline buttons, the big keyboard, or its removal."""
    if not data:
        return None
    if "keyboard" in data:
        return ReplyKeyboardMarkup.de_json(data, bot)
    if "remove_keyboard" in data:
        return ReplyKeyboardRemove.de_json(data, bot)
    return InlineKeyboardMarkup.de_json(data, bot)


def _inline(data: dict[str, Any] | None, bot: Bot) -> InlineKeyboardMarkup | None:
    """An edit carries inline buttons only."""
    return InlineKeyboardMarkup.de_json(data, bot) if data and "inline_keyboard" in data else None


async def _pin(bot: Bot, chat_id: int, message_id: int) -> None:
    """Pin a delivered message; a failure to pin never resends it."""
    try:
        await bot.pin_chat_message(chat_id, message_id, disable_notification=True)
    except TelegramError as exc:
        log.warning(
            "pinning message %s in chat %s failed: %s", message_id, chat_id, type(exc).__name__
        )
