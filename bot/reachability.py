"""Whether the Bot API answers, said in the log: at once, once a minute, and when it is back.

The inbox (fetching) and the sender (delivering) both report here, so an outage gives one
WARNING within seconds, then one a minute, and one INFO line when the API answers again
that says how long it was gone and how many messages wait.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

WARN_EVERY = 60.0
"""Seconds between two WARNING lines while the Bot API stays unreachable."""


class Reachability:
    """Tracks one outage at a time of the Bot API, and logs its start, duration and end."""

    def __init__(
        self,
        waiting: Callable[[], Awaitable[int]] | None = None,
        *,
        every: float = WARN_EVERY,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._waiting = waiting
        self._every = every
        self._now = now
        self._down_since: float | None = None
        self._warned_at = 0.0

    @property
    def down(self) -> bool:
        """Whether the last call to the Bot API failed to reach it."""
        return self._down_since is not None

    def failed(self, error: BaseException) -> None:
        """Record a call that could not reach the Bot API (WARNING at once, then once a minute)."""
        now = self._now()
        if self._down_since is None:
            self._down_since = self._warned_at = now
            log.warning(
                "Bot API cannot be reached (%s); messages wait and are sent when it is back",
                type(error).__name__,
            )
        elif now - self._warned_at >= self._every:
            self._warned_at = now
            log.warning(
                "Bot API still cannot be reached after %.0f s (%s)",
                now - self._down_since,
                type(error).__name__,
            )

    async def reached(self) -> None:
        """Record a call that reached the Bot API; after an outage, say how long it lasted."""
        if self._down_since is None:
            return
        gone = self._now() - self._down_since
        self._down_since = None
        waiting = await self._waiting() if self._waiting is not None else 0
        log.info(
            "Bot API reachable again after %.0f s; %s message(s) wait to be sent", gone, waiting
        )
