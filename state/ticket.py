"""A fault ticket's status: from a caregiver's report to a planner's "solved".

- ``TicketStatus``, ``OPEN_STATES``, ``FINAL_STATES``: where a ticket stands.
- ``Ticket``: the model, one per ticket; a plain dataclass that the storage loads and saves.
- ``format_ticket_number``: the number staff see and say (``F-0042``).
- ``TICKET_MACHINE``: the one ``transitions.Machine`` shared by every ticket.
- ``attached``, ``fire``, ``allowed_triggers``: how callers step a ticket.

A ticket goes to the planner (and for login faults the key person), who takes it,
contacts the party the fault belongs to (Bekey, the lock partner or IT; see
state.routing) and resolves it; the reporter may withdraw it while nobody has taken it.
Who may fire which trigger is decided by the caller. The diagram is in ``ticket.md``.

Callers load a ticket at its stored state, ``fire`` one trigger, then do their I/O and
persist (the storage checks ``version`` against double taps). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final, cast

from transitions import EventData, Machine

from state.routing import SupportParty


class TicketStatus(StrEnum):
    """Where a ticket stands."""

    OPEN = "open"
    TAKEN = "taken"
    CONTACTED = "contacted"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


OPEN_STATES: Final = frozenset({TicketStatus.OPEN, TicketStatus.TAKEN, TicketStatus.CONTACTED})
FINAL_STATES: Final = frozenset({TicketStatus.RESOLVED, TicketStatus.CANCELLED})

# Keyword arguments each trigger takes, with their types; the others take none.
_ARGUMENTS: Final[Mapping[str, Mapping[str, type]]] = {
    "take": {"by": str},
    "contact": {"by": str, "party": str},
    "resolve": {"by": str},
}


@dataclass(eq=False)
class Ticket:
    """One fault ticket: the model the shared machine steps."""

    id: int | None
    number: int
    state: str
    category: str
    taken_by: str | None = None  # the user-id of the planner or key person who took it
    contacted: str | None = None  # a SupportParty value
    version: int = 0


def format_ticket_number(number: int) -> str:
    """Show a ticket number the way staff say it: F- and at least four digits."""
    if number < 0:
        raise ValueError("ticket numbers are not negative")
    return f"F-{number:04d}"


# Callbacks and conditions. The machine sends EventData; conditions only read, callbacks
# only change the model in memory, and all of them run before the state changes.

_Callback = Callable[[EventData], None]
_Condition = Callable[[EventData], bool]


def _ticket(event: EventData) -> Ticket:
    return cast(Ticket, event.model)


def _actor_is_named(event: EventData) -> bool:
    return bool(event.kwargs["by"].strip())


def _party_is_known(event: EventData) -> bool:
    return event.kwargs["party"] in set(SupportParty)


def _take(event: EventData) -> None:
    _ticket(event).taken_by = event.kwargs["by"]


def _take_if_untaken(event: EventData) -> None:
    ticket = _ticket(event)
    if ticket.taken_by is None:
        ticket.taken_by = event.kwargs["by"]


def _record_party(event: EventData) -> None:
    _ticket(event).contacted = SupportParty(event.kwargs["party"]).value


def _transition(
    trigger: str,
    source: TicketStatus | Iterable[TicketStatus],
    dest: TicketStatus,
    *,
    before: Iterable[_Callback] = (),
    conditions: Iterable[_Condition] = (),
) -> dict[str, Any]:
    sources = [source] if isinstance(source, TicketStatus) else list(source)
    return {
        "trigger": trigger,
        "source": [state.value for state in sources],
        "dest": dest.value,
        "before": list(before),
        "conditions": list(conditions),
    }


_S = TicketStatus

_TRANSITIONS: Final = [
    _transition("take", _S.OPEN, _S.TAKEN, conditions=[_actor_is_named], before=[_take]),
    _transition(
        "contact",
        [_S.OPEN, _S.TAKEN],
        _S.CONTACTED,
        conditions=[_actor_is_named, _party_is_known],
        before=[_take_if_untaken, _record_party],
    ),
    _transition(
        "resolve",
        [_S.OPEN, _S.TAKEN, _S.CONTACTED],
        _S.RESOLVED,
        conditions=[_actor_is_named],
        before=[_take_if_untaken],
    ),
    _transition("cancel", _S.OPEN, _S.CANCELLED),
]

TICKET_MACHINE: Final = Machine(
    model=None,
    states=[{"name": state.value, "final": state in FINAL_STATES} for state in TicketStatus],
    initial=TicketStatus.OPEN.value,
    transitions=_TRANSITIONS,
    auto_transitions=False,
    ignore_invalid_triggers=False,
    queued=False,
    send_event=True,
    name="ticket",
)

# What add_model binds onto a model; removed again on detach, so that a detached ticket
# is a plain dataclass and attaching it again binds afresh (no "Skip binding" warnings).
_BOUND_NAMES: Final = frozenset(
    {"trigger", "may_trigger"}
    | set(TICKET_MACHINE.events)
    | {f"may_{trigger}" for trigger in TICKET_MACHINE.events}
    | {f"is_{state}" for state in TICKET_MACHINE.states}
)


@contextmanager
def attached(ticket: Ticket) -> Iterator[Ticket]:
    """Attach the ticket to the shared machine at its stored state; detach it afterwards."""
    if ticket in TICKET_MACHINE.models:  # identity (eq=False): attached by an outer block
        yield ticket
        return
    stored = str(ticket.state)  # a plain str: transitions reads an Enum by its name
    if stored not in TICKET_MACHINE.states:
        raise ValueError(f"unknown ticket state {stored!r}")
    TICKET_MACHINE.add_model(ticket, initial=stored)
    try:
        yield ticket
    finally:
        TICKET_MACHINE.remove_model(ticket)
        for name in _BOUND_NAMES.intersection(vars(ticket)):
            delattr(ticket, name)


def allowed_triggers(state: str) -> list[str]:
    """List the triggers the machine knows from this state, in a stable order."""
    return TICKET_MACHINE.get_triggers(str(state))  # transitions reads an Enum by its name


def _check_arguments(trigger: str, kwargs: Mapping[str, object]) -> None:
    expected = _ARGUMENTS.get(trigger, {})
    if kwargs.keys() != expected.keys():
        raise TypeError(f"{trigger} takes {sorted(expected)}, got {sorted(kwargs)}")
    for name, kind in expected.items():
        if not isinstance(kwargs[name], kind):
            raise TypeError(f"{trigger}: {name} must be {kind.__name__}")


def fire(ticket: Ticket, trigger: str, **kwargs: object) -> bool:
    """Step the ticket by the trigger; False is a refusal and leaves the ticket unchanged."""
    if trigger not in allowed_triggers(ticket.state):
        return False
    _check_arguments(trigger, kwargs)
    with attached(ticket):
        stepped = TICKET_MACHINE.events[trigger].trigger(ticket, **kwargs)
    if stepped:
        ticket.version += 1
    return stepped
