"""The Smartkey machine (every state and trigger pair, the shared-machine pattern, the
diagram) and the rules the views and timers read: stale, overdue, hand-out order."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from transitions import Machine

from state import smartkey as smartkey_module
from state.roles import Role
from state.smartkey import (
    AVAILABLE,
    FINAL_STATES,
    SMARTKEY,
    SMARTKEY_MACHINE,
    Smartkey,
    SmartkeyState,
    SmartkeyTrigger,
    allowed_triggers,
    fire,
    holder_rank,
    is_stale,
    overdue_level_due,
)
from tests.state.machines import diagram, machine_steps

S = SmartkeyState
T = SmartkeyTrigger

HOLDER = "caregiver-3"
PLANNER = "planner-1"
AT = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
DUE = AT + timedelta(hours=8)
UPDATED = AT - timedelta(days=2)

ARGUMENTS: dict[T, dict[str, object]] = {
    T.HAND_OUT: {"holder": HOLDER, "by": PLANNER, "at": AT, "due": DUE},
    T.TAKE: {"by": HOLDER, "at": AT, "due": DUE},
    T.CONFIRM: {"by": HOLDER, "at": AT + timedelta(minutes=5)},
}

# Every allowed step; any pair not here is a refusal.
EXPECTED: dict[tuple[S, T], S] = {
    (S.IN_CABINET, T.HAND_OUT): S.HANDED_OUT,
    (S.IN_CABINET, T.TAKE): S.HANDED_OUT,
    (S.IN_CABINET, T.REPORT_LOST): S.LOST,
    (S.IN_CABINET, T.RETIRE): S.RETIRED,
    (S.HANDED_OUT, T.CONFIRM): S.HANDED_OUT,
    (S.HANDED_OUT, T.GIVE_BACK): S.IN_CABINET,
    (S.HANDED_OUT, T.REPORT_LOST): S.LOST,
    (S.LOST, T.FIND): S.FOUND,
    (S.LOST, T.RETIRE): S.RETIRED,
    (S.FOUND, T.RE_ENABLE): S.IN_CABINET,
    (S.FOUND, T.RETIRE): S.RETIRED,
}

IDENTITY = ("id", "label", "unit", "cabinet_id", "updated_at")
"""Fields no trigger touches: the key itself, and its weekly update."""

CLEARED = {
    "holder": None,
    "handed_out_by": None,
    "handed_out_at": None,
    "due_at": None,
    "confirmed_at": None,
    "self_recorded": False,
    "overdue_level": 0,
}
"""The hand-out fields of a key nobody holds."""


def loaded(state: S) -> Smartkey:
    """Build a key as the storage would load it, standing in the given state."""
    key = Smartkey(
        id=9,
        label="Nøgle 4",
        unit="Nord",
        cabinet_id=2,
        state=state.value,
        updated_at=UPDATED,
        version=6,
    )
    if state in (S.HANDED_OUT, S.LOST, S.FOUND):
        key.holder = HOLDER
        key.handed_out_by = PLANNER
        key.handed_out_at = AT
    if state is S.HANDED_OUT:
        key.due_at = DUE
    return key


def worn(state: S) -> Smartkey:
    """Build a key with every hand-out field filled: confirmed, self-recorded, alerted."""
    key = loaded(state)
    key.holder = HOLDER
    key.handed_out_by = HOLDER
    key.handed_out_at = AT
    key.due_at = DUE
    key.confirmed_at = AT
    key.self_recorded = True
    key.overdue_level = 2
    return key


def snapshot(key: Smartkey) -> tuple[dict[str, Any], set[str]]:
    """Capture the key's data and its attribute names."""
    return dataclasses.asdict(key), set(vars(key))


def field_names() -> set[str]:
    """Name the dataclass fields of Smartkey."""
    return {f.name for f in dataclasses.fields(Smartkey)}


def hand_out_fields(key: Smartkey) -> dict[str, object]:
    """Read the fields the hand-out triggers change, by name."""
    return {name: getattr(key, name) for name in CLEARED}


