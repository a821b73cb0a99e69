"""Emergencies: the card at one tap, recorded as a ticket, its citizen named, pinned at joining.

A second tap within ``EMERGENCY_REUSE`` shows the same emergency instead of a new one, with
"another citizen" one tap away. Typed text names the citizen only when it matches one of
the unit's Bekey citizens, or when the caregiver confirms it as free text with one tap.
Emergencies close together from different people are an outage: they join or open one
outage incident (``incident_pushes``) and the card says so, with the count. "No mobile
network" is one tap too: it is noted on the ticket and counted by the incident, but it
does not decide whether an emergency is part of one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.render.emergency import emergency_card
from bot.services.base import Service
from bot.services.incident_pushes import outage_under_way, refresh_for_ticket
from bot.services.ticket_pushes import open_ticket, refresh_copies, topic
from bot.settings import Settings
from bot.storage.citizens import Citizen
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.session import StaleVersion
from bot.storage.smartkeys import Cabinet
from bot.storage.tickets import NewTicket, StoredTicket
from state.citizens import CitizenStatus
from state.incident import IncidentNote
from state.ticket import OPEN_STATES
from state.triage import TriageCategory

EMERGENCY_REUSE = timedelta(minutes=10)
"""A second emergency tap within this time shows the same emergency, not a new one."""

CITIZEN_CHOICES = 8
"""How many of the unit's citizens the card offers as buttons."""

MAX_TYPED_CITIZEN = 120


@dataclass(frozen=True)
class EmergencyView:
    """An emergency as the card shows it.

    ``choices`` are the citizens offered as buttons (``matches`` how many fit in all),
    ``told`` the names of the staff who got the push (or the incident's message, which
    lists it), ``repeated`` whether a second tap brought up the open emergency again
    (instead of making it). ``no_network``: the caregiver said the mobile network is down;
    ``incident``: the outage this emergency is part of, or else one under way that the
    caregiver should know of.
    """

    ticket: StoredTicket
    citizen: Citizen | None
    choices: list[Citizen]
    matches: int
    told: list[str]
    repeated: bool
    no_network: bool = False
    incident: IncidentNote | None = None
    cabinets: list[tuple[Cabinet, int]] = field(default_factory=list)
    """The unit's Smartkey cabinets, each with how many keys are in it now."""

    @property
    def named(self) -> bool:
        """Whether the emergency's citizen is known (listed or confirmed free text)."""
        return self.citizen is not None or bool(self.ticket.citizen_text)


