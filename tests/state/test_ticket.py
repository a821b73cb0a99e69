"""The ticket status machine: every (state, trigger) pair, and the shared-machine pattern."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from transitions import Machine

from state import ticket as ticket_module
from state.routing import SupportParty
from state.ticket import (
    FINAL_STATES,
    OPEN_STATES,
    TICKET,
    TICKET_MACHINE,
    Ticket,
    TicketStatus,
    TicketTrigger,
    allowed_triggers,
    fire,
    format_ticket_number,
)
from state.triage import TriageCategory

S = TicketStatus
T = TicketTrigger

ARGUMENTS: dict[T, dict[str, object]] = {
    T.TAKE: {"by": "planner-1"},
    T.CONTACT: {"by": "planner-1", "party": SupportParty.LOCK_PARTNER},
    T.RESOLVE: {"by": "planner-1"},
}

# Every allowed step; any pair not here is a refusal.
EXPECTED: dict[tuple[S, T], S] = {
    (S.OPEN, T.TAKE): S.TAKEN,
    (S.OPEN, T.CONTACT): S.CONTACTED,
    (S.OPEN, T.RESOLVE): S.RESOLVED,
    (S.OPEN, T.CANCEL): S.CANCELLED,
    (S.TAKEN, T.CONTACT): S.CONTACTED,
    (S.TAKEN, T.RESOLVE): S.RESOLVED,
    (S.CONTACTED, T.RESOLVE): S.RESOLVED,
    (S.TAKEN, T.RELEASE): S.OPEN,
    (S.CONTACTED, T.RELEASE): S.OPEN,
}


def loaded(state: S) -> Ticket:
    """Build a ticket as the storage would load it, standing in the given state."""
    ticket = Ticket(id=5, number=42, state=state.value, category=TriageCategory.DOOR, version=2)
    if state in (S.TAKEN, S.CONTACTED, S.RESOLVED):
        ticket.taken_by = "planner-1"
    if state in (S.CONTACTED, S.RESOLVED):
        ticket.contacted = SupportParty.LOCK_PARTNER
    return ticket


def snapshot(ticket: Ticket) -> tuple[dict[str, Any], set[str]]:
    """Capture the ticket's data and its attribute names."""
    return dataclasses.asdict(ticket), set(vars(ticket))


def field_names() -> set[str]:
    """Name the dataclass fields of Ticket."""
    return {f.name for f in dataclasses.fields(Ticket)}


@pytest.mark.parametrize(("state", "trigger"), list(itertools.product(S, T)))
def test_every_state_and_trigger(state: S, trigger: T) -> None:
    ticket = loaded(state)
    before = snapshot(ticket)
    expected = EXPECTED.get((state, trigger))

    stepped = fire(ticket, trigger, **ARGUMENTS.get(trigger, {}))

    if expected is None:
        assert stepped is False
        assert snapshot(ticket) == before
    else:
        assert stepped is True
        assert ticket.state == expected
        assert ticket.version == 3
    assert TICKET_MACHINE.models == []
    assert set(vars(ticket)) == field_names()


@pytest.mark.parametrize("state", list(S))
def test_allowed_triggers_match_the_table(state: S) -> None:
    allowed = {trigger for (source, trigger) in EXPECTED if source == state}
    assert set(allowed_triggers(state)) == allowed


def test_open_and_final_states_split_the_statuses() -> None:
    assert set(S) == OPEN_STATES | FINAL_STATES
    assert not OPEN_STATES & FINAL_STATES
    assert {state for state in S if allowed_triggers(state)} == OPEN_STATES


def test_take_records_who_took_it() -> None:
    ticket = loaded(S.OPEN)
    assert fire(ticket, T.TAKE, by="key-7")
    assert ticket.taken_by == "key-7"


def test_contact_from_open_takes_the_ticket_implicitly() -> None:
    ticket = loaded(S.OPEN)
    assert fire(ticket, T.CONTACT, by="key-7", party=SupportParty.BEKEY)
    assert ticket.taken_by == "key-7"
    assert ticket.contacted == SupportParty.BEKEY


def test_contact_keeps_the_one_who_took_it() -> None:
    ticket = loaded(S.TAKEN)
    assert fire(ticket, T.CONTACT, by="key-7", party=SupportParty.IT)
    assert ticket.taken_by == "planner-1"
    assert ticket.contacted == SupportParty.IT


def test_resolve_sets_taken_by_only_when_empty() -> None:
    untaken = loaded(S.OPEN)
    assert fire(untaken, T.RESOLVE, by="leader-1")
    assert untaken.taken_by == "leader-1"
    taken = loaded(S.CONTACTED)
    assert fire(taken, T.RESOLVE, by="leader-1")
    assert taken.taken_by == "planner-1"


