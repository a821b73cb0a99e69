"""The Smartkey ledger: cabinets and keys, hand-out and return, the weekly update, lost keys,
requests, and the due work (overdue keys, unanswered requests, the weekly reminder).

Every press is authorised anew (the role from the one table, active, the key's unit; the
holder for their own key) and is one transaction: the machine steps the key, the row, its
history and the audit line are written, and every push queued with them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.render import smartkeys as render
from bot.services.base import Service
from bot.services.leaver_tasks import close_if_keys_back
from bot.services.ticket_pushes import open_ticket, refresh_copies
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.session import StaleVersion
from bot.storage.smartkeys import (
    Cabinet,
    CabinetKeys,
    KeyEvent,
    KeyHistory,
    KeyLine,
    SmartkeyRow,
)
from bot.storage.tickets import NewTicket
from state.roles import Permission, Role, may
from state.routing import escalation_level_due, roles_for_escalation
from state.smartkey import (
    Smartkey,
    SmartkeyState,
    SmartkeyTrigger,
    fire,
    holder_rank,
    is_stale,
    overdue_level_due,
)
from state.smartkey_request import KeyRequest, RequestState, RequestTrigger
from state.smartkey_request import fire as fire_request
from state.ticket import TicketTrigger, format_ticket_number
from state.ticket import fire as fire_ticket
from state.triage import TriageCategory
from state.weekly import weekly_reminder_due

HISTORY_LINES: Final = 15
"""Steps shown in a key's or an employee's history."""

KEEPERS: Final = frozenset({Role.PLANNER, Role.KEY_PERSON})
"""Who hears of a request and of an overdue key first: the planners and key persons (a request
reaches the leader only when it escalates, as a ticket does)."""

PLANNERS: Final = frozenset({Role.PLANNER})

TAKES_SHOWN_FOR: Final = timedelta(hours=24)
"""How long a take recorded by the holder stays named at the top of the keepers' view."""


class KeyOutcome(StrEnum):
    """How an action on a key ended."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY = "already"
    """The key's state does not allow it (any more): someone acted first."""
    STALE = "stale"
    """The key is not updated: a second tap is needed to hand it out anyway."""


@dataclass(frozen=True)
class KeyResult:
    """The outcome of an action, and the key as it stands after it."""

    outcome: KeyOutcome
    line: KeyLine | None = None
    ticket_number: int | None = None


@dataclass(frozen=True)
class RequestResult:
    """The outcome of asking for a key, or of answering a request."""

    outcome: KeyOutcome
    request: KeyRequest | None = None
    recipients: int = 0


@dataclass(frozen=True)
class Registered:
    """What registering a cabinet or a key did."""

    outcome: KeyOutcome
    cabinet: Cabinet | None = None
    created: bool = False
    """A new cabinet was made."""
    placed: bool | None = None
    """A key: True if new, False if moved to this cabinet, None if it was there already."""


@dataclass(frozen=True)
class ImportCount:
    """What an import did."""

    cabinets: int
    keys: int
    moved: int


def _keeper(employee: Employee, unit: str, permission: Permission) -> bool:
    """Whether an active employee of the unit may do this by the role table."""
    return employee.active and employee.unit == unit and may(employee.roles, permission)


def _holder(employee: Employee, key: Smartkey) -> bool:
    """Whether the employee holds (or, lost, last held) this key and may act on their own."""
    return (
        employee.active
        and key.holder == employee.user_id
        and may(employee.roles, Permission.HOLD_SMARTKEY)
    )


