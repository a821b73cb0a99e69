"""Employees who leave: deactivation, and the planner's task of closing them in Bekey.

A leader deactivates anyone of their unit, a planner the roles ``DEACTIVATABLE`` gives them
(the command line anyone). ``close_access`` does the steps, in the caller's transaction:

1. access ends at once: the phone is unbound and invites revoked (the gate refuses them from
   the next update on, old buttons included); a triage in progress is cancelled, a waiting
   request for a Smartkey withdrawn, an emergency's unconfirmed typed citizen dropped;
   tickets they had taken are released (untaken again, every copy of the card redrawn) and
   the planners told;
2. a tracked task, "close <user-id> in Bekey" (and get their Smartkey back), goes to the
   unit's planners (its leaders if it has none), reminded every ``LEAVER_REMINDER_HOURS``
   until a planner or leader marks it done; a Smartkey still held is recorded back in the
   cabinet by the Smartkey ledger's own rules on the way;
3. the deactivation, the task, its reminders and its completion are audited.

A leaver reactivated before the task is done withdraws it (``withdraw_task``): the copies
say not to close them in Bekey.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.clock import Clock
from bot.render import leavers as render
from bot.render import smartkeys as smartkey_render
from bot.services.base import Service
from bot.services.incident_pushes import refresh_for_ticket
from bot.services.leaver_tasks import (
    TASK_DONE,
    refresh_task_copies,
    settle_task_copies,
    task_topic,
    task_view,
)
from bot.services.smartkeys import KeyOutcome, SmartkeyService
from bot.services.ticket_pushes import refresh_copies
from bot.settings import Settings
from bot.storage.database import Database, Tx
from bot.storage.employees import Employee
from bot.storage.leavers import LeaverTask, LeaverTaskView
from bot.storage.session import StaleVersion
from bot.storage.tickets import StoredTicket
from state.roles import DEACTIVATABLE, Permission, Role, may
from state.routing import escalation_level_due
from state.smartkey_request import RequestTrigger
from state.smartkey_request import fire as fire_request
from state.ticket import TicketTrigger, format_ticket_number
from state.ticket import fire as fire_ticket
from state.triage import TriageCategory, TriageTrigger
from state.triage import fire as fire_triage
from state.units import unit_key

TASK_TOLD: frozenset[Role] = frozenset({Role.PLANNER})
"""Who gets a leaver's Bekey task: the seed's planner ("the planner tells Bekey")."""
TASK_TOLD_IF_NO_PLANNER: frozenset[Role] = frozenset({Role.LEADER})
"""Who gets it in a unit where no planner uses the bot."""

DEACTIVATE = "deactivate"
TASK_CREATED = "leaver_task"
TASK_REMINDED = "leaver_task_reminded"
TASK_WITHDRAWN = "leaver_task_withdrawn"
BEKEY_CLOSED = "leaver_bekey_closed"
"""Audit: the leaver is closed in Bekey while their Smartkey is still out (the task stays)."""
TICKET_RELEASED = "ticket_released"
"""Audit actions."""


class Deactivation(StrEnum):
    """How a deactivation (or the question before it) ended."""

    DONE = "done"
    ASK = "ask"
    """Allowed: the confirming tap is still to come."""
    NOT_FOUND = "not_found"
    """No such employee in the actor's unit (another unit's staff are not named)."""
    NOT_ALLOWED = "not_allowed"
    """The actor's role may not deactivate the employee's role (a planner, a leader)."""
    SELF = "self"
    ALREADY = "already"


class TaskOutcome(StrEnum):
    """How a press on a leaver's task ended."""

    DONE = "done"
    KEY_HELD = "key_held"
    """A Smartkey is still handed out to the leaver: is it back?"""
    ALREADY = "already"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class Closed:
    """What deactivating did: the tickets released, the task, and who was given it
    (``already``: the employee was deactivated before, and nothing more was done)."""

    released: list[StoredTicket] = field(default_factory=list)
    task: LeaverTaskView | None = None
    told: list[Employee] = field(default_factory=list)
    already: bool = False
    no_key_person: bool = False
    """The leaver was the unit's last key person: the unit now has none (a gap)."""


@dataclass(frozen=True)
class DeactivationResult:
    """The outcome, the employee it was about, and (done) what was done."""

    outcome: Deactivation
    target: Employee | None = None
    closed: Closed | None = None


@dataclass(frozen=True)
class TaskResult:
    """The outcome of a press on a task, and the task as it stands."""

    outcome: TaskOutcome
    view: LeaverTaskView | None = None
    keys_back: list[str] = field(default_factory=list)
    """The labels of the keys recorded back in the cabinet by this press."""


