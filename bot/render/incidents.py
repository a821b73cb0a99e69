"""Outage incidents as staff see them: the one message per recipient, the reporters' notes,
and the unit broadcast.

An incident message shows everyone the totals and the affected units; the citizens who
wait are shown only to recipients of their own unit (``unit``), and it always fits one
message: beyond ``WAITING_LINES`` lines (or ``WAITING_CHARS`` characters), a count and a
pointer to /sager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.render.callbacks import IncidentAction, incident_data
from bot.render.cards import contact_line
from bot.render.i18n import plain, t
from bot.render.pages import NAME_MAX, cut
from bot.render.phones import dialable
from bot.render.smartkeys import emergency_note
from bot.settings import Settings
from bot.storage.employees import Employee
from bot.storage.incidents import StoredIncident, UnitCount, WaitingTicket
from bot.storage.smartkeys import Cabinet
from bot.storage.tickets import StoredTicket
from state.incident import IncidentNote, IncidentState, format_incident_number
from state.roles import Role
from state.routing import SupportParty
from state.ticket import format_ticket_number

WAITING_LINES = 20
"""At most this many waiting citizens are listed; the rest are counted."""

WAITING_CHARS = 2500
"""The waiting list stops before it would pass this many characters (a message holds 4096)."""

Markup = dict[str, Any] | None


@dataclass(frozen=True)
class IncidentFacts:
    """Everything an incident message shows besides one unit's waiting citizens."""

    incident: StoredIncident
    units: list[UnitCount]
    taker: Employee | None
    resolver: Employee | None

    @property
    def reports(self) -> int:
        """How many reports the incident holds, in all units."""
        return sum(unit.reports for unit in self.units)

    @property
    def no_network(self) -> int:
        """How many of its reports said the mobile network is down."""
        return sum(unit.no_network for unit in self.units)

    def waiting_in(self, unit: str) -> int:
        """How many of one unit's reports still wait."""
        return next((count.waiting for count in self.units if count.unit == unit), 0)


def _clock(settings: Settings, when: datetime) -> str:
    return when.astimezone(settings.zone).strftime("%H:%M")


def kind_name(language: str, note: IncidentNote | StoredIncident) -> str:
    """Name the kind of outage ("Bekey-login virker ikke")."""
    kind = note.kind if isinstance(note, IncidentNote) else note.model.kind
    return t(language, f"incident.kind.{kind.value}")


def _waiting_line(language: str, settings: Settings, waiting: WaitingTicket) -> str:
    ticket = waiting.ticket
    if waiting.citizen_name is not None:
        citizen = f"{cut(waiting.citizen_name, NAME_MAX)}, {waiting.citizen_address}"
    elif ticket.citizen_text:
        citizen = cut(ticket.citizen_text, NAME_MAX)
    else:
        citizen = plain(language, "incident.no_citizen")
    reporter = waiting.reporter_name or ticket.reporter
    line = t(
        language,
        "incident.line",
        number=format_ticket_number(ticket.model.number),
        citizen=citizen,
        reporter=reporter,
        at=_clock(settings, ticket.created_at),
    )
    return f"{line} 📶" if waiting.no_network else line


