"""The fault triage: a caregiver's one-tap path from "the door will not open" to a report.

- ``TriageState``, ``TriageCategory``, ``Answer``: where a triage stands, the kind of
  fault it found, and the answers to the checks.
- ``CHECK_STEPS``, ``FINAL_STATES``: the three checks in order, and the states a triage
  ends in.
- ``Triage``: the model, one per triage; a plain dataclass that the storage loads and saves.
- ``TRIAGE_MACHINE``: the one ``transitions.Machine`` shared by every triage.
- ``TriageTrigger``: what a caregiver (or the clock) can do to a triage.
- ``fire``, ``allowed_triggers``: how callers step a triage.

The checks are the seed's "Reporting a fault": before reporting, the employee finds out
whether the fault is in the phone, in Bekey (the app, the login) or in the door (the lock
unit); a network that is down goes to the emergency card instead. The diagram is in
``triage.md``.

Callers load a triage at its stored state, ``fire`` one trigger, then do their I/O and
persist (the storage checks ``version`` against double taps). Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, cast

from transitions import EventData

from state.cpr import contains_cpr
from state.workflow import Callback, Condition, Workflow, shared_machine, transition


class TriageState(StrEnum):
    """Where a triage stands."""

    CHOOSING_CITIZEN = "choosing_citizen"
    CHECKING_PHONE = "checking_phone"
    CHECKING_LOGIN = "checking_login"
    CHECKING_LOCK = "checking_lock"
    DESCRIBING = "describing"
    CONFIRMING = "confirming"
    SUBMITTED = "submitted"
    SOLVED_BY_CAREGIVER = "solved_by_caregiver"
    NETWORK_DOWN = "network_down"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class TriageCategory(StrEnum):
    """Where the fault lies; decides who is contacted (see state.routing)."""

    PHONE = "phone"
    LOGIN = "login"
    DOOR = "door"
    EMERGENCY = "emergency"  # tickets from the emergency card, never set by the triage
    SMARTKEY = "smartkey"  # a lost Smartkey to have blocked at Bekey, never set by the triage


class TriageTrigger(StrEnum):
    """What a caregiver (or the clock) can do to a triage."""

    CHOOSE_CITIZEN = "choose_citizen"
    NAME_CITIZEN = "name_citizen"
    ANSWER_YES = "answer_yes"
    ANSWER_NO = "answer_no"
    NETWORK_DOWN = "network_down"
    WORKS_NOW = "works_now"
    DESCRIBE = "describe"
    SEND_WITHOUT_DESCRIPTION = "send_without_description"
    CONFIRM = "confirm"
    BACK = "back"
    CANCEL = "cancel"
    EXPIRE = "expire"


class Answer(StrEnum):
    """A caregiver's answer to one check."""

    YES = "yes"
    NO = "no"


CHECK_STEPS: Final = (
    TriageState.CHECKING_PHONE,
    TriageState.CHECKING_LOGIN,
    TriageState.CHECKING_LOCK,
)

FINAL_STATES: Final = frozenset(
    {
        TriageState.SUBMITTED,
        TriageState.SOLVED_BY_CAREGIVER,
        TriageState.NETWORK_DOWN,
        TriageState.CANCELLED,
        TriageState.EXPIRED,
    }
)

# The check at which each category is decided: where `back` from describing returns to.
_STEP_DECIDING: Final[Mapping[TriageCategory, TriageState]] = {
    TriageCategory.PHONE: TriageState.CHECKING_PHONE,
    TriageCategory.LOGIN: TriageState.CHECKING_LOGIN,
    TriageCategory.DOOR: TriageState.CHECKING_LOCK,
}

# Keyword arguments each trigger takes, with their types; the others take none.
_ARGUMENTS: Final[Mapping[TriageTrigger, Mapping[str, type]]] = {
    TriageTrigger.CHOOSE_CITIZEN: {"citizen_id": int},
    TriageTrigger.NAME_CITIZEN: {"text": str},
    TriageTrigger.DESCRIBE: {"text": str},
}


@dataclass(eq=False)
class Triage:
    """One caregiver's fault triage: the model the shared machine steps."""

    id: int | None
    user_id: str
    state: str
    citizen_id: int | None = None
    citizen_text: str | None = None  # typed by the caregiver: a citizen not in the register
    category: TriageCategory | None = None
    answers: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    version: int = 0


def new_triage(user_id: str) -> Triage:
    """Start an unsaved triage for the employee with this SmartCare user-id."""
    return Triage(id=None, user_id=user_id, state=TriageState.CHOOSING_CITIZEN.value)


# Callbacks and conditions. The machine sends EventData; conditions only read, callbacks
# only change the model in memory, and all of them run before the state changes.


def _triage(event: EventData) -> Triage:
    return cast(Triage, event.model)


def _store_citizen(event: EventData) -> None:
    _triage(event).citizen_id = event.kwargs["citizen_id"]


def _store_citizen_text(event: EventData) -> None:
    _triage(event).citizen_text = " ".join(event.kwargs["text"].split())


def _forget_citizen(event: EventData) -> None:
    triage = _triage(event)
    triage.citizen_id, triage.citizen_text = None, None


def _record(answer: Answer) -> Callback:
    def record(event: EventData) -> None:
        triage = _triage(event)
        triage.answers[triage.state] = answer.value

    return record


def _decide(category: TriageCategory) -> Callback:
    def decide(event: EventData) -> None:
        _triage(event).category = category

    return decide


