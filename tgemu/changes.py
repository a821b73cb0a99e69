"""A change counter for watchers: it grows with every change people could see in a chat.

The server counts each Bot API call answered ok that is not a read (``get*``), and each
control API action (a user writes, presses, edits, blocks; the clock moves). A watcher (the
training sandbox's page) asks for the counter above the one it saw and waits until it grows.
"""

from __future__ import annotations

import asyncio
import contextlib


class ChangeFeed:
    """A growing counter and a wait for it to grow."""

    def __init__(self) -> None:
        self._version = 0
        self._grown: asyncio.Event | None = None

    @property
    def version(self) -> int:
        """Return the counter: how many changes there were so far."""
        return self._version

    def bump(self) -> None:
        """Count one change and wake every waiter."""
        self._version += 1
        if self._grown is not None:
            self._grown.set()
            self._grown = None

    async def wait(self, after: int, timeout: float) -> int:
        """Return the counter once it is above ``after``, or at the timeout (maybe still equal)."""
        if self._version > after:
            return self._version
        if self._grown is None:
            self._grown = asyncio.Event()
        grown = self._grown
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(grown.wait(), timeout)
        return self._version


def is_read(method: str) -> bool:
    """Tell whether a Bot API method only reads (getUpdates, getMe, getFile, ...)."""
    return method.lower().startswith("get")