@pytest.mark.parametrize(("state", "trigger"), list(itertools.product(S, T)))
def test_every_state_and_trigger(state: S, trigger: T) -> None:
    """Each pair either takes the step in the table or is a refusal that changes nothing."""
    key = loaded(state)
    before = snapshot(key)
    expected = EXPECTED.get((state, trigger))

    stepped = fire(key, trigger, **ARGUMENTS.get(trigger, {}))

    if expected is None:
        assert stepped is False
        assert snapshot(key) == before
    else:
        assert stepped is True
        assert key.state == expected
        assert key.version == 7
        for name in IDENTITY:
            assert getattr(key, name) == before[0][name]
    assert SMARTKEY_MACHINE.models == []
    assert set(vars(key)) == field_names()


@pytest.mark.parametrize("state", list(S))
def test_allowed_triggers_match_the_table(state: S) -> None:
    """The triggers the machine offers from a state are the table's."""
    allowed = {trigger for (source, trigger) in EXPECTED if source == state}
    assert set(allowed_triggers(state)) == allowed


def test_only_a_retired_key_is_final() -> None:
    """Retired is the one final state, and the only state with no way out."""
    assert {S.RETIRED} == FINAL_STATES
    assert {state for state in S if not allowed_triggers(state)} == FINAL_STATES


def test_only_a_key_in_the_cabinet_can_be_handed_out() -> None:
    """Hand-out and take start from the available state alone."""
    assert AVAILABLE is S.IN_CABINET
    for trigger in (T.HAND_OUT, T.TAKE):
        assert {source for (source, t) in EXPECTED if t is trigger} == {AVAILABLE}


def test_hand_out_records_the_holder_and_leaves_it_unconfirmed() -> None:
    """hand_out names holder, giver, time and due time, and starts unconfirmed and not overdue."""
    key = loaded(S.IN_CABINET)
    key.confirmed_at = AT - timedelta(days=1)
    key.self_recorded = True
    key.overdue_level = 2
    assert fire(key, T.HAND_OUT, holder="caregiver-8", by="key-7", at=AT, due=DUE)
    assert hand_out_fields(key) == {
        "holder": "caregiver-8",
        "handed_out_by": "key-7",
        "handed_out_at": AT,
        "due_at": DUE,
        "confirmed_at": None,
        "self_recorded": False,
        "overdue_level": 0,
    }


def test_take_is_self_recorded_and_confirmed_at_once() -> None:
    """take makes the taker holder and giver, confirmed at the time of the take."""
    key = loaded(S.IN_CABINET)
    key.overdue_level = 1
    assert fire(key, T.TAKE, by="substitute-2", at=AT, due=DUE)
    assert hand_out_fields(key) == {
        "holder": "substitute-2",
        "handed_out_by": "substitute-2",
        "handed_out_at": AT,
        "due_at": DUE,
        "confirmed_at": AT,
        "self_recorded": True,
        "overdue_level": 0,
    }


def test_confirm_records_when_the_holder_confirmed() -> None:
    """The holder's confirm sets confirmed_at and nothing else."""
    key = loaded(S.HANDED_OUT)
    before = hand_out_fields(key)
    later = AT + timedelta(minutes=3)
    assert fire(key, T.CONFIRM, by=HOLDER, at=later)
    assert hand_out_fields(key) == {**before, "confirmed_at": later}
    assert key.state == S.HANDED_OUT


@pytest.mark.parametrize("by", [PLANNER, "", " ", f" {HOLDER}", HOLDER.upper()])
def test_only_the_holder_may_confirm(by: str) -> None:
    """A confirm by anyone but the holder, to the letter, is a refusal."""
    key = loaded(S.HANDED_OUT)
    before = snapshot(key)
    assert fire(key, T.CONFIRM, by=by, at=AT) is False
    assert snapshot(key) == before


def test_confirm_only_once() -> None:
    """A second confirm is a refusal and keeps the first time."""
    key = loaded(S.HANDED_OUT)
    first = AT + timedelta(minutes=1)
    assert fire(key, T.CONFIRM, by=HOLDER, at=first)
    before = snapshot(key)
    assert fire(key, T.CONFIRM, by=HOLDER, at=first + timedelta(minutes=1)) is False
    assert snapshot(key) == before
    assert key.confirmed_at == first


