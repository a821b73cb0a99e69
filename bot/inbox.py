"""The durable inbox: updates are stored in SQLite before Telegram is told they arrived.

One task fetches updates with long polling. Each batch is stored first; only then does the
next ``getUpdates`` (with a higher offset) confirm it to Telegram, so a crash at any point
loses nothing: what was stored and not handled is handled after the restart, before new
updates are fetched. An update that looks like it holds a CPR number is stored without its
text and with a flag, and handed on as it came, so the guard refuses it as it always has;
the inbox never holds the number. Telegram delivering an update again changes nothing: it is
stored once and handed on once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import time
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Conflict, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.clock import Clock
from bot.reachability import Reachability
from bot.services import Services
from bot.storage.database import Database
from bot.storage.inbox import StoredUpdate
from bot.storage.turns import RANK, URGENT
from handlers.context import REPLAYED, Express
from handlers.emergency import instant_card
from handlers.menu import is_emergency
from handlers.text import holds_cpr
from state.roles import Permission, may

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25
RETRY_FIRST_SECONDS = 1.0
RETRY_MAX_SECONDS = 30.0
CONFLICT_EVERY = 60.0
"""Seconds between two ERROR lines about another bot polling with the same token."""


def person_of(update: Update) -> int:
    """The key a person's updates are kept in order by: the user, else the chat, else 0."""
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return 0


def stored_form(update: Update) -> tuple[str, bool]:
    """The update as the inbox keeps it: without any text when it looks like a CPR number."""
    message = update.effective_message
    if message is not None and holds_cpr(message):
        kept: dict[str, Any] = {"update_id": update.update_id}
        return json.dumps(kept), True
    return json.dumps(update.to_dict(), ensure_ascii=False), False


class UpdateInbox:
    """Fetches, stores and hands on updates; hands on what a crash left unhandled first."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        db: Database,
        clock: Clock,
        reachability: Reachability,
    ) -> None:
        self.application = application
        self.db = db
        self.clock = clock
        self.reachability = reachability
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the task (once): replay what is unhandled, then poll."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="inbox")

    async def stop(self) -> None:
        """Stop fetching; what is stored and unhandled stays for the next start."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        RANK.set(URGENT)  # storing what arrived goes before updates' work: cards wait on it
        await self.replay()
        await self._poll()

    async def replay(self) -> int:
        """Hand on every stored update not yet handled; return how many."""
        async with self.db.read() as tx:
            waiting = await tx.inbox.unhandled()
        replayed: set[int] = self.application.bot_data.setdefault(REPLAYED, set())
        for stored in waiting:
            replayed.add(stored.update_id)
            await self._hand_on_stored(stored)
        if waiting:
            log.info("handling %s update(s) left unhandled before the restart", len(waiting))
        return len(waiting)

    async def _hand_on_stored(self, stored: StoredUpdate) -> None:
        if stored.cpr:  # its text was never kept: nothing to handle but the mark
            async with self.db.transaction() as tx:
                await tx.inbox.mark_handled(stored.update_id, self.clock.now())
            return
        update = Update.de_json(json.loads(stored.payload), self.application.bot)
        await self.application.update_queue.put(update)

    async def _poll(self) -> None:
        bot = self.application.bot
        async with self.db.read() as tx:
            offset = await tx.inbox.next_offset()
        wait = RETRY_FIRST_SECONDS
        last_conflict: float | None = None
        while True:
            try:
                updates = await bot.get_updates(
                    offset=offset,
                    timeout=LONG_POLL_SECONDS,
                    allowed_updates=Update.ALL_TYPES,
                )
            except Conflict:
                now = time.monotonic()
                if last_conflict is None or now - last_conflict >= CONFLICT_EVERY:
                    log.error(
                        "another bot is polling with this token: stop it, or give this one "
                        "its own token (Telegram answered 409 Conflict)"
                    )
                    last_conflict = now
                await asyncio.sleep(wait)
                continue
            except InvalidToken:
                log.error("the Bot API rejects the token; updates cannot be fetched")
                await asyncio.sleep(RETRY_MAX_SECONDS)
                continue
            except (NetworkError, TelegramError) as exc:
                self.reachability.failed(exc)
                await asyncio.sleep(wait)
                wait = min(RETRY_MAX_SECONDS, wait * 2)
                continue
            await self.reachability.reached()
            wait = RETRY_FIRST_SECONDS
            if not updates:
                continue
            fresh = await self._store(updates)
            offset = max(update.update_id for update in updates) + 1  # confirms the batch
            for update in fresh:  # stored first: a card sent is never sent again after a crash
                self._answer_emergency_at_once(update)
            for update in fresh:
                await self.application.update_queue.put(update)

    def _answer_emergency_at_once(self, update: Update) -> None:
        """🆘 from an active employee: the card's first form goes out now, before any queue.

        Nothing but the gate's own quick read is needed; the handler, when the update's turn
        comes, records the emergency and completes this card in place.
        """
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            return
        if not is_emergency(update) or update.message is None or holds_cpr(update.message):
            return  # a CPR number: the guard refuses it, and nothing of it goes further
        try:
            employee = self.db.lookup.by_telegram_id(user.id)
        except sqlite3.Error:
            return  # the gate answers with Bekey's number when the update's turn comes
        if employee is None or not employee.active or not may(employee.roles, Permission.EMERGENCY):
            return  # a lock partner's fitter is answered by the gate, with no card
        services: Services = self.application.bot_data["services"]
        sender: Express = self.application.bot_data["sender"]
        card = instant_card(services, employee, update.message.date)
        sender.express(chat.id, card, protect_content=True, key=update.update_id)

    async def _store(self, updates: tuple[Update, ...]) -> list[Update]:
        """Store a batch in one transaction; return the updates not stored before."""
        fresh: list[Update] = []
        now = self.clock.now()
        async with self.db.transaction() as tx:
            for update in updates:
                payload, cpr = stored_form(update)
                if await tx.inbox.store(update.update_id, person_of(update), payload, cpr, now):
                    fresh.append(update)
                else:
                    log.info("update %s delivered again; skipped", update.update_id)
        return fresh
