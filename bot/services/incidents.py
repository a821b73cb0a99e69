"""Outage incidents: acting on them, the due work (escalation, "is it over?"), and the unit
broadcast.

Every press is authorised anew (the role from the one table, active, of an affected unit)
and is one transaction: the machine steps the incident, the row is written, the audit line
appended, every message kept in step. Resolving an incident resolves its open tickets (each
with its event and its cards' copies) and tells every reporter, once each.

How reports join or open an incident is ``incident_pushes.take_report``, called where
tickets are made (``ticket_pushes.open_ticket``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.render.incidents import broadcast_message, over_notice
from bot.services.base import Service
from bot.services.duty import duty_now
from bot.services.incident_pushes import recipient_roles, send_messages, sync_messages
from bot.services.ticket_pushes import refresh_copies
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.incidents import StoredIncident
from bot.storage.outbox import Priority
from bot.storage.session import StaleVersion
from bot.storage.tickets import StoredTicket
from state.duty import escalation_level_on_duty
from state.incident import (
    OPEN_STATES,
    IncidentState,
    IncidentTrigger,
    fire,
    format_incident_number,
    quiet_check_due,
)
from state.roles import Permission, Role, may
from state.routing import roles_for_escalation
from state.ticket import OPEN_STATES as TICKET_OPEN_STATES
from state.ticket import TicketTrigger, format_ticket_number
from state.ticket import fire as fire_ticket

BROADCAST_DRAFT_TTL: Final = timedelta(minutes=15)
"""A broadcast draft not confirmed within this time is dropped (its text with it)."""

_EVERYONE: Final = frozenset(Role)


class IncidentOutcome(StrEnum):
    """How a press on an incident (or a broadcast) ended."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY = "already"


@dataclass(frozen=True)
class IncidentResult:
    """The outcome of an action, and the incident as it stands after it."""

    outcome: IncidentOutcome
    incident: StoredIncident | None = None


@dataclass(frozen=True)
class BroadcastDraft:
    """A broadcast waiting for its author's confirmation (``id`` None: nobody to send to)."""

    id: int | None
    recipients: int


@dataclass(frozen=True)
class BroadcastResult:
    """How a broadcast's confirmation (or dropping) ended, and how many got it."""

    outcome: IncidentOutcome
    recipients: int = 0


def _may_act(employee: Employee, units: set[str]) -> bool:
    """A planner, key person or leader of an affected unit, still active."""
    return (
        employee.active
        and may(employee.roles, Permission.HANDLE_INCIDENT)
        and employee.unit in units
    )


