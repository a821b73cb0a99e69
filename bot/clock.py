"""The time source: the system clock in production, a clock a test can move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Tells the current time in UTC."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class ManualClock(Clock):
    """A clock that stands still until it is moved (tests and the training sandbox)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 27, 8, 0, tzinfo=UTC)

    def now(self) -> datetime:
        """Return the clock's current time."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward and return the new time."""
        self._now += delta
        return self._now


def to_db(moment: datetime) -> str:
    """Store a moment as an ISO-8601 UTC string (sortable as text)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Read a moment stored by to_db."""
    return datetime.fromisoformat(text)
