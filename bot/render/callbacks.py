"""Button data: short, typed, checked. Data comes from the client, so parsing never trusts it.

Formats (always well under Telegram's 64 bytes):
  tr:<triage id>:<version>:<step>[:<citizen id>]   a step in a fault triage
  tk:<ticket id>:<action>                           an action on a ticket
  tp:<ticket id>:<action>:<page>                    an action on a ticket shown on a list's page
  pg:<list>:<page>:<count>                          a page of a list drawn when it had <count>
  em:<ticket id>:<citizen id>|typed|new|net          the citizen of an emergency (net: no network)
  in:<incident id>:<action>                         an action on an outage incident
  bc:<broadcast id>:send|drop                       a broadcast draft confirmed or dropped
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.render.pages import page_count
from state.incident import IncidentTrigger
from state.ticket import TicketTrigger
from state.triage import TriageTrigger

TRIAGE_PREFIX = "tr:"
TICKET_PREFIX = "tk:"
TICKET_ON_PAGE_PREFIX = "tp:"
PAGE_PREFIX = "pg:"
EMERGENCY_PREFIX = "em:"
INCIDENT_PREFIX = "in:"
BROADCAST_PREFIX = "bc:"


class TriageStep(StrEnum):
    """What a triage button does (short codes keep the data small)."""

    CITIZEN = "c"
    TYPED = "t"
    YES = "y"
    NO = "n"
    NETWORK_DOWN = "net"
    WORKS_NOW = "ok"
    SEND_NOW = "now"
    CONFIRM = "send"
    BACK = "back"
    CANCEL = "x"


TRIGGER_OF: dict[TriageStep, TriageTrigger] = {
    TriageStep.CITIZEN: TriageTrigger.CHOOSE_CITIZEN,
    TriageStep.TYPED: TriageTrigger.NAME_CITIZEN,
    TriageStep.YES: TriageTrigger.ANSWER_YES,
    TriageStep.NO: TriageTrigger.ANSWER_NO,
    TriageStep.NETWORK_DOWN: TriageTrigger.NETWORK_DOWN,
    TriageStep.WORKS_NOW: TriageTrigger.WORKS_NOW,
    TriageStep.SEND_NOW: TriageTrigger.SEND_WITHOUT_DESCRIPTION,
    TriageStep.CONFIRM: TriageTrigger.CONFIRM,
    TriageStep.BACK: TriageTrigger.BACK,
    TriageStep.CANCEL: TriageTrigger.CANCEL,
}


class TicketAction(StrEnum):
    """What a ticket button does: fire a trigger, or show the card."""

    TAKE = "take"
    CONTACT = "contact"
    RESOLVE = "resolve"
    CANCEL = "cancel"
    SHOW = "show"

    @property
    def trigger(self) -> TicketTrigger | None:
        """The ticket trigger this button fires (None for SHOW)."""
        return None if self is TicketAction.SHOW else TicketTrigger(self.value)


@dataclass(frozen=True)
class TriagePress:
    """A parsed triage button."""

    triage_id: int
    version: int
    step: TriageStep
    citizen_id: int | None = None


@dataclass(frozen=True)
class TicketPress:
    """A parsed ticket button (``page``: the page of the list it stood on, if any)."""

    ticket_id: int
    action: TicketAction
    page: int | None = None


class TicketList(StrEnum):
    """Which list a page button turns."""

    MINE = "m"
    UNIT = "u"


@dataclass(frozen=True)
class PagePress:
    """A parsed page button: the page asked for, and how long the list was when drawn."""

    kind: TicketList
    page: int
    count: int


class EmergencyChoice(StrEnum):
    """What an emergency button does besides naming a listed citizen (or saying: no network)."""

    CITIZEN = "c"
    TYPED = "typed"
    ANOTHER = "new"
    NO_NETWORK = "net"


@dataclass(frozen=True)
class EmergencyPress:
    """A parsed emergency button: a listed citizen, the typed text, or another citizen."""

    ticket_id: int
    choice: EmergencyChoice
    citizen_id: int | None = None


_TRIAGE = re.compile(r"^tr:(\d{1,12}):(\d{1,6}):([a-z]{1,4})(?::(\d{1,12}))?$")
_TICKET = re.compile(r"^tk:(\d{1,12}):([a-z]{1,8})$")
_TICKET_ON_PAGE = re.compile(r"^tp:(\d{1,12}):([a-z]{1,8}):(\d{1,5})$")
_PAGE = re.compile(r"^pg:([a-z]):(\d{1,5}):(\d{1,6})$")
_EMERGENCY = re.compile(r"^em:(\d{1,12}):(?:(\d{1,12})|(typed|new|net))$")
_INCIDENT = re.compile(r"^in:(\d{1,12}):([a-z]{1,8})$")
_BROADCAST = re.compile(r"^bc:(\d{1,12}):([a-z]{1,8})$")


def triage_data(
    triage_id: int, version: int, step: TriageStep, citizen_id: int | None = None
) -> str:
    """Encode a triage button."""
    tail = f":{citizen_id}" if citizen_id is not None else ""
    return f"{TRIAGE_PREFIX}{triage_id}:{version}:{step.value}{tail}"


def parse_triage(data: str) -> TriagePress | None:
    """Decode a triage button; None if it is malformed."""
    match = _TRIAGE.match(data)
    if match is None:
        return None
    try:
        step = TriageStep(match.group(3))
    except ValueError:
        return None
    citizen = int(match.group(4)) if match.group(4) else None
    if (step is TriageStep.CITIZEN) != (citizen is not None):
        return None
    return TriagePress(int(match.group(1)), int(match.group(2)), step, citizen)


def ticket_data(ticket_id: int, action: TicketAction) -> str:
    """Encode a ticket button."""
    return f"{TICKET_PREFIX}{ticket_id}:{action.value}"


def ticket_on_page_data(ticket_id: int, action: TicketAction, page: int) -> str:
    """Encode a ticket button on a page of a list (the list is drawn again at that page)."""
    return f"{TICKET_ON_PAGE_PREFIX}{ticket_id}:{action.value}:{page}"


def parse_ticket(data: str) -> TicketPress | None:
    """Decode a ticket button, on a list's page or not; None if it is malformed."""
    match = _TICKET.match(data)
    page = None
    if match is None:
        match = _TICKET_ON_PAGE.match(data)
        if match is None:
            return None
        page = int(match.group(3))
        if page < 1:
            return None
    try:
        return TicketPress(int(match.group(1)), TicketAction(match.group(2)), page)
    except ValueError:
        return None


