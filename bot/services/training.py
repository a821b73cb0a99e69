"""The Bekey training register: key persons record who is trained, has Bekey on the work
phone and can keep it updated, several at once; the unit's gaps and coverage; the
municipality's report; and the due work (the key persons' weekly reminder of untrained
staff, and the leader told of each employee still untrained weeks after joining).

Every action is authorised anew from the employees table (active, the role table, the
unit: a key person or leader records only for staff of their own unit) and is one
transaction: the lines, one audit line per employee, and every push queued with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Final

from bot.render import training as render
from bot.render.smartkeys import as_markup
from bot.services.base import Service
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.training import Trainee
from state.roles import Permission, Role, may
from state.training import (
    TRAINEES,
    Coverage,
    Fact,
    Gaps,
    Mark,
    apply_mark,
    coverage,
    fully_recorded,
    gaps,
    is_late,
    trained,
)
from state.weekly import weekly_reminder_due

KEY_PERSONS: Final = frozenset({Role.KEY_PERSON})
"""Who gets the weekly reminder: the unit's key persons (appointees included)."""

LEADERS: Final = frozenset({Role.LEADER})
"""Who is told of late employees, and reminded in a unit that has no key person."""


class TrainingOutcome(StrEnum):
    """How recording ended."""

    DONE = "done"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class Recorded:
    """What a mark did: whose line changed, who had it already, which user-ids were refused
    (unknown, left, another unit's, or not in the register)."""

    outcome: TrainingOutcome
    changed: tuple[Employee, ...] = ()
    already: tuple[Employee, ...] = ()
    refused: tuple[str, ...] = ()


@dataclass(frozen=True)
class UnitStatus:
    """A unit's register as its key persons and leader see it."""

    unit: str
    staff: list[Trainee]
    coverage: Coverage
    gaps: Gaps
    key_persons: list[Employee]


@dataclass(frozen=True)
class TraineeCard:
    """One employee's line, and who trained them."""

    trainee: Trainee
    trainer: Employee | None


@dataclass(frozen=True)
class UnitCoverage:
    """One unit's line of the municipality's report."""

    unit: str
    coverage: Coverage
    key_persons: int


def _allowed(employee: Employee | None, permission: Permission) -> bool:
    """Whether the employee (as stored now) is active and may do this by the role table."""
    return employee is not None and employee.active and may(employee.roles, permission)