def test_a_self_recorded_take_needs_no_confirm() -> None:
    """After take the key is confirmed already: the taker's confirm is a refusal."""
    key = loaded(S.IN_CABINET)
    assert fire(key, T.TAKE, by=HOLDER, at=AT, due=DUE)
    assert fire(key, T.CONFIRM, by=HOLDER, at=AT + timedelta(minutes=1)) is False
    assert key.confirmed_at == AT


@pytest.mark.parametrize(
    ("state", "trigger", "after"),
    [
        (S.HANDED_OUT, T.GIVE_BACK, S.IN_CABINET),
        (S.FOUND, T.RE_ENABLE, S.IN_CABINET),
        (S.IN_CABINET, T.RETIRE, S.RETIRED),
        (S.LOST, T.RETIRE, S.RETIRED),
        (S.FOUND, T.RETIRE, S.RETIRED),
    ],
)
def test_give_back_re_enable_and_retire_clear_the_holder(state: S, trigger: T, after: S) -> None:
    """A key back in the cabinet or retired has no holder, due time, confirm or alert left."""
    key = worn(state)
    assert fire(key, trigger)
    assert key.state == after
    assert hand_out_fields(key) == CLEARED


@pytest.mark.parametrize("state", [S.IN_CABINET, S.HANDED_OUT])
def test_report_lost_keeps_the_holder_but_stops_the_clock(state: S) -> None:
    """A lost key names who lost it, but is due nowhere and overdue no more."""
    key = worn(state)
    before = hand_out_fields(key)
    assert fire(key, T.REPORT_LOST)
    assert hand_out_fields(key) == {**before, "due_at": None, "overdue_level": 0}


def test_a_found_key_goes_round_again() -> None:
    """Lost, found and re-enabled, a key can be handed out again, to someone else."""
    key = loaded(S.IN_CABINET)
    assert fire(key, T.HAND_OUT, holder=HOLDER, by=PLANNER, at=AT, due=DUE)
    assert fire(key, T.CONFIRM, by=HOLDER, at=AT)
    assert fire(key, T.REPORT_LOST)
    assert fire(key, T.FIND)
    assert key.holder == HOLDER
    assert fire(key, T.RE_ENABLE)
    later = AT + timedelta(days=1)
    assert fire(
        key, T.HAND_OUT, holder="night-1", by=PLANNER, at=later, due=later + timedelta(hours=8)
    )
    assert (key.state, key.holder, key.confirmed_at) == (S.HANDED_OUT, "night-1", None)
    assert key.version == 12


@pytest.mark.parametrize(
    "changes",
    [
        {"due": AT},
        {"due": AT - timedelta(seconds=1)},
        {"by": ""},
        {"by": "  "},
        {"holder": ""},
        {"holder": "\t"},
    ],
)
def test_a_bad_hand_out_is_a_refusal(changes: dict[str, object]) -> None:
    """hand_out is refused when due is not after the hand-out, or giver or holder is blank."""
    key = loaded(S.IN_CABINET)
    before = snapshot(key)
    assert fire(key, T.HAND_OUT, **{**ARGUMENTS[T.HAND_OUT], **changes}) is False
    assert snapshot(key) == before


@pytest.mark.parametrize(
    "changes", [{"due": AT}, {"due": AT - timedelta(hours=1)}, {"by": ""}, {"by": " "}]
)
def test_a_bad_take_is_a_refusal(changes: dict[str, object]) -> None:
    """take is refused when due is not after the take, or the taker is blank."""
    key = loaded(S.IN_CABINET)
    before = snapshot(key)
    assert fire(key, T.TAKE, **{**ARGUMENTS[T.TAKE], **changes}) is False
    assert snapshot(key) == before