def refusal(actor: Employee, target: Employee | None) -> Deactivation | None:
    """Why the actor may not deactivate the target (None: they may); the one rights check."""
    fitter = target is not None and target.role is Role.LOCK_PARTNER  # in a firm, no unit
    if (
        target is None
        or not actor.active
        or not may(actor.roles, Permission.DEACTIVATE)
        or (unit_key(actor.unit) != unit_key(target.unit) and not fitter)
    ):
        return Deactivation.NOT_FOUND
    if target.user_id == actor.user_id:
        return Deactivation.SELF
    reach = frozenset().union(*(DEACTIVATABLE.get(role, frozenset()) for role in actor.roles))
    if not target.roles <= reach:  # a planner may not deactivate an appointed key person
        return Deactivation.NOT_ALLOWED
    if not target.active:
        return Deactivation.ALREADY
    return None


def may_close(actor: Employee, task: LeaverTask) -> bool:
    """Whether the actor may mark a leaver's task done: a planner or leader of its unit."""
    return (
        actor.active
        and may(actor.roles, Permission.CLOSE_LEAVER_TASK)
        and unit_key(actor.unit) == unit_key(task.unit)
    )


class LeaverService(Service):
    """Deactivation in chat, and the leavers' Bekey tasks."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        """Hold the database, the clock and the settings, and the Smartkey ledger's rules."""
        super().__init__(db, clock, settings)
        self._smartkeys = SmartkeyService(db, clock, settings)
        """The ledger, whose rules record a leaver's key back in the cabinet."""

    async def ask(self, actor: Employee, user_id: str) -> DeactivationResult:
        """Check that the actor may deactivate the employee, before the confirming tap."""
        async with self.db.read() as tx:
            target = await tx.employees.get(user_id)
        refused = refusal(actor, target)
        return DeactivationResult(refused or Deactivation.ASK, target)

    async def deactivate(self, actor: Employee, user_id: str) -> DeactivationResult:
        """Deactivate an employee of the actor's unit (authorised again: the press is the
        client's) and do every step of a leaver, in one transaction."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            target = await tx.employees.get(user_id)
            refused = refusal(actor, target)
            if refused is not None:
                if refused is not Deactivation.ALREADY:
                    await tx.audit.record(now, actor.user_id, DEACTIVATE, user_id, "refused")
                return DeactivationResult(refused, target)
            assert target is not None
            closed = await close_access(tx, self.settings, target, actor.user_id, now)
            return DeactivationResult(Deactivation.DONE, target, closed)

    async def open_tasks(self, actor: Employee) -> list[LeaverTaskView]:
        """Return the open tasks of the actor's unit, if they may close them."""
        if not may(actor.roles, Permission.CLOSE_LEAVER_TASK):
            return []
        async with self.db.read() as tx:
            views = [
                await task_view(tx, task.id) for task in await tx.leavers.open_in_unit(actor.unit)
            ]
        return [view for view in views if view is not None]

    async def close_task(
        self, actor: Employee, task_id: int, *, key_back: bool = False
    ) -> TaskResult:
        """Mark a leaver closed in Bekey; a Smartkey they still hold must be back first
        (``key_back``: it is, and is recorded in its cabinet by the ledger's rules)."""
        returned = await self._keys_back(actor, task_id) if key_back else []
        try:
            async with self.db.transaction() as tx:
                now = self.clock.now()
                view = await task_view(tx, task_id)
                if view is None:
                    return TaskResult(TaskOutcome.NOT_FOUND)
                task = view.task
                if not may_close(actor, task):
                    await tx.audit.record(now, actor.user_id, TASK_DONE, task.user_id, "refused")
                    return TaskResult(TaskOutcome.NOT_ALLOWED)
                if not task.open:  # the last key's return just closed it: done
                    ended = TaskOutcome.DONE if returned else TaskOutcome.ALREADY
                    return TaskResult(ended, view, returned)
                if view.keys:
                    # Closed in Bekey is done now, whatever the key: recorded, and every copy
                    # asks only for the key from here on.
                    if await tx.leavers.mark_bekey_closed(task.id, actor.user_id, now):
                        await tx.audit.record(now, actor.user_id, BEKEY_CLOSED, task.user_id)
                        view = await task_view(tx, task_id)
                        assert view is not None
                        await refresh_task_copies(tx, self.settings, view, now)
                    return TaskResult(TaskOutcome.KEY_HELD, view, returned)
                if not await tx.leavers.close(task.id, actor.user_id, now):
                    raise StaleVersion(f"leaver task {task.id}")
                outcome = "key_back" if returned else "ok"
                await tx.audit.record(now, actor.user_id, TASK_DONE, task.user_id, outcome)
                done = await task_view(tx, task_id)
                assert done is not None
                await settle_task_copies(tx, self.settings, done, actor.name, now, returned)
                return TaskResult(TaskOutcome.DONE, done, returned)
        except StaleVersion:
            async with self.db.read() as tx:
                return TaskResult(TaskOutcome.ALREADY, await task_view(tx, task_id))

    async def _keys_back(self, actor: Employee, task_id: int) -> list[str]:
        """Record the leaver's keys back in the cabinet (the ledger authorises each); return
        the labels recorded."""
        async with self.db.read() as tx:
            view = await task_view(tx, task_id)
        if view is None or not view.task.open or not may_close(actor, view.task):
            return []
        returned = []
        for key in view.keys:
            result = await self._smartkeys.give_back(actor, key.id or 0)
            if result.outcome is KeyOutcome.DONE:
                returned.append(key.label)
        return returned

    async def run_due(self) -> int:
        """Remind the planners of every task open longer than ``LEAVER_REMINDER_HOURS`` since
        they were last told; return how many were reminded."""
        every = self.settings.leaver_reminder
        async with self.db.read() as tx:
            due = await tx.leavers.due_reminders(self.clock.now() - every)
        reminded = 0
        for task_id in due:
            async with self.db.transaction() as tx:
                now = self.clock.now()
                view = await task_view(tx, task_id)
                if view is None or not view.task.open or view.task.last_told > now - every:
                    continue
                told = await push_task(tx, self.settings, view, now, reminder=True)
                await tx.leavers.mark_reminded(task_id, now)
                await tx.audit.record(now, "system", TASK_REMINDED, view.task.user_id, str(told))
                reminded += 1
        return reminded


