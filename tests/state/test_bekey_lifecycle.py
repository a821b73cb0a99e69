"""The citizen's Bekey lifecycle machine: every (state, trigger) pair, the door and unit
arguments, what staff at the door go by, the shared-machine pattern and the diagram."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from transitions import Machine

from state import bekey_lifecycle as lifecycle_module
from state.bekey_lifecycle import (
    GONE,
    IN_USE,
    INSTALLING,
    LIFECYCLE,
    LIFECYCLE_MACHINE,
    CitizenBekey,
    LifecycleState,
    LifecycleTrigger,
    allowed_triggers,
    fire,
    status_of,
)
from state.citizens import CitizenStatus
from tests.state.machines import diagram, machine_steps

S = LifecycleState
T = LifecycleTrigger

UNIT = "Nord"
DOOR = "bagdøren"
NEW_DOOR = "hoveddøren"
NEW_UNIT = "Syd"

ARGUMENTS: dict[T, dict[str, object]] = {
    T.INSTALL: {"door": DOOR},
    T.CHANGE_DOOR: {"door": NEW_DOOR},
    T.MOVE: {"unit": NEW_UNIT},
}

NOT_GONE = (
    S.REQUESTED,
    S.NOTIFIED,
    S.ORDERED,
    S.INSTALLED,
    S.ACTIVE,
    S.REMOVAL_REQUESTED,
    S.REMOVAL_ORDERED,
)
"""The states a citizen can be moved from (every state but removed, closed and cancelled)."""

# Every allowed step; any pair not here is a refusal.
EXPECTED: dict[tuple[S, T], S] = {
    (S.CLOSED, T.REQUEST): S.REQUESTED,
    (S.CANCELLED, T.REQUEST): S.REQUESTED,
    (S.REQUESTED, T.NOTIFY): S.NOTIFIED,
    (S.REQUESTED, T.ORDER): S.ORDERED,
    (S.NOTIFIED, T.ORDER): S.ORDERED,
    (S.ORDERED, T.INSTALL): S.INSTALLED,
    (S.INSTALLED, T.OPEN_IN_NETKEY): S.ACTIVE,
    (S.REQUESTED, T.CANCEL): S.CANCELLED,
    (S.NOTIFIED, T.CANCEL): S.CANCELLED,
    (S.ORDERED, T.CANCEL): S.CANCELLED,
    (S.ACTIVE, T.REQUEST_REMOVAL): S.REMOVAL_REQUESTED,
    (S.ACTIVE, T.ORDER_REMOVAL): S.REMOVAL_ORDERED,
    (S.REMOVAL_REQUESTED, T.ORDER_REMOVAL): S.REMOVAL_ORDERED,
    (S.REMOVAL_ORDERED, T.REMOVE): S.REMOVED,
    (S.REMOVED, T.CLOSE_IN_NETKEY): S.CLOSED,
    (S.ACTIVE, T.CHANGE_DOOR): S.ACTIVE,
    **{(state, T.MOVE): state for state in NOT_GONE},
}

CHANGES: dict[T, dict[str, str]] = {
    T.INSTALL: {"door": DOOR},
    T.CHANGE_DOOR: {"door": NEW_DOOR},
    T.MOVE: {"unit": NEW_UNIT},
}
"""The fields a step changes besides state and version, by trigger."""

STATUS: dict[S, CitizenStatus] = {
    S.REQUESTED: CitizenStatus.PENDING,
    S.NOTIFIED: CitizenStatus.PENDING,
    S.ORDERED: CitizenStatus.PENDING,
    S.INSTALLED: CitizenStatus.PENDING,
    S.ACTIVE: CitizenStatus.ACTIVE,
    S.REMOVAL_REQUESTED: CitizenStatus.ACTIVE,
    S.REMOVAL_ORDERED: CitizenStatus.ACTIVE,
    S.REMOVED: CitizenStatus.REMOVED,
    S.CLOSED: CitizenStatus.REMOVED,
    S.CANCELLED: CitizenStatus.REMOVED,
}

WITH_A_DOOR = frozenset(
    {S.INSTALLED, S.ACTIVE, S.REMOVAL_REQUESTED, S.REMOVAL_ORDERED, S.REMOVED, S.CLOSED}
)
"""The states whose citizen had a lock unit on a door."""


def loaded(state: S) -> CitizenBekey:
    """Build a citizen's Bekey as the storage would load it, standing in the given state."""
    bekey = CitizenBekey(citizen_id=17, state=state.value, unit=UNIT, version=4)
    if state in WITH_A_DOOR:
        bekey.door = "kælderdøren"
    return bekey


