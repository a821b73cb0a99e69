"""The Smartkey request machine: every (state, trigger) pair, the deciders' records, the
shared-machine pattern and the diagram."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from transitions import Machine

from state import smartkey_request as request_module
from state.smartkey_request import (
    FINAL_STATES,
    REQUEST,
    REQUEST_MACHINE,
    KeyRequest,
    RequestState,
    RequestTrigger,
    allowed_triggers,
    fire,
)
from tests.state.machines import diagram, machine_steps

S = RequestState
T = RequestTrigger

REQUESTER = "caregiver-3"
PLANNER = "planner-1"
CREATED = datetime(2026, 12, 1, 6, 50, tzinfo=UTC)
AT = CREATED + timedelta(minutes=12)

ARGUMENTS: dict[T, dict[str, object]] = {
    T.APPROVE: {"by": PLANNER, "at": AT, "key_id": 11},
    T.DECLINE: {"by": PLANNER, "at": AT},
    T.WITHDRAW: {"by": REQUESTER, "at": AT},
}

# Every allowed step; any pair not here is a refusal.
EXPECTED: dict[tuple[S, T], S] = {
    (S.WAITING, T.APPROVE): S.APPROVED,
    (S.WAITING, T.DECLINE): S.DECLINED,
    (S.WAITING, T.WITHDRAW): S.WITHDRAWN,
}


def loaded(state: S) -> KeyRequest:
    """Build a request as the storage would load it, standing in the given state."""
    request = KeyRequest(
        id=4,
        requester=REQUESTER,
        unit="Nord",
        state=state.value,
        created_at=CREATED,
        escalation_level=1,
        version=2,
    )
    if state is not S.WAITING:
        request.decided_by = REQUESTER if state is S.WITHDRAWN else PLANNER
        request.decided_at = CREATED + timedelta(minutes=5)
    if state is S.APPROVED:
        request.key_id = 7
    return request


def snapshot(request: KeyRequest) -> tuple[dict[str, Any], set[str]]:
    """Capture the request's data and its attribute names."""
    return dataclasses.asdict(request), set(vars(request))


def field_names() -> set[str]:
    """Name the dataclass fields of KeyRequest."""
    return {f.name for f in dataclasses.fields(KeyRequest)}


@pytest.mark.parametrize(("state", "trigger"), list(itertools.product(S, T)))
def test_every_state_and_trigger(state: S, trigger: T) -> None:
    """Each pair either takes the step in the table or is a refusal that changes nothing."""
    request = loaded(state)
    before = snapshot(request)
    expected = EXPECTED.get((state, trigger))

    stepped = fire(request, trigger, **ARGUMENTS.get(trigger, {}))

    if expected is None:
        assert stepped is False
        assert snapshot(request) == before
    else:
        assert stepped is True
        assert request.state == expected
        assert request.version == 3
        for name in ("id", "requester", "unit", "created_at", "escalation_level"):
            assert getattr(request, name) == before[0][name]
    assert REQUEST_MACHINE.models == []
    assert set(vars(request)) == field_names()


@pytest.mark.parametrize("state", list(S))
def test_allowed_triggers_match_the_table(state: S) -> None:
    """The triggers the machine offers from a state are the table's."""
    allowed = {trigger for (source, trigger) in EXPECTED if source == state}
    assert set(allowed_triggers(state)) == allowed


def test_only_a_waiting_request_is_open() -> None:
    """Every state but waiting is final, and a final state allows nothing."""
    assert set(S) - FINAL_STATES == {S.WAITING}
    assert {state for state in S if not allowed_triggers(state)} == FINAL_STATES


def test_approve_records_the_key_and_who_decided() -> None:
    """approve names the key handed over, the decider and the time."""
    request = loaded(S.WAITING)
    assert fire(request, T.APPROVE, by="key-7", at=AT, key_id=31)
    assert (request.key_id, request.decided_by, request.decided_at) == (31, "key-7", AT)


def test_decline_records_who_decided_and_hands_no_key() -> None:
    """decline names the decider and the time, and no key."""
    request = loaded(S.WAITING)
    assert fire(request, T.DECLINE, by="leader-1", at=AT)
    assert (request.key_id, request.decided_by, request.decided_at) == (None, "leader-1", AT)


def test_the_requester_may_withdraw() -> None:
    """A withdrawal records the requester as the one who decided."""
    request = loaded(S.WAITING)
    assert fire(request, T.WITHDRAW, by=REQUESTER, at=AT)
    assert request.state == S.WITHDRAWN
    assert (request.key_id, request.decided_by, request.decided_at) == (None, REQUESTER, AT)


@pytest.mark.parametrize("by", [PLANNER, "", " ", f"{REQUESTER} ", REQUESTER.upper()])
def test_only_the_requester_may_withdraw(by: str) -> None:
    """A withdrawal by anyone but the requester, to the letter, is a refusal."""
    request = loaded(S.WAITING)
    before = snapshot(request)
    assert fire(request, T.WITHDRAW, by=by, at=AT) is False
    assert snapshot(request) == before


@pytest.mark.parametrize(
    ("trigger", "arguments"),
    [
        (T.APPROVE, {"by": "", "at": AT, "key_id": 11}),
        (T.APPROVE, {"by": "  ", "at": AT, "key_id": 11}),
        (T.DECLINE, {"by": "", "at": AT}),
        (T.DECLINE, {"by": "\n", "at": AT}),
    ],
)
def test_a_blank_decider_is_a_refusal(trigger: T, arguments: dict[str, object]) -> None:
    """approve and decline by nobody are refused and change nothing."""
    request = loaded(S.WAITING)
    before = snapshot(request)
    assert fire(request, trigger, **arguments) is False
    assert snapshot(request) == before


