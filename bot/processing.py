"""Update processing: concurrent across people, one at a time for each person.

Telegram delivers a person's double tap as two updates; handling them one after the
other (per user) keeps a workflow from moving twice. A person's updates wait for their
turn before they take one of the shared places (``max_concurrent_updates``), so one
person's flood never keeps the others waiting.

Each update is handled in one unit of work (``bot.storage.inbox``): ``HANDLING`` names it
while it runs, its first write opens the transaction, and its end commits everything with
the update's mark (``finish``). After each update the sender is told (``after_each``), and
a waiting test learns that the update is fully handled.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.storage.inbox import HANDLING, Handling

KEEP_FINISHED = 2048
UNBOUNDED = 1 << 30

Finish = Callable[[Handling], Awaitable[None]]


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently, but a user's updates strictly in arrival order."""

    def __init__(
        self,
        finish: Finish,
        abandon: Finish,
        after_each: Callable[[Handling | None], None] | None = None,
        max_concurrent_updates: int = 32,
    ) -> None:
        super().__init__(UNBOUNDED)  # the places are taken below, after the person's turn
        self._finish = finish
        self._abandon = abandon
        self._after_each = after_each
        self._places = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._finished: OrderedDict[int, None] = OrderedDict()
        self._changed: asyncio.Condition | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the person's turn first, then for a shared place, then handle it."""
        key = _person_of(update)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock, self._places:
                await self._handle(update, coroutine)
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle one update as one unit of work, then tell the sender and any waiting test."""
        handling = Handling(update.update_id) if isinstance(update, Update) else None
        try:
            token = HANDLING.set(handling)
            try:
                await coroutine
            except BaseException:
                if handling is not None:
                    await self._abandon(handling)
                raise
            finally:
                HANDLING.reset(token)
            if handling is not None:
                await self._finish(handling)
        finally:
            if self._after_each is not None:
                self._after_each(handling)
            if isinstance(update, Update):
                await self._mark_finished(update.update_id)

    async def _mark_finished(self, update_id: int) -> None:
        self._finished[update_id] = None
        while len(self._finished) > KEEP_FINISHED:
            self._finished.popitem(last=False)
        condition = self._condition()
        async with condition:
            condition.notify_all()

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed

    async def wait_finished(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until an update has been fully handled (for tests and the sandbox)."""
        condition = self._condition()
        async with condition:
            await asyncio.wait_for(condition.wait_for(lambda: update_id in self._finished), timeout)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _person_of(update: object) -> int:
    """Return the key that serialises an update: its user, else its chat, else 0."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return 0