def snapshot(bekey: CitizenBekey) -> tuple[dict[str, Any], set[str]]:
    """Capture the citizen's Bekey data and its attribute names."""
    return dataclasses.asdict(bekey), set(vars(bekey))


def field_names() -> set[str]:
    """Name the dataclass fields of CitizenBekey."""
    return {f.name for f in dataclasses.fields(CitizenBekey)}


@pytest.mark.parametrize(("state", "trigger"), list(itertools.product(S, T)))
def test_every_state_and_trigger(state: S, trigger: T) -> None:
    """Each pair either takes the step in the table or is a refusal that changes nothing."""
    bekey = loaded(state)
    before = snapshot(bekey)
    expected = EXPECTED.get((state, trigger))

    stepped = fire(bekey, trigger, **ARGUMENTS.get(trigger, {}))

    if expected is None:
        assert stepped is False
        assert snapshot(bekey) == before
        assert bekey.version == 4
    else:
        assert stepped is True
        assert dataclasses.asdict(bekey) == {
            **before[0],
            **CHANGES.get(trigger, {}),
            "state": expected,
            "version": 5,
        }
    assert LIFECYCLE_MACHINE.models == []
    assert set(vars(bekey)) == field_names()


@pytest.mark.parametrize("state", list(S))
def test_allowed_triggers_match_the_table(state: S) -> None:
    """The triggers the machine offers from a state are the table's."""
    allowed = {trigger for (source, trigger) in EXPECTED if source == state}
    assert set(allowed_triggers(state)) == allowed


def test_every_state_has_a_way_on() -> None:
    """No state is final: a closed or cancelled citizen can be requested again."""
    assert all(allowed_triggers(state) for state in S)
    assert not any(LIFECYCLE_MACHINE.get_state(state.value).final for state in S)


@pytest.mark.parametrize(("state", "status"), list(STATUS.items()))
def test_status_of(state: S, status: CitizenStatus) -> None:
    """Pending on the way in, active while the lock works, removed once it is gone."""
    assert status_of(state) is status


def test_status_of_covers_every_state() -> None:
    """The status table names every state, and every status is someone's."""
    assert set(STATUS) == set(S)
    assert set(STATUS.values()) == set(CitizenStatus)


def test_installing_in_use_and_gone_partition_the_states() -> None:
    """Every state is in exactly one of INSTALLING, IN_USE and GONE."""
    groups = (INSTALLING, IN_USE, GONE)
    assert set(S) == INSTALLING | IN_USE | GONE
    assert sum(len(group) for group in groups) == len(S)
    for first, second in itertools.combinations(groups, 2):
        assert not first & second


def test_the_groups_match_the_statuses() -> None:
    """INSTALLING is pending, IN_USE active and GONE removed."""
    for group, status in (
        (INSTALLING, CitizenStatus.PENDING),
        (IN_USE, CitizenStatus.ACTIVE),
        (GONE, CitizenStatus.REMOVED),
    ):
        assert {state for state in S if STATUS[state] is status} == group


def test_only_a_gone_citizen_cannot_move() -> None:
    """move is allowed from every state but removed, closed and cancelled."""
    assert {source for (source, t) in EXPECTED if t is T.MOVE} == set(S) - GONE


def test_cancel_only_before_the_installation() -> None:
    """Visitation may cancel a request until the lock unit is on the door."""
    assert {source for (source, t) in EXPECTED if t is T.CANCEL} == INSTALLING - {S.INSTALLED}


def test_the_full_install_and_removal_path() -> None:
    """Requested to closed in nine steps, then requested again."""
    bekey = loaded(S.REQUESTED)
    steps: list[tuple[T, dict[str, object]]] = [
        (T.NOTIFY, {}),
        (T.ORDER, {}),
        (T.INSTALL, {"door": DOOR}),
        (T.OPEN_IN_NETKEY, {}),
        (T.CHANGE_DOOR, {"door": NEW_DOOR}),
        (T.REQUEST_REMOVAL, {}),
        (T.ORDER_REMOVAL, {}),
        (T.REMOVE, {}),
        (T.CLOSE_IN_NETKEY, {}),
        (T.REQUEST, {}),
    ]
    for trigger, arguments in steps:
        assert fire(bekey, trigger, **arguments), trigger
    assert (bekey.state, bekey.door, bekey.unit, bekey.version) == (
        S.REQUESTED,
        NEW_DOOR,
        UNIT,
        14,
    )