class TrainingService(Service):
    """The Bekey training register."""

    # Views

    async def to_record(self, actor: Employee) -> list[Trainee] | None:
        """The actor's unit's staff not yet fully recorded, newest first (None: not allowed)."""
        async with self.db.read() as tx:
            current = await tx.employees.get(actor.user_id)
            if current is None or not _allowed(current, Permission.RECORD_TRAINING):
                return None
            staff = await tx.training.staff(current.unit)
        return [trainee for trainee in staff if not fully_recorded(trainee.record)]

    async def unit_status(self, actor: Employee) -> UnitStatus | None:
        """The actor's unit's register: staff, coverage, gaps, key persons (None: not
        allowed)."""
        async with self.db.read() as tx:
            current = await tx.employees.get(actor.user_id)
            if current is None or not _allowed(current, Permission.SEE_TRAINING):
                return None
            return await self._status(tx, current.unit)

    async def _status(self, tx: Tx, unit: str) -> UnitStatus:
        """A unit's register, its staff by name."""
        staff = await tx.training.staff(unit)
        staff.sort(key=lambda trainee: (trainee.employee.name.casefold(), trainee.employee.user_id))
        records = [trainee.record for trainee in staff]
        # Appointed, whether or not their phone is bound yet (the reminder needs one).
        key_persons = [t.employee for t in staff if Role.KEY_PERSON in t.employee.roles]
        return UnitStatus(unit, staff, coverage(records), gaps(records), key_persons)

    async def card(self, actor: Employee, user_id: str) -> TraineeCard | None:
        """One employee's line, if the actor may see their unit's register (None: unknown,
        not in the register, another unit's, or not allowed)."""
        async with self.db.read() as tx:
            current = await tx.employees.get(actor.user_id)
            trainee = await tx.training.trainee(user_id)
            if (
                current is None
                or not _allowed(current, Permission.SEE_TRAINING)
                or trainee is None
                or not _in_register(trainee.employee, current.unit)
            ):
                return None
            by = trainee.record.trained_by
            trainer = await tx.employees.get(by) if by else None
            return TraineeCard(trainee, trainer)

    async def report(self) -> list[UnitCoverage]:
        """Every unit's coverage, by name (the command line's report: no actor, all units)."""
        async with self.db.read() as tx:
            lines = []
            for unit in await tx.training.units():
                status = await self._status(tx, unit)
                lines.append(UnitCoverage(unit, status.coverage, len(status.key_persons)))
            return lines

    # Recording

    async def record(self, actor: Employee, user_ids: Sequence[str], mark: Mark) -> Recorded:
        """Record a mark for several employees of the actor's unit at once, each audited."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            current = await tx.employees.get(actor.user_id)
            if current is None or not _allowed(current, Permission.RECORD_TRAINING):
                await tx.audit.record(now, actor.user_id, "training_record", None, "refused")
                return Recorded(TrainingOutcome.NOT_ALLOWED)
            changed: list[Employee] = []
            already: list[Employee] = []
            refused: list[str] = []
            for user_id in dict.fromkeys(user_ids):  # each once, in the order given
                trainee = await tx.training.trainee(user_id)
                if trainee is None or not _in_register(trainee.employee, current.unit):
                    refused.append(user_id)
                    await tx.audit.record(
                        now, current.user_id, f"training_{mark.value}", user_id, "refused"
                    )
                    continue
                after = apply_mark(trainee.record, mark, current.user_id, now)
                if after == trainee.record:
                    already.append(trainee.employee)
                    continue
                await tx.training.save(after, now)
                await tx.audit.record(now, current.user_id, f"training_{mark.value}", user_id)
                changed.append(trainee.employee)
            return Recorded(TrainingOutcome.DONE, tuple(changed), tuple(already), tuple(refused))

    # The due work

    async def run_due(self) -> int:
        """Send each unit's weekly reminder when due, with the leader's notice of employees
        newly late; return how many messages were queued."""
        settings = self.settings
        local = self.clock.now().astimezone(settings.zone)
        async with self.db.read() as tx:  # a read first: most scans find nothing due
            due = [
                unit
                for unit in await tx.training.units()
                if weekly_reminder_due(
                    local,
                    settings.training_weekly_day,
                    settings.training_weekly_at,
                    await tx.training.reminded_week(unit),
                )
            ]
        sent = 0
        for unit in due:
            sent += await self._weekly_for(unit, local)
        return sent

    async def _weekly_for(self, unit: str, local: datetime) -> int:
        """One unit's weekly round: the reminder to its key persons (its leaders, if it has
        none) and the late notice to its leaders; the week is marked done either way (the
        first round only marks it: the bot started, or the unit came, in a week under way)."""
        settings = self.settings
        async with self.db.transaction() as tx:
            reminded = await tx.training.reminded_week(unit)
            week = weekly_reminder_due(
                local, settings.training_weekly_day, settings.training_weekly_at, reminded
            )
            if week is None:
                return 0
            await tx.training.mark_reminded(unit, week)
            if reminded is None:  # a unit's first round starts the count, in a week under way:
                return 0  # its first reminder goes out on the next reminder day
            now = self.clock.now()
            staff = await tx.training.staff(unit)
            staff.sort(key=lambda trainee: (trainee.joined, trainee.employee.name.casefold()))
            untrained = [t for t in staff if trained(t.record) is Fact.NO]
            leaders = await tx.employees.in_unit(unit, LEADERS)
            sent = 0
            if untrained:
                sent += await self._remind(tx, unit, untrained, leaders, now)
            late = [
                t for t in untrained if is_late(t.record, t.joined, now, settings.training_late)
            ]
            if late and any(leader.telegram_id is not None for leader in leaders):
                sent += await self._tell_late(tx, unit, late, leaders, now)
            return sent

    async def _remind(
        self,
        tx: Tx,
        unit: str,
        untrained: list[Trainee],
        leaders: list[Employee],
        now: datetime,
    ) -> int:
        """Queue the weekly list of untrained staff to the key persons (else the leaders)."""
        key_persons = await tx.employees.in_unit(unit, KEY_PERSONS)
        recipients = key_persons or leaders
        sent = 0
        for person in recipients:
            if person.telegram_id is None:
                continue
            text, rows = render.weekly_reminder(
                person.language, self.settings, unit, untrained, no_key_person=not key_persons
            )
            await tx.outbox.enqueue(now, person.telegram_id, text, reply_markup=as_markup(rows))
            sent += 1
        await tx.audit.record(now, "system", "training_weekly", unit, str(len(untrained)))
        return sent

    async def _tell_late(
        self, tx: Tx, unit: str, late: list[Trainee], leaders: list[Employee], now: datetime
    ) -> int:
        """Name the newly late employees to the leaders, once per employee."""
        sent = 0
        for leader in leaders:
            if leader.telegram_id is None:
                continue
            text = render.late_notice(leader.language, self.settings, unit, late)
            await tx.outbox.enqueue(now, leader.telegram_id, text)
            sent += 1
        for trainee in late[: render.LIST_MAX]:  # those named; the rest are named next week
            await tx.training.save(replace(trainee.record, late_told_at=now), now)
            await tx.audit.record(now, "system", "training_late", trainee.employee.user_id)
        return sent


def _in_register(employee: Employee, unit: str) -> bool:
    """Whether an employee is one the unit's key persons record for: active, of the unit,
    and of a role the register covers."""
    return employee.active and employee.unit == unit and employee.role in TRAINEES