def _forget_category(event: EventData) -> None:
    _triage(event).category = None


def _forget_answer(step: TriageState) -> Callback:
    def forget(event: EventData) -> None:
        _triage(event).answers.pop(step.value, None)

    return forget


def _store_description(event: EventData) -> None:
    _triage(event).description = event.kwargs["text"]


def _forget_description(event: EventData) -> None:
    _triage(event).description = None


def _category_is(category: TriageCategory) -> Condition:
    def category_is(event: EventData) -> bool:
        return _triage(event).category == category

    return category_is


def _text_is_given(event: EventData) -> bool:
    return bool(event.kwargs["text"].strip())


def _text_is_free_of_cpr(event: EventData) -> bool:
    # The caller guards already; this is the last line before the text is stored.
    return not contains_cpr(event.kwargs["text"])


_S = TriageState
_C = TriageCategory
_T = TriageTrigger
_ONGOING: Final = [state for state in TriageState if state not in FINAL_STATES]

_TRANSITIONS: Final = [
    transition(_T.CHOOSE_CITIZEN, _S.CHOOSING_CITIZEN, _S.CHECKING_PHONE, before=[_store_citizen]),
    # A citizen not in the register: what the caregiver typed, confirmed with one tap.
    transition(
        _T.NAME_CITIZEN,
        _S.CHOOSING_CITIZEN,
        _S.CHECKING_PHONE,
        conditions=[_text_is_given, _text_is_free_of_cpr],
        before=[_store_citizen_text],
    ),
    # The phone: network and Bluetooth.
    transition(_T.ANSWER_YES, _S.CHECKING_PHONE, _S.CHECKING_LOGIN, before=[_record(Answer.YES)]),
    transition(
        _T.ANSWER_NO,
        _S.CHECKING_PHONE,
        _S.DESCRIBING,
        before=[_record(Answer.NO), _decide(_C.PHONE)],
    ),
    # Bekey: open the app and log in.
    transition(_T.ANSWER_YES, _S.CHECKING_LOGIN, _S.CHECKING_LOCK, before=[_record(Answer.YES)]),
    transition(
        _T.ANSWER_NO,
        _S.CHECKING_LOGIN,
        _S.DESCRIBING,
        before=[_record(Answer.NO), _decide(_C.LOGIN)],
    ),
    # The door: the app finds the lock and the lock answers. Either way it is the lock
    # unit's matter (yes: they talk but the door still will not open).
    transition(
        _T.ANSWER_YES,
        _S.CHECKING_LOCK,
        _S.DESCRIBING,
        before=[_record(Answer.YES), _decide(_C.DOOR)],
    ),
    transition(
        _T.ANSWER_NO,
        _S.CHECKING_LOCK,
        _S.DESCRIBING,
        before=[_record(Answer.NO), _decide(_C.DOOR)],
    ),
    transition(_T.NETWORK_DOWN, _S.CHECKING_PHONE, _S.NETWORK_DOWN),
    transition(_T.WORKS_NOW, CHECK_STEPS, _S.SOLVED_BY_CAREGIVER),
    transition(
        _T.DESCRIBE,
        _S.DESCRIBING,
        _S.CONFIRMING,
        conditions=[_text_is_free_of_cpr],
        before=[_store_description],
    ),
    transition(_T.CONFIRM, _S.CONFIRMING, _S.SUBMITTED),
    # Nothing to add: send at once from the description step (one tap instead of two).
    transition(
        _T.SEND_WITHOUT_DESCRIPTION, _S.DESCRIBING, _S.SUBMITTED, before=[_forget_description]
    ),
    # Back: one step up the path, forgetting what was decided there.
    transition(_T.BACK, _S.CHECKING_PHONE, _S.CHOOSING_CITIZEN, before=[_forget_citizen]),
    transition(
        _T.BACK,
        _S.CHECKING_LOGIN,
        _S.CHECKING_PHONE,
        before=[_forget_answer(_S.CHECKING_PHONE)],
    ),
    transition(
        _T.BACK,
        _S.CHECKING_LOCK,
        _S.CHECKING_LOGIN,
        before=[_forget_answer(_S.CHECKING_LOGIN)],
    ),
    *(
        transition(
            _T.BACK,
            _S.DESCRIBING,
            step,
            conditions=[_category_is(category)],
            before=[_forget_category, _forget_answer(step)],
        )
        for category, step in _STEP_DECIDING.items()
    ),
    transition(_T.BACK, _S.CONFIRMING, _S.DESCRIBING, before=[_forget_description]),
    transition(_T.CANCEL, _ONGOING, _S.CANCELLED),
    transition(_T.EXPIRE, _ONGOING, _S.EXPIRED),
]

TRIAGE_MACHINE: Final = shared_machine(
    "triage", TriageState, FINAL_STATES, TriageState.CHOOSING_CITIZEN, _TRANSITIONS
)
TRIAGE: Final = Workflow[TriageTrigger](TRIAGE_MACHINE, _ARGUMENTS)


def allowed_triggers(state: str) -> list[TriageTrigger]:
    """List the triggers the machine knows from this state, in a stable order."""
    return [TriageTrigger(name) for name in TRIAGE.allowed_triggers(state)]


def fire(model: Triage, trigger: TriageTrigger, **kwargs: object) -> bool:
    """Step the triage by the trigger; False is a refusal and leaves it unchanged."""
    return TRIAGE.fire(model, trigger, **kwargs)