def test_a_decided_request_cannot_be_decided_again() -> None:
    """After an approval, a decline or withdrawal is refused and the first decision stands."""
    request = loaded(S.WAITING)
    assert fire(request, T.APPROVE, by=PLANNER, at=AT, key_id=11)
    before = snapshot(request)
    later = AT + timedelta(minutes=1)
    assert fire(request, T.DECLINE, by="leader-1", at=later) is False
    assert fire(request, T.WITHDRAW, by=REQUESTER, at=later) is False
    assert fire(request, T.APPROVE, by="leader-1", at=later, key_id=12) is False
    assert snapshot(request) == before


@pytest.mark.parametrize(
    ("trigger", "arguments"),
    [
        (T.APPROVE, {"by": PLANNER, "at": AT}),
        (T.APPROVE, {"by": PLANNER, "at": AT, "key_id": "11"}),
        (T.APPROVE, {"by": PLANNER, "at": AT, "key_id": True}),
        (T.APPROVE, {"by": PLANNER, "at": AT, "key_id": None}),
        (T.APPROVE, {"by": 5, "at": AT, "key_id": 11}),
        (T.DECLINE, {"by": PLANNER}),
        (T.DECLINE, {"by": PLANNER, "at": AT, "key_id": 11}),
        (T.DECLINE, {"by": PLANNER, "at": AT.timestamp()}),
        (T.WITHDRAW, {"by": REQUESTER, "at": AT.date()}),
        (T.WITHDRAW, {"at": AT}),
    ],
)
def test_a_wrong_argument_is_a_programming_error(trigger: T, arguments: dict[str, object]) -> None:
    """A missing, extra or mistyped argument raises TypeError and leaves the request unchanged."""
    request = loaded(S.WAITING)
    before = snapshot(request)
    with pytest.raises(TypeError):
        fire(request, trigger, **arguments)
    assert snapshot(request) == before
    assert REQUEST_MACHINE.models == []


def test_the_machine_knows_every_trigger_and_no_other() -> None:
    """The machine's events and states are exactly the enums' values."""
    assert set(REQUEST_MACHINE.events) == set(T)
    assert set(REQUEST_MACHINE.states) == set(S)


def test_the_diagram_draws_every_step_and_no_other() -> None:
    """smartkey_request.md draws the machine's steps, its initial state and its final states."""
    steps, initial, finals = diagram("smartkey_request.md")
    assert steps == machine_steps(REQUEST_MACHINE)
    assert steps == {(source, trigger, dest) for (source, trigger), dest in EXPECTED.items()}
    assert initial == {REQUEST_MACHINE.initial}
    assert finals == FINAL_STATES


def test_the_shared_machine_is_never_created_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stepping many requests uses the one machine and builds no other."""
    machine = request_module.REQUEST_MACHINE

    def refuse_to_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a machine was built")

    monkeypatch.setattr(Machine, "__init__", refuse_to_build)
    for number in range(50):
        request = KeyRequest(
            id=number, requester=REQUESTER, unit="Syd", state="waiting", created_at=CREATED
        )
        trigger = T.WITHDRAW if number % 2 else T.DECLINE
        assert fire(request, trigger, by=REQUESTER, at=AT)
    assert request_module.REQUEST_MACHINE is machine
    assert machine.models == []


def test_a_loaded_model_keeps_its_stored_state() -> None:
    """Attaching a request keeps the state it was stored in, not the machine's initial one."""
    request = loaded(S.DECLINED)
    with REQUEST.attached(request):
        assert request.state == S.DECLINED
        assert REQUEST_MACHINE.models == [request]
    assert fire(request, T.APPROVE, **ARGUMENTS[T.APPROVE]) is False
    assert request.state == S.DECLINED


def test_two_models_sharing_the_machine_do_not_affect_each_other() -> None:
    """Stepping one request leaves another attached request as it was."""
    first = loaded(S.WAITING)
    second = loaded(S.WAITING)
    second_before = snapshot(second)
    with REQUEST.attached(second):
        assert fire(first, T.APPROVE, **ARGUMENTS[T.APPROVE])
        assert REQUEST_MACHINE.models == [second]
    assert first.state == S.APPROVED
    assert snapshot(second) == second_before


def test_attached_detaches_when_the_block_raises() -> None:
    """An exception inside attached still detaches the request and unbinds the machine's names."""
    request = loaded(S.WAITING)
    with pytest.raises(RuntimeError), REQUEST.attached(request):
        raise RuntimeError
    assert REQUEST_MACHINE.models == []
    assert set(vars(request)) == field_names()


def test_an_unknown_stored_state_is_refused() -> None:
    """A state the machine does not know allows nothing and cannot be attached."""
    request = KeyRequest(id=1, requester=REQUESTER, unit="Syd", state="lost", created_at=CREATED)
    assert allowed_triggers("lost") == []
    assert fire(request, T.WITHDRAW, by=REQUESTER, at=AT) is False
    unknown = pytest.raises(ValueError, match="unknown smartkey_request state")
    with unknown, REQUEST.attached(request):
        pass