async def close_access(
    tx: Tx, settings: Settings, target: Employee, actor: str, now: datetime
) -> Closed:
    """Every step of a leaver, in the caller's transaction (chat and command line alike)."""
    user_id = target.user_id
    await tx.employees.deactivate(user_id, now)
    await tx.invites.revoke_all(user_id, now)
    await tx.duty.end_for(user_id, actor, now)  # no longer on call
    await tx.audit.record(now, actor, DEACTIVATE, user_id)
    await _end_conversations(tx, target, actor, now)
    if target.role is Role.LOCK_PARTNER:
        return Closed()  # a firm's fitter: no tickets, no unit, no planners' task
    released = await _release_tickets(tx, settings, target, actor, now)
    task = await tx.leavers.open_for(user_id)
    if task is None:  # deactivated again before it was done: the open task stands
        task = await tx.leavers.create(user_id, target.unit, actor, now)
        await tx.audit.record(now, actor, TASK_CREATED, user_id, str(task.id))
    view = await task_view(tx, task.id)
    assert view is not None
    told = await _task_recipients(tx, target.unit)
    await push_task(tx, settings, view, now, recipients=told)
    await _tell_released(tx, settings, target, released, now)
    gap = target.key_person and not await tx.employees.key_persons(target.unit)
    return Closed(released, view, told, no_key_person=gap)


async def _end_conversations(tx: Tx, target: Employee, actor: str, now: datetime) -> None:
    """Cancel the leaver's triage in progress and drop an emergency's unconfirmed typed
    citizen: nothing waits for them any longer (nor messages their chat when it times out)."""
    triage = await tx.triages.active_for(target.user_id)
    if triage is not None:
        before = triage.model.version
        if fire_triage(triage.model, TriageTrigger.CANCEL):
            await tx.triages.save(triage, before, now)
            await tx.audit.record(now, actor, "triage_ended", str(triage.id), "cancelled")
    await _withdraw_key_request(tx, target, actor, now)
    for ticket in await tx.tickets.open_reported_by(target.user_id):
        if ticket.model.category is TriageCategory.EMERGENCY and ticket.citizen_search:
            ticket.citizen_search = None
            ticket.model.version += 1
            await tx.tickets.save(ticket, ticket.model.version - 1, now)
            state = ticket.model.state
            await tx.tickets.record_event(ticket.id, now, actor, state, state, "citizen_search")


