"""The fault triage machine: every (state, trigger) pair, and the shared-machine pattern."""

from __future__ import annotations

import dataclasses
import itertools
import logging
from typing import Any, TypedDict

import pytest
from transitions import Machine

from state import triage as triage_module
from state.triage import (
    CHECK_STEPS,
    FINAL_STATES,
    TRIAGE,
    TRIAGE_MACHINE,
    Triage,
    TriageCategory,
    TriageState,
    TriageTrigger,
    allowed_triggers,
    fire,
    new_triage,
)

S = TriageState
T = TriageTrigger

ARGUMENTS: dict[T, dict[str, object]] = {
    T.CHOOSE_CITIZEN: {"citizen_id": 7},
    T.NAME_CITIZEN: {"text": "Hr. Mogensen, Bygaden 4"},
    T.DESCRIBE: {"text": "Døren går ikke op"},
}

_ONGOING = [state for state in S if state not in FINAL_STATES]

# Every allowed step from a realistic model (see `loaded`); any pair not here is a refusal.
EXPECTED: dict[tuple[S, T], S] = {
    (S.CHOOSING_CITIZEN, T.CHOOSE_CITIZEN): S.CHECKING_PHONE,
    (S.CHOOSING_CITIZEN, T.NAME_CITIZEN): S.CHECKING_PHONE,
    (S.CHECKING_PHONE, T.ANSWER_YES): S.CHECKING_LOGIN,
    (S.CHECKING_PHONE, T.ANSWER_NO): S.DESCRIBING,
    (S.CHECKING_PHONE, T.NETWORK_DOWN): S.NETWORK_DOWN,
    (S.CHECKING_PHONE, T.WORKS_NOW): S.SOLVED_BY_CAREGIVER,
    (S.CHECKING_PHONE, T.BACK): S.CHOOSING_CITIZEN,
    (S.CHECKING_LOGIN, T.ANSWER_YES): S.CHECKING_LOCK,
    (S.CHECKING_LOGIN, T.ANSWER_NO): S.DESCRIBING,
    (S.CHECKING_LOGIN, T.WORKS_NOW): S.SOLVED_BY_CAREGIVER,
    (S.CHECKING_LOGIN, T.BACK): S.CHECKING_PHONE,
    (S.CHECKING_LOCK, T.ANSWER_YES): S.DESCRIBING,
    (S.CHECKING_LOCK, T.ANSWER_NO): S.DESCRIBING,
    (S.CHECKING_LOCK, T.WORKS_NOW): S.SOLVED_BY_CAREGIVER,
    (S.CHECKING_LOCK, T.BACK): S.CHECKING_LOGIN,
    (S.DESCRIBING, T.DESCRIBE): S.CONFIRMING,
    (S.DESCRIBING, T.SEND_WITHOUT_DESCRIPTION): S.SUBMITTED,
    (S.DESCRIBING, T.BACK): S.CHECKING_LOCK,  # the loaded model's category is door
    (S.CONFIRMING, T.CONFIRM): S.SUBMITTED,
    (S.CONFIRMING, T.BACK): S.DESCRIBING,
    **{(state, T.CANCEL): S.CANCELLED for state in _ONGOING},
    **{(state, T.EXPIRE): S.EXPIRED for state in _ONGOING},
}


class _Carried(TypedDict, total=False):
    """What a triage carries at one step; a step leaves out what it has not found yet."""

    citizen_id: int
    category: TriageCategory
    answers: dict[str, str]


# The data a triage carries when it stands in each state after a door fault.
_PATH: dict[S, _Carried] = {
    S.CHOOSING_CITIZEN: {},
    S.CHECKING_PHONE: {"citizen_id": 7},
    S.CHECKING_LOGIN: {"citizen_id": 7, "answers": {"checking_phone": "yes"}},
    S.CHECKING_LOCK: {
        "citizen_id": 7,
        "answers": {"checking_phone": "yes", "checking_login": "yes"},
    },
    S.DESCRIBING: {
        "citizen_id": 7,
        "category": TriageCategory.DOOR,
        "answers": {"checking_phone": "yes", "checking_login": "yes", "checking_lock": "no"},
    },
}