class SmartkeyService(Service):
    """The Smartkey ledger."""

    # Views

    async def cabinets(self, unit: str) -> list[CabinetKeys]:
        """Return the unit's cabinets, each with its keys in use."""
        async with self.db.read() as tx:
            return await self._cabinets(tx, unit)

    async def _cabinets(self, tx: Tx, unit: str) -> list[CabinetKeys]:
        now = self.clock.now()
        lines = [await self._line(tx, key, now) for key in await tx.smartkeys.in_unit(unit)]
        return [
            CabinetKeys(cabinet, [line for line in lines if line.cabinet.id == cabinet.id])
            for cabinet in await tx.smartkeys.cabinets_of(unit)
        ]

    async def _line(self, tx: Tx, key: Smartkey, now: datetime) -> KeyLine:
        cabinet = await tx.smartkeys.cabinet(key.cabinet_id)
        assert cabinet is not None
        holder = await tx.employees.get(key.holder) if key.holder else None
        return KeyLine(
            key,
            cabinet,
            holder,
            is_stale(key, now, self.settings.smartkey_stale),
            overdue_level_due(key, now, self.settings.smartkey_overdue_alert) > 0,
        )

    async def recent_takes(self, employee: Employee) -> KeyHistory:
        """The takes the unit's staff recorded themselves in the last day (a night guard at
        22:00), for a keeper to see and correct, even when the key is back."""
        if not _keeper(employee, employee.unit, Permission.SEE_UNIT_SMARTKEYS):
            return KeyHistory([], {})
        async with self.db.read() as tx:
            since = self.clock.now() - TAKES_SHOWN_FOR
            return await _with_names(tx, await tx.smartkeys.takes_since(employee.unit, since))

    async def held_by(self, employee: Employee) -> list[KeyLine]:
        """Return the keys an employee holds now."""
        now = self.clock.now()
        async with self.db.read() as tx:
            return [
                await self._line(tx, key, now)
                for key in await tx.smartkeys.held_by(employee.user_id)
            ]

    async def waiting_request(self, employee: Employee) -> KeyRequest | None:
        """Return the employee's request for a key that still waits, if any."""
        async with self.db.read() as tx:
            return await tx.key_requests.waiting_of(employee.user_id)

    async def available(self, unit: str) -> list[KeyLine]:
        """Return the unit's keys in a cabinet now (those that can be handed out)."""
        return [
            line
            for cabinet in await self.cabinets(unit)
            for line in cabinet.keys
            if line.key.state == SmartkeyState.IN_CABINET
        ]

    async def line(self, employee: Employee, key_id: int) -> KeyLine | None:
        """Return one key as a line, if the employee may see it (a keeper, or its holder)."""
        async with self.db.read() as tx:
            key = await tx.smartkeys.get(key_id)
            if key is None or not self._may_see(employee, key):
                return None
            return await self._line(tx, key, self.clock.now())

    def _may_see(self, employee: Employee, key: Smartkey) -> bool:
        return _keeper(employee, key.unit, Permission.SEE_UNIT_SMARTKEYS) or _holder(employee, key)

    async def candidates(self, employee: Employee) -> list[Employee]:
        """Return whom a keeper may hand a key to: the unit's active staff, substitutes and
        night guards first, then by name."""
        async with self.db.read() as tx:  # joined or not: a new substitute's first shift
            staff = await tx.employees.active_in_unit(employee.unit)
        staff.sort(key=lambda person: (holder_rank(person.role), person.name.casefold()))
        return staff

    async def key_history(self, employee: Employee, key_id: int) -> KeyHistory | None:
        """Return a key's history, if the employee may see the key."""
        async with self.db.read() as tx:
            key = await tx.smartkeys.get(key_id)
            if key is None or not self._may_see(employee, key):
                return None
            return await _with_names(tx, await tx.smartkeys.history_of_key(key_id, HISTORY_LINES))

    async def employee_history(self, employee: Employee, user_id: str) -> KeyHistory | None:
        """Return who had which key and when, for oneself or (a keeper) a colleague of the unit."""
        async with self.db.read() as tx:
            subject = await tx.employees.get(user_id)
            if subject is None:
                return None
            own = subject.user_id == employee.user_id
            if not own and not _keeper(employee, subject.unit, Permission.SEE_UNIT_SMARTKEYS):
                return None
            events = await tx.smartkeys.history_of_holder(subject.user_id, HISTORY_LINES)
            history = await _with_names(tx, events)
            history.names.setdefault(subject.user_id, subject.name)
            return history

    async def find_key(self, employee: Employee, label: str) -> KeyLine | None:
        """Return the unit's key with this label, if the employee may see it."""
        async with self.db.read() as tx:
            key = await tx.smartkeys.find(employee.unit, label)
            if key is None or key.state == SmartkeyState.RETIRED:
                return None
            if not self._may_see(employee, key):
                return None
            return await self._line(tx, key, self.clock.now())

    async def cabinet_counts(self, unit: str) -> list[tuple[Cabinet, int]]:
        """Return the unit's cabinets, each with how many keys are in it now (for the
        emergency card and the outage answer)."""
        async with self.db.read() as tx:
            return await tx.smartkeys.cabinet_counts(unit)

    # Hand-out, take, confirm, return

    async def hand_out(
        self,
        actor: Employee,
        key_id: int,
        holder_id: str,
        *,
        despite_stale: bool = False,
        request_id: int | None = None,
    ) -> KeyResult:
        """Hand a key to an employee of its unit; they are asked to confirm in their chat.

        A stale key needs ``despite_stale`` (the second tap). ``request_id``: the request
        this hand-out answers (it is approved with it).
        """
        return await self._guarded(
            key_id,
            lambda tx, key: self._hand_out(
                tx, actor, key, holder_id, despite_stale=despite_stale, request_id=request_id
            ),
        )

    async def _hand_out(
        self,
        tx: Tx,
        actor: Employee,
        key: Smartkey,
        holder_id: str,
        *,
        despite_stale: bool,
        request_id: int | None,
    ) -> KeyResult:
        now = self.clock.now()
        holder = await tx.employees.get(holder_id)
        if (
            not _keeper(actor, key.unit, Permission.HAND_OUT_SMARTKEY)
            or holder is None
            or not holder.active
            or holder.unit != key.unit
        ):
            await tx.audit.record(now, actor.user_id, "smartkey_hand_out", key.label, "refused")
            return KeyResult(KeyOutcome.NOT_ALLOWED)
        if not despite_stale and self._warn_stale(key, now):
            return KeyResult(KeyOutcome.STALE, await self._line(tx, key, now))
        request = await tx.key_requests.get(request_id) if request_id is not None else None
        if request_id is not None and (
            request is None or request.requester != holder.user_id or request.unit != key.unit
        ):
            return KeyResult(KeyOutcome.NOT_FOUND)
        before = key.state
        due = now + self.settings.smartkey_due
        if not fire(
            key, SmartkeyTrigger.HAND_OUT, holder=holder.user_id, by=actor.user_id, at=now, due=due
        ):
            return KeyResult(KeyOutcome.ALREADY, await self._line(tx, key, now))
        if request is not None:
            version = request.version
            if not fire_request(
                request, RequestTrigger.APPROVE, by=actor.user_id, at=now, key_id=key.id or 0
            ):
                raise StaleVersion(f"smartkey request {request.id}")  # answered meanwhile
            await tx.key_requests.save(request, version)
        await self._save(tx, key, before, actor, now, "smartkey_hand_out")
        line = await self._line(tx, key, now)
        if holder.telegram_id is not None:
            text, rows = render.please_confirm(holder.language, self.settings, line, actor)
            await tx.outbox.enqueue(
                now, holder.telegram_id, text, reply_markup=render.as_markup(rows)
            )
        if request is not None:
            await self._settle_request_copies(tx, request, now)
        return KeyResult(KeyOutcome.DONE, line)

    async def take(
        self, employee: Employee, key_id: int, *, despite_stale: bool = False
    ) -> KeyResult:
        """Record that an employee took a key from the cabinet themself (no planner at work)."""
        return await self._guarded(
            key_id, lambda tx, key: self._take(tx, employee, key, despite_stale=despite_stale)
        )

    async def _take(
        self, tx: Tx, employee: Employee, key: Smartkey, *, despite_stale: bool
    ) -> KeyResult:
        now = self.clock.now()
        if not (
            employee.active
            and employee.unit == key.unit
            and may(employee.roles, Permission.HOLD_SMARTKEY)
        ):
            await tx.audit.record(now, employee.user_id, "smartkey_take", key.label, "refused")
            return KeyResult(KeyOutcome.NOT_ALLOWED)
        if not despite_stale and self._warn_stale(key, now):
            return KeyResult(KeyOutcome.STALE, await self._line(tx, key, now))
        before = key.state
        due = now + self.settings.smartkey_due
        if not fire(key, SmartkeyTrigger.TAKE, by=employee.user_id, at=now, due=due):
            return KeyResult(KeyOutcome.ALREADY, await self._line(tx, key, now))
        await self._save(tx, key, before, employee, now, "smartkey_take")
        return KeyResult(KeyOutcome.DONE, await self._line(tx, key, now))

    def _warn_stale(self, key: Smartkey, now: datetime) -> bool:
        """Whether taking this key out asks for a second tap: it is in the cabinet, stale."""
        return key.state == SmartkeyState.IN_CABINET and is_stale(
            key, now, self.settings.smartkey_stale
        )

    async def confirm(self, employee: Employee, key_id: int) -> KeyResult:
        """Record the holder's confirmation that they have the key."""
        return await self._guarded(key_id, lambda tx, key: self._confirm(tx, employee, key))

    async def _confirm(self, tx: Tx, employee: Employee, key: Smartkey) -> KeyResult:
        now = self.clock.now()
        if not _holder(employee, key):
            return KeyResult(KeyOutcome.NOT_ALLOWED)
        before = key.state
        if not fire(key, SmartkeyTrigger.CONFIRM, by=employee.user_id, at=now):
            return KeyResult(KeyOutcome.ALREADY, await self._line(tx, key, now))
        await self._save(tx, key, before, employee, now, "smartkey_confirm")
        return KeyResult(KeyOutcome.DONE, await self._line(tx, key, now))

    async def give_back(self, actor: Employee, key_id: int) -> KeyResult:
        """Record a key back in its cabinet: by its holder, or by a keeper of its unit."""
        return await self._guarded(key_id, lambda tx, key: self._give_back(tx, actor, key))

    async def _give_back(self, tx: Tx, actor: Employee, key: Smartkey) -> KeyResult:
        now = self.clock.now()
        if not (_holder(actor, key) or _keeper(actor, key.unit, Permission.HAND_OUT_SMARTKEY)):
            await tx.audit.record(now, actor.user_id, "smartkey_give_back", key.label, "refused")
            return KeyResult(KeyOutcome.NOT_ALLOWED)
        before, holder = key.state, key.holder
        if not fire(key, SmartkeyTrigger.GIVE_BACK):
            return KeyResult(KeyOutcome.ALREADY, await self._line(tx, key, now))
        await self._save(tx, key, before, actor, now, "smartkey_give_back", holder=holder)
        if holder is not None:  # a leaver's last key back: their Bekey task is done
            await close_if_keys_back(
                tx, self.settings, holder, actor.user_id, actor.name, now, [key.label]
            )
        return KeyResult(KeyOutcome.DONE, await self._line(tx, key, now))

    # Lost, found, retired, updated

    async def report_lost(self, actor: Employee, key_id: int) -> KeyResult:
        """Block a lost key at once, and raise the ticket that has Bekey block it too."""
        return await self._guarded(key_id, lambda tx, key: self._report_lost(tx, actor, key))

    async def _report_lost(self, tx: Tx, actor: Employee, key: Smartkey) -> KeyResult:
        now = self.clock.now()
        if not (_holder(actor, key) or _keeper(actor, key.unit, Permission.HAND_OUT_SMARTKEY)):
            await tx.audit.record(now, actor.user_id, "smartkey_lost", key.label, "refused")
            return KeyResult(KeyOutcome.NOT_ALLOWED)
        before = key.state
        if not fire(key, SmartkeyTrigger.REPORT_LOST):
            return KeyResult(KeyOutcome.ALREADY, await self._line(tx, key, now))
        new = NewTicket(
            reporter=actor.user_id,
            unit=key.unit,
            category=TriageCategory.SMARTKEY,
            citizen_id=None,
            answers={},
            description=None,
            citizen_text=key.label,
        )
        opened = await open_ticket(tx, self.settings, new, now)
        key.lost_ticket_id = opened.ticket.id
        await self._save(tx, key, before, actor, now, "smartkey_lost")
        return KeyResult(
            KeyOutcome.DONE, await self._line(tx, key, now), opened.ticket.model.number
        )

    async def find(self, actor: Employee, key_id: int) -> KeyResult:
        """Record a lost key found (by whoever lost it, or a keeper); it waits for Bekey."""
        return await self._guarded(key_id, lambda tx, key: self._find(tx, actor, key))

    async def _find(self, tx: Tx, actor: Employee, key: Smartkey) -> KeyResult:
        now = self.clock.now()
        if not (_holder(actor, key) or _keeper(actor, key.unit, Permission.HAND_OUT_SMARTKEY)):
            return KeyResult(KeyOutcome.NOT_ALLOWED)
        return await self._step(tx, actor, key, SmartkeyTrigger.FIND, "smartkey_found", now)

    async def re_enable(self, actor: Employee, key_id: int) -> KeyResult:
        """A keeper confirms Bekey has re-enabled a found key: it is back in the cabinet."""
        return await self._keeper_step(
            actor, key_id, Permission.REGISTER_SMARTKEY, SmartkeyTrigger.RE_ENABLE
        )

    async def retire(self, actor: Employee, key_id: int) -> KeyResult:
        """Take a key out of use for good."""
        return await self._keeper_step(
            actor, key_id, Permission.RETIRE_SMARTKEY, SmartkeyTrigger.RETIRE
        )

    async def _keeper_step(
        self, actor: Employee, key_id: int, permission: Permission, trigger: SmartkeyTrigger
    ) -> KeyResult:
        action = f"smartkey_{trigger.value}"

        async def step(tx: Tx, key: Smartkey) -> KeyResult:
            now = self.clock.now()
            if not _keeper(actor, key.unit, permission):
                await tx.audit.record(now, actor.user_id, action, key.label, "refused")
                return KeyResult(KeyOutcome.NOT_ALLOWED)
            return await self._step(tx, actor, key, trigger, action, now)

        return await self._guarded(key_id, step)

    async def _step(
        self,
        tx: Tx,
        actor: Employee,
        key: Smartkey,
        trigger: SmartkeyTrigger,
        action: str,
        now: datetime,
    ) -> KeyResult:
        before, holder = key.state, key.holder
        if not fire(key, trigger):
            return KeyResult(KeyOutcome.ALREADY, await self._line(tx, key, now))
        await self._save(tx, key, before, actor, now, action, holder=holder)
        if trigger is SmartkeyTrigger.RE_ENABLE:
            await self._settle_lost_ticket(tx, key, actor, now)
        return KeyResult(KeyOutcome.DONE, await self._line(tx, key, now))

    async def _settle_lost_ticket(
        self, tx: Tx, key: Smartkey, actor: Employee, now: datetime
    ) -> None:
        """A key back in use needs no block at Bekey: its lost-key ticket, if still open, is
        resolved by whoever put it back (every copy of the card shows it)."""
        ticket = await tx.tickets.get(key.lost_ticket_id) if key.lost_ticket_id else None
        if ticket is None:
            return
        before, version = ticket.model.state, ticket.model.version
        if not fire_ticket(ticket.model, TicketTrigger.RESOLVE, by=actor.user_id):
            return  # resolved already
        await tx.tickets.save(ticket, version, now)
        await tx.tickets.record_event(
            ticket.id, now, actor.user_id, before, ticket.model.state, "smartkey_re_enabled"
        )
        number = format_ticket_number(ticket.model.number)
        await tx.audit.record(now, actor.user_id, "ticket_resolve", number, "smartkey_re_enabled")
        await refresh_copies(tx, self.settings, ticket, now)

    async def mark_updated(self, actor: Employee, key_id: int) -> KeyResult:
        """Record that a planner updated one key in Bekey now."""

        async def update(tx: Tx, key: Smartkey) -> KeyResult:
            now = self.clock.now()
            if not _keeper(actor, key.unit, Permission.MARK_SMARTKEY_UPDATED):
                await tx.audit.record(now, actor.user_id, "smartkey_updated", key.label, "refused")
                return KeyResult(KeyOutcome.NOT_ALLOWED)
            if key.state in {SmartkeyState.RETIRED, SmartkeyState.LOST}:
                return KeyResult(KeyOutcome.ALREADY, await self._line(tx, key, now))
            await self._touch(tx, key, actor, now)
            return KeyResult(KeyOutcome.DONE, await self._line(tx, key, now))

        return await self._guarded(key_id, update)

    async def mark_cabinet_updated(self, actor: Employee, cabinet_id: int) -> int | None:
        """Record every key in a cabinet updated now (those handed out are not in it to be
        updated); None if refused."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            cabinet = await tx.smartkeys.cabinet(cabinet_id)
            if cabinet is None or not _keeper(
                actor, cabinet.unit, Permission.MARK_SMARTKEY_UPDATED
            ):
                return None
            keys = [
                key
                for key in await tx.smartkeys.in_cabinet(cabinet_id)
                if key.state == SmartkeyState.IN_CABINET
            ]
            for key in keys:
                await self._touch(tx, key, actor, now)
            return len(keys)

    async def _touch(self, tx: Tx, key: Smartkey, actor: Employee, now: datetime) -> None:
        version = key.version
        key.updated_at = now
        key.version += 1
        await tx.smartkeys.save(key, version, now)
        await tx.smartkeys.record_event(key, now, actor.user_id, key.state, detail="updated")
        await tx.audit.record(now, actor.user_id, "smartkey_updated", key.label)

    # Registering cabinets and keys

    async def register_cabinet(self, actor: Employee, name: str, location: str) -> Registered:
        """Register a cabinet of the actor's unit, or move an existing one (its location)."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            if not _keeper(actor, actor.unit, Permission.REGISTER_SMARTKEY):
                return Registered(KeyOutcome.NOT_ALLOWED)
            cabinet, created = await _cabinet(tx, actor.unit, name, location, now)
            await tx.audit.record(now, actor.user_id, "smartkey_cabinet", cabinet.name)
            return Registered(KeyOutcome.DONE, cabinet, created)

    async def register_key(self, actor: Employee, label: str, cabinet_name: str) -> Registered:
        """Register a key in a cabinet of the actor's unit (or move a known key there)."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            if not _keeper(actor, actor.unit, Permission.REGISTER_SMARTKEY):
                return Registered(KeyOutcome.NOT_ALLOWED)
            cabinet = await tx.smartkeys.find_cabinet(actor.unit, cabinet_name)
            if cabinet is None:
                return Registered(KeyOutcome.NOT_FOUND)
            placed = await _place_key(tx, label, cabinet, actor.user_id, now)
            return Registered(KeyOutcome.DONE, cabinet, placed=placed)

    async def import_rows(self, rows: list[SmartkeyRow], *, actor: str) -> ImportCount:
        """Register every cabinet and key of a checked file in one transaction (again: no
        duplicates; a key named in another cabinet moves there)."""
        cabinets = keys = moved = 0
        async with self.db.transaction() as tx:
            now = self.clock.now()
            for row in rows:
                cabinet, created = await _cabinet(tx, row.unit, row.cabinet, row.location, now)
                cabinets += created
                placed = await _place_key(tx, row.label, cabinet, actor, now)
                keys += placed is True
                moved += placed is False
            await tx.audit.record(now, actor, "smartkeys_imported", None, f"{keys} keys")
        return ImportCount(cabinets, keys, moved)

    # Requests

    async def request_key(self, employee: Employee) -> RequestResult:
        """Ask the unit's keepers for a key (one waiting request per employee)."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            if not (employee.active and may(employee.roles, Permission.HOLD_SMARTKEY)):
                return RequestResult(KeyOutcome.NOT_ALLOWED)
            waiting = await tx.key_requests.waiting_of(employee.user_id)
            if waiting is not None:
                return RequestResult(KeyOutcome.ALREADY, waiting)
            request = await tx.key_requests.create(employee.user_id, employee.unit, now)
            await tx.audit.record(now, employee.user_id, "smartkey_request", str(request.id))
            keepers = await tx.employees.in_unit(employee.unit, KEEPERS)
            await self._push_request(tx, request, employee, keepers, now, note_key=None)
            return RequestResult(KeyOutcome.DONE, request, len(keepers))

    async def request(self, employee: Employee, request_id: int) -> KeyRequest | None:
        """Return a request the employee may answer (a keeper of its unit) or made."""
        async with self.db.read() as tx:
            request = await tx.key_requests.get(request_id)
        if request is None:
            return None
        own = request.requester == employee.user_id
        if own or _keeper(employee, request.unit, Permission.ANSWER_SMARTKEY_REQUEST):
            return request
        return None

    async def decline(self, actor: Employee, request_id: int) -> RequestResult:
        """Decline a request; the requester is told, and every copy says who declined."""
        return await self._answer(actor, request_id, RequestTrigger.DECLINE)

    async def withdraw(self, employee: Employee, request_id: int) -> RequestResult:
        """The requester withdraws their waiting request."""
        return await self._answer(employee, request_id, RequestTrigger.WITHDRAW)

    async def _answer(
        self, actor: Employee, request_id: int, trigger: RequestTrigger
    ) -> RequestResult:
        try:
            async with self.db.transaction() as tx:
                now = self.clock.now()
                request = await tx.key_requests.get(request_id)
                if request is None:
                    return RequestResult(KeyOutcome.NOT_FOUND)
                if trigger is RequestTrigger.DECLINE and not _keeper(
                    actor, request.unit, Permission.ANSWER_SMARTKEY_REQUEST
                ):
                    return RequestResult(KeyOutcome.NOT_ALLOWED, request)
                version = request.version
                if not fire_request(request, trigger, by=actor.user_id, at=now):
                    return RequestResult(KeyOutcome.ALREADY, request)
                await tx.key_requests.save(request, version)
                action = f"smartkey_request_{trigger.value}"
                await tx.audit.record(now, actor.user_id, action, str(request.id))
                await self._settle_request_copies(tx, request, now)
                if trigger is RequestTrigger.DECLINE:
                    requester = await tx.employees.get(request.requester)
                    if requester is not None and requester.telegram_id is not None:
                        text = render.request_declined(requester.language, actor)
                        await tx.outbox.enqueue(now, requester.telegram_id, text)
                return RequestResult(KeyOutcome.DONE, request)
        except StaleVersion:
            return RequestResult(KeyOutcome.ALREADY)

    async def _push_request(
        self,
        tx: Tx,
        request: KeyRequest,
        requester: Employee,
        recipients: list[Employee],
        now: datetime,
        *,
        note_key: str | None,
    ) -> None:
        assert request.id is not None
        for keeper in recipients:
            if keeper.telegram_id is None:
                continue
            text, rows = render.request_push(
                keeper.language, self.settings, request, requester, now, note_key=note_key
            )
            await tx.outbox.enqueue(
                now,
                keeper.telegram_id,
                text,
                reply_markup=render.as_markup(rows),
                topic=render.request_topic(request.id),
            )

    async def _settle_request_copies(self, tx: Tx, request: KeyRequest, now: datetime) -> None:
        """Every keeper's copy of an answered request says how it was answered."""
        assert request.id is not None
        requester = await tx.employees.get(request.requester)
        decider = await tx.employees.get(request.decided_by) if request.decided_by else None
        key = await tx.smartkeys.get(request.key_id) if request.key_id else None
        for push in await tx.outbox.sends_for_topic(render.request_topic(request.id)):
            holder = await tx.employees.by_telegram_id(push.chat_id)
            language = holder.language if holder else self.settings.default_language
            text = render.request_settled(language, request, requester, decider, key)
            await tx.outbox.enqueue_edit(now, push.id, text, None)

    # The due work

    async def run_due(self) -> int:
        """Send what is due: overdue reminders and alerts, request escalations, the weekly
        reminder; return how many were sent."""
        return await self._overdue() + await self._escalate_requests() + await self._weekly()

    async def _overdue(self) -> int:
        async with self.db.read() as tx:
            candidates = await tx.smartkeys.overdue_candidates(self.clock.now())
        sent = 0
        for key_id in candidates:
            try:
                sent += await self._overdue_one(key_id)
            except StaleVersion:
                continue  # returned meanwhile
        return sent

    async def _overdue_one(self, key_id: int) -> int:
        async with self.db.transaction() as tx:
            now = self.clock.now()
            key = await tx.smartkeys.get(key_id)
            if key is None:
                return 0
            due = overdue_level_due(key, now, self.settings.smartkey_overdue_alert)
            if due <= key.overdue_level:
                return 0
            line = await self._line(tx, key, now)
            holder = line.holder
            if key.overdue_level < 1 and holder is not None and holder.telegram_id is not None:
                text, rows = render.overdue_reminder(holder.language, self.settings, line)
                await tx.outbox.enqueue(
                    now, holder.telegram_id, text, reply_markup=render.as_markup(rows)
                )
            if due >= 2:
                for planner in await _told(tx, key.unit, KEEPERS):
                    if planner.telegram_id is None:
                        continue
                    text, rows = render.overdue_alert(planner.language, self.settings, line)
                    await tx.outbox.enqueue(
                        now, planner.telegram_id, text, reply_markup=render.as_markup(rows)
                    )
            version = key.version
            key.overdue_level = due
            key.version += 1
            await tx.smartkeys.save(key, version, now)
            await tx.smartkeys.record_event(key, now, "system", key.state, detail=f"overdue:{due}")
            await tx.audit.record(now, "system", "smartkey_overdue", key.label, str(due))
            return 1

    async def _escalate_requests(self) -> int:
        async with self.db.read() as tx:
            waiting = await tx.key_requests.waiting_ids()
        sent = 0
        for request_id in waiting:
            try:
                sent += await self._escalate_request(request_id)
            except StaleVersion:
                continue  # answered meanwhile
        return sent

    async def _escalate_request(self, request_id: int) -> int:
        async with self.db.transaction() as tx:
            now = self.clock.now()
            request = await tx.key_requests.get(request_id)
            if request is None or request.state != RequestState.WAITING:
                return 0
            due = escalation_level_due(
                request.created_at,
                now,
                first_after=self.settings.smartkey_request_wait,
                second_after=self.settings.escalate_second,
            )
            if due <= request.escalation_level:
                return 0
            requester = await tx.employees.get(request.requester)
            if requester is None:
                return 0
            for level in range(request.escalation_level + 1, due + 1):
                version = request.version
                request.escalation_level = level
                request.version += 1
                await tx.key_requests.save(request, version)
                recipients = await tx.employees.in_unit(request.unit, roles_for_escalation(level))
                note = f"smartkey.request_escalated_{level}"
                await self._push_request(tx, request, requester, recipients, now, note_key=note)
                await tx.audit.record(
                    now, "system", "smartkey_request_escalated", str(request.id), str(level)
                )
            return 1

    async def _weekly(self) -> int:
        now = self.clock.now()
        local = now.astimezone(self.settings.zone)
        async with self.db.read() as tx:
            units = await tx.smartkeys.units_with_keys()
        sent = 0
        for unit in units:
            sent += await self._weekly_for(unit, local)
        return sent

    async def _weekly_for(self, unit: str, local: datetime) -> int:
        settings = self.settings
        async with self.db.read() as tx:  # a write only when it is due (the scan is frequent)
            reminded = await tx.smartkeys.reminded_week(unit)
        if (
            weekly_reminder_due(
                local, settings.smartkey_weekly_day, settings.smartkey_weekly_at, reminded
            )
            is None
        ):
            return 0
        async with self.db.transaction() as tx:
            settings = self.settings
            week = weekly_reminder_due(
                local,
                settings.smartkey_weekly_day,
                settings.smartkey_weekly_at,
                await tx.smartkeys.reminded_week(unit),
            )
            if week is None:
                return 0
            await tx.smartkeys.mark_reminded(unit, week)
            cabinets = await self._cabinets(tx, unit)
            stale = [line for cabinet in cabinets for line in cabinet.keys if line.stale]
            if not stale:
                return 0  # every key is up to date: nothing to remind of
            now = self.clock.now()
            for planner in await _told(tx, unit, PLANNERS):
                if planner.telegram_id is None:
                    continue
                text, rows = render.weekly_reminder(planner.language, settings, cabinets, now)
                await tx.outbox.enqueue(
                    now, planner.telegram_id, text, reply_markup=render.as_markup(rows)
                )
            await tx.audit.record(now, "system", "smartkey_weekly", unit, str(len(stale)))
            return 1

    # Plumbing

    async def _guarded(self, key_id: int, act: _KeyAct) -> KeyResult:
        """Run an action on one key in one transaction; a double tap comes back ALREADY."""
        try:
            async with self.db.transaction() as tx:
                key = await tx.smartkeys.get(key_id)
                if key is None:
                    return KeyResult(KeyOutcome.NOT_FOUND)
                return await act(tx, key)
        except StaleVersion:
            async with self.db.read() as tx:
                key = await tx.smartkeys.get(key_id)
                line = await self._line(tx, key, self.clock.now()) if key else None
                return KeyResult(KeyOutcome.ALREADY, line)

    async def _save(
        self,
        tx: Tx,
        key: Smartkey,
        before: str,
        actor: Employee,
        now: datetime,
        action: str,
        *,
        holder: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Write a stepped key, its history line and its audit line."""
        await tx.smartkeys.save(key, key.version - 1, now)
        await tx.smartkeys.record_event(
            key, now, actor.user_id, before, holder=holder, detail=detail
        )
        await tx.audit.record(now, actor.user_id, action, key.label)


_KeyAct = Callable[[Tx, Smartkey], Awaitable[KeyResult]]


async def _told(tx: Tx, unit: str, roles: frozenset[Role]) -> list[Employee]:
    """Who of the unit hears of a key: those of the roles, or (none uses the bot) its leaders."""
    return await tx.employees.in_unit(unit, roles) or await tx.employees.in_unit(
        unit, frozenset({Role.LEADER})
    )


async def _with_names(tx: Tx, events: list[KeyEvent]) -> KeyHistory:
    """A history, with the name of every employee who acted in it or held a key."""
    names: dict[str, str] = {}
    for event in events:
        for user_id in (event.actor, event.holder):
            if user_id and user_id not in names:
                person = await tx.employees.get(user_id)
                if person is not None:
                    names[user_id] = person.name
    return KeyHistory(events, names)


async def _cabinet(
    tx: Tx, unit: str, name: str, location: str, now: datetime
) -> tuple[Cabinet, bool]:
    """The unit's cabinet of this name (its location updated if one is given), made if new."""
    cabinet = await tx.smartkeys.find_cabinet(unit, name)
    if cabinet is None:
        return await tx.smartkeys.add_cabinet(unit, name, location, now), True
    if location and location != cabinet.location:
        await tx.smartkeys.set_location(cabinet.id, location, now)
        cabinet = Cabinet(cabinet.id, cabinet.unit, cabinet.name, location)
    return cabinet, False


async def _place_key(
    tx: Tx, label: str, cabinet: Cabinet, actor: str, now: datetime
) -> bool | None:
    """Register a key in a cabinet: True if new, False if moved there, None if already there."""
    key = await tx.smartkeys.find(cabinet.unit, label)
    if key is None:
        key = await tx.smartkeys.add(label, cabinet, now)
        await tx.smartkeys.record_event(key, now, actor, None, detail=f"cabinet:{cabinet.name}")
        await tx.audit.record(now, actor, "smartkey_registered", label, cabinet.name)
        return True
    if key.cabinet_id == cabinet.id or key.state == SmartkeyState.RETIRED:
        return None  # already there; a retired key stays retired (its label is not reused)
    await tx.smartkeys.move(key.id or 0, cabinet.id, now)
    await tx.smartkeys.record_event(key, now, actor, key.state, detail=f"cabinet:{cabinet.name}")
    await tx.audit.record(now, actor, "smartkey_moved", label, cabinet.name)
    return False
