"""Tickets: routed to the unit's planners, acted on by button, escalated when nobody takes them.

Every change is one transaction: the machine steps the model, the row and its event are
written, the audit line appended, and the pushes (new cards, edits of every copy, the
reporter's notice) queued in the outbox. Sending happens after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.clock import Clock
from bot.render.cards import CardFacts, support_contact, ticket_card
from bot.render.i18n import t
from bot.settings import Settings
from bot.storage.audit import Audit
from bot.storage.citizens import Citizens
from bot.storage.database import Database, Session
from bot.storage.employees import Employee, Employees
from bot.storage.outbox import OutboxStore
from bot.storage.tickets import NewTicket, StoredTicket, Tickets
from state.roles import TICKET_HANDLERS, Role
from state.routing import (
    escalation_level_due,
    first_recipient_roles,
    party_for,
    roles_for_escalation,
)
from state.ticket import OPEN_STATES, fire, format_ticket_number
from state.triage import TriageCategory

EMERGENCY_REUSE = timedelta(minutes=10)
"""A second emergency tap within this time shows the same emergency, not a new one."""


class Outcome(StrEnum):
    """How a press on a ticket ended."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY = "already"


@dataclass(frozen=True)
class ActResult:
    """The outcome of an action, and the ticket as it stands after it."""

    outcome: Outcome
    ticket: StoredTicket | None = None
    taker: Employee | None = None


def topic(ticket_id: int) -> str:
    """The outbox topic under which every copy of a ticket's card is kept."""
    return f"ticket:{ticket_id}"


def _roles(names: frozenset[str]) -> frozenset[Role]:
    return frozenset(Role(name) for name in names)


