"""The Bekey training register's rules: what is recorded of an employee, what a mark changes,
who is a gap, how a unit's coverage is counted, and who is late.

- ``TrainingStatus``, ``TrainingRecord``: one employee's register line (``new_record`` for an
  employee with no line: a new employee, who counts as untrained).
- ``Fact``, ``trained``, ``installed``, ``can_update``, ``fully_recorded``: how each of the three
  things reads. A missing answer (NULL) is *not recorded* for staff who were there when the
  register landed and have not been recorded since, and *no* for everyone else: a new
  employee has had no training, no Bekey on the phone, and cannot update it yet.
- ``Mark``, ``apply_mark``, ``parse_mark``: what a key person records (a button, or a word
  typed before the user-ids), and the line it makes.
- ``Gaps``, ``gaps``: the key person's to-do list; ``Coverage``, ``coverage``, ``percent``: the
  leader's and the report's counts.
- ``untrained_past``, ``is_late``: untrained this long after joining (``is_late``: and not yet
  named to the leader).

The procedure (DOMAIN.md, "Key persons"): key persons make sure every employee is trained
in Bekey, can install Bekey on work phones and make sure staff can keep it updated.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from state.roles import Role

TRAINEES: Final = frozenset(Role) - {Role.VISITATION, Role.LOCK_PARTNER}
"""The roles the register covers: everyone who opens citizens' doors (visitation assesses
citizens and never visits with a key; a lock partner fits the locks)."""


class TrainingStatus(StrEnum):
    """Whether an employee is trained in Bekey, as the register says."""

    NOT_RECORDED = "not_recorded"
    """There when the register landed, and not recorded since: not a gap, not reminded."""
    UNTRAINED = "untrained"
    TRAINED = "trained"


class Fact(StrEnum):
    """How one of the three things reads for an employee."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Mark(StrEnum):
    """What a key person records for the employees they picked."""

    TRAINED = "trained"
    """Trained in Bekey today, by the key person who records it."""
    INSTALLED = "installed"
    """Bekey is installed on the work phone."""
    UPDATES = "updates"
    """Can keep Bekey updated themself."""
    ALL = "all"
    """All three at once (the end of a training session)."""
    RESET = "reset"
    """A correction: untrained, no Bekey, cannot update (in the weekly reminder again)."""


@dataclass(frozen=True)
class TrainingRecord:
    """One employee's line in the register."""

    user_id: str
    status: TrainingStatus
    trained_at: datetime | None = None
    trained_by: str | None = None
    bekey_installed: bool | None = None
    can_update: bool | None = None
    late_told_at: datetime | None = None


_MARK_WORDS: Final[dict[str, Mark]] = {
    "oplaert": Mark.TRAINED,
    "oplært": Mark.TRAINED,
    "trained": Mark.TRAINED,
    "installeret": Mark.INSTALLED,
    "installed": Mark.INSTALLED,
    "opdaterer": Mark.UPDATES,
    "updates": Mark.UPDATES,
    "alt": Mark.ALL,
    "all": Mark.ALL,
    "nulstil": Mark.RESET,
    "reset": Mark.RESET,
}
"""The words a key person may type before the user-ids (``/oplaering alt ab1234``), Danish
and English (bot/render/locales, ``training.usage``, shows them)."""


def parse_mark(word: str) -> Mark | None:
    """Read a mark from a typed word (any case); None if it is not one (a user-id, say)."""
    return _MARK_WORDS.get(word.strip().casefold())


def new_record(user_id: str) -> TrainingRecord:
    """The line of an employee the register has none for: a new employee, untrained."""
    return TrainingRecord(user_id, TrainingStatus.UNTRAINED)


def _answer(value: bool | None, record: TrainingRecord) -> Fact:
    """A yes/no column as a fact: NULL is unknown only for staff not yet recorded."""
    if value is None:
        return Fact.UNKNOWN if record.status is TrainingStatus.NOT_RECORDED else Fact.NO
    return Fact.YES if value else Fact.NO


def trained(record: TrainingRecord) -> Fact:
    """Whether the employee is trained in Bekey."""
    return {
        TrainingStatus.TRAINED: Fact.YES,
        TrainingStatus.UNTRAINED: Fact.NO,
        TrainingStatus.NOT_RECORDED: Fact.UNKNOWN,
    }[record.status]


def installed(record: TrainingRecord) -> Fact:
    """Whether Bekey is installed on the employee's work phone."""
    return _answer(record.bekey_installed, record)


def can_update(record: TrainingRecord) -> Fact:
    """Whether the employee can keep Bekey updated themself."""
    return _answer(record.can_update, record)