def incident_message(
    language: str,
    settings: Settings,
    facts: IncidentFacts,
    unit: str,
    waiting: list[WaitingTicket],
    *,
    note: str | None = None,
) -> tuple[str, Markup]:
    """Return one recipient's incident message and its buttons: the whole, and ``unit``'s citizens.

    ``waiting`` is the unit's first open tickets (the rest are counted from ``facts``).
    """
    incident = facts.incident
    state = IncidentState(incident.model.state)
    number = format_incident_number(incident.id)
    lines: list[str] = []
    if note:
        lines.append(note)
    if state is IncidentState.ASKED:
        minutes = int(settings.incident_quiet.total_seconds() // 60)
        lines.append(t(language, "incident.asked", minutes=minutes))
    lines.append(t(language, "incident.head", number=number, kind=kind_name(language, incident)))
    lines.append(
        t(
            language,
            "incident.reports",
            count=facts.reports,
            opened=_clock(settings, incident.opened_at),
            last=_clock(settings, incident.last_report_at),
        )
    )
    units = ", ".join(
        plain(language, "incident.unit", unit=count.unit, count=count.reports)
        for count in facts.units
    )
    lines.append(t(language, "incident.units", units=units))
    if facts.no_network:
        lines.append(t(language, "incident.no_network", count=facts.no_network))
    lines.append("")
    if state is IncidentState.RESOLVED:
        lines.append(_resolved_line(language, settings, facts))
        return "\n".join(lines), None
    lines += _waiting_block(language, settings, facts, unit, waiting)
    lines.append("")
    lines.append(contact_line(language, settings, SupportParty.BEKEY))
    lines.append(t(language, "incident.broadcast_hint"))
    if facts.taker is not None:
        lines.append(t(language, "incident.status_taken", name=facts.taker.name))
    else:
        lines.append(t(language, "incident.status_open"))
    return "\n".join(lines), incident_buttons(language, incident)


def _waiting_block(
    language: str, settings: Settings, facts: IncidentFacts, unit: str, waiting: list[WaitingTicket]
) -> list[str]:
    total = facts.waiting_in(unit)
    if total == 0:
        return [t(language, "incident.none_waiting", unit=unit)]
    lines = [t(language, "incident.waiting", unit=unit, count=total)]
    used = 0
    shown = 0
    for item in waiting[:WAITING_LINES]:
        line = _waiting_line(language, settings, item)
        if used + len(line) > WAITING_CHARS:
            break
        lines.append(line)
        used += len(line) + 1
        shown += 1
    if total > shown:
        lines.append(t(language, "incident.more", count=total - shown))
    return lines


def _resolved_line(language: str, settings: Settings, facts: IncidentFacts) -> str:
    incident = facts.incident
    closed = incident.closed_at or incident.updated_at
    name = facts.resolver.name if facts.resolver else (incident.model.resolved_by or "?")
    return t(language, "incident.resolved", name=name, at=_clock(settings, closed))


def incident_buttons(language: str, incident: StoredIncident) -> Markup:
    """Return the buttons the incident's state allows: take and "over", or "over?" yes/no."""
    state = IncidentState(incident.model.state)
    rows: list[list[dict[str, str]]] = []
    if state is IncidentState.ASKED:
        rows.append([_button(t(language, "incident.yes_over"), incident, IncidentAction.RESOLVE)])
        rows.append([_button(t(language, "incident.not_yet"), incident, IncidentAction.CONTINUE)])
    elif state is IncidentState.OPEN:
        if incident.model.taken_by is None:
            rows.append([_button(t(language, "incident.take"), incident, IncidentAction.TAKE)])
        rows.append([_button(t(language, "incident.over"), incident, IncidentAction.RESOLVE)])
    return {"inline_keyboard": rows} if rows else None


def _button(text: str, incident: StoredIncident, action: IncidentAction) -> dict[str, str]:
    return {"text": text, "callback_data": incident_data(incident.id, action)}


def incident_gone(language: str, incident: StoredIncident) -> str:
    """What a message shows to a phone that may no longer see the incident's details."""
    return t(language, "incident.gone", number=format_incident_number(incident.id))


# What reporters are told.


def outage_note(language: str, note: IncidentNote) -> str:
    """Say that a known outage is under way, and how many have reported it."""
    key = "incident.note" if note.member else "incident.under_way"
    return t(
        language,
        key,
        number=format_incident_number(note.number),
        count=note.reports,
        kind=kind_name(language, note),
    )


def what_now(language: str, settings: Settings) -> str:
    """Say what to do now: the Smartkey from the cabinet, or call Bekey."""
    return t(
        language,
        "incident.what_now",
        support=settings.bekey_support_name,
        phone=dialable(settings.bekey_support_phone),
    )


def reporter_answer(
    language: str,
    settings: Settings,
    note: IncidentNote,
    cabinets: Sequence[tuple[Cabinet, int]] = (),
) -> str:
    """A reporter's note about the outage: that it is known (with the count), and what to do
    (with where the unit's Smartkeys are, and how many are in the cabinet now)."""
    lines = [outage_note(language, note), what_now(language, settings)]
    keys = emergency_note(language, cabinets)
    return "\n".join([*lines, keys] if keys else lines)


def joined_notice(
    language: str,
    settings: Settings,
    note: IncidentNote,
    tickets: list[StoredTicket],
    cabinets: Sequence[tuple[Cabinet, int]] = (),
) -> str:
    """Tell an earlier reporter that their report is now part of an incident."""
    numbers = ", ".join(format_ticket_number(ticket.model.number) for ticket in tickets)
    head = t(language, "incident.joined", tickets=numbers)
    return f"{head}\n{reporter_answer(language, settings, note, cabinets)}"


def over_notice(
    language: str, incident: StoredIncident, tickets: list[StoredTicket], resolver: str
) -> str:
    """Tell a reporter the outage is over and their tickets are resolved."""
    return t(
        language,
        "incident.over_reporter",
        number=format_incident_number(incident.id),
        kind=kind_name(language, incident),
        tickets=", ".join(format_ticket_number(ticket.model.number) for ticket in tickets),
        name=resolver,
    )


# The unit broadcast.


def broadcast_preview(language: str, text: str, unit: str, count: int) -> str:
    """The author's preview of a broadcast draft: to how many, and the text as it will go."""
    return t(language, "broadcast.preview", count=count, unit=unit, text=text)


def broadcast_message(language: str, author: Employee, text: str) -> str:
    """A broadcast as its recipients see it: who sends it, for which unit, and the text."""
    return t(
        language,
        "broadcast.message",
        name=author.name,
        role=t(language, f"role.{Role(author.role).value}"),
        unit=author.unit,
        text=text,
    )