class TicketService:
    """Creates, routes, changes and escalates tickets."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.tickets = Tickets(db)
        self.employees = Employees(db)

    # Creating and routing

    async def create_in(
        self, s: Session, new: NewTicket, now: datetime
    ) -> tuple[StoredTicket, int]:
        """Store, audit and push a ticket to its first recipients; return it and their count."""
        stored = await Tickets.create_in(s, new, now)
        await Audit.record_in(
            s,
            now,
            new.reporter,
            "ticket_created",
            format_ticket_number(stored.model.number),
            new.category,
        )
        recipients = await self._unit_staff_in(
            s, new.unit, _roles(first_recipient_roles(new.category))
        )
        await self._push_cards_in(s, stored, recipients, now)
        return stored, len(recipients)

    async def _unit_staff_in(self, s: Session, unit: str, roles: frozenset[Role]) -> list[Employee]:
        return [e for e in await Employees.in_unit_in(s, unit, roles) if e.telegram_id is not None]

    async def _facts_in(self, s: Session, ticket: StoredTicket) -> CardFacts:
        citizen = await Citizens.get_in(s, ticket.citizen_id) if ticket.citizen_id else None
        reporter = await Employees.get_in(s, ticket.reporter)
        taker = await Employees.get_in(s, ticket.model.taken_by) if ticket.model.taken_by else None
        return CardFacts(citizen, reporter, taker)

    async def _push_cards_in(
        self,
        s: Session,
        ticket: StoredTicket,
        recipients: list[Employee],
        now: datetime,
        note_key: str | None = None,
    ) -> None:
        facts = await self._facts_in(s, ticket)
        for employee in recipients:
            assert employee.telegram_id is not None
            note = (
                t(employee.language, note_key, minutes=self._age_minutes(ticket, now))
                if note_key
                else None
            )
            text, markup = ticket_card(employee.language, self.settings, ticket, facts, note=note)
            await OutboxStore.enqueue_in(
                s,
                now,
                employee.telegram_id,
                text,
                reply_markup=markup,
                protect_content=True,
                topic=topic(ticket.id),
            )

    @staticmethod
    def _age_minutes(ticket: StoredTicket, now: datetime) -> int:
        return int((now - ticket.created_at).total_seconds() // 60)

    async def _refresh_copies_in(self, s: Session, ticket: StoredTicket, now: datetime) -> None:
        """Re-render every copy of the card so all recipients see the same state."""
        facts = await self._facts_in(s, ticket)
        for push in await OutboxStore.sends_for_topic_in(s, topic(ticket.id)):
            holder = await Employees.by_telegram_id_in(s, push.chat_id)
            if holder is None or not self._may(holder, ticket, "show"):
                # The phone moved on (new owner, other unit, deactivated): no details there.
                language = holder.language if holder else self.settings.default_language
                number = format_ticket_number(ticket.model.number)
                await OutboxStore.enqueue_edit_in(
                    s, now, push.id, t(language, "ticket.gone", number=number), None
                )
                continue
            text, markup = ticket_card(holder.language, self.settings, ticket, facts)
            await OutboxStore.enqueue_edit_in(s, now, push.id, text, markup)

    async def _tell_reporter_in(
        self, s: Session, ticket: StoredTicket, key: str, now: datetime, **params: object
    ) -> None:
        reporter = await Employees.get_in(s, ticket.reporter)
        if reporter is None or reporter.telegram_id is None or not reporter.active:
            return
        text = t(reporter.language, key, number=format_ticket_number(ticket.model.number), **params)
        await OutboxStore.enqueue_in(
            s, now, reporter.telegram_id, text, topic=f"reporter:{ticket.id}"
        )

    # Acting on a ticket

    async def act(self, employee: Employee, ticket_id: int, action: str) -> ActResult:
        """Take, mark contacted, resolve or (the reporter) cancel a ticket, authorised anew."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            ticket = await Tickets.get_in(s, ticket_id)
            if ticket is None:
                return ActResult(Outcome.NOT_FOUND)
            if not self._may(employee, ticket, action):
                await Audit.record_in(
                    s,
                    now,
                    employee.user_id,
                    f"ticket_{action}",
                    format_ticket_number(ticket.model.number),
                    "refused",
                )
                return ActResult(Outcome.NOT_ALLOWED, ticket)
            before_state, before_version = ticket.model.state, ticket.model.version
            kwargs: dict[str, object] = {}
            if action in {"take", "resolve"}:
                kwargs = {"by": employee.user_id}
            elif action == "contact":
                kwargs = {"by": employee.user_id, "party": party_for(ticket.model.category).value}
            if not fire(ticket.model, action, **kwargs):
                taker = (
                    await Employees.get_in(s, ticket.model.taken_by)
                    if ticket.model.taken_by
                    else None
                )
                return ActResult(Outcome.ALREADY, ticket, taker)
            if not await Tickets.save_in(s, ticket, before_version, now):
                return ActResult(Outcome.ALREADY, ticket)
            number = format_ticket_number(ticket.model.number)
            await Tickets.record_event_in(
                s,
                ticket.id,
                now,
                employee.user_id,
                before_state,
                ticket.model.state,
                ticket.model.contacted,
            )
            await Audit.record_in(s, now, employee.user_id, f"ticket_{action}", number, "ok")
            await self._refresh_copies_in(s, ticket, now)
            if action != "cancel":
                party = support_contact(self.settings, party_for(ticket.model.category))[0]
                await self._tell_reporter_in(
                    s,
                    ticket,
                    f"reporter.{ticket.model.state}",
                    now,
                    name=employee.name,
                    party=party,
                )
            taker = (
                await Employees.get_in(s, ticket.model.taken_by) if ticket.model.taken_by else None
            )
        return ActResult(Outcome.DONE, ticket, taker)

    @staticmethod
    def _may(employee: Employee, ticket: StoredTicket, action: str) -> bool:
        """Whether an employee may do this to the ticket now (role, unit, active; or reporter)."""
        if not employee.active:
            return False
        if action == "cancel":
            return employee.user_id == ticket.reporter
        return employee.role in TICKET_HANDLERS and employee.unit == ticket.unit

    async def show_in_chat(self, employee: Employee, ticket_id: int) -> StoredTicket | None:
        """Queue a copy of a ticket's card to a handler of its unit (kept in step with it)."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            ticket = await Tickets.get_in(s, ticket_id)
            if ticket is None or not self._may(employee, ticket, "show"):
                return None
            await self._push_cards_in(s, ticket, [employee], now)
        return ticket

    # Emergencies

    async def emergency(self, employee: Employee) -> tuple[StoredTicket, bool]:
        """Record an emergency (or return the one just recorded); True if it is new."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            recent = await Tickets.recent_emergency_in(s, employee.user_id, now - EMERGENCY_REUSE)
            if recent is not None:
                return recent, False
            new = NewTicket(
                reporter=employee.user_id,
                unit=employee.unit,
                category=TriageCategory.EMERGENCY.value,
                citizen_id=None,
                answers={},
                description=None,
            )
            ticket, _ = await self.create_in(s, new, now)
        return ticket, True

    async def name_emergency_citizen(
        self,
        employee: Employee,
        ticket_id: int,
        *,
        citizen_id: int | None = None,
        typed: str | None = None,
    ) -> StoredTicket | None:
        """Fill in the citizen of the employee's own open emergency; None if it is not theirs."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            ticket = await Tickets.get_in(s, ticket_id)
            if (
                ticket is None
                or ticket.reporter != employee.user_id
                or ticket.model.category != TriageCategory.EMERGENCY.value
                or ticket.model.state not in OPEN_STATES
            ):
                return None
            if citizen_id is not None:
                citizen = await Citizens.get_in(s, citizen_id)
                if citizen is None or citizen.unit != employee.unit:
                    return None
            ticket.citizen_id, ticket.citizen_text = citizen_id, typed
            ticket.model.version += 1
            if not await Tickets.save_in(s, ticket, ticket.model.version - 1, now):
                return None
            await Tickets.record_event_in(
                s,
                ticket.id,
                now,
                employee.user_id,
                ticket.model.state,
                ticket.model.state,
                "citizen",
            )
            await self._refresh_copies_in(s, ticket, now)
        return ticket

    async def awaiting_citizen(self, employee: Employee) -> StoredTicket | None:
        """Return the employee's fresh emergency that has no citizen yet, if any."""
        now = self.clock.now()
        async with self.db.read() as s:
            ticket = await Tickets.recent_emergency_in(s, employee.user_id, now - EMERGENCY_REUSE)
        if ticket is None or ticket.citizen_id is not None or ticket.citizen_text:
            return None
        return ticket

    # Escalation

    async def escalate_due(self) -> int:
        """Send untaken tickets on (planners and key persons, then the leader); return how many."""
        now = self.clock.now()
        moved = 0
        async with self.db.transaction() as s:
            for ticket in await Tickets.untaken_in(s):
                due = escalation_level_due(
                    ticket.created_at,
                    now,
                    first_after=self.settings.escalate_first,
                    second_after=self.settings.escalate_second,
                )
                if due <= ticket.escalation_level:
                    continue
                ticket.escalation_level = due
                ticket.model.version += 1
                await Tickets.save_in(s, ticket, ticket.model.version - 1, now)
                roles = _roles(roles_for_escalation(due))
                recipients = await self._unit_staff_in(s, ticket.unit, roles)
                await self._push_cards_in(
                    s, ticket, recipients, now, note_key=f"ticket.escalated_{due}"
                )
                await Tickets.record_event_in(
                    s,
                    ticket.id,
                    now,
                    "system",
                    ticket.model.state,
                    ticket.model.state,
                    f"escalated:{due}",
                )
                await Audit.record_in(
                    s,
                    now,
                    "system",
                    "ticket_escalated",
                    format_ticket_number(ticket.model.number),
                    str(due),
                )
                moved += 1
        return moved

    # Lists

    async def open_for_unit(self, unit: str) -> list[StoredTicket]:
        """Return a unit's open tickets, oldest first."""
        return await self.tickets.open_in_units([unit])

    async def open_reported_by(self, user_id: str) -> list[StoredTicket]:
        """Return an employee's own open tickets, oldest first."""
        return await self.tickets.open_reported_by(user_id)