def fully_recorded(record: TrainingRecord) -> bool:
    """Whether all three are recorded as yes (nothing left for the key person to do)."""
    return all(fact(record) is Fact.YES for fact in (trained, installed, can_update))


def apply_mark(record: TrainingRecord, mark: Mark, by: str, at: datetime) -> TrainingRecord:
    """The line after a key person's mark (the same line if it changes nothing).

    Trained again keeps the first date and trainer; a reset forgets them (an employee already
    named to the leader as late is not named again: once per employee).
    """
    if mark is Mark.RESET:
        return replace(
            record,
            status=TrainingStatus.UNTRAINED,
            trained_at=None,
            trained_by=None,
            bekey_installed=False,
            can_update=False,
        )
    after = record
    if mark in {Mark.TRAINED, Mark.ALL} and record.status is not TrainingStatus.TRAINED:
        after = replace(after, status=TrainingStatus.TRAINED, trained_at=at, trained_by=by)
    if mark in {Mark.INSTALLED, Mark.ALL}:
        after = replace(after, bekey_installed=True)
    if mark in {Mark.UPDATES, Mark.ALL}:
        after = replace(after, can_update=True)
    return after


@dataclass(frozen=True)
class Gaps:
    """A unit's to-do list, by user-id: the three gaps, and those not recorded (apart)."""

    untrained: tuple[str, ...]
    no_bekey: tuple[str, ...]
    cannot_update: tuple[str, ...]
    not_recorded: tuple[str, ...]

    @property
    def none(self) -> bool:
        """Whether there is nothing at all to do."""
        return not (self.untrained or self.no_bekey or self.cannot_update or self.not_recorded)


def gaps(records: Iterable[TrainingRecord]) -> Gaps:
    """Who is untrained, who has no Bekey on the phone, who cannot update it, and who is not
    recorded yet (a not-recorded employee's unknown answers are no gap of their own)."""
    lines = list(records)
    return Gaps(
        untrained=tuple(r.user_id for r in lines if trained(r) is Fact.NO),
        no_bekey=tuple(r.user_id for r in lines if installed(r) is Fact.NO),
        cannot_update=tuple(r.user_id for r in lines if can_update(r) is Fact.NO),
        not_recorded=tuple(r.user_id for r in lines if trained(r) is Fact.UNKNOWN),
    )


@dataclass(frozen=True)
class Coverage:
    """A unit's coverage: how many of its staff have each thing (the percentages from
    ``percent``)."""

    staff: int
    trained: int
    installed: int
    can_update: int
    ready: int
    """All three."""
    untrained: int
    not_recorded: int

    def __add__(self, other: Coverage) -> Coverage:
        """Two units' coverage together (the municipality's total)."""
        return Coverage(
            self.staff + other.staff,
            self.trained + other.trained,
            self.installed + other.installed,
            self.can_update + other.can_update,
            self.ready + other.ready,
            self.untrained + other.untrained,
            self.not_recorded + other.not_recorded,
        )


NO_COVERAGE: Final = Coverage(0, 0, 0, 0, 0, 0, 0)


def coverage(records: Iterable[TrainingRecord]) -> Coverage:
    """Count a unit's register lines."""
    lines = list(records)
    return Coverage(
        staff=len(lines),
        trained=sum(trained(r) is Fact.YES for r in lines),
        installed=sum(installed(r) is Fact.YES for r in lines),
        can_update=sum(can_update(r) is Fact.YES for r in lines),
        ready=sum(fully_recorded(r) for r in lines),
        untrained=sum(trained(r) is Fact.NO for r in lines),
        not_recorded=sum(trained(r) is Fact.UNKNOWN for r in lines),
    )


def percent(part: int, whole: int) -> int:
    """A whole percentage, half rounded up (0 of nobody is 0 %)."""
    if whole <= 0:
        return 0
    return (200 * part + whole) // (2 * whole)


def untrained_past(
    record: TrainingRecord, joined: datetime, now: datetime, after: timedelta
) -> bool:
    """Whether an employee is still untrained ``after`` joining, named to the leader or not
    (not-recorded staff never are)."""
    return record.status is TrainingStatus.UNTRAINED and now - joined >= after


def is_late(record: TrainingRecord, joined: datetime, now: datetime, after: timedelta) -> bool:
    """Whether an employee is still untrained ``after`` joining and not yet named to the
    leader for it (once per employee; not-recorded staff are never late)."""
    return record.late_told_at is None and untrained_past(record, joined, now, after)
