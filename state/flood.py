"""One person cannot slow down the others: a flood of messages gets one "slow down".

A person may send ``limit`` messages within ``window``; the messages beyond that are
dropped, and the first one dropped in a stretch gets one short answer. Button presses and
the emergency are never counted here (the caller does not ask): a planner taking tickets
fast in an outage is not a flood, and 🆘 always passes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum


class Verdict(StrEnum):
    """What becomes of one message."""

    LET_THROUGH = "let_through"
    WARN = "warn"
    """Dropped, and the person is told to slow down (once per stretch of flooding)."""
    DROP = "drop"


@dataclass
class FloodWatch:
    """Counts each person's recent messages (kept in memory: a restart forgives)."""

    limit: int = 10
    window: timedelta = timedelta(seconds=10)
    _seen: dict[int, deque[datetime]] = field(default_factory=dict)
    _warned: dict[int, datetime] = field(default_factory=dict)

    def judge(self, person: int, now: datetime) -> Verdict:
        """Count one message from a person at ``now`` and say what becomes of it."""
        seen = self._seen.setdefault(person, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.pop(person, None)
            return Verdict.LET_THROUGH
        warned = self._warned.get(person)
        if warned is not None and now - warned < self.window:
            return Verdict.DROP
        self._warned[person] = now
        if len(self._seen) > 10_000:
            self._forget(now)
        return Verdict.WARN

    def _forget(self, now: datetime) -> None:
        """Drop people who have been quiet for a whole window."""
        self._seen = {p: s for p, s in self._seen.items() if s and now - s[-1] < self.window}
        self._warned = {p: w for p, w in self._warned.items() if p in self._seen}
