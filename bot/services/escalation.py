"""Escalation: an untaken ticket goes again to planners and key persons, then to the leader.

Escalation follows duty (``state.duty``): its time counts only while someone is on duty.
Outside planner hours the first level goes to whoever is on call; the leader hears only in
planner hours, so a ticket that waited overnight is in the morning summary, not a night call.

A ticket that is part of an outage incident does not escalate on its own: the incident
escalates once, as one ticket would (``IncidentService.run_due``).
"""

from __future__ import annotations

from bot.services.base import Service
from bot.services.duty import duty_now
from bot.services.ticket_pushes import push_cards
from bot.storage.session import StaleVersion
from state.duty import escalation_level_on_duty
from state.routing import roles_for_escalation
from state.ticket import TicketStatus, format_ticket_number


class EscalationService(Service):
    """Finds untaken tickets whose time has come and sends them on."""

    async def escalate_due(self) -> int:
        """Send every due escalation (one transaction per ticket); return how many were sent."""
        async with self.db.read() as tx:
            candidates = await tx.tickets.untaken_ids()
        moved = 0
        for ticket_id in candidates:
            try:
                moved += await self._escalate(ticket_id)
            except StaleVersion:
                continue  # someone acted on it meanwhile: it is theirs now
        return moved

    async def _escalate(self, ticket_id: int) -> int:
        now = self.clock.now()
        async with self.db.transaction() as tx:
            ticket = await tx.tickets.get(ticket_id)
            if ticket is None or ticket.model.state != TicketStatus.OPEN:
                return 0
            if await tx.incidents.incident_of(ticket.id) is not None:
                return 0
            duty = await duty_now(tx, self.settings, ticket.unit, now)
            due = escalation_level_on_duty(
                ticket.created_at,
                now,
                duty.hours,
                self.settings.zone,
                duty.rules,
                first_after=self.settings.escalate_first,
                second_after=self.settings.escalate_second,
            )
            if due <= ticket.escalation_level:
                return 0
            number = format_ticket_number(ticket.model.number)
            # Every level that fell due is sent, in order: after downtime the planners and
            # key persons are reminded before the leader hears of it.
            for level in range(ticket.escalation_level + 1, due + 1):
                ticket.escalation_level = level
                ticket.model.version += 1
                await tx.tickets.save(ticket, ticket.model.version - 1, now)
                recipients = (
                    await tx.employees.in_unit(ticket.unit, roles_for_escalation(level))
                    if duty.in_hours or level > 1
                    else duty.on_call
                )
                note = f"ticket.escalated_{level}"
                await push_cards(tx, self.settings, ticket, recipients, now, note_key=note)
                state = ticket.model.state
                detail = f"escalated:{level}"
                await tx.tickets.record_event(ticket.id, now, "system", state, state, detail)
                await tx.audit.record(now, "system", "ticket_escalated", number, str(level))
            return 1
