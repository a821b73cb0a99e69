"""An incident's pushes, inside the caller's transaction: a report joins or opens an incident,
and every recipient's one message is kept in step with it.

- ``take_report``: a new report (a login fault, an emergency) joins the open incident of
  its kind, or opens one when the rule says so; the report is then not pushed on its own.
- ``refresh_for_ticket``: an incident's messages kept in step after one of its tickets
  changed (a citizen named, "no mobile network" said).
- ``sync_messages``: every live message edited to the incident as it stands (an edit that
  would change nothing is skipped); a recipient of an affected unit who has none gets one.
- ``send_message``: a fresh message to one recipient (escalation, the quiet question, a
  copy on request); the older one in that chat points to it and is no longer kept in step.

Recipients are the planners and key persons of each affected unit (and its leaders once
the incident has escalated to them). Each sees the totals and the units; the citizens who
wait are shown only to recipients of their own unit. Nothing here imports ticket_pushes
(which calls ``take_report``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.render.i18n import t
from bot.render.incidents import (
    WAITING_LINES,
    IncidentFacts,
    incident_gone,
    incident_message,
    joined_notice,
)
from bot.services.duty import duty_now
from bot.settings import Settings
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.incidents import StoredIncident, WaitingTicket
from bot.storage.outbox import Priority
from bot.storage.tickets import StoredTicket
from state.incident import (
    IncidentKind,
    IncidentNote,
    IncidentState,
    IncidentTrigger,
    Report,
    fire,
    format_incident_number,
    kind_of,
)
from state.roles import Role

HANDLERS = frozenset({Role.PLANNER, Role.KEY_PERSON})
"""Who gets an incident's message in each affected unit (as a new login fault's ticket)."""


def topic(incident_id: int) -> str:
    """The outbox topic under which every message of an incident is kept."""
    return f"incident:{incident_id}"


def recipient_roles(incident: StoredIncident) -> frozenset[Role]:
    """The roles of an affected unit that get the message: the leader too once escalated."""
    return HANDLERS | {Role.LEADER} if incident.escalation_level >= 2 else HANDLERS


async def note_for(tx: Tx, incident: StoredIncident, *, member: bool = True) -> IncidentNote:
    """What a reporter is told about this incident: its number, kind and count."""
    counts = await tx.incidents.unit_counts(incident.id)
    reports = sum(count.reports for count in counts)
    return IncidentNote(incident.id, incident.model.kind, reports, member)


async def outage_under_way(tx: Tx, ticket: StoredTicket) -> IncidentNote | None:
    """The incident a ticket is part of; else an open outage an emergency's reporter should
    know of (emergencies first, then Bekey login); else None."""
    incident_id = await tx.incidents.incident_of(ticket.id)
    if incident_id is not None:
        incident = await tx.incidents.get(incident_id)
        return await note_for(tx, incident) if incident is not None else None
    for kind in (IncidentKind.EMERGENCY, IncidentKind.LOGIN):
        incident = await tx.incidents.open_of_kind(kind)
        if incident is not None:
            return await note_for(tx, incident, member=False)
    return None


async def take_report(
    tx: Tx, settings: Settings, ticket: StoredTicket, now: datetime
) -> IncidentNote | None:
    """Add a report to the open incident of its kind, or open one if the rule says so.

    Returns what the reporter is told; None if the report stands on its own (push it as
    usual): not a kind that aggregates, or not (yet) enough reports.
    """
    if await tx.incidents.incident_of(ticket.id) is not None:
        return await outage_under_way(tx, ticket)  # counted already
    kind = kind_of(ticket.model.category)
    if kind is None:
        return None
    incident = await tx.incidents.open_of_kind(kind)
    if incident is not None:
        await _join(tx, settings, incident, ticket, now)
        return await note_for(tx, incident)
    rule = settings.incident_rule
    candidates = await tx.incidents.unattached(kind, now - rule.window)  # this one among them
    reports = [Report(c.reporter, c.created_at) for c in candidates]
    if not rule.opens(reports, now):
        return None
    incident = await tx.incidents.create(kind, now)
    number = format_incident_number(incident.id)
    for candidate in candidates:
        await tx.incidents.attach(incident.id, candidate.id)
        await tx.tickets.record_event(
            candidate.id, now, "system", candidate.model.state, candidate.model.state, number
        )
    await tx.audit.record(now, "system", "incident_opened", number, kind.value)
    await sync_messages(tx, settings, incident, now)
    note = await note_for(tx, incident)
    if kind is not IncidentKind.EMERGENCY:  # an emergency's reporter has one message: the card
        await _tell_earlier_reporters(tx, settings, note, candidates, ticket.reporter, now)
    return note


async def _join(
    tx: Tx, settings: Settings, incident: StoredIncident, ticket: StoredTicket, now: datetime
) -> None:
    """A report joins an open incident: a new report means it is not over (nor quiet).

    Its messages are brought up to date at once when the report comes from a unit not yet
    affected (its planners must hear of it now), when the incident was asked whether it is
    over, or when they were last brought up to date an edit interval ago; else (a storm:
    the edits could not go out sooner anyway) the due work does it.
    """
    units = {count.unit for count in await tx.incidents.unit_counts(incident.id)}
    asked = incident.model.state == IncidentState.ASKED
    before = incident.model.version
    fire(incident.model, IncidentTrigger.REPORT)
    incident.last_report_at = incident.quiet_from = now
    await tx.incidents.attach(incident.id, ticket.id)
    await tx.incidents.save(incident, before, now)
    number = format_incident_number(incident.id)
    state = ticket.model.state
    await tx.tickets.record_event(ticket.id, now, "system", state, state, number)
    synced = incident.synced_at
    if asked or ticket.unit not in units or synced is None or now - synced >= settings.edit_every:
        await sync_messages(tx, settings, incident, now)
    else:
        await tx.incidents.mark_unsynced(incident.id)


async def _tell_earlier_reporters(
    tx: Tx,
    settings: Settings,
    note: IncidentNote,
    tickets: Iterable[StoredTicket],
    current: str,
    now: datetime,
) -> None:
    """Tell whoever reported before the incident opened that theirs is part of it now.

    Not for emergencies: in a storm each reporter gets one message, the emergency card (it
    said who was told; it shows the outage when pressed again; the end is told).
    """
    by_reporter: dict[str, list[StoredTicket]] = {}
    for ticket in tickets:
        if ticket.reporter != current:
            by_reporter.setdefault(ticket.reporter, []).append(ticket)
    for user_id, theirs in by_reporter.items():
        reporter = await tx.employees.get(user_id)
        if reporter is None or reporter.telegram_id is None or not reporter.active:
            continue
        cabinets = await tx.smartkeys.cabinet_counts(reporter.unit)
        text = joined_notice(reporter.language, settings, note, theirs, cabinets)
        await tx.outbox.enqueue(
            now,
            reporter.telegram_id,
            text,
            topic=f"reporter:incident:{note.number}",
            priority=Priority.EMERGENCY,
        )


async def refresh_for_ticket(
    tx: Tx, settings: Settings, ticket: StoredTicket, now: datetime
) -> None:
    """Keep an incident's messages in step after one of its tickets changed (taken, named...)."""
    incident_id = await tx.incidents.incident_of(ticket.id)
    if incident_id is None:
        return
    incident = await tx.incidents.get(incident_id)
    if incident is not None:
        await sync_messages(tx, settings, incident, now)