async def _withdraw_key_request(tx: Tx, target: Employee, actor: str, now: datetime) -> None:
    """Withdraw the leaver's waiting request for a Smartkey (it would escalate after they
    left); every keeper's copy says so."""
    request = await tx.key_requests.waiting_of(target.user_id)
    if request is None or request.id is None:
        return
    version = request.version
    if not fire_request(request, RequestTrigger.WITHDRAW, by=target.user_id, at=now):
        return
    await tx.key_requests.save(request, version)
    await tx.audit.record(now, actor, "smartkey_request_withdraw", str(request.id), "deactivated")
    for push in await tx.outbox.sends_for_topic(smartkey_render.request_topic(request.id)):
        holder = await tx.employees.by_telegram_id(push.chat_id)
        language = holder.language if holder else target.language
        text = smartkey_render.request_settled(language, request, target, target, None, left=True)
        await tx.outbox.enqueue_edit(now, push.id, text, None)


async def _release_tickets(
    tx: Tx, settings: Settings, target: Employee, actor: str, now: datetime
) -> list[StoredTicket]:
    """Put the tickets the leaver had taken back to untaken, every copy redrawn."""
    released = []
    for ticket_id in await tx.leavers.tickets_taken_by(target.user_id):
        ticket = await tx.tickets.get(ticket_id)
        if ticket is None:
            continue
        before = ticket.model.state
        if not fire_ticket(ticket.model, TicketTrigger.RELEASE):
            continue
        # The planners are told of it now: the levels that fell due while it was taken are
        # not sent on top (an old ticket would otherwise reach the leader at the next scan).
        due = escalation_level_due(
            ticket.created_at,
            now,
            first_after=settings.escalate_first,
            second_after=settings.escalate_second,
        )
        ticket.escalation_level = max(ticket.escalation_level, due)
        await tx.tickets.save(ticket, ticket.model.version - 1, now)
        detail = f"released:{target.user_id}"
        await tx.tickets.record_event(ticket.id, now, actor, before, ticket.model.state, detail)
        number = format_ticket_number(ticket.model.number)
        await tx.audit.record(now, actor, TICKET_RELEASED, number, target.user_id)
        await refresh_copies(tx, settings, ticket, now)
        await refresh_for_ticket(tx, settings, ticket, now)
        released.append(ticket)
    return released


async def _task_recipients(tx: Tx, unit: str) -> list[Employee]:
    """The unit's planners, or (none uses the bot) its leaders."""
    planners = await tx.employees.in_unit(unit, TASK_TOLD)
    return planners or await tx.employees.in_unit(unit, TASK_TOLD_IF_NO_PLANNER)


async def push_task(
    tx: Tx,
    settings: Settings,
    view: LeaverTaskView,
    now: datetime,
    *,
    reminder: bool = False,
    recipients: list[Employee] | None = None,
) -> int:
    """Queue the task (or its reminder) to the unit's planners; return how many got it."""
    told = recipients if recipients is not None else await _task_recipients(tx, view.task.unit)
    sent = 0
    for person in told:
        if person.telegram_id is None:
            continue
        text, rows = render.task_push(person.language, settings, view, now, reminder=reminder)
        await tx.outbox.enqueue(
            now,
            person.telegram_id,
            text,
            reply_markup=render.as_markup(rows),
            topic=task_topic(view.task.id),
        )
        sent += 1
    return sent


async def _tell_released(
    tx: Tx, settings: Settings, leaver: Employee, released: list[StoredTicket], now: datetime
) -> None:
    """Tell the planners of each released ticket's unit that it is untaken again."""
    units: dict[str, list[StoredTicket]] = {}
    for ticket in released:
        units.setdefault(ticket.unit, []).append(ticket)
    for unit, tickets in units.items():
        for person in await _task_recipients(tx, unit):
            if person.telegram_id is None:
                continue
            text, rows = render.released_push(person.language, leaver, tickets)
            await tx.outbox.enqueue(
                now, person.telegram_id, text, reply_markup=render.as_markup(rows)
            )


async def withdraw_task(
    tx: Tx, settings: Settings, user_id: str, actor: str, now: datetime
) -> bool:
    """A leaver came back (reactivated): their open task is withdrawn, and every copy says
    not to close them in Bekey; False if there was none."""
    task = await tx.leavers.open_for(user_id)
    if task is None or not await tx.leavers.close(task.id, actor, now):
        return False
    await tx.audit.record(now, actor, TASK_WITHDRAWN, user_id, str(task.id))
    view = await task_view(tx, task.id)
    assert view is not None
    person = await tx.employees.get(actor)
    await settle_task_copies(
        tx, settings, view, person.name if person else actor, now, [], withdrawn=True
    )
    return True
