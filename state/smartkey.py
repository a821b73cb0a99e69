"""A Smartkey's life: in the cabinet, handed out, back; lost and found; retired.

- ``SmartkeyState``, ``SmartkeyTrigger``: where a key stands, and what may happen to it.
- ``Smartkey``: the model, one per key; a plain dataclass that the storage loads and saves.
- ``SMARTKEY_MACHINE``: the one ``transitions.Machine`` shared by every key; ``fire``,
  ``allowed_triggers``: how callers step a key. The diagram is in ``smartkey.md``.
- ``is_stale``, ``overdue_level_due``, ``holder_rank``: the rules the views and the timers
  read (pure functions; the time is always passed in).

A Smartkey is the physical backup key kept in a unit's locked cabinet (DOMAIN.md,
"Smartkeys"): handed out at the start of a shift and back at its end, updated by the
planner once a week. Who may fire which trigger is decided by the caller (the role table
and the key's unit); the machine decides only what the key's state allows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, cast

from transitions import EventData

from state.roles import Role
from state.workflow import Workflow, shared_machine, transition


class SmartkeyState(StrEnum):
    """Where a Smartkey stands."""

    IN_CABINET = "in_cabinet"
    HANDED_OUT = "handed_out"
    LOST = "lost"
    """Blocked in the bot at once; a ticket asks the planners to have Bekey block it too."""
    FOUND = "found"
    """Back in hand, waiting for a planner to confirm that Bekey has re-enabled it."""
    RETIRED = "retired"


class SmartkeyTrigger(StrEnum):
    """What may happen to a Smartkey."""

    HAND_OUT = "hand_out"
    """A planner or key person hands it out to an employee."""
    TAKE = "take"
    """An employee records that they took it from the cabinet themself (no planner at work)."""
    CONFIRM = "confirm"
    """The holder confirms they have it (the hand-out stands without it)."""
    GIVE_BACK = "give_back"
    REPORT_LOST = "report_lost"
    FIND = "find"
    RE_ENABLE = "re_enable"
    """A planner confirms Bekey has re-enabled a found key: it goes back in the cabinet."""
    RETIRE = "retire"


FINAL_STATES: Final = frozenset({SmartkeyState.RETIRED})
AVAILABLE: Final = SmartkeyState.IN_CABINET
"""The one state a key can be handed out from."""

# Keyword arguments each trigger takes, with their types; the others take none.
_ARGUMENTS: Final[Mapping[SmartkeyTrigger, Mapping[str, type]]] = {
    SmartkeyTrigger.HAND_OUT: {
        "holder": str,
        "by": str,
        "at": datetime,
        "due": datetime,
    },
    SmartkeyTrigger.TAKE: {"by": str, "at": datetime, "due": datetime},
    SmartkeyTrigger.CONFIRM: {"by": str, "at": datetime},
}


@dataclass(eq=False)
class Smartkey:
    """One Smartkey: the model the shared machine steps."""

    id: int | None
    label: str
    unit: str
    cabinet_id: int
    state: str
    holder: str | None = None
    """The user-id of whoever has it now (handed out; kept while lost, as who lost it)."""
    handed_out_by: str | None = None
    handed_out_at: datetime | None = None
    due_at: datetime | None = None
    confirmed_at: datetime | None = None
    self_recorded: bool = False
    """The holder recorded the take themself (no planner at work): the planners may correct it."""
    overdue_level: int = 0
    """0: not overdue yet; 1: the holder was reminded; 2: the planners were alerted."""
    updated_at: datetime | None = None
    """When a planner last updated the key in Bekey (None: never, since it was registered)."""
    lost_ticket_id: int | None = None
    """The ticket that has Bekey block the key, once it is reported lost (set by the service)."""
    version: int = 0


# Callbacks and conditions. The machine sends EventData; conditions only read, callbacks
# only change the model in memory, and all of them run before the state changes.


def _key(event: EventData) -> Smartkey:
    return cast(Smartkey, event.model)


def _named(event: EventData) -> bool:
    return bool(str(event.kwargs["by"]).strip())


def _holder_named(event: EventData) -> bool:
    return bool(str(event.kwargs["holder"]).strip())


def _due_after_hand_out(event: EventData) -> bool:
    due: datetime = event.kwargs["due"]
    at: datetime = event.kwargs["at"]
    return due > at


def _by_holder(event: EventData) -> bool:
    return _key(event).holder == str(event.kwargs["by"])


def _not_yet_confirmed(event: EventData) -> bool:
    return _key(event).confirmed_at is None


def _hand_out(event: EventData) -> None:
    key = _key(event)
    kwargs = event.kwargs
    key.holder = kwargs["holder"]
    key.handed_out_by = kwargs["by"]
    key.handed_out_at = kwargs["at"]
    key.due_at = kwargs["due"]
    key.self_recorded = False
    key.confirmed_at = None
    key.overdue_level = 0


def _take(event: EventData) -> None:
    """Whoever records their own take has the key in hand: that is the confirmation."""
    key = _key(event)
    kwargs = event.kwargs
    key.holder = key.handed_out_by = kwargs["by"]
    key.handed_out_at = key.confirmed_at = kwargs["at"]
    key.due_at = kwargs["due"]
    key.self_recorded = True
    key.overdue_level = 0


def _confirm(event: EventData) -> None:
    _key(event).confirmed_at = event.kwargs["at"]


def _clear_holder(event: EventData) -> None:
    key = _key(event)
    key.holder = None
    key.handed_out_by = None
    key.handed_out_at = None
    key.due_at = None
    key.confirmed_at = None
    key.self_recorded = False
    key.overdue_level = 0


def _stop_the_clock(event: EventData) -> None:
    """A lost key is not overdue any more (it is blocked); who lost it stays named."""
    key = _key(event)
    key.due_at = None
    key.overdue_level = 0


_S = SmartkeyState
_T = SmartkeyTrigger

_TRANSITIONS: Final = [
    transition(
        _T.HAND_OUT,
        _S.IN_CABINET,
        _S.HANDED_OUT,
        conditions=[_named, _holder_named, _due_after_hand_out],
        before=[_hand_out],
    ),
    transition(
        _T.TAKE,
        _S.IN_CABINET,
        _S.HANDED_OUT,
        conditions=[_named, _due_after_hand_out],
        before=[_take],
    ),
    transition(
        _T.CONFIRM,
        _S.HANDED_OUT,
        _S.HANDED_OUT,
        conditions=[_by_holder, _not_yet_confirmed],
        before=[_confirm],
    ),
    transition(_T.GIVE_BACK, _S.HANDED_OUT, _S.IN_CABINET, before=[_clear_holder]),
    transition(_T.REPORT_LOST, [_S.IN_CABINET, _S.HANDED_OUT], _S.LOST, before=[_stop_the_clock]),
    transition(_T.FIND, _S.LOST, _S.FOUND),
    transition(_T.RE_ENABLE, _S.FOUND, _S.IN_CABINET, before=[_clear_holder]),
    transition(_T.RETIRE, [_S.IN_CABINET, _S.LOST, _S.FOUND], _S.RETIRED, before=[_clear_holder]),
]

SMARTKEY_MACHINE: Final = shared_machine(
    "smartkey", SmartkeyState, FINAL_STATES, SmartkeyState.IN_CABINET, _TRANSITIONS
)
SMARTKEY: Final = Workflow[SmartkeyTrigger](SMARTKEY_MACHINE, _ARGUMENTS)


def allowed_triggers(state: str) -> list[SmartkeyTrigger]:
    """List the triggers the machine knows from this state, in a stable order."""
    return [SmartkeyTrigger(name) for name in SMARTKEY.allowed_triggers(state)]


def fire(model: Smartkey, trigger: SmartkeyTrigger, **kwargs: object) -> bool:
    """Step the key by the trigger; False is a refusal and leaves it unchanged."""
    return SMARTKEY.fire(model, trigger, **kwargs)


def is_stale(key: Smartkey, now: datetime, stale_after: timedelta) -> bool:
    """Whether a key in use has gone too long without its weekly update (never updated counts)."""
    if key.state in {SmartkeyState.RETIRED, SmartkeyState.LOST}:
        return False
    return key.updated_at is None or now - key.updated_at >= stale_after


def overdue_level_due(key: Smartkey, now: datetime, alert_after: timedelta) -> int:
    """The overdue level a handed-out key has reached by now.

    0 before its due time; 1 from its due time (the holder is reminded); 2 once
    ``alert_after`` more has passed (the planners are alerted).
    """
    if key.state != SmartkeyState.HANDED_OUT or key.due_at is None or now < key.due_at:
        return 0
    return 2 if now >= key.due_at + alert_after else 1


_HOLDER_ORDER: Final[Mapping[Role, int]] = {
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


def holder_rank(role: Role) -> int:
    """Where an employee of this role stands in the hand-out list: substitutes and night
    guards first (the procedure hands them a key at every shift), then other caregivers."""
    return _HOLDER_ORDER[role]
