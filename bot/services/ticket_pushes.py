"""A ticket's pushes: who gets its card, every copy kept in step, the reporter kept informed.

Functions here run inside the caller's transaction: a change and its pushes commit together.
A report that is part of an outage incident is not pushed on its own: the incident's one
message per recipient grows instead (``incident_pushes.take_report``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.render.cards import CardFacts, ticket_card
from bot.render.i18n import t
from bot.services.duty import duty_now
from bot.services.incident_pushes import HANDLERS, take_report
from bot.services.lock_partners import firm_of
from bot.settings import Settings
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.lock_partners import Firm
from bot.storage.tickets import NewTicket, StoredTicket
from state.incident import IncidentNote
from state.roles import Permission, may
from state.routing import SupportParty, first_recipient_roles, party_for
from state.ticket import format_ticket_number
from state.training import Fact, trained
from state.triage import TriageCategory


def topic(ticket_id: int) -> str:
    """The outbox topic under which every copy of a ticket's card is kept."""
    return f"ticket:{ticket_id}"


def may_see(employee: Employee, ticket: StoredTicket) -> bool:
    """Whether an employee may see a ticket's card: active, a handler, of its unit."""
    return (
        employee.active
        and may(employee.roles, Permission.SEE_UNIT_TICKETS)
        and employee.unit == ticket.unit
    )


@dataclass(frozen=True)
class Opened:
    """A new ticket, how many handlers of its unit were told, and the outage it is part of.

    Outside planner hours: ``on_call`` names the on-call people who got it, and
    ``waits_until`` is when the planners are back (it waits for them, if nobody got it)."""

    ticket: StoredTicket
    recipients: int
    incident: IncidentNote | None = None
    on_call: tuple[str, ...] = ()
    waits_until: datetime | None = None


async def open_ticket(
    tx: Tx, settings: Settings, new: NewTicket, now: datetime, *, no_network: bool = False
) -> Opened:
    """Store and audit a ticket; push it to its first recipients, unless it is part of an
    outage incident (which it then joins or opens). ``no_network``: an emergency whose
    reporter said the mobile network is down (shown on its card and counted by its
    incident; it does not decide whether the ticket is part of one)."""
    stored = await tx.tickets.create(new, now)
    number = format_ticket_number(stored.model.number)
    await tx.audit.record(now, new.reporter, "ticket_created", number, new.category.value)
    if no_network:
        await tx.incidents.mark_no_network(stored.id)
    incident = await take_report(tx, settings, stored, now)
    if incident is not None:
        told = await tx.employees.in_unit(new.unit, HANDLERS)
        return Opened(stored, len(told), incident)
    duty = await duty_now(tx, settings, new.unit, now)
    recipients = await tx.employees.in_unit(new.unit, first_recipient_roles(new.category))
    if not duty.in_hours:
        # Outside planner hours a ticket goes to whoever is on call; an emergency to the
        # planners as well, at once. With nobody on call, it waits for the morning summary.
        urgent = new.category is TriageCategory.EMERGENCY
        recipients = _together(duty.on_call, recipients if urgent else [])
    await push_cards(tx, settings, stored, recipients, now)
    if duty.in_hours:
        return Opened(stored, len(recipients))
    names = tuple(person.name for person in duty.on_call)
    return Opened(stored, len(recipients), on_call=names, waits_until=duty.back_at)


def _together(first: list[Employee], then: list[Employee]) -> list[Employee]:
    """Two lists of employees as one, each once, in order."""
    seen = {person.user_id: person for person in [*first, *then]}
    return list(seen.values())


async def lock_partner_for(tx: Tx, ticket: StoredTicket) -> Firm | None:
    """A door ticket's lock partner: the firm of its citizen's order, else the default firm
    (None: not a door ticket, or no firm stored, so the settings' one)."""
    if party_for(ticket.model.category) is not SupportParty.LOCK_PARTNER:
        return None
    if ticket.citizen_id is None:
        return await tx.lock_partners.default()
    return await firm_of(tx, ticket.citizen_id)


async def card_facts(tx: Tx, ticket: StoredTicket) -> CardFacts:
    """Load what a card shows besides the ticket: the citizen, the reporter, the taker,
    whether the reporter said the mobile network is down, whether a login problem's
    reporter is untrained in Bekey, and a door ticket's lock partner firm."""
    citizen = await tx.citizens.get(ticket.citizen_id) if ticket.citizen_id else None
    reporter = await tx.employees.get(ticket.reporter)
    taker = await tx.employees.get(ticket.model.taken_by) if ticket.model.taken_by else None
    untrained = (
        ticket.model.category is TriageCategory.LOGIN
        and trained(await tx.training.get(ticket.reporter)) is Fact.NO
    )
    return CardFacts(
        citizen,
        reporter,
        taker,
        await tx.incidents.no_network(ticket.id),
        untrained=untrained,
        lock_partner=await lock_partner_for(tx, ticket),
    )


async def push_cards(
    tx: Tx,
    settings: Settings,
    ticket: StoredTicket,
    recipients: list[Employee],
    now: datetime,
    note_key: str | None = None,
) -> None:
    """Queue the ticket's card to each recipient (with a note, such as an escalation's)."""
    facts = await card_facts(tx, ticket)
    minutes = int((now - ticket.created_at).total_seconds() // 60)
    for employee in recipients:
        if employee.telegram_id is None:
            continue
        note = t(employee.language, note_key, minutes=minutes) if note_key else None
        text, markup = ticket_card(employee.language, settings, ticket, facts, note=note)
        await tx.outbox.enqueue(
            now,
            employee.telegram_id,
            text,
            reply_markup=markup,
            protect_content=True,
            topic=topic(ticket.id),
        )


async def refresh_copies(tx: Tx, settings: Settings, ticket: StoredTicket, now: datetime) -> None:
    """Re-render every copy of the card so all recipients see the same state."""
    facts = await card_facts(tx, ticket)
    for push in await tx.outbox.sends_for_topic(topic(ticket.id)):
        holder = await tx.employees.by_telegram_id(push.chat_id)
        if holder is None or not (holder.active and holder.unit == ticket.unit):
            # The phone moved on (new owner, other unit, deactivated): no details there. (A
            # copy an on-call caregiver or night guard got stays theirs to follow.)
            language = holder.language if holder else settings.default_language
            number = format_ticket_number(ticket.model.number)
            await tx.outbox.enqueue_edit(
                now, push.id, t(language, "ticket.gone", number=number), None
            )
            continue
        text, markup = ticket_card(holder.language, settings, ticket, facts)
        await tx.outbox.enqueue_edit(now, push.id, text, markup)


async def tell_reporter(
    tx: Tx, ticket: StoredTicket, key: str, now: datetime, **params: object
) -> None:
    """Queue a notice to the employee who reported the ticket (if they can still get it)."""
    reporter = await tx.employees.get(ticket.reporter)
    if reporter is None or reporter.telegram_id is None or not reporter.active:
        return
    text = t(reporter.language, key, number=format_ticket_number(ticket.model.number), **params)
    await tx.outbox.enqueue(now, reporter.telegram_id, text, topic=f"reporter:{ticket.id}")