class EmergencyService(Service):
    """Records emergencies and fills in their citizen."""

    async def press(self, employee: Employee, *, another: bool = False) -> EmergencyView:
        """Record an emergency (or return the open one just recorded, unless ``another``)."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            ticket = None
            if not another:
                ticket = await tx.tickets.recent_emergency(employee.user_id, now - EMERGENCY_REUSE)
            repeated = ticket is not None
            if ticket is None:
                new = NewTicket(
                    reporter=employee.user_id,
                    unit=employee.unit,
                    category=TriageCategory.EMERGENCY,
                    citizen_id=None,
                    answers={},
                    description=None,
                )
                ticket = (await open_ticket(tx, self.settings, new, now)).ticket
            return await self._view(tx, employee, ticket, repeated=repeated)

    async def _view(
        self, tx: Tx, employee: Employee, ticket: StoredTicket, *, repeated: bool = False
    ) -> EmergencyView:
        citizen = await tx.citizens.get(ticket.citizen_id) if ticket.citizen_id else None
        found: list[Citizen] = []
        if citizen is None and not ticket.citizen_text:
            found = await tx.citizens.with_bekey(employee.unit, ticket.citizen_search or "")
        told: list[str] = []
        for push in await tx.outbox.sends_for_topic(topic(ticket.id)):
            holder = await tx.employees.by_telegram_id(push.chat_id)
            if holder is not None and holder.name not in told:
                told.append(holder.name)
        incident = await outage_under_way(tx, ticket)
        if incident is not None and incident.member:  # its unit's message lists this one
            for message in await tx.incidents.messages(incident.number):
                holder = message.holder
                if (
                    holder is not None
                    and message.unit == ticket.unit
                    and message.delivering
                    and holder.name not in told
                ):
                    told.append(holder.name)
        choices = found[:CITIZEN_CHOICES]
        return EmergencyView(
            ticket,
            citizen,
            choices,
            len(found),
            told,
            repeated,
            no_network=await tx.incidents.no_network(ticket.id),
            incident=incident,
            cabinets=await tx.smartkeys.cabinet_counts(ticket.unit),
        )

    async def search(self, employee: Employee, ticket_id: int, typed: str) -> EmergencyView | None:
        """Keep what the caregiver typed for the citizen, and find the citizens it fits."""
        return await self._change(
            employee, ticket_id, search=" ".join(typed.split())[:MAX_TYPED_CITIZEN]
        )

    async def name_citizen(
        self, employee: Employee, ticket_id: int, citizen_id: int
    ) -> EmergencyView | None:
        """Name one of the unit's Bekey citizens on the employee's own open emergency."""
        return await self._change(employee, ticket_id, citizen_id=citizen_id)

    async def use_typed(self, employee: Employee, ticket_id: int) -> EmergencyView | None:
        """Confirm what the caregiver typed as the citizen (free text, not in the register)."""
        return await self._change(employee, ticket_id, confirm_typed=True)

    async def _change(
        self,
        employee: Employee,
        ticket_id: int,
        *,
        citizen_id: int | None = None,
        search: str | None = None,
        confirm_typed: bool = False,
    ) -> EmergencyView | None:
        """One change to the employee's own open emergency; None if it cannot be made."""
        now = self.clock.now()
        try:
            async with self.db.transaction() as tx:
                ticket = await _own_open_emergency(tx, employee, ticket_id)
                if ticket is None:
                    return None
                detail = "citizen"
                if citizen_id is not None:
                    citizen = await tx.citizens.get(citizen_id)
                    if (
                        citizen is None
                        or citizen.unit != employee.unit
                        or citizen.bekey_status is not CitizenStatus.ACTIVE
                    ):
                        return None
                    ticket.citizen_id, ticket.citizen_text = citizen_id, None
                    ticket.citizen_search = None
                elif confirm_typed:
                    if not ticket.citizen_search:
                        return None
                    ticket.citizen_id, ticket.citizen_text = None, ticket.citizen_search
                    ticket.citizen_search = None
                else:
                    ticket.citizen_search = search or None
                    detail = "citizen_search"
                ticket.model.version += 1
                await tx.tickets.save(ticket, ticket.model.version - 1, now)
                state = ticket.model.state
                await tx.tickets.record_event(
                    ticket.id, now, employee.user_id, state, state, detail
                )
                if detail == "citizen":
                    await refresh_copies(tx, self.settings, ticket, now)
                    await refresh_for_ticket(tx, self.settings, ticket, now)
                return await self._view(tx, employee, ticket)
        except StaleVersion:
            return None

    async def no_network(self, employee: Employee, ticket_id: int) -> EmergencyView | None:
        """Note on the employee's own open emergency that the mobile network is down (once).

        Its card's copies and its incident's message (if it is part of one) show it; it
        does not change whether the emergency is part of an incident.
        """
        now = self.clock.now()
        async with self.db.transaction() as tx:
            ticket = await _own_open_emergency(tx, employee, ticket_id)
            if ticket is None:
                return None
            if await tx.incidents.mark_no_network(ticket.id):
                state = ticket.model.state
                await tx.tickets.record_event(
                    ticket.id, now, employee.user_id, state, state, "no_network"
                )
                await refresh_copies(tx, self.settings, ticket, now)
                await refresh_for_ticket(tx, self.settings, ticket, now)
            return await self._view(tx, employee, ticket)

    async def awaiting_citizen(self, employee: Employee) -> StoredTicket | None:
        """Return the employee's fresh emergency that has no citizen yet, if any."""
        since = self.clock.now() - EMERGENCY_REUSE
        async with self.db.read() as tx:
            ticket = await tx.tickets.recent_emergency(employee.user_id, since)
        if ticket is None or ticket.citizen_id is not None or ticket.citizen_text:
            return None
        return ticket

    async def pin_card(self, employee: Employee, chat_id: int) -> None:
        """Queue the card to be sent and pinned, so it is there when the network is not.

        A card pinned before (say, in another language) is unpinned once the new one is.
        """
        async with self.db.transaction() as tx:
            await queue_pinned_card(tx, self.settings, employee, chat_id, self.clock.now())


async def queue_pinned_card(
    tx: Tx, settings: Settings, employee: Employee, chat_id: int, now: datetime
) -> None:
    """Queue the emergency card in the employee's language, to be pinned (the old one unpinned)."""
    text = emergency_card(employee.language, settings, employee.user_id)
    await tx.outbox.enqueue(now, chat_id, text, pin=True, topic=f"card:{employee.user_id}")


async def _own_open_emergency(tx: Tx, employee: Employee, ticket_id: int) -> StoredTicket | None:
    """The employee's own emergency, if it is still open (None for anything else)."""
    ticket = await tx.tickets.get(ticket_id)
    if (
        ticket is None
        or ticket.reporter != employee.user_id
        or ticket.model.category is not TriageCategory.EMERGENCY
        or ticket.model.state not in OPEN_STATES
    ):
        return None
    return ticket