@pytest.mark.parametrize(
    ("door", "recorded"),
    [(DOOR, DOOR), ("  bagdøren \n", DOOR), ("\tHoveddør, 1. sal ", "Hoveddør, 1. sal")],
)
def test_install_records_the_door_stripped(door: str, recorded: str) -> None:
    """install writes the door, without its surrounding blanks."""
    bekey = loaded(S.ORDERED)
    assert fire(bekey, T.INSTALL, door=door)
    assert (bekey.state, bekey.door) == (S.INSTALLED, recorded)


@pytest.mark.parametrize(
    ("door", "recorded"), [(NEW_DOOR, NEW_DOOR), (" gavldøren  ", "gavldøren")]
)
def test_change_door_records_the_new_door_stripped(door: str, recorded: str) -> None:
    """change_door replaces the door and keeps the citizen active."""
    bekey = loaded(S.ACTIVE)
    assert fire(bekey, T.CHANGE_DOOR, door=door)
    assert (bekey.state, bekey.door, bekey.version) == (S.ACTIVE, recorded, 5)


@pytest.mark.parametrize("state", NOT_GONE)
@pytest.mark.parametrize(("unit", "recorded"), [(NEW_UNIT, NEW_UNIT), ("  Syd\t", NEW_UNIT)])
def test_move_records_the_unit_stripped(state: S, unit: str, recorded: str) -> None:
    """move writes the new unit and keeps the state and the door."""
    bekey = loaded(state)
    door = bekey.door
    assert fire(bekey, T.MOVE, unit=unit)
    assert (bekey.state, bekey.unit, bekey.door, bekey.version) == (state, recorded, door, 5)


@pytest.mark.parametrize(("state", "trigger"), [(S.ORDERED, T.INSTALL), (S.ACTIVE, T.CHANGE_DOOR)])
@pytest.mark.parametrize("door", ["", " ", "\t\n", "   \u3000"])
def test_a_blank_door_is_a_refusal(state: S, trigger: T, door: str) -> None:
    """install and change_door need a door that is not blank."""
    bekey = loaded(state)
    before = snapshot(bekey)
    assert fire(bekey, trigger, door=door) is False
    assert snapshot(bekey) == before
    assert LIFECYCLE_MACHINE.models == []


@pytest.mark.parametrize("state", NOT_GONE)
@pytest.mark.parametrize("unit", ["", " ", "\t", UNIT, f"  {UNIT} ", f"{UNIT}\n"])
def test_a_blank_or_same_unit_is_a_refusal(state: S, unit: str) -> None:
    """move needs a unit that is not blank and not the citizen's unit (blanks aside)."""
    bekey = loaded(state)
    before = snapshot(bekey)
    assert fire(bekey, T.MOVE, unit=unit) is False
    assert snapshot(bekey) == before
    assert LIFECYCLE_MACHINE.models == []


@pytest.mark.parametrize(
    ("state", "trigger", "arguments"),
    [
        (S.ORDERED, T.INSTALL, {}),
        (S.ORDERED, T.INSTALL, {"door": None}),
        (S.ORDERED, T.INSTALL, {"door": 3}),
        (S.ORDERED, T.INSTALL, {"door": True}),
        (S.ORDERED, T.INSTALL, {"door": b"bagdoeren"}),
        (S.ORDERED, T.INSTALL, {"door": DOOR, "unit": NEW_UNIT}),
        (S.ORDERED, T.INSTALL, {"unit": NEW_UNIT}),
        (S.ACTIVE, T.CHANGE_DOOR, {}),
        (S.ACTIVE, T.CHANGE_DOOR, {"door": ["bagdøren"]}),
        (S.ACTIVE, T.MOVE, {}),
        (S.ACTIVE, T.MOVE, {"unit": None}),
        (S.ACTIVE, T.MOVE, {"unit": 2}),
        (S.ACTIVE, T.MOVE, {"unit": False}),
        (S.ACTIVE, T.MOVE, {"door": NEW_UNIT}),
        (S.ACTIVE, T.MOVE, {"unit": NEW_UNIT, "by": "visitation-1"}),
        (S.REQUESTED, T.NOTIFY, {"by": "visitation-1"}),
        (S.REQUESTED, T.ORDER, {"door": DOOR}),
        (S.INSTALLED, T.OPEN_IN_NETKEY, {"door": DOOR}),
        (S.CLOSED, T.REQUEST, {"unit": NEW_UNIT}),
        (S.REMOVAL_ORDERED, T.REMOVE, {"door": DOOR}),
    ],
)
def test_a_wrong_argument_is_a_programming_error(
    state: S, trigger: T, arguments: dict[str, object]
) -> None:
    """A missing, extra or mistyped argument raises TypeError and leaves the citizen unchanged."""
    bekey = loaded(state)
    before = snapshot(bekey)
    with pytest.raises(TypeError):
        fire(bekey, trigger, **arguments)
    assert snapshot(bekey) == before
    assert LIFECYCLE_MACHINE.models == []