@dataclass
class _Renderer:
    """Renders an incident's message once per (unit, language), loading what it shows once."""

    tx: Tx
    settings: Settings
    incident: StoredIncident
    facts: IncidentFacts
    waiting: dict[str, list[WaitingTicket]] = field(default_factory=dict)
    rendered: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = field(default_factory=dict)

    @classmethod
    async def load(cls, tx: Tx, settings: Settings, incident: StoredIncident) -> _Renderer:
        units = await tx.incidents.unit_counts(incident.id)
        model = incident.model
        taker = await tx.employees.get(model.taken_by) if model.taken_by else None
        resolver = await tx.employees.get(model.resolved_by) if model.resolved_by else None
        return cls(tx, settings, incident, IncidentFacts(incident, units, taker, resolver))

    async def message(
        self, language: str, unit: str, note: str | None = None
    ) -> tuple[str, dict[str, Any] | None]:
        if note is None and (unit, language) in self.rendered:
            return self.rendered[(unit, language)]
        if unit not in self.waiting:
            self.waiting[unit] = await self.tx.incidents.waiting_in_unit(
                self.incident.id, unit, WAITING_LINES
            )
        shown = incident_message(
            language, self.settings, self.facts, unit, self.waiting[unit], note=note
        )
        if note is None:
            self.rendered[(unit, language)] = shown
        return shown