@pytest.mark.parametrize(
    ("state", "trigger", "arguments"),
    [
        (S.IN_CABINET, T.HAND_OUT, {"holder": HOLDER, "by": PLANNER, "at": AT}),
        (S.IN_CABINET, T.HAND_OUT, {"holder": None, "by": PLANNER, "at": AT, "due": DUE}),
        (S.IN_CABINET, T.HAND_OUT, {"holder": 3, "by": PLANNER, "at": AT, "due": DUE}),
        (S.IN_CABINET, T.HAND_OUT, {"holder": HOLDER, "by": PLANNER, "at": AT, "due": "16:00"}),
        (S.IN_CABINET, T.TAKE, {"by": HOLDER, "at": AT, "due": date(2026, 12, 2)}),
        (S.IN_CABINET, T.TAKE, {"by": True, "at": AT, "due": DUE}),
        (S.IN_CABINET, T.TAKE, {"holder": HOLDER, "by": HOLDER, "at": AT, "due": DUE}),
        (S.HANDED_OUT, T.CONFIRM, {"by": HOLDER}),
        (S.HANDED_OUT, T.CONFIRM, {"by": HOLDER, "at": AT.isoformat()}),
        (S.HANDED_OUT, T.GIVE_BACK, {"by": HOLDER}),
        (S.LOST, T.FIND, {"at": AT}),
    ],
)
def test_a_wrong_argument_is_a_programming_error(
    state: S, trigger: T, arguments: dict[str, object]
) -> None:
    """A missing, extra or mistyped argument raises TypeError and leaves the key unchanged."""
    key = loaded(state)
    before = snapshot(key)
    with pytest.raises(TypeError):
        fire(key, trigger, **arguments)
    assert snapshot(key) == before
    assert SMARTKEY_MACHINE.models == []


def test_the_machine_knows_every_trigger_and_no_other() -> None:
    """The machine's events are exactly the SmartkeyTrigger values."""
    assert set(SMARTKEY_MACHINE.events) == set(T)
    assert set(SMARTKEY_MACHINE.states) == set(S)


def test_the_diagram_draws_every_step_and_no_other() -> None:
    """smartkey.md draws the machine's steps, its initial state and its final state."""
    steps, initial, finals = diagram("smartkey.md")
    assert steps == machine_steps(SMARTKEY_MACHINE)
    assert steps == {(source, trigger, dest) for (source, trigger), dest in EXPECTED.items()}
    assert initial == {SMARTKEY_MACHINE.initial}
    assert finals == FINAL_STATES


def test_the_shared_machine_is_never_created_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stepping many keys uses the one machine and builds no other."""
    machine = smartkey_module.SMARTKEY_MACHINE

    def refuse_to_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a machine was built")

    monkeypatch.setattr(Machine, "__init__", refuse_to_build)
    for number in range(50):
        key = Smartkey(id=number, label=f"K{number}", unit="Syd", cabinet_id=1, state="in_cabinet")
        assert fire(key, T.TAKE, by=HOLDER, at=AT, due=DUE)
        assert fire(key, T.GIVE_BACK)
    assert smartkey_module.SMARTKEY_MACHINE is machine
    assert machine.models == []


def test_a_loaded_model_keeps_its_stored_state() -> None:
    """Attaching a key keeps the state it was stored in, not the machine's initial one."""
    key = loaded(S.FOUND)
    with SMARTKEY.attached(key):
        assert key.state == S.FOUND
        assert SMARTKEY_MACHINE.models == [key]
    assert fire(key, T.RE_ENABLE)
    assert key.state == S.IN_CABINET


def test_two_models_sharing_the_machine_do_not_affect_each_other() -> None:
    """Stepping one key leaves another attached key as it was."""
    first = loaded(S.HANDED_OUT)
    second = loaded(S.HANDED_OUT)
    second_before = snapshot(second)
    with SMARTKEY.attached(second):
        assert fire(first, T.CONFIRM, by=HOLDER, at=AT)
        assert fire(first, T.GIVE_BACK)
        assert SMARTKEY_MACHINE.models == [second]
    assert first.state == S.IN_CABINET
    assert snapshot(second) == second_before


def test_attached_detaches_when_the_block_raises() -> None:
    """An exception inside attached still detaches the key and unbinds the machine's names."""
    key = loaded(S.LOST)
    with pytest.raises(RuntimeError), SMARTKEY.attached(key):
        raise RuntimeError
    assert SMARTKEY_MACHINE.models == []
    assert set(vars(key)) == field_names()