def page_prefix(kind: TicketList) -> str:
    """The start of every page button of one list (to route presses by list)."""
    return f"{PAGE_PREFIX}{kind.value}:"


def page_data(kind: TicketList, page: int, count: int) -> str:
    """Encode a page button: the page to show, and how many items the list had when drawn."""
    return f"{page_prefix(kind)}{page}:{count}"


def parse_page(data: str) -> PagePress | None:
    """Decode a page button; None if it is malformed or could never have been drawn.

    A page beyond what the list had when the button was drawn is a forgery, not staleness.
    """
    match = _PAGE.match(data)
    if match is None:
        return None
    try:
        kind = TicketList(match.group(1))
    except ValueError:
        return None
    page, count = int(match.group(2)), int(match.group(3))
    if not 1 <= page <= page_count(count):
        return None
    return PagePress(kind, page, count)


def emergency_data(ticket_id: int, citizen_id: int) -> str:
    """Encode an emergency citizen button."""
    return f"{EMERGENCY_PREFIX}{ticket_id}:{citizen_id}"


def emergency_choice_data(ticket_id: int, choice: EmergencyChoice) -> str:
    """Encode "use what I typed", "another citizen" or "no mobile network" on an emergency."""
    return f"{EMERGENCY_PREFIX}{ticket_id}:{choice.value}"


def parse_emergency(data: str) -> EmergencyPress | None:
    """Decode an emergency button; None if it is malformed."""
    match = _EMERGENCY.match(data)
    if match is None:
        return None
    if match.group(2) is not None:
        return EmergencyPress(int(match.group(1)), EmergencyChoice.CITIZEN, int(match.group(2)))
    return EmergencyPress(int(match.group(1)), EmergencyChoice(match.group(3)))


class IncidentAction(StrEnum):
    """What an incident button does."""

    TAKE = "take"
    RESOLVE = "over"
    """Resolve it: "it is over" (also the "yes" to "is it over?")."""
    CONTINUE = "notyet"
    """The "not yet" to "is it over?"."""

    @property
    def trigger(self) -> IncidentTrigger:
        """The incident trigger this button fires."""
        return {
            IncidentAction.TAKE: IncidentTrigger.TAKE,
            IncidentAction.RESOLVE: IncidentTrigger.RESOLVE,
            IncidentAction.CONTINUE: IncidentTrigger.CONTINUE,
        }[self]


@dataclass(frozen=True)
class IncidentPress:
    """A parsed incident button."""

    incident_id: int
    action: IncidentAction


def incident_data(incident_id: int, action: IncidentAction) -> str:
    """Encode an incident button."""
    return f"{INCIDENT_PREFIX}{incident_id}:{action.value}"


def parse_incident(data: str) -> IncidentPress | None:
    """Decode an incident button; None if it is malformed."""
    match = _INCIDENT.match(data)
    if match is None:
        return None
    try:
        return IncidentPress(int(match.group(1)), IncidentAction(match.group(2)))
    except ValueError:
        return None


class BroadcastAction(StrEnum):
    """What a broadcast draft's button does."""

    SEND = "send"
    DROP = "drop"


@dataclass(frozen=True)
class BroadcastPress:
    """A parsed broadcast button."""

    broadcast_id: int
    action: BroadcastAction


def broadcast_data(broadcast_id: int, action: BroadcastAction) -> str:
    """Encode a broadcast draft's button."""
    return f"{BROADCAST_PREFIX}{broadcast_id}:{action.value}"


def parse_broadcast(data: str) -> BroadcastPress | None:
    """Decode a broadcast draft's button; None if it is malformed."""
    match = _BROADCAST.match(data)
    if match is None:
        return None
    try:
        return BroadcastPress(int(match.group(1)), BroadcastAction(match.group(2)))
    except ValueError:
        return None