def _digest(text: str, markup: object) -> str:
    """A short digest of what a message shows (never the text itself: citizens' names)."""
    shown = json.dumps([text, markup], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(shown.encode()).hexdigest()[:24]


async def sync_messages(
    tx: Tx,
    settings: Settings,
    incident: StoredIncident,
    now: datetime,
    *,
    fresh: frozenset[int] = frozenset(),
) -> int:
    """Edit every live message to the incident as it stands; send one to each recipient who
    has none (while it is open). Return how many recipients have a live message.

    ``fresh``: pushes just queued with a note of their own (left as they are).
    """
    renderer = await _Renderer.load(tx, settings, incident)
    messages = await tx.incidents.messages(incident.id)
    reached: set[int] = set()
    shown_now: list[tuple[str, int]] = []
    for message in messages:
        if message.push_id in fresh or not message.delivering:
            reached.add(message.chat_id)  # a chat given up on is not sent to again and again
            continue
        holder = message.holder
        if holder is None or not (holder.active and holder.unit == message.unit):
            # The phone moved on (new owner, other unit, deactivated): no details there. (A
            # copy an on-call caregiver or night guard got stays theirs to follow.)
            language = holder.language if holder else settings.default_language
            text, markup = incident_gone(language, incident), None
            await tx.incidents.retire(message.push_id)
        else:
            reached.add(message.chat_id)
            text, markup = await renderer.message(holder.language, message.unit)
        shown = _digest(text, markup)
        if shown == message.shown:
            continue
        await tx.outbox.enqueue_edit(
            now,
            message.push_id,
            text,
            markup,
            priority=Priority.EMERGENCY,
            every=settings.edit_every,
        )
        shown_now.append((shown, message.push_id))
    await tx.incidents.set_shown(shown_now)
    await tx.incidents.mark_synced(incident.id, now)
    incident.synced_at, incident.unsynced = now, False
    if incident.model.state == IncidentState.RESOLVED:
        return len(reached)
    for count in renderer.facts.units:
        handlers = await tx.employees.in_unit(count.unit, recipient_roles(incident))
        on_call = (await duty_now(tx, settings, count.unit, now)).on_call  # outside hours
        for employee in [*on_call, *handlers]:
            if employee.telegram_id is None or employee.telegram_id in reached:
                continue
            await _send(tx, renderer, employee, now)
            reached.add(employee.telegram_id)
    return len(reached)


async def _send(
    tx: Tx,
    renderer: _Renderer,
    employee: Employee,
    now: datetime,
    *,
    note: str | None = None,
    priority: Priority = Priority.EMERGENCY,
) -> int:
    """Queue a fresh message to one recipient; an older live one in that chat points to it.

    Returns the new push's id."""
    assert employee.telegram_id is not None
    incident = renderer.incident
    for message in await tx.incidents.messages(incident.id):
        if message.chat_id == employee.telegram_id:
            await tx.incidents.retire(message.push_id)
            moved = t(
                employee.language, "incident.moved", number=format_incident_number(incident.id)
            )
            await tx.outbox.enqueue_edit(
                now,
                message.push_id,
                moved,
                None,
                priority=Priority.COPY,
                every=renderer.settings.edit_every,
            )
    text, markup = await renderer.message(employee.language, employee.unit, note)
    push_id = await tx.outbox.enqueue(
        now,
        employee.telegram_id,
        text,
        reply_markup=markup,
        protect_content=True,
        topic=topic(incident.id),
        priority=priority,
    )
    await tx.incidents.add_message(incident.id, employee.unit, push_id, _digest(text, markup))
    return push_id


async def send_messages(
    tx: Tx,
    settings: Settings,
    incident: StoredIncident,
    recipients: Iterable[Employee],
    now: datetime,
    *,
    note_key: str | None = None,
    priority: Priority = Priority.EMERGENCY,
) -> int:
    """Queue a fresh message to each recipient (with a note, such as an escalation's); the
    others are kept in step. Return how many were sent."""
    renderer = await _Renderer.load(tx, settings, incident)
    minutes = int((now - incident.opened_at).total_seconds() // 60)
    sent: set[int] = set()
    affected = {count.unit for count in renderer.facts.units}
    for employee in recipients:  # handlers, or those on call: never anyone of another unit
        if employee.telegram_id is None or not (employee.active and employee.unit in affected):
            continue
        note = t(employee.language, note_key, minutes=minutes) if note_key else None
        sent.add(await _send(tx, renderer, employee, now, note=note, priority=priority))
    await sync_messages(tx, settings, incident, now, fresh=frozenset(sent))
    return len(sent)