def loaded(state: S) -> Triage:
    """Build a triage as the storage would load it, standing in the given state."""
    data = _PATH.get(state, _PATH[S.DESCRIBING])
    triage = Triage(
        id=11,
        user_id="u-1234",
        state=state.value,
        citizen_id=data.get("citizen_id"),
        category=data.get("category"),
        answers=dict(data.get("answers", {})),
        version=3,
    )
    if state not in (*_PATH, S.NETWORK_DOWN, S.SOLVED_BY_CAREGIVER):
        triage.description = "Døren går ikke op"
    return triage


def snapshot(triage: Triage) -> tuple[dict[str, Any], set[str]]:
    """Capture the triage's data and its attribute names."""
    return dataclasses.asdict(triage), set(vars(triage))


def field_names() -> set[str]:
    """Name the dataclass fields of Triage."""
    return {f.name for f in dataclasses.fields(Triage)}


@pytest.mark.parametrize(("state", "trigger"), list(itertools.product(S, T)))
def test_every_state_and_trigger(state: S, trigger: T) -> None:
    triage = loaded(state)
    before = snapshot(triage)
    expected = EXPECTED.get((state, trigger))

    stepped = fire(triage, trigger, **ARGUMENTS.get(trigger, {}))

    if expected is None:
        assert stepped is False
        assert snapshot(triage) == before
    else:
        assert stepped is True
        assert triage.state == expected
        assert triage.version == 4
    assert TRIAGE_MACHINE.models == []
    assert set(vars(triage)) == field_names()


@pytest.mark.parametrize("state", list(S))
def test_allowed_triggers_match_the_table(state: S) -> None:
    allowed = {trigger for (source, trigger) in EXPECTED if source == state}
    assert set(allowed_triggers(state)) == allowed


def test_allowed_triggers_of_an_unknown_state_are_none() -> None:
    assert allowed_triggers("flying") == []


def test_the_full_door_path_records_each_answer() -> None:
    triage = new_triage("u-1234")
    assert fire(triage, T.CHOOSE_CITIZEN, citizen_id=42)
    assert fire(triage, T.ANSWER_YES)
    assert fire(triage, T.ANSWER_YES)
    assert fire(triage, T.ANSWER_YES)
    assert fire(triage, T.DESCRIBE, text="Låsen blinker rødt")
    assert fire(triage, T.CONFIRM)
    assert triage.state == S.SUBMITTED
    assert triage.citizen_id == 42
    assert triage.category == TriageCategory.DOOR
    assert triage.answers == {
        "checking_phone": "yes",
        "checking_login": "yes",
        "checking_lock": "yes",
    }
    assert triage.description == "Låsen blinker rødt"
    assert triage.version == 6


@pytest.mark.parametrize(
    ("step", "category"),
    [
        (S.CHECKING_PHONE, TriageCategory.PHONE),
        (S.CHECKING_LOGIN, TriageCategory.LOGIN),
        (S.CHECKING_LOCK, TriageCategory.DOOR),
    ],
)
def test_answer_no_decides_the_category(step: S, category: TriageCategory) -> None:
    triage = loaded(step)
    assert fire(triage, T.ANSWER_NO)
    assert triage.state == S.DESCRIBING
    assert triage.category == category
    assert triage.answers[step] == "no"


@pytest.mark.parametrize(
    ("step", "category", "answers_before"),
    [
        (S.CHECKING_PHONE, TriageCategory.PHONE, {}),
        (S.CHECKING_LOGIN, TriageCategory.LOGIN, {"checking_phone": "yes"}),
        (
            S.CHECKING_LOCK,
            TriageCategory.DOOR,
            {"checking_phone": "yes", "checking_login": "yes"},
        ),
    ],
)
def test_back_from_describing_returns_to_the_deciding_step(
    step: S, category: TriageCategory, answers_before: dict[str, str]
) -> None:
    triage = loaded(step)
    assert fire(triage, T.ANSWER_NO)
    assert fire(triage, T.BACK)
    assert triage.state == step
    assert triage.category is None
    assert triage.answers == answers_before


