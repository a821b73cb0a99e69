"""Button data: short, typed, checked. Data comes from the client, so parsing never trusts it.

Formats (always well under Telegram's 64 bytes):
  tr:<triage id>:<version>:<step>[:<citizen id>]   a step in a fault triage
  tk:<ticket id>:<action>                           an action on a ticket
  em:<ticket id>:<citizen id>                       the citizen of an emergency
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from state.ticket import TicketTrigger
from state.triage import TriageTrigger

TRIAGE_PREFIX = "tr:"
TICKET_PREFIX = "tk:"
EMERGENCY_PREFIX = "em:"


class TriageStep(StrEnum):
    """What a triage button does (short codes keep the data small)."""

    CITIZEN = "c"
    YES = "y"
    NO = "n"
    NETWORK_DOWN = "net"
    WORKS_NOW = "ok"
    SKIP = "skip"
    CONFIRM = "send"
    BACK = "back"
    CANCEL = "x"


TRIGGER_OF: dict[TriageStep, TriageTrigger] = {
    TriageStep.CITIZEN: TriageTrigger.CHOOSE_CITIZEN,
    TriageStep.YES: TriageTrigger.ANSWER_YES,
    TriageStep.NO: TriageTrigger.ANSWER_NO,
    TriageStep.NETWORK_DOWN: TriageTrigger.NETWORK_DOWN,
    TriageStep.WORKS_NOW: TriageTrigger.WORKS_NOW,
    TriageStep.SKIP: TriageTrigger.SKIP_DESCRIPTION,
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
    """A parsed ticket button."""

    ticket_id: int
    action: TicketAction


@dataclass(frozen=True)
class EmergencyPress:
    """A parsed emergency citizen button."""

    ticket_id: int
    citizen_id: int


_TRIAGE = re.compile(r"^tr:(\d{1,12}):(\d{1,6}):([a-z]{1,4})(?::(\d{1,12}))?$")
_TICKET = re.compile(r"^tk:(\d{1,12}):([a-z]{1,8})$")
_EMERGENCY = re.compile(r"^em:(\d{1,12}):(\d{1,12})$")


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


def parse_ticket(data: str) -> TicketPress | None:
    """Decode a ticket button; None if it is malformed."""
    match = _TICKET.match(data)
    if match is None:
        return None
    try:
        return TicketPress(int(match.group(1)), TicketAction(match.group(2)))
    except ValueError:
        return None


def emergency_data(ticket_id: int, citizen_id: int) -> str:
    """Encode an emergency citizen button."""
    return f"{EMERGENCY_PREFIX}{ticket_id}:{citizen_id}"


def parse_emergency(data: str) -> EmergencyPress | None:
    """Decode an emergency citizen button; None if it is malformed."""
    match = _EMERGENCY.match(data)
    if match is None:
        return None
    return EmergencyPress(int(match.group(1)), int(match.group(2)))
