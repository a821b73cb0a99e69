"""Acting on tickets: take, contact, resolve, withdraw; a copy on request; the open lists.

The lists come a page at a time (``TicketPage``); a page asked for that no longer exists
(the list shrank since the button was drawn) comes back as the nearest one that does.

Every press is authorised anew (role from the one table, unit, active, the ticket's state)
and is one transaction: the machine steps the model, the row and its event are written,
the audit line appended, every copy of the card and the reporter's notice queued.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.render.cards import support_contact
from bot.render.pages import PAGE_SIZE, nearest_page, page_count, page_slice
from bot.services.base import Service
from bot.services.duty import duty_now
from bot.services.incident_pushes import refresh_for_ticket
from bot.services.ticket_pushes import (
    lock_partner_for,
    may_see,
    push_cards,
    refresh_copies,
    tell_reporter,
)
from bot.storage.citizens import Citizen
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.lock_partners import Firm
from bot.storage.session import StaleVersion
from bot.storage.tickets import StoredTicket
from state.roles import Permission, may
from state.routing import party_for
from state.ticket import TicketTrigger, fire, format_ticket_number
from state.triage import TriageCategory

_NEEDS: Final[Mapping[TicketTrigger, Permission]] = {
    TicketTrigger.TAKE: Permission.TAKE_TICKET,
    TicketTrigger.CONTACT: Permission.CONTACT_ON_TICKET,
    TicketTrigger.RESOLVE: Permission.RESOLVE_TICKET,
}
"""The permission each handler's trigger needs; CANCEL is the reporter's own."""


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
    lock_partner: Firm | None = None
    """A door ticket's lock partner firm (None: the settings' one), for its status line."""


@dataclass(frozen=True)
class ListedTicket:
    """A ticket in a list, with its citizen and whoever took it."""

    ticket: StoredTicket
    citizen: Citizen | None
    taker: Employee | None = None


@dataclass(frozen=True)
class TicketPage:
    """One page of a list of open tickets, and where it stands in the whole list."""

    tickets: list[ListedTicket]
    number: int
    """This page, from 1: the one asked for, or the nearest that still exists."""
    pages: int
    """How many pages the list has now (an empty list has one)."""
    total: int
    """How many tickets the whole list has now."""
    emergencies: int = 0
    """How many of them are emergencies (they come first in a unit's list)."""


def may_act(employee: Employee, ticket: StoredTicket, trigger: TicketTrigger) -> bool:
    """Whether an employee may fire this trigger on the ticket (the machine checks the state)."""
    if not employee.active:
        return False
    if trigger is TicketTrigger.CANCEL:
        return employee.user_id == ticket.reporter
    return may(employee.roles, _NEEDS[trigger]) and employee.unit == ticket.unit


async def _on_call_for(tx: Tx, service: Service, employee: Employee, ticket: StoredTicket) -> bool:
    """Whether an employee is on call for the ticket's unit now (a caregiver or night guard
    on call takes, contacts and resolves as a planner would, outside planner hours)."""
    if not employee.active or employee.unit != ticket.unit:
        return False
    duty = await duty_now(tx, service.settings, ticket.unit, service.clock.now())
    return any(person.user_id == employee.user_id for person in duty.on_call)


class TicketService(Service):
    """Changes tickets on a press, and lists them."""

    async def act(self, employee: Employee, ticket_id: int, trigger: TicketTrigger) -> ActResult:
        """Take, mark contacted, resolve or (the reporter) cancel a ticket, authorised anew."""
        try:
            async with self.db.transaction() as tx:
                return await self._act(tx, employee, ticket_id, trigger)
        except StaleVersion:
            async with self.db.read() as tx:
                ticket = await tx.tickets.get(ticket_id)
                return await _already(tx, ticket)

    async def _act(
        self, tx: Tx, employee: Employee, ticket_id: int, trigger: TicketTrigger
    ) -> ActResult:
        now = self.clock.now()
        ticket = await tx.tickets.get(ticket_id)
        if ticket is None:
            return ActResult(Outcome.NOT_FOUND)
        number = format_ticket_number(ticket.model.number)
        action = f"ticket_{trigger.value}"
        on_call = trigger is not TicketTrigger.CANCEL and await _on_call_for(
            tx, self, employee, ticket
        )
        if not (may_act(employee, ticket, trigger) or on_call):
            await tx.audit.record(now, employee.user_id, action, number, "refused")
            return ActResult(Outcome.NOT_ALLOWED, ticket)
        before_state, before_version = ticket.model.state, ticket.model.version
        kwargs: dict[str, object] = {}
        if trigger in {TicketTrigger.TAKE, TicketTrigger.RESOLVE}:
            kwargs = {"by": employee.user_id}
        elif trigger is TicketTrigger.CONTACT:
            kwargs = {"by": employee.user_id, "party": party_for(ticket.model.category)}
        if not fire(ticket.model, trigger, **kwargs):
            return await _already(tx, ticket)
        await tx.tickets.save(ticket, before_version, now)
        contacted = ticket.model.contacted.value if ticket.model.contacted else None
        await tx.tickets.record_event(
            ticket.id, now, employee.user_id, before_state, ticket.model.state, contacted
        )
        await tx.audit.record(now, employee.user_id, action, number, "ok")
        await refresh_copies(tx, self.settings, ticket, now)
        await refresh_for_ticket(tx, self.settings, ticket, now)  # its incident's list
        if trigger is not TicketTrigger.CANCEL:
            firm = await lock_partner_for(tx, ticket)
            party = support_contact(self.settings, party_for(ticket.model.category), firm)[0]
            await tell_reporter(
                tx,
                ticket,
                f"reporter.{ticket.model.state}",
                now,
                name=employee.name,
                party=party,
            )
        return ActResult(Outcome.DONE, ticket, await _taker(tx, ticket))

    async def show_in_chat(self, employee: Employee, ticket_id: int) -> StoredTicket | None:
        """Queue a copy of a ticket's card to a handler of its unit (kept in step with it)."""
        async with self.db.transaction() as tx:
            ticket = await tx.tickets.get(ticket_id)
            if ticket is None or not may_see(employee, ticket):
                return None
            await push_cards(tx, self.settings, ticket, [employee], self.clock.now())
        return ticket

    async def open_for_unit(self, unit: str, page: int = 1, size: int = PAGE_SIZE) -> TicketPage:
        """Return a page of a unit's open tickets: emergencies first, each group oldest first."""
        async with self.db.read() as tx:
            tickets = await tx.tickets.open_in_unit(unit)  # oldest first; the sort keeps that
            tickets.sort(key=lambda ticket: ticket.model.category is not TriageCategory.EMERGENCY)
            return await _page(tx, tickets, page, size)

    async def open_reported_by(
        self, user_id: str, page: int = 1, size: int = PAGE_SIZE
    ) -> TicketPage:
        """Return a page of an employee's own open tickets, oldest first."""
        async with self.db.read() as tx:
            return await _page(tx, await tx.tickets.open_reported_by(user_id), page, size)


async def _already(tx: Tx, ticket: StoredTicket | None) -> ActResult:
    """The ticket had moved on before the press: as it stands, with its taker and firm."""
    firm = await lock_partner_for(tx, ticket) if ticket is not None else None
    return ActResult(Outcome.ALREADY, ticket, await _taker(tx, ticket), firm)


async def _taker(tx: Tx, ticket: StoredTicket | None) -> Employee | None:
    if ticket is None or ticket.model.taken_by is None:
        return None
    return await tx.employees.get(ticket.model.taken_by)


async def _page(tx: Tx, tickets: list[StoredTicket], asked: int, size: int) -> TicketPage:
    """Cut one page out of a whole list, and load the citizens and takers of that page only."""
    number = nearest_page(asked, len(tickets), size)
    listed = [
        ListedTicket(
            ticket,
            await tx.citizens.get(ticket.citizen_id) if ticket.citizen_id else None,
            await _taker(tx, ticket),
        )
        for ticket in tickets[page_slice(number, size)]
    ]
    emergencies = sum(ticket.model.category is TriageCategory.EMERGENCY for ticket in tickets)
    return TicketPage(listed, number, page_count(len(tickets), size), len(tickets), emergencies)