def test_back_from_describing_without_a_category_is_refused() -> None:
    triage = loaded(S.DESCRIBING)
    triage.category = None
    before = snapshot(triage)
    assert fire(triage, T.BACK) is False
    assert snapshot(triage) == before


def test_back_through_every_step_leaves_only_the_path_taken() -> None:
    triage = loaded(S.CONFIRMING)
    assert fire(triage, T.BACK)
    assert triage.description is None
    expected_answers = [
        {"checking_phone": "yes", "checking_login": "yes"},
        {"checking_phone": "yes"},
        {},
        {},
    ]
    for answers in expected_answers:
        assert fire(triage, T.BACK)
        assert triage.answers == answers
    assert triage.state == S.CHOOSING_CITIZEN
    assert triage.citizen_id is None
    assert fire(triage, T.BACK) is False


def test_a_description_with_a_cpr_number_is_refused_and_not_stored() -> None:
    triage = loaded(S.DESCRIBING)
    before = snapshot(triage)
    assert fire(triage, T.DESCRIBE, text="Borgeren 010190-1234 kan ikke åbne") is False
    assert snapshot(triage) == before


@pytest.mark.parametrize("step", CHECK_STEPS)
def test_works_now_ends_the_triage_without_a_category(step: S) -> None:
    triage = loaded(step)
    assert fire(triage, T.WORKS_NOW)
    assert triage.state == S.SOLVED_BY_CAREGIVER
    assert triage.category is None


def test_network_down_goes_to_the_emergency_card() -> None:
    triage = loaded(S.CHECKING_PHONE)
    assert fire(triage, T.NETWORK_DOWN)
    assert triage.state == S.NETWORK_DOWN
    assert triage.state in FINAL_STATES


def test_the_machine_knows_every_trigger_and_no_other() -> None:
    # A trigger is a TriageTrigger, so an unknown one cannot be fired: the two must agree.
    assert set(TRIAGE_MACHINE.events) == set(T)


def test_a_missing_argument_is_a_programming_error() -> None:
    triage = loaded(S.CHOOSING_CITIZEN)
    with pytest.raises(TypeError):
        fire(triage, T.CHOOSE_CITIZEN)
    with pytest.raises(TypeError):
        fire(triage, T.CHOOSE_CITIZEN, citizen_id="7")
    with pytest.raises(TypeError):
        fire(loaded(S.CHECKING_PHONE), T.ANSWER_YES, citizen_id=7)
    assert triage.state == S.CHOOSING_CITIZEN
    assert TRIAGE_MACHINE.models == []


def test_a_refused_trigger_is_refused_before_its_arguments_are_read() -> None:
    assert fire(loaded(S.SUBMITTED), T.CHOOSE_CITIZEN) is False


def test_the_shared_machine_is_never_created_again(monkeypatch: pytest.MonkeyPatch) -> None:
    machine = triage_module.TRIAGE_MACHINE

    def refuse_to_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("a machine was built")

    monkeypatch.setattr(Machine, "__init__", refuse_to_build)
    for number in range(50):
        triage = new_triage(f"u-{number}")
        assert fire(triage, T.CHOOSE_CITIZEN, citizen_id=number)
        assert fire(triage, T.ANSWER_NO)
    assert triage_module.TRIAGE_MACHINE is machine
    assert machine.models == []


def test_a_loaded_model_keeps_its_stored_state() -> None:
    triage = loaded(S.CHECKING_LOCK)
    with TRIAGE.attached(triage) as model:
        assert model is triage
        assert triage.state == S.CHECKING_LOCK
        assert TRIAGE_MACHINE.models == [triage]
    assert fire(triage, T.ANSWER_NO)
    assert triage.state == S.DESCRIBING
    assert triage.category == TriageCategory.DOOR
    assert triage.answers == {
        "checking_phone": "yes",
        "checking_login": "yes",
        "checking_lock": "no",
    }


