"""A fault ticket's status: from a caregiver's report to a planner's "solved".

- ``TicketStatus``, ``OPEN_STATES``, ``FINAL_STATES``: where a ticket stands.
- ``Ticket``: the model, one per ticket; a plain dataclass that the storage loads and saves.
- ``format_ticket_number``: the number staff see and say (``F-0042``).
- ``TICKET_MACHINE``: the one ``transitions.Machine`` shared by every ticket.
- ``TicketTrigger``: what may happen to a ticket.
- ``fire``, ``allowed_triggers``: how callers step a ticket.

A ticket goes to the planner (and for login faults the key person), who takes it,
contacts the party the fault belongs to (Bekey, the lock partner or IT; see
state.routing) and resolves it; the reporter may withdraw it while nobody has taken it.
A ticket whose taker leaves (is deactivated) is released: untaken again.
Who may fire which trigger is decided by the caller. The diagram is in ``ticket.md``.

Callers load a ticket at its stored state, ``fire`` one trigger, then do their I/O and
persist (the storage checks ``version`` against double taps). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, cast

from transitions import EventData

from state.routing import SupportParty
from state.triage import TriageCategory
from state.workflow import Workflow, shared_machine, transition


class TicketStatus(StrEnum):
    """Where a ticket stands."""

    OPEN = "open"
    TAKEN = "taken"
    CONTACTED = "contacted"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class TicketTrigger(StrEnum):
    """What may happen to a ticket."""

    TAKE = "take"
    CONTACT = "contact"
    RESOLVE = "resolve"
    CANCEL = "cancel"
    RELEASE = "release"
    """Whoever took it has left (deactivated): it is untaken again, for the next planner."""


OPEN_STATES: Final = frozenset({TicketStatus.OPEN, TicketStatus.TAKEN, TicketStatus.CONTACTED})
FINAL_STATES: Final = frozenset({TicketStatus.RESOLVED, TicketStatus.CANCELLED})

# Keyword arguments each trigger takes, with their types; the others take none.
_ARGUMENTS: Final[Mapping[TicketTrigger, Mapping[str, type]]] = {
    TicketTrigger.TAKE: {"by": str},
    TicketTrigger.CONTACT: {"by": str, "party": SupportParty},
    TicketTrigger.RESOLVE: {"by": str},
}


@dataclass(eq=False)
class Ticket:
    """One fault ticket: the model the shared machine steps."""

    id: int | None
    number: int
    state: str
    category: TriageCategory
    taken_by: str | None = None  # the user-id of the planner or key person who took it
    contacted: SupportParty | None = None
    version: int = 0


def format_ticket_number(number: int) -> str:
    """Show a ticket number the way staff say it: F- and at least four digits."""
    if number < 0:
        raise ValueError("ticket numbers are not negative")
    return f"F-{number:04d}"


# Callbacks and conditions. The machine sends EventData; conditions only read, callbacks
# only change the model in memory, and all of them run before the state changes.


def _ticket(event: EventData) -> Ticket:
    return cast(Ticket, event.model)


def _actor_is_named(event: EventData) -> bool:
    return bool(event.kwargs["by"].strip())


def _party_is_known(event: EventData) -> bool:
    return isinstance(event.kwargs["party"], SupportParty)


def _take(event: EventData) -> None:
    _ticket(event).taken_by = event.kwargs["by"]


def _take_if_untaken(event: EventData) -> None:
    ticket = _ticket(event)
    if ticket.taken_by is None:
        ticket.taken_by = event.kwargs["by"]


def _record_party(event: EventData) -> None:
    _ticket(event).contacted = SupportParty(event.kwargs["party"])


def _release(event: EventData) -> None:
    """Forget who took the ticket: nobody has it now."""
    _ticket(event).taken_by = None


_S = TicketStatus
_T = TicketTrigger

_TRANSITIONS: Final = [
    transition(_T.TAKE, _S.OPEN, _S.TAKEN, conditions=[_actor_is_named], before=[_take]),
    transition(
        _T.CONTACT,
        [_S.OPEN, _S.TAKEN],
        _S.CONTACTED,
        conditions=[_actor_is_named, _party_is_known],
        before=[_take_if_untaken, _record_party],
    ),
    transition(
        _T.RESOLVE,
        [_S.OPEN, _S.TAKEN, _S.CONTACTED],
        _S.RESOLVED,
        conditions=[_actor_is_named],
        before=[_take_if_untaken],
    ),
    transition(_T.CANCEL, _S.OPEN, _S.CANCELLED),
    transition(_T.RELEASE, [_S.TAKEN, _S.CONTACTED], _S.OPEN, before=[_release]),
]

TICKET_MACHINE: Final = shared_machine(
    "ticket", TicketStatus, FINAL_STATES, TicketStatus.OPEN, _TRANSITIONS
)
TICKET: Final = Workflow[TicketTrigger](TICKET_MACHINE, _ARGUMENTS)


def allowed_triggers(state: str) -> list[TicketTrigger]:
    """List the triggers the machine knows from this state, in a stable order."""
    return [TicketTrigger(name) for name in TICKET.allowed_triggers(state)]


def fire(model: Ticket, trigger: TicketTrigger, **kwargs: object) -> bool:
    """Step the ticket by the trigger; False is a refusal and leaves it unchanged."""
    return TICKET.fire(model, trigger, **kwargs)
