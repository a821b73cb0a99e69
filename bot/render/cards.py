"""Ticket cards: the text and buttons a planner sees, in the recipient's language.

Cards are rendered when a push is queued (the outbox stores the finished text), and again
for every copy when the ticket changes, so all copies show the same truth. The lines and
button labels of the ticket lists live here too: names cut, never the number or the status.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.render.callbacks import TicketAction, ticket_data
from bot.render.i18n import Html, age, moment, plain, t
from bot.render.pages import NAME_MAX, cut
from bot.render.phones import dialable
from bot.settings import Settings
from bot.storage.citizens import Citizen
from bot.storage.employees import Employee
from bot.storage.lock_partners import Firm
from bot.storage.tickets import StoredTicket
from state.routing import SupportParty, party_for
from state.ticket import TicketStatus, TicketTrigger, allowed_triggers, format_ticket_number
from state.triage import CHECK_STEPS, TriageCategory

LABEL_MAX = 40
"""A list button's label, at most: about what a phone shows on one full-width button."""

LABEL_NAME_MIN = 8
"""A citizen's name on a list button keeps at least this much, even beside a long status."""

TAKER_MAX = 12
"""The taker's first name on a list button, at most."""


@dataclass(frozen=True)
class CardFacts:
    """Everything a card shows besides the ticket itself."""

    citizen: Citizen | None
    reporter: Employee | None
    taker: Employee | None
    no_network: bool = False
    """The reporter said the mobile network is down."""
    untrained: bool = False
    """A login problem from a reporter not yet trained in Bekey: train rather than just fix."""
    lock_partner: Firm | None = None
    """A door ticket's firm: that of the citizen's order, else the default (None: the
    settings' lock partner)."""


def support_contact(
    settings: Settings, party: SupportParty, lock_partner: Firm | None = None
) -> tuple[str, str]:
    """Return an outside party's name and dialable number ("" if none is set); the lock
    partner is the firm given, else the one of the settings."""
    if party is SupportParty.BEKEY:
        name, phone = settings.bekey_support_name, settings.bekey_support_phone
    elif party is SupportParty.LOCK_PARTNER and lock_partner is not None:
        name, phone = lock_partner.name, lock_partner.phone
    elif party is SupportParty.LOCK_PARTNER:
        name, phone = settings.lock_partner_name, settings.lock_partner_phone
    else:
        name, phone = settings.it_helpdesk_name, settings.it_helpdesk_phone
    return name, dialable(phone)


def contact_line(
    language: str, settings: Settings, party: SupportParty, lock_partner: Firm | None = None
) -> str:
    """Return whom to call about a ticket and on which number, or that no number is set."""
    name, phone = support_contact(settings, party, lock_partner)
    if not phone:
        return t(language, "ticket.contact_unset", party=name)
    return t(language, "ticket.contact", party=name, phone=phone)


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
    language: str,
    settings: Settings,
    ticket: StoredTicket,
    taker: Employee | None,
    lock_partner: Firm | None = None,
) -> str:
    """Return the ticket's status in words."""
    state = TicketStatus(ticket.model.state)
    who = taker.name if taker else "?"
    if state is TicketStatus.CONTACTED:
        party = ticket.model.contacted or party_for(ticket.model.category)
        named = support_contact(settings, party, lock_partner)[0]
        return t(language, "status.contacted", party=named, name=who)
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
    if model.category is TriageCategory.SMARTKEY:  # the key's label stands where a citizen would
        lines.append(t(language, "ticket.smartkey", label=ticket.citizen_text or "?"))
    else:
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
    if facts.no_network:
        lines.append(t(language, "ticket.no_network"))
    if facts.untrained:
        lines.append(t(language, "training.ticket_untrained"))
    lines.append("")
    firm = facts.lock_partner
    lines.append(contact_line(language, settings, party_for(model.category), firm))
    lines.append(
        t(
            language,
            "ticket.status",
            status=Html(status_line(language, settings, ticket, facts.taker, firm)),
        )
    )
    return "\n".join(lines), ticket_buttons(language, settings, ticket, firm)


def ticket_buttons(
    language: str, settings: Settings, ticket: StoredTicket, lock_partner: Firm | None = None
) -> dict[str, Any] | None:
    """Return the inline keyboard of the actions the ticket's state allows (None if none)."""
    allowed = allowed_triggers(ticket.model.state)
    party_name = support_contact(settings, party_for(ticket.model.category), lock_partner)[0]
    row = []
    if TicketTrigger.TAKE in allowed:
        row.append(_button(t(language, "ticket.take"), ticket_data(ticket.id, TicketAction.TAKE)))
    if TicketTrigger.CONTACT in allowed:
        row.append(
            _button(
                plain(language, "ticket.contacted", party=party_name),
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


def _citizen_name(ticket: StoredTicket, citizen: Citizen | None) -> str:
    return citizen.name if citizen else (ticket.citizen_text or "?")


def ticket_summary(
    language: str, ticket: StoredTicket, citizen: Citizen | None, now: datetime
) -> str:
    """Return one line for a list (HTML): number, category, citizen (cut), age, status."""
    return t(
        language,
        "ticket.summary",
        number=format_ticket_number(ticket.model.number),
        category=t(language, f"category.{ticket.model.category}"),
        citizen=cut(_citizen_name(ticket, citizen), NAME_MAX),
        age=age(language, now - ticket.created_at),
        status=t(language, f"status.short.{ticket.model.state}"),
    )


def list_status(language: str, ticket: StoredTicket, taker: Employee | None) -> str:
    """Return a ticket's status in a few words for a list button ("taget af Per")."""
    names = taker.name.split() if taker else []
    first = cut(names[0], TAKER_MAX) if names else "?"
    return plain(language, f"status.label.{ticket.model.state}", name=first)


def ticket_label(
    language: str, ticket: StoredTicket, citizen: Citizen | None, taker: Employee | None
) -> str:
    """Return a list button's label (plain text): icon, number, citizen, status.

    Short enough for a phone to show whole: only the citizen's name is cut to fit.
    """
    facts = {
        "icon": plain(language, f"tickets.icon.{ticket.model.category}"),
        "number": format_ticket_number(ticket.model.number),
        "status": list_status(language, ticket, taker),
    }
    room = LABEL_MAX - len(plain(language, "tickets.button", citizen="", **facts))
    name = cut(_citizen_name(ticket, citizen), max(room, LABEL_NAME_MIN))
    return plain(language, "tickets.button", citizen=name, **facts)