def test_two_models_sharing_the_machine_do_not_affect_each_other() -> None:
    first = loaded(S.CHECKING_PHONE)
    second = loaded(S.CHECKING_LOCK)
    second_before = snapshot(second)
    with TRIAGE.attached(second):
        assert fire(first, T.ANSWER_NO)
        assert TRIAGE_MACHINE.models == [second]
    assert first.state == S.DESCRIBING
    assert first.category == TriageCategory.PHONE
    assert snapshot(second) == second_before


def test_equal_models_are_still_two_models() -> None:
    first = new_triage("u-1")
    second = new_triage("u-1")
    with TRIAGE.attached(first), TRIAGE.attached(second):
        assert TRIAGE_MACHINE.models == [first, second]
    assert TRIAGE_MACHINE.models == []


def test_attached_detaches_when_the_block_raises() -> None:
    triage = loaded(S.CHECKING_LOGIN)
    with pytest.raises(RuntimeError), TRIAGE.attached(triage):
        raise RuntimeError
    assert TRIAGE_MACHINE.models == []
    assert set(vars(triage)) == field_names()


def test_nested_attached_detaches_once() -> None:
    triage = loaded(S.CHECKING_LOGIN)
    with TRIAGE.attached(triage):
        assert fire(triage, T.ANSWER_YES)
        assert TRIAGE_MACHINE.models == [triage]
    assert TRIAGE_MACHINE.models == []


def test_an_unknown_stored_state_is_refused() -> None:
    triage = Triage(id=1, user_id="u-1", state="flying")
    assert fire(triage, T.CANCEL) is False
    with pytest.raises(ValueError, match="unknown triage state"), TRIAGE.attached(triage):
        pass
    assert set(vars(triage)) == field_names()


def test_attaching_again_binds_without_warnings(caplog: pytest.LogCaptureFixture) -> None:
    triage = loaded(S.CHECKING_PHONE)
    with caplog.at_level(logging.WARNING):
        assert fire(triage, T.ANSWER_YES)
        assert fire(triage, T.ANSWER_YES)
        assert fire(triage, T.BACK)
    assert caplog.records == []


def test_no_machine_binding_shadows_a_field() -> None:
    with TRIAGE.attached(new_triage("u-1")) as triage:
        bound = set(vars(triage)) - field_names()
    assert bound
    assert not bound & field_names()


def test_a_state_given_as_enum_member_works_and_is_stored_as_plain_text() -> None:
    triage = Triage(id=None, user_id="u-1", state=S.CHECKING_PHONE, citizen_id=7)
    assert T.ANSWER_YES in allowed_triggers(S.CHECKING_PHONE)
    assert fire(triage, T.ANSWER_YES)
    assert type(triage.state) is str
    assert triage.state == "checking_login"


def test_a_citizen_not_in_the_register_is_named_as_typed_and_forgotten_on_back() -> None:
    triage = new_triage("u-1234")
    assert fire(triage, T.NAME_CITIZEN, text="  Hr.  Mogensen, Bygaden 4 ")
    assert (triage.citizen_id, triage.citizen_text) == (None, "Hr. Mogensen, Bygaden 4")
    assert fire(triage, T.BACK)
    assert triage.state == S.CHOOSING_CITIZEN
    assert triage.citizen_text is None


@pytest.mark.parametrize("text", ["", "   ", "010190-1234"])
def test_a_typed_citizen_must_be_given_and_free_of_cpr(text: str) -> None:
    triage = new_triage("u-1234")
    before = snapshot(triage)
    assert fire(triage, T.NAME_CITIZEN, text=text) is False
    assert snapshot(triage) == before


def test_sending_without_a_description_submits_at_once_and_stores_none() -> None:
    triage = loaded(S.DESCRIBING)
    triage.description = "left from before"
    assert fire(triage, T.SEND_WITHOUT_DESCRIPTION)
    assert triage.state == S.SUBMITTED
    assert triage.description is None
