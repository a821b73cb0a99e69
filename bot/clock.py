"""The time source: the system clock in production, a clock a test can move, and the
training sandbox's clock: the system clock moved forward by hand."""

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


class OffsetClock(Clock):
    """The system clock plus an offset that only grows (the training sandbox's "+15 min")."""

    def __init__(self) -> None:
        self._offset = timedelta()

    @property
    def offset(self) -> timedelta:
        """How far the clock was moved ahead of the system clock."""
        return self._offset

    def now(self) -> datetime:
        """Return the system time plus the offset."""
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move the clock forward (never back) and return the new time."""
        if delta < timedelta():
            raise ValueError("the clock only moves forward")
        self._offset += delta
        return self.now()


def to_db(moment: datetime) -> str:
    """Store a moment as an ISO-8601 UTC string (sortable as text)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Read a moment stored by to_db."""
    return datetime.fromisoformat(text)
