"""What the line to the emulator does: latency per call, a stop at a chosen call, answer counts.

Latency: every Bot API call (not a control route, not a file download) waits ``seconds``,
plus up to ``jitter`` more drawn from a generator seeded with ``seed``, before it runs. It is
real time (``asyncio.sleep``), not the emulated clock: the bot feels it.

Counts: every Bot API call answered, per method (its usual spelling), as "ok" (a result),
"failed" (a Telegram error, 4xx or the emulator's own 500; also counted by its status, so a
benchmark can ask how many 429s the bot got) or "stopped" (see below). They count from the
start, or from the last ``reset_counts``.

Stop: with ``StopRule(method, count)``, once the ok count of ``method`` reaches ``count``,
every later call on the bot's token (any method, and file downloads) is stopped: not run,
answered with a dropped connection (mode "drop") or with a 5xx (mode "error", ``status``)
until the rule is cleared. The call that reaches the count is answered normally; a call
that was already running when the stop came (a long getUpdates) is run but its answer is
stopped. A rule whose count is already reached stops at once (count 0: stop now). A crash
test sets the rule, starts the bot, waits (``wait``) until the count is reached and kills
the process: the bot cannot get further than the chosen call, however late the kill lands.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal

JsonObject = dict[str, Any]
StopMode = Literal["drop", "error"]
Outcome = Literal["ok", "failed", "stopped"]

STOP_MODES: tuple[StopMode, ...] = ("drop", "error")
OUTCOMES: tuple[Outcome, ...] = ("ok", "failed", "stopped")


@dataclass(frozen=True)
class Latency:
    """A delay before each Bot API call: ``seconds`` plus up to ``jitter`` (seeded) more."""

    seconds: float = 0.0
    jitter: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("seconds", "jitter"):
            value = getattr(self, name)
            if not _is_number(value) or not 0 <= value <= 600:
                raise ValueError(f"{name} must be a number from 0 to 600")
        if self.seed is not None and (
            not isinstance(self.seed, int) or isinstance(self.seed, bool)
        ):
            raise ValueError("seed must be an integer or null")

    def as_json(self) -> JsonObject:
        """Return the latency as a JSON object."""
        return {"seconds": self.seconds, "jitter": self.jitter, "seed": self.seed}


@dataclass(frozen=True)
class StopRule:
    """Stop every call once ``count`` calls of ``method`` have been answered ok."""

    method: str
    count: int
    mode: StopMode = "drop"
    status: int = 502

    def __post_init__(self) -> None:
        if not isinstance(self.count, int) or isinstance(self.count, bool) or self.count < 0:
            raise ValueError("count must be an integer >= 0")
        if self.mode not in STOP_MODES:
            raise ValueError(f"mode must be one of {', '.join(STOP_MODES)}")
        if not isinstance(self.status, int) or not 500 <= self.status <= 599:
            raise ValueError("status must be a 5xx status code")

    @property
    def description(self) -> str:
        """Return the description a stopped call's 5xx carries ("Bad Gateway", ...)."""
        try:
            return HTTPStatus(self.status).phrase
        except ValueError:
            return "Server Error"

    def as_json(self) -> JsonObject:
        """Return the rule as a JSON object."""
        return {
            "method": self.method,
            "count": self.count,
            "mode": self.mode,
            "status": self.status,
        }


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Network:
    """Latency, the stop rule and the answer counts of one emulator."""

    def __init__(self, latency: Latency | None = None) -> None:
        self._latency = Latency()
        self._random = random.Random()  # noqa: S311 (a test's jitter, not a secret)
        self._stop: StopRule | None = None
        self._stopped = False
        self._counts: dict[Outcome, Counter[str]] = {outcome: Counter() for outcome in OUTCOMES}
        self._failed_by_status: dict[int, Counter[str]] = {}
        self._changed = asyncio.Event()
        self._closed = False
        self.set_latency(latency or Latency())

    @property
    def latency(self) -> Latency:
        """Return the latency in force (seconds 0 and jitter 0: none)."""
        return self._latency

    def set_latency(self, latency: Latency) -> None:
        """Use this latency from the next call; a seed restarts the jitter's sequence."""
        self._latency = latency
        self._random = random.Random(latency.seed)  # noqa: S311 (a test's jitter, not a secret)

    def delay(self) -> float:
        """Return the seconds the next call waits (drawing its jitter)."""
        latency = self._latency
        if latency.jitter <= 0:
            return latency.seconds
        return latency.seconds + self._random.uniform(0.0, latency.jitter)

    @property
    def stop_rule(self) -> StopRule | None:
        """Return the stop rule set, or None."""
        return self._stop

    @property
    def stopped(self) -> StopRule | None:
        """Return the rule when it has stopped calls (they are refused now), else None."""
        return self._stop if self._stopped else None

    def set_stop(self, rule: StopRule | None) -> None:
        """Set the stop rule (stopping at once if its count is reached), or clear it with None."""
        self._stop = rule
        self._stopped = rule is not None and self._counts["ok"][rule.method] >= rule.count
        self._notify()

    def count(self, method: str, outcome: Outcome, status: int | None = None) -> None:
        """Count one answered call; an ok answer may reach the stop rule's count.

        A failed call's ``status`` (429, 400, ...) is counted too, per method.
        """
        self._counts[outcome][method] += 1
        if outcome == "failed" and status is not None:
            self._failed_by_status.setdefault(status, Counter())[method] += 1
        rule = self._stop
        if (
            outcome == "ok"
            and rule is not None
            and rule.method == method
            and self._counts["ok"][method] >= rule.count
        ):
            self._stopped = True
        self._notify()

    def answered(self, method: str, outcome: Outcome = "ok") -> int:
        """Return how many calls of the method were answered with this outcome."""
        return self._counts[outcome][method]

    def counts_json(self) -> JsonObject:
        """Return {"ok": {method: n}, "failed", "stopped", "failed_by_status": {"429": {...}}}."""
        counts: JsonObject = {
            outcome: dict(sorted(counter.items())) for outcome, counter in self._counts.items()
        }
        counts["failed_by_status"] = {
            str(status): dict(sorted(counter.items()))
            for status, counter in sorted(self._failed_by_status.items())
        }
        return counts

    def reset_counts(self) -> None:
        """Count from zero again (a stop that has happened stays until cleared)."""
        for counter in self._counts.values():
            counter.clear()
        self._failed_by_status.clear()
        self._notify()

    async def wait(self, method: str, count: int, timeout: float) -> bool:
        """Wait up to timeout seconds until count calls of method were answered ok."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            if self._counts["ok"][method] >= count:
                return True
            remaining = deadline - loop.time()
            if remaining <= 0 or self._closed:
                return False
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    def reopen(self) -> None:
        """Let waits wait again after close (the server restarted)."""
        self._closed = False

    def close(self) -> None:
        """End every wait at once (the server is stopping)."""
        self._closed = True
        self._notify()

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()
