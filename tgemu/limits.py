"""Telegram's rate limits, off until switched on: token buckets driven by the emulated clock.

When on, each call of a counted method (``COUNTED_METHODS``: sending, copying, forwarding,
editing, deleting and pinning messages) naming an existing chat takes one token from two
buckets:

- the chat's: a private chat holds ``private_chat_burst`` tokens refilled at
  ``private_chat_rate`` a second (Telegram: about one message a second, short bursts pass);
  a group (negative id) holds ``group_burst`` tokens refilled at ``group_per_minute`` a
  minute (Telegram: 20 messages a minute);
- the bot's: ``global_burst`` tokens refilled at ``global_rate`` a second (Telegram: about 30
  messages a second overall).

A call that finds a bucket it needs without a whole token is refused with 429 and
``retry_after``: the whole seconds (at least 1) until that bucket holds a token again; the
chat's wait for a chat limit, the bot's for the global limit, the longer one when both are
empty. A refused call takes no token. A call that passes the limits and then fails (400,
403) has taken its tokens: Telegram counts requests, not successes. The buckets start full
whenever the limits are switched on or changed, and refill by the emulated clock
(``World.now``), so a test that moves the clock moves the limits with it.

``answerCallbackQuery``, ``getUpdates``, ``getMe``, ``setMyCommands``, ``getFile``,
``sendChatAction`` and every other method are never counted. A call naming a chat that does
not exist is not counted either (it fails with "chat not found").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from tgemu.errors import too_many_requests

JsonObject = dict[str, Any]

COUNTED_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "deleteMessage",
        "pinChatMessage",
        "unpinChatMessage",
        "unpinAllChatMessages",
    }
)
"""Methods the limits count (some are not emulated yet; they would count once they are)."""

_EPSILON = 1e-9


@dataclass(frozen=True)
class TelegramLimits:
    """The numbers of the limits; the defaults are Telegram's."""

    private_chat_rate: float = 1.0
    """Messages a second to one private chat, sustained."""
    private_chat_burst: int = 3
    """Messages one private chat takes at once."""
    group_per_minute: float = 20.0
    """Messages a minute to one group, sustained."""
    group_burst: int = 20
    """Messages one group takes at once."""
    global_rate: float = 30.0
    """Messages a second to all chats together, sustained."""
    global_burst: int = 30
    """Messages all chats together take at once."""

    def __post_init__(self) -> None:
        for name in ("private_chat_rate", "group_per_minute", "global_rate"):
            rate = getattr(self, name)
            if not _is_number(rate) or not math.isfinite(rate) or rate <= 0:
                raise ValueError(f"{name} must be a number > 0")
        for name in ("private_chat_burst", "group_burst", "global_burst"):
            burst = getattr(self, name)
            if not isinstance(burst, int) or isinstance(burst, bool) or burst < 1:
                raise ValueError(f"{name} must be an integer >= 1")

    @classmethod
    def from_json(cls, body: Mapping[str, object]) -> TelegramLimits:
        """Build from a JSON object of some of the fields; the others keep Telegram's values.

        Raise ValueError for an unknown field or a value out of range.
        """
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(body) - known)
        if unknown:
            raise ValueError(f"unknown limit {unknown[0]!r}; known: {', '.join(sorted(known))}")
        values: JsonObject = dict(body)
        return cls(**values)

    def as_json(self) -> JsonObject:
        """Return the numbers as a JSON object."""
        return asdict(self)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class TokenBucket:
    """Up to ``capacity`` tokens, refilled at ``rate`` a second; a call takes one."""

    capacity: float
    rate: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, capacity: float, rate: float, now: float) -> TokenBucket:
        """Return a bucket holding all its tokens at time now."""
        return cls(capacity=capacity, rate=rate, tokens=capacity, updated=now)

    def wait(self, now: float) -> float:
        """Refill up to now; return the seconds until a whole token is there (0: now)."""
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
        if self.tokens + _EPSILON >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.rate

    def take(self) -> None:
        """Take one token (after wait said there is one)."""
        self.tokens = max(0.0, self.tokens - 1.0)


class RateLimiter:
    """Telegram's limits over the emulated clock; ``limits`` None means off."""

    def __init__(self, now: Callable[[], float], limits: TelegramLimits | None = None) -> None:
        self._now = now
        self._limits = limits
        self._chats: dict[int, TokenBucket] = {}
        self._global: TokenBucket | None = None

    @property
    def limits(self) -> TelegramLimits | None:
        """Return the numbers in force, or None when the limits are off."""
        return self._limits

    def configure(self, limits: TelegramLimits | None) -> None:
        """Switch the limits on with these numbers (buckets start full), or off with None."""
        self._limits = limits
        self._chats.clear()
        self._global = None

    def check(self, method: str, chat_id: int) -> None:
        """Take the call's tokens, or refuse it with 429 and the wait of the emptiest bucket."""
        limits = self._limits
        if limits is None or method not in COUNTED_METHODS:
            return
        now = self._now()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = (
                TokenBucket.full(limits.group_burst, limits.group_per_minute / 60.0, now)
                if chat_id < 0
                else TokenBucket.full(limits.private_chat_burst, limits.private_chat_rate, now)
            )
            self._chats[chat_id] = chat
        if self._global is None:
            self._global = TokenBucket.full(limits.global_burst, limits.global_rate, now)
        buckets = (chat, self._global)
        wait = max(bucket.wait(now) for bucket in buckets)
        if wait > 0:
            raise too_many_requests(round(wait, 6))
        for bucket in buckets:
            bucket.take()