def test_a_refused_trigger_checks_no_arguments() -> None:
    """A trigger the state does not allow is a refusal, whatever its arguments."""
    bekey = loaded(S.REQUESTED)
    before = snapshot(bekey)
    assert fire(bekey, T.INSTALL, door=3) is False
    assert snapshot(bekey) == before


def test_the_machine_knows_every_trigger_and_state_and_no_other() -> None:
    """The machine's events and states are exactly the trigger and state values."""
    assert set(LIFECYCLE_MACHINE.events) == set(T)
    assert set(LIFECYCLE_MACHINE.states) == set(S)
    assert LIFECYCLE_MACHINE.initial == S.REQUESTED


def test_the_diagram_draws_every_step_but_move() -> None:
    """bekey_lifecycle.md draws only real steps, every one but move, and starts at requested."""
    steps, initial, finals = diagram("bekey_lifecycle.md")
    known = machine_steps(LIFECYCLE_MACHINE)
    assert steps <= known
    assert steps == {step for step in known if step[1] != T.MOVE}
    assert steps == {
        (source, trigger, dest) for (source, trigger), dest in EXPECTED.items() if trigger != T.MOVE
    }
    assert initial == {LIFECYCLE_MACHINE.initial}
    assert finals == set()


def test_the_machine_knows_the_table_and_no_other_step() -> None:
    """The machine's steps are exactly the EXPECTED table's."""
    assert machine_steps(LIFECYCLE_MACHINE) == {
        (source, trigger, dest) for (source, trigger), dest in EXPECTED.items()
    }


def test_the_shared_machine_is_never_created_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stepping many citizens uses the one machine and builds no other."""
    machine = lifecycle_module.LIFECYCLE_MACHINE

    def refuse_to_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a machine was built")

    monkeypatch.setattr(Machine, "__init__", refuse_to_build)
    for number in range(50):
        bekey = CitizenBekey(citizen_id=number, state="requested", unit=UNIT)
        assert fire(bekey, T.ORDER)
        assert fire(bekey, T.INSTALL, door=DOOR)
        assert fire(bekey, T.OPEN_IN_NETKEY)
    assert lifecycle_module.LIFECYCLE_MACHINE is machine
    assert machine.models == []


def test_a_loaded_model_keeps_its_stored_state() -> None:
    """Attaching a citizen keeps the state they were stored in, not the machine's initial one."""
    bekey = loaded(S.REMOVED)
    with LIFECYCLE.attached(bekey):
        assert bekey.state == S.REMOVED
        assert LIFECYCLE_MACHINE.models == [bekey]
    assert fire(bekey, T.CLOSE_IN_NETKEY)
    assert bekey.state == S.CLOSED


def test_two_models_sharing_the_machine_do_not_affect_each_other() -> None:
    """Stepping one citizen leaves another attached citizen as they were."""
    first = loaded(S.ACTIVE)
    second = loaded(S.ACTIVE)
    second_before = snapshot(second)
    with LIFECYCLE.attached(second):
        assert fire(first, T.CHANGE_DOOR, door=NEW_DOOR)
        assert fire(first, T.MOVE, unit=NEW_UNIT)
        assert fire(first, T.REQUEST_REMOVAL)
        assert LIFECYCLE_MACHINE.models == [second]
    assert (first.state, first.door, first.unit) == (S.REMOVAL_REQUESTED, NEW_DOOR, NEW_UNIT)
    assert snapshot(second) == second_before


def test_attached_detaches_when_the_block_raises() -> None:
    """An exception inside attached still detaches the citizen and unbinds the machine's names."""
    bekey = loaded(S.INSTALLED)
    with pytest.raises(RuntimeError), LIFECYCLE.attached(bekey):
        raise RuntimeError
    assert LIFECYCLE_MACHINE.models == []
    assert set(vars(bekey)) == field_names()


def test_an_unknown_stored_state_is_refused() -> None:
    """A state the machine does not know allows nothing and cannot be attached."""
    bekey = CitizenBekey(citizen_id=1, state="pending", unit=UNIT)
    assert allowed_triggers("pending") == []
    assert fire(bekey, T.CANCEL) is False
    with (
        pytest.raises(ValueError, match="unknown bekey_lifecycle state"),
        LIFECYCLE.attached(bekey),
    ):
        pass
