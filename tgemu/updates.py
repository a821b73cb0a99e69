"""The update queue behind getUpdates: confirmation by offset, long polling, conflicts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from tgemu.errors import conflict

JsonObject = dict[str, Any]

MAX_LIMIT = 100

client_connected: ContextVar[Callable[[], bool]] = ContextVar(
    "client_connected", default=lambda: True
)
"""Set by the server per request: is the caller still there? A superseded poll whose client
has gone (python-telegram-bot cancels its poll on stop) ends quietly instead of with 409."""


def update_type(update: JsonObject) -> str:
    """Return the kind of an update: "message", "callback_query", ..."""
    return next(key for key in update if key != "update_id")


class UpdateQueue:
    """Updates waiting for the bot, dropped once a getUpdates offset confirms them."""

    def __init__(self, *, first_update_id: int = 1, conflict_on_concurrent_polls: bool = True):
        self._updates: list[JsonObject] = []
        self._next_id = first_update_id
        self._allowed: frozenset[str] = frozenset()
        self._generation = 0
        self._closed = False
        self._changed = asyncio.Event()
        self.conflict_on_concurrent_polls = conflict_on_concurrent_polls

    def push(self, kind: str, payload: JsonObject) -> int:
        """Queue a new update and wake any waiting getUpdates; return its update_id."""
        update_id = self._next_id
        self._next_id += 1
        self._updates.append({"update_id": update_id, kind: payload})
        self._notify()
        return update_id

    def pending(self) -> list[JsonObject]:
        """Return the updates not yet confirmed, oldest first."""
        return list(self._updates)

    def drop_all(self) -> None:
        """Forget every pending update (deleteWebhook with drop_pending_updates)."""
        self._updates.clear()

    def confirm(self, offset: int) -> None:
        """Confirm updates below offset; a negative offset keeps only the last -offset."""
        if offset < 0:
            self._updates = self._updates[offset:]
        elif offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def reopen(self) -> None:
        """Serve getUpdates again after close (the server restarted)."""
        self._closed = False

    def close(self) -> None:
        """Answer every waiting getUpdates at once (the server is stopping)."""
        self._closed = True
        self._notify()

    async def poll(
        self,
        *,
        offset: int | None,
        limit: int | None,
        timeout: float,
        allowed_updates: list[str] | None,
    ) -> list[JsonObject]:
        """Serve one getUpdates: confirm, then wait up to timeout for something to return."""
        self._generation += 1
        generation = self._generation
        self._notify()
        if allowed_updates is not None:
            self._allowed = frozenset(allowed_updates)
        if offset is not None:
            self.confirm(offset)
        size = MAX_LIMIT if limit is None else min(max(limit, 1), MAX_LIMIT)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            if self._closed:
                return []
            if self.conflict_on_concurrent_polls and generation != self._generation:
                if not client_connected.get()():
                    return []
                raise conflict()
            batch = self._deliverable()[:size]
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                return batch
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def _deliverable(self) -> list[JsonObject]:
        if self._allowed:
            self._updates = [u for u in self._updates if update_type(u) in self._allowed]
        return list(self._updates)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