class IncidentService(Service):
    """Acts on incidents, runs their due work, and sends unit broadcasts."""

    # Acting on an incident.

    async def act(
        self, employee: Employee, incident_id: int, trigger: IncidentTrigger
    ) -> IncidentResult:
        """Take, resolve, or answer "not yet" on an incident, authorised anew."""
        if trigger not in {IncidentTrigger.TAKE, IncidentTrigger.RESOLVE, IncidentTrigger.CONTINUE}:
            return IncidentResult(IncidentOutcome.NOT_ALLOWED)
        try:
            async with self.db.transaction() as tx:
                return await self._act(tx, employee, incident_id, trigger)
        except StaleVersion:
            async with self.db.read() as tx:
                return IncidentResult(IncidentOutcome.ALREADY, await tx.incidents.get(incident_id))

    async def _act(
        self, tx: Tx, employee: Employee, incident_id: int, trigger: IncidentTrigger
    ) -> IncidentResult:
        now = self.clock.now()
        incident = await tx.incidents.get(incident_id)
        if incident is None:
            return IncidentResult(IncidentOutcome.NOT_FOUND)
        number = format_incident_number(incident.id)
        action = f"incident_{trigger.value}"
        units = {count.unit for count in await tx.incidents.unit_counts(incident.id)}
        if not _may_act(employee, units):
            await tx.audit.record(now, employee.user_id, action, number, "refused")
            return IncidentResult(IncidentOutcome.NOT_ALLOWED, incident)
        before = incident.model.version
        if not fire(incident.model, trigger, by=employee.user_id):
            return IncidentResult(IncidentOutcome.ALREADY, incident)
        if trigger is IncidentTrigger.CONTINUE:
            incident.quiet_from = now
        await tx.incidents.save(incident, before, now)
        if trigger is IncidentTrigger.RESOLVE:
            resolved = await self._resolve_tickets(tx, incident, employee, now)
            await tx.audit.record(now, employee.user_id, action, number, str(resolved))
        else:
            await tx.audit.record(now, employee.user_id, action, number, "ok")
        await sync_messages(tx, self.settings, incident, now)
        return IncidentResult(IncidentOutcome.DONE, incident)

    async def _resolve_tickets(
        self, tx: Tx, incident: StoredIncident, employee: Employee, now: datetime
    ) -> int:
        """Resolve the incident's open tickets and tell each reporter once; return how many."""
        number = format_incident_number(incident.id)
        by_reporter: dict[str, list[StoredTicket]] = {}
        for ticket in await tx.incidents.tickets(incident.id):
            if ticket.model.state not in TICKET_OPEN_STATES:
                continue
            before_state, before_version = ticket.model.state, ticket.model.version
            if not fire_ticket(ticket.model, TicketTrigger.RESOLVE, by=employee.user_id):
                continue
            await tx.tickets.save(ticket, before_version, now)
            await tx.tickets.record_event(
                ticket.id, now, employee.user_id, before_state, ticket.model.state, number
            )
            await tx.audit.record(
                now,
                employee.user_id,
                "ticket_resolve",
                format_ticket_number(ticket.model.number),
                "incident",
            )
            await refresh_copies(tx, self.settings, ticket, now)
            by_reporter.setdefault(ticket.reporter, []).append(ticket)
        for user_id, tickets in by_reporter.items():
            reporter = await tx.employees.get(user_id)
            if reporter is None or reporter.telegram_id is None or not reporter.active:
                continue
            text = over_notice(reporter.language, incident, tickets, employee.name)
            await tx.outbox.enqueue(
                now, reporter.telegram_id, text, topic=f"reporter:incident:{incident.id}"
            )
        return sum(len(tickets) for tickets in by_reporter.values())

    async def show_in_chat(self, employee: Employee) -> int:
        """Queue a fresh message of each open incident affecting the employee's unit (kept in
        step with the others) to the employee; return how many."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            shown = 0
            for incident in await tx.incidents.open_in_unit(employee.unit):
                shown += await send_messages(
                    tx, self.settings, incident, [employee], now, priority=Priority.REPLY
                )
        return shown

    # Due work: escalation while nobody has taken an incident, "is it over?" after quiet,
    # and the messages brought up to date after the last reports of a storm.

    async def run_due(self) -> int:
        """Escalate and ask whatever is due, one transaction per incident; drop stale drafts.

        Returns how many incidents changed.
        """
        async with self.db.read() as tx:
            incident_ids = await tx.incidents.open_ids()
        changed = 0
        for incident_id in incident_ids:
            try:
                async with self.db.transaction() as tx:
                    changed += await self._due(tx, incident_id)
            except StaleVersion:
                continue  # someone acted on it meanwhile
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await tx.broadcasts.drop_drafts_before(now - BROADCAST_DRAFT_TTL, now)
        return changed

    async def _due(self, tx: Tx, incident_id: int) -> int:
        now = self.clock.now()
        incident = await tx.incidents.get(incident_id)
        if incident is None or incident.model.state not in OPEN_STATES:
            return 0
        escalated = await self._escalate(tx, incident, now)
        asked = await self._ask(tx, incident, now)
        if incident.unsynced:  # the last reports of a storm
            await sync_messages(tx, self.settings, incident, now)
            return 1
        return int(escalated or asked)

    async def _escalate(self, tx: Tx, incident: StoredIncident, now: datetime) -> bool:
        """Send an untaken incident on, as one ticket would be: once, not once per report."""
        if incident.model.taken_by is not None:
            return False
        units = [count.unit for count in await tx.incidents.unit_counts(incident.id)]
        if not units:
            return False
        # It follows duty as a ticket does (the first unit's hours and on-call people): the
        # leader hears of it only in planner hours; at night the first level goes on call.
        duty = {unit: await duty_now(tx, self.settings, unit, now) for unit in units}
        first = duty[units[0]]
        due = escalation_level_on_duty(
            incident.opened_at,
            now,
            first.hours,
            self.settings.zone,
            first.rules,
            first_after=self.settings.escalate_first,
            second_after=self.settings.escalate_second,
        )
        if due <= incident.escalation_level:
            return False
        number = format_incident_number(incident.id)
        # Every level that fell due is sent, in order (after downtime, too).
        for level in range(incident.escalation_level + 1, due + 1):
            before = incident.model.version
            incident.escalation_level = level
            incident.model.version += 1
            await tx.incidents.save(incident, before, now)
            recipients = [
                employee
                for unit in units
                for employee in (
                    await tx.employees.in_unit(unit, roles_for_escalation(level))
                    if duty[unit].in_hours or level > 1
                    else duty[unit].on_call
                )
            ]
            await send_messages(
                tx, self.settings, incident, recipients, now, note_key=f"ticket.escalated_{level}"
            )
            await tx.audit.record(now, "system", "incident_escalated", number, str(level))
        return True

    async def _ask(self, tx: Tx, incident: StoredIncident, now: datetime) -> bool:
        """After a quiet spell, ask the planners of every affected unit whether it is over."""
        if incident.model.state != IncidentState.OPEN or not quiet_check_due(
            incident.quiet_from, now, self.settings.incident_quiet
        ):
            return False
        before = incident.model.version
        if not fire(incident.model, IncidentTrigger.ASK):
            return False
        incident.asked_at = now
        await tx.incidents.save(incident, before, now)
        recipients: list[Employee] = []
        for count in await tx.incidents.unit_counts(incident.id):
            # The planners; where no planner uses the bot, whoever else gets the message.
            planners = await tx.employees.in_unit(count.unit, frozenset({Role.PLANNER}))
            recipients += planners or await tx.employees.in_unit(
                count.unit, recipient_roles(incident)
            )
        await send_messages(tx, self.settings, incident, recipients, now)
        await tx.audit.record(
            now, "system", "incident_asked", format_incident_number(incident.id), "ok"
        )
        return True

    # The unit broadcast.

    async def _audience(self, tx: Tx, author: Employee) -> list[Employee]:
        """Every active, bound member of the author's unit but the author."""
        staff = await tx.employees.in_unit(author.unit, _EVERYONE)
        return [employee for employee in staff if employee.user_id != author.user_id]

    async def draft_broadcast(self, author: Employee, text: str) -> BroadcastDraft:
        """Keep a broadcast's text until its author confirms it; say how many would get it."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            audience = await self._audience(tx, author)
            if not audience:
                return BroadcastDraft(None, 0)
            draft_id = await tx.broadcasts.draft(author.user_id, author.unit, text, now)
        return BroadcastDraft(draft_id, len(audience))

    async def send_broadcast(self, author: Employee, broadcast_id: int) -> BroadcastResult:
        """Send a confirmed draft to every active member of the unit, paced as emergencies are."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            draft = await tx.broadcasts.get(broadcast_id)
            if draft is None:
                return BroadcastResult(IncidentOutcome.NOT_FOUND)
            if (
                draft.author != author.user_id
                or not author.active
                or not may(author.roles, Permission.BROADCAST)
                or draft.unit != author.unit
            ):
                await tx.audit.record(now, author.user_id, "broadcast_sent", draft.unit, "refused")
                return BroadcastResult(IncidentOutcome.NOT_ALLOWED)
            if not draft.draft or draft.text is None:
                return BroadcastResult(IncidentOutcome.ALREADY, draft.recipients or 0)
            if now - draft.created_at > BROADCAST_DRAFT_TTL:
                await tx.broadcasts.drop(draft.id, now)
                return BroadcastResult(IncidentOutcome.ALREADY)
            audience = await self._audience(tx, author)
            for employee in audience:
                assert employee.telegram_id is not None
                await tx.outbox.enqueue(
                    now,
                    employee.telegram_id,
                    broadcast_message(employee.language, author, draft.text),
                    protect_content=True,
                    topic=f"broadcast:{draft.id}",
                    priority=Priority.EMERGENCY,
                )
            await tx.broadcasts.mark_sent(draft.id, len(audience), now)
            await tx.audit.record(
                now, author.user_id, "broadcast_sent", author.unit, str(len(audience))
            )
        return BroadcastResult(IncidentOutcome.DONE, len(audience))

    async def drop_broadcast(self, author: Employee, broadcast_id: int) -> BroadcastResult:
        """Drop the author's draft unsent."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            draft = await tx.broadcasts.get(broadcast_id)
            if draft is None:
                return BroadcastResult(IncidentOutcome.NOT_FOUND)
            if draft.author != author.user_id:
                return BroadcastResult(IncidentOutcome.NOT_ALLOWED)
            if not await tx.broadcasts.drop(draft.id, now):
                return BroadcastResult(IncidentOutcome.ALREADY)
        return BroadcastResult(IncidentOutcome.DONE)