def test_an_unknown_stored_state_is_refused() -> None:
    """A state the machine does not know allows nothing and cannot be attached."""
    key = Smartkey(id=1, label="K", unit="Syd", cabinet_id=1, state="stolen")
    assert allowed_triggers("stolen") == []
    assert fire(key, T.FIND) is False
    with pytest.raises(ValueError, match="unknown smartkey state"), SMARTKEY.attached(key):
        pass


STALE_AFTER = timedelta(days=7)
NOW = AT + timedelta(days=30)


@pytest.mark.parametrize(
    ("state", "age", "stale"),
    [
        (S.IN_CABINET, None, True),
        (S.IN_CABINET, timedelta(0), False),
        (S.IN_CABINET, STALE_AFTER - timedelta(seconds=1), False),
        (S.IN_CABINET, STALE_AFTER, True),
        (S.IN_CABINET, STALE_AFTER * 3, True),
        (S.HANDED_OUT, timedelta(days=1), False),
        (S.HANDED_OUT, STALE_AFTER, True),
        (S.HANDED_OUT, None, True),
        (S.FOUND, STALE_AFTER - timedelta(seconds=1), False),
        (S.FOUND, STALE_AFTER, True),
        (S.LOST, None, False),
        (S.LOST, STALE_AFTER * 3, False),
        (S.RETIRED, None, False),
        (S.RETIRED, STALE_AFTER * 3, False),
    ],
)
def test_is_stale(state: S, age: timedelta | None, stale: bool) -> None:
    """A key in use is stale from stale_after since its update, or if never updated."""
    key = loaded(state)
    key.updated_at = None if age is None else NOW - age
    assert is_stale(key, NOW, STALE_AFTER) is stale


ALERT_AFTER = timedelta(minutes=30)


@pytest.mark.parametrize(
    ("state", "since_due", "level"),
    [
        (S.HANDED_OUT, -timedelta(hours=1), 0),
        (S.HANDED_OUT, -timedelta(microseconds=1), 0),
        (S.HANDED_OUT, timedelta(0), 1),
        (S.HANDED_OUT, ALERT_AFTER - timedelta(microseconds=1), 1),
        (S.HANDED_OUT, ALERT_AFTER, 2),
        (S.HANDED_OUT, timedelta(days=2), 2),
        (S.IN_CABINET, timedelta(days=2), 0),
        (S.LOST, timedelta(days=2), 0),
        (S.FOUND, timedelta(days=2), 0),
        (S.RETIRED, timedelta(days=2), 0),
    ],
)
def test_overdue_level_due(state: S, since_due: timedelta, level: int) -> None:
    """Level 1 from exactly the due time, 2 from exactly alert_after later; only handed out."""
    key = loaded(state)
    key.due_at = DUE
    assert overdue_level_due(key, DUE + since_due, ALERT_AFTER) == level


def test_a_handed_out_key_without_a_due_time_is_never_overdue() -> None:
    """No due time, no overdue level."""
    key = loaded(S.HANDED_OUT)
    key.due_at = None
    assert overdue_level_due(key, NOW, ALERT_AFTER) == 0


RANKS: dict[Role, int] = {
    Role.SUBSTITUTE: 0,
    Role.NIGHT_GUARD: 0,
    Role.STUDENT: 1,
    Role.CAREGIVER: 1,
    Role.KEY_PERSON: 2,
    Role.PLANNER: 2,
    Role.LEADER: 3,
    Role.VISITATION: 3,
    Role.LOCK_PARTNER: 3,
}


@pytest.mark.parametrize(("role", "rank"), list(RANKS.items()))
def test_holder_rank(role: Role, rank: int) -> None:
    """Each role's place in the hand-out list."""
    assert holder_rank(role) == rank


def test_every_role_has_a_rank_and_substitutes_and_night_guards_come_first() -> None:
    """Every Role is ranked, and substitutes and night guards before anyone else."""
    assert set(RANKS) == set(Role)
    ranks = {role: holder_rank(role) for role in Role}
    first = {Role.SUBSTITUTE, Role.NIGHT_GUARD}
    assert all(ranks[role] < ranks[other] for role in first for other in set(Role) - first)
    in_order = sorted(Role, key=holder_rank)
    assert set(in_order[:2]) == first