@pytest.mark.parametrize("state", [S.TAKEN, S.CONTACTED])
def test_release_leaves_the_ticket_untaken_for_the_next_planner(state: S) -> None:
    """A leaver's ticket goes back to open with nobody on it, and the next planner takes it."""
    ticket = loaded(state)
    contacted = ticket.contacted
    assert fire(ticket, T.RELEASE)
    assert (ticket.state, ticket.taken_by) == (S.OPEN, None)
    assert ticket.contacted == contacted  # the party called stays on record
    assert fire(ticket, T.TAKE, by="planner-2")
    assert ticket.taken_by == "planner-2"


def test_release_takes_no_arguments() -> None:
    """Release is the system's step, not a person's: it names nobody."""
    with pytest.raises(TypeError):
        fire(loaded(S.TAKEN), T.RELEASE, by="leader-1")
    assert TICKET_MACHINE.models == []


@pytest.mark.parametrize(
    ("trigger", "arguments"),
    [
        (T.CONTACT, {"by": " ", "party": SupportParty.BEKEY}),
        (T.TAKE, {"by": ""}),
        (T.RESOLVE, {"by": ""}),
    ],
)
def test_bad_button_data_is_a_refusal(trigger: T, arguments: dict[str, object]) -> None:
    ticket = loaded(S.OPEN)
    before = snapshot(ticket)
    assert fire(ticket, trigger, **arguments) is False
    assert snapshot(ticket) == before


def test_a_missing_argument_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        fire(loaded(S.OPEN), T.CONTACT, by="planner-1")
    with pytest.raises(TypeError):
        fire(loaded(S.OPEN), T.TAKE, by=7)
    with pytest.raises(TypeError):
        fire(loaded(S.OPEN), T.CONTACT, by="planner-1", party="locksmith")
    with pytest.raises(TypeError):
        fire(loaded(S.OPEN), T.CANCEL, by="planner-1")
    assert TICKET_MACHINE.models == []


def test_the_machine_knows_every_trigger_and_no_other() -> None:
    # A trigger is a TicketTrigger, so an unknown one cannot be fired: the two must agree.
    assert set(TICKET_MACHINE.events) == set(T)


@pytest.mark.parametrize(
    ("number", "shown"),
    [(0, "F-0000"), (7, "F-0007"), (42, "F-0042"), (9999, "F-9999"), (12345, "F-12345")],
)
def test_format_ticket_number(number: int, shown: str) -> None:
    assert format_ticket_number(number) == shown


def test_a_negative_ticket_number_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_ticket_number(-1)


def test_the_shared_machine_is_never_created_again(monkeypatch: pytest.MonkeyPatch) -> None:
    machine = ticket_module.TICKET_MACHINE

    def refuse_to_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a machine was built")

    monkeypatch.setattr(Machine, "__init__", refuse_to_build)
    for number in range(50):
        ticket = Ticket(id=number, number=number, state="open", category=TriageCategory.LOGIN)
        assert fire(ticket, T.TAKE, by="planner-1")
        assert fire(ticket, T.RESOLVE, by="planner-1")
    assert ticket_module.TICKET_MACHINE is machine
    assert machine.models == []


def test_a_loaded_model_keeps_its_stored_state() -> None:
    ticket = loaded(S.CONTACTED)
    with TICKET.attached(ticket):
        assert ticket.state == S.CONTACTED
        assert TICKET_MACHINE.models == [ticket]
    assert fire(ticket, T.RESOLVE, by="planner-2")
    assert ticket.state == S.RESOLVED


def test_two_models_sharing_the_machine_do_not_affect_each_other() -> None:
    first = loaded(S.OPEN)
    second = loaded(S.OPEN)
    second_before = snapshot(second)
    with TICKET.attached(second):
        assert fire(first, T.TAKE, by="planner-1")
        assert TICKET_MACHINE.models == [second]
    assert first.state == S.TAKEN
    assert snapshot(second) == second_before


def test_attached_detaches_when_the_block_raises() -> None:
    ticket = loaded(S.TAKEN)
    with pytest.raises(RuntimeError), TICKET.attached(ticket):
        raise RuntimeError
    assert TICKET_MACHINE.models == []
    assert set(vars(ticket)) == field_names()


def test_an_unknown_stored_state_is_refused() -> None:
    ticket = Ticket(id=1, number=1, state="lost", category=TriageCategory.DOOR)
    assert allowed_triggers("lost") == []
    assert fire(ticket, T.CANCEL) is False
    with pytest.raises(ValueError, match="unknown ticket state"), TICKET.attached(ticket):
        pass
