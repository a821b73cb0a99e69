"""Emergencies: the card at one tap, recorded as a ticket, its citizen named, pinned at joining.

A second tap within ``EMERGENCY_REUSE`` shows the same emergency instead of a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.render.emergency import emergency_card
from bot.services.base import Service
from bot.services.ticket_pushes import open_ticket, refresh_copies
from bot.storage.citizens import Citizen
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.session import StaleVersion
from bot.storage.tickets import NewTicket, StoredTicket
from state.citizens import CitizenStatus
from state.ticket import OPEN_STATES
from state.triage import TriageCategory

EMERGENCY_REUSE = timedelta(minutes=10)
"""A second emergency tap within this time shows the same emergency, not a new one."""

CITIZEN_CHOICES = 8
"""How many of the unit's citizens the card offers as buttons."""

MAX_TYPED_CITIZEN = 120


@dataclass(frozen=True)
class EmergencyView:
    """An emergency as the card shows it: the ticket, its citizen, the citizens to offer."""

    ticket: StoredTicket
    citizen: Citizen | None
    choices: list[Citizen]


class EmergencyService(Service):
    """Records emergencies and fills in their citizen."""

    async def press(self, employee: Employee) -> EmergencyView:
        """Record an emergency (or return the one just recorded), with citizens to offer."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            ticket = await tx.tickets.recent_emergency(employee.user_id, now - EMERGENCY_REUSE)
            if ticket is None:
                new = NewTicket(
                    reporter=employee.user_id,
                    unit=employee.unit,
                    category=TriageCategory.EMERGENCY,
                    citizen_id=None,
                    answers={},
                    description=None,
                )
                ticket, _ = await open_ticket(tx, self.settings, new, now)
            return await self._view(tx, employee, ticket)

    async def _view(self, tx: Tx, employee: Employee, ticket: StoredTicket) -> EmergencyView:
        citizen = await tx.citizens.get(ticket.citizen_id) if ticket.citizen_id else None
        choices: list[Citizen] = []
        if citizen is None and not ticket.citizen_text:
            choices = (await tx.citizens.with_bekey(employee.unit))[:CITIZEN_CHOICES]
        return EmergencyView(ticket, citizen, choices)

    async def name_citizen(
        self,
        employee: Employee,
        ticket_id: int,
        *,
        citizen_id: int | None = None,
        typed: str | None = None,
    ) -> EmergencyView | None:
        """Fill in the citizen of the employee's own open emergency; None if that cannot be."""
        now = self.clock.now()
        try:
            async with self.db.transaction() as tx:
                ticket = await tx.tickets.get(ticket_id)
                if (
                    ticket is None
                    or ticket.reporter != employee.user_id
                    or ticket.model.category is not TriageCategory.EMERGENCY
                    or ticket.model.state not in OPEN_STATES
                ):
                    return None
                if citizen_id is not None:
                    citizen = await tx.citizens.get(citizen_id)
                    if (
                        citizen is None
                        or citizen.unit != employee.unit
                        or citizen.bekey_status is not CitizenStatus.ACTIVE
                    ):
                        return None
                ticket.citizen_id = citizen_id
                ticket.citizen_text = typed[:MAX_TYPED_CITIZEN] if typed else None
                ticket.model.version += 1
                await tx.tickets.save(ticket, ticket.model.version - 1, now)
                state = ticket.model.state
                await tx.tickets.record_event(
                    ticket.id, now, employee.user_id, state, state, "citizen"
                )
                await refresh_copies(tx, self.settings, ticket, now)
                return await self._view(tx, employee, ticket)
        except StaleVersion:
            return None

    async def awaiting_citizen(self, employee: Employee) -> StoredTicket | None:
        """Return the employee's fresh emergency that has no citizen yet, if any."""
        since = self.clock.now() - EMERGENCY_REUSE
        async with self.db.read() as tx:
            ticket = await tx.tickets.recent_emergency(employee.user_id, since)
        if ticket is None or ticket.citizen_id is not None or ticket.citizen_text:
            return None
        return ticket

    async def pin_card(self, employee: Employee, chat_id: int) -> None:
        """Queue the card to be sent and pinned, so it is there when the network is not."""
        text = emergency_card(employee.language, self.settings, employee.user_id)
        async with self.db.transaction() as tx:
            await tx.outbox.enqueue(
                self.clock.now(), chat_id, text, pin=True, topic=f"card:{employee.user_id}"
            )
