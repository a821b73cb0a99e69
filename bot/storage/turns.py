"""Whose turn it is on the one connection: the short, urgent writes go before updates' work.

An asyncio lock serves waiters first come, first served. In a storm, dozens of updates
wait for the connection; the inbox's write (which must come before an emergency card may
go out) and the sender's small marks would wait behind all of them. ``Turns`` is a lock
whose waiters are served by rank, then in order: ``URGENT`` before ``WORK``.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from itertools import count

URGENT = 0
"""The inbox storing what arrived, the sender noting what it sent."""
WORK = 1
"""An update's handling, due work, everything else."""

RANK: ContextVar[int] = ContextVar("rank", default=WORK)
"""The rank this task's turns are taken at (set by the inbox and the sender)."""


class Turns:
    """A lock whose waiters are served by rank (lowest first), then first come."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = count()

    def locked(self) -> bool:
        """Whether someone holds the turn."""
        return self._held

    async def acquire(self) -> None:
        """Wait for the turn, at this task's rank."""
        if not self._held and not self._waiting:
            self._held = True
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (RANK.get(), next(self._order), future))
        try:
            await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                self.release()  # the turn came with the cancellation: pass it on
            else:
                self._waiting = [w for w in self._waiting if w[2] is not future]
                heapq.heapify(self._waiting)
            raise

    def release(self) -> None:
        """Give the turn to the best waiter, or free it."""
        while self._waiting:
            _, _, future = heapq.heappop(self._waiting)
            if not future.done():
                future.set_result(None)  # still held: handed straight on
                return
        self._held = False

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold the turn for a block."""
        await self.acquire()
        try:
            yield
        finally:
            self.release()
