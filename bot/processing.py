"""Update processing: concurrent across people, one at a time for each person.

Telegram delivers a person's double tap as two updates; handling them one after the
other (per user) keeps a workflow from moving twice. While an update is handled, the
inbox's ``HANDLING`` names it, so that its first commit marks it handled; an update that
wrote nothing is marked at its end (``handled``). After each update it wakes the sender
(``after_each``), and it tells a waiting test when an update is fully handled.
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


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Runs updates concurrently, but a user's updates strictly in arrival order."""

    def __init__(
        self,
        after_each: Callable[[], None] | None = None,
        handled: Callable[[int], Awaitable[None]] | None = None,
        max_concurrent_updates: int = 32,
    ) -> None:
        super().__init__(max_concurrent_updates)
        self._after_each = after_each
        self._handled = handled
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._finished: OrderedDict[int, None] = OrderedDict()
        self._changed: asyncio.Condition | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Process one update while holding its user's lock."""
        key = _person_of(update)
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        handling = Handling(update.update_id) if isinstance(update, Update) else None
        try:
            async with lock:
                token = HANDLING.set(handling)  # its first commit marks it handled, with it
                try:
                    await coroutine
                finally:
                    HANDLING.reset(token)
                    if handling is not None and not handling.marked and self._handled:
                        await self._handled(handling.update_id)  # it wrote nothing: mark it now
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)
            if self._after_each is not None:
                self._after_each()  # wake the sender for what the update queued
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
