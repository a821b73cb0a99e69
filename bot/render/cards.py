"""Ticket cards: the text and buttons a planner sees, in the recipient's language.

Cards are rendered when a push is queued (the outbox stores the finished text), and again
for every copy when the ticket changes, so all copies show the same truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.render.callbacks import TicketAction, ticket_data
from bot.render.i18n import Html, age, moment, t
from bot.settings import Settings
from bot.storage.citizens import Citizen
from bot.storage.employees import Employee
from bot.storage.tickets import StoredTicket
from state.routing import SupportParty, party_for
from state.ticket import TicketStatus, TicketTrigger, allowed_triggers, format_ticket_number
from state.triage import CHECK_STEPS


@dataclass(frozen=True)
class CardFacts:
    """Everything a card shows besides the ticket itself."""

    citizen: Citizen | None
    reporter: Employee | None
    taker: Employee | None


def support_contact(settings: Settings, party: SupportParty) -> tuple[str, str]:
    """Return the name and phone number of an outside party from the support directory."""
    if party is SupportParty.BEKEY:
        return settings.bekey_support_name, settings.bekey_support_phone
    if party is SupportParty.LOCK_PARTNER:
        return settings.lock_partner_name, settings.lock_partner_phone
    return settings.it_helpdesk_name, settings.it_helpdesk_phone


def citizen_line(language: str, citizen: Citizen | None, typed: str | None = None) -> str:
    """Return how a citizen is named on a card (escaped HTML)."""
    if citizen is not None:
        return t(
            language,
            "ticket.citizen",
            name=citizen.name,
            address=citizen.address,
            door=citizen.bekey_door,
        )
    if typed:
        return t(language, "ticket.citizen_typed", text=typed)
    return t(language, "ticket.citizen_unknown")


def answers_line(language: str, answers: dict[str, str]) -> str:
    """Return the triage answers as one short line, in check order."""
    parts = [
        t(
            language,
            "ticket.answer",
            step=t(language, f"triage.short.{step.value}"),
            answer=t(language, f"triage.answer.{answers[step.value]}"),
        )
        for step in CHECK_STEPS
        if step.value in answers
    ]
    return " · ".join(parts)


def status_line(
    language: str, settings: Settings, ticket: StoredTicket, taker: Employee | None
) -> str:
    """Return the ticket's status in words."""
    state = TicketStatus(ticket.model.state)
    who = taker.name if taker else "?"
    if state is TicketStatus.CONTACTED:
        party = ticket.model.contacted or party_for(ticket.model.category)
        return t(language, "status.contacted", party=support_contact(settings, party)[0], name=who)
    return t(language, f"status.{state.value}", name=who)


def ticket_card(
    language: str,
    settings: Settings,
    ticket: StoredTicket,
    facts: CardFacts,
    *,
    note: str | None = None,
) -> tuple[str, dict[str, Any] | None]:
    """Return a ticket's card and its action buttons for one recipient."""
    model = ticket.model
    party = party_for(model.category)
    name, phone = support_contact(settings, party)
    reporter = facts.reporter
    lines = []
    if note:
        lines.append(note)
    lines.append(
        t(
            language,
            "ticket.head",
            number=format_ticket_number(model.number),
            category=t(language, f"category.{model.category}"),
        )
    )
    lines.append(citizen_line(language, facts.citizen, ticket.citizen_text))
    lines.append(
        t(
            language,
            "ticket.reporter",
            name=reporter.name if reporter else ticket.reporter,
            user_id=ticket.reporter,
            at=moment(language, ticket.created_at, settings.zone),
        )
    )
    answers = answers_line(language, ticket.answers)
    if answers:
        lines.append(answers)
    if ticket.description:
        lines.append(t(language, "ticket.description", text=ticket.description))
    lines.append("")
    lines.append(t(language, "ticket.contact", party=name, phone=phone or "?"))
    lines.append(
        t(
            language,
            "ticket.status",
            status=Html(status_line(language, settings, ticket, facts.taker)),
        )
    )
    return "\n".join(lines), ticket_buttons(language, settings, ticket)


def ticket_buttons(
    language: str, settings: Settings, ticket: StoredTicket
) -> dict[str, Any] | None:
    """Return the inline keyboard of the actions the ticket's state allows (None if none)."""
    allowed = allowed_triggers(ticket.model.state)
    party_name = support_contact(settings, party_for(ticket.model.category))[0]
    row = []
    if TicketTrigger.TAKE in allowed:
        row.append(_button(t(language, "ticket.take"), ticket_data(ticket.id, TicketAction.TAKE)))
    if TicketTrigger.CONTACT in allowed:
        row.append(
            _button(
                t(language, "ticket.contacted", party=party_name),
                ticket_data(ticket.id, TicketAction.CONTACT),
            )
        )
    if TicketTrigger.RESOLVE in allowed:
        row.append(
            _button(t(language, "ticket.resolve"), ticket_data(ticket.id, TicketAction.RESOLVE))
        )
    if not row:
        return None
    return {"inline_keyboard": [[b] for b in row]}


def _button(text: str, data: str) -> dict[str, str]:
    return {"text": text, "callback_data": data}


def ticket_summary(
    language: str, ticket: StoredTicket, citizen: Citizen | None, now: datetime
) -> str:
    """Return one line for a list: number, category, citizen, age, status."""
    return t(
        language,
        "ticket.summary",
        number=format_ticket_number(ticket.model.number),
        category=t(language, f"category.{ticket.model.category}"),
        citizen=citizen.name if citizen else (ticket.citizen_text or "?"),
        age=age(language, now - ticket.created_at),
        status=t(language, f"status.short.{ticket.model.state}"),
    )
