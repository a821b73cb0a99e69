"""A citizen's Bekey lifecycle: from visitation's request to the lock opened in Netkey, and
from the removal request to the citizen closed in Netkey.

- ``LifecycleState``, ``LifecycleTrigger``: where a citizen's Bekey stands, and its steps.
- ``CitizenBekey``: the model; ``LIFECYCLE_MACHINE`` the one machine every citizen shares;
  ``fire``, ``allowed_triggers``: how callers step one. The diagram is in
  ``bekey_lifecycle.md``.
- ``status_of``: what staff at the door go by (``CitizenStatus``): active while the lock
  works, pending while it is being installed, removed once it is gone.

DOMAIN.md, "Setting up and removing Bekey at a citizen": visitation tells the citizen, asks
the lock partner to install, records the door; the lock partner opens the citizen in
Netkey, and on removal takes the lock unit away and closes the citizen in Netkey. Who may
fire which trigger (visitation, or the lock partner of the order) is the caller's to decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, cast

from transitions import EventData

from state.citizens import CitizenStatus
from state.workflow import Workflow, shared_machine, transition


class LifecycleState(StrEnum):
    """Where a citizen's Bekey stands."""

    REQUESTED = "requested"
    NOTIFIED = "notified"
    """Visitation has told the citizen that Bekey will be set up."""
    ORDERED = "ordered"
    """The installation is ordered from the lock partner."""
    INSTALLED = "installed"
    """The lock unit is on the door (the door is recorded), not yet opened in Netkey."""
    ACTIVE = "active"
    """Opened in Netkey: staff open the door with Bekey."""
    REMOVAL_REQUESTED = "removal_requested"
    REMOVAL_ORDERED = "removal_ordered"
    REMOVED = "removed"
    """The lock unit is off the door, the citizen not yet closed in Netkey."""
    CLOSED = "closed"
    """Closed in Netkey: the history stays, the citizen leaves every caregiver's list."""
    CANCELLED = "cancelled"
    """Visitation cancelled the request before the installation."""


class LifecycleTrigger(StrEnum):
    """What may happen to a citizen's Bekey."""

    REQUEST = "request"
    NOTIFY = "notify"
    ORDER = "order"
    INSTALL = "install"
    OPEN_IN_NETKEY = "open_in_netkey"
    CANCEL = "cancel"
    REQUEST_REMOVAL = "request_removal"
    ORDER_REMOVAL = "order_removal"
    REMOVE = "remove"
    CLOSE_IN_NETKEY = "close_in_netkey"
    CHANGE_DOOR = "change_door"
    MOVE = "move"
    """To another unit of the municipality (the planners of both are told)."""


_S = LifecycleState
_T = LifecycleTrigger

INSTALLING: Final = frozenset({_S.REQUESTED, _S.NOTIFIED, _S.ORDERED, _S.INSTALLED})
"""On the way in: staff still use the current way in."""
IN_USE: Final = frozenset({_S.ACTIVE, _S.REMOVAL_REQUESTED, _S.REMOVAL_ORDERED})
"""The lock works (a removal is only asked for, or ordered)."""
GONE: Final = frozenset({_S.REMOVED, _S.CLOSED, _S.CANCELLED})
"""No lock: staff use the old way in."""

_ARGUMENTS: Final[Mapping[LifecycleTrigger, Mapping[str, type]]] = {
    _T.INSTALL: {"door": str},
    _T.CHANGE_DOOR: {"door": str},
    _T.MOVE: {"unit": str},
}


@dataclass(eq=False)
class CitizenBekey:
    """A citizen's Bekey: the model the shared machine steps."""

    citizen_id: int | None
    state: str
    unit: str
    door: str = ""
    """Which door the lock unit sits on ("bagdøren"); recorded at installation."""
    version: int = 0


def _model(event: EventData) -> CitizenBekey:
    return cast(CitizenBekey, event.model)


def _door_named(event: EventData) -> bool:
    return bool(str(event.kwargs["door"]).strip())


def _unit_named(event: EventData) -> bool:
    return bool(str(event.kwargs["unit"]).strip())


def _another_unit(event: EventData) -> bool:
    return str(event.kwargs["unit"]).strip() != _model(event).unit


def _record_door(event: EventData) -> None:
    _model(event).door = str(event.kwargs["door"]).strip()


def _record_unit(event: EventData) -> None:
    _model(event).unit = str(event.kwargs["unit"]).strip()


_NOT_GONE: Final = sorted(INSTALLING | IN_USE)

_TRANSITIONS: Final = [
    transition(_T.REQUEST, [_S.CLOSED, _S.CANCELLED], _S.REQUESTED),
    transition(_T.NOTIFY, _S.REQUESTED, _S.NOTIFIED),
    transition(_T.ORDER, [_S.REQUESTED, _S.NOTIFIED], _S.ORDERED),
    transition(
        _T.INSTALL, _S.ORDERED, _S.INSTALLED, conditions=[_door_named], before=[_record_door]
    ),
    transition(_T.OPEN_IN_NETKEY, _S.INSTALLED, _S.ACTIVE),
    transition(_T.CANCEL, [_S.REQUESTED, _S.NOTIFIED, _S.ORDERED], _S.CANCELLED),
    transition(_T.REQUEST_REMOVAL, _S.ACTIVE, _S.REMOVAL_REQUESTED),
    transition(_T.ORDER_REMOVAL, [_S.ACTIVE, _S.REMOVAL_REQUESTED], _S.REMOVAL_ORDERED),
    transition(_T.REMOVE, _S.REMOVAL_ORDERED, _S.REMOVED),
    transition(_T.CLOSE_IN_NETKEY, _S.REMOVED, _S.CLOSED),
    transition(
        _T.CHANGE_DOOR, _S.ACTIVE, _S.ACTIVE, conditions=[_door_named], before=[_record_door]
    ),
    *(
        transition(
            _T.MOVE,
            state,
            state,
            conditions=[_unit_named, _another_unit],
            before=[_record_unit],
        )
        for state in _NOT_GONE
    ),
]

LIFECYCLE_MACHINE: Final = shared_machine(
    "bekey_lifecycle", LifecycleState, frozenset(), LifecycleState.REQUESTED, _TRANSITIONS
)
LIFECYCLE: Final = Workflow[LifecycleTrigger](LIFECYCLE_MACHINE, _ARGUMENTS)


def allowed_triggers(state: str) -> list[LifecycleTrigger]:
    """List the triggers the machine knows from this state, in a stable order."""
    return [LifecycleTrigger(name) for name in LIFECYCLE.allowed_triggers(state)]


def fire(model: CitizenBekey, trigger: LifecycleTrigger, **kwargs: object) -> bool:
    """Step the citizen's Bekey by the trigger; False is a refusal and leaves it unchanged."""
    return LIFECYCLE.fire(model, trigger, **kwargs)


def status_of(state: LifecycleState) -> CitizenStatus:
    """What staff at the door go by: active while the lock works, pending on the way in,
    removed once it is gone (or was never fitted)."""
    if state in IN_USE:
        return CitizenStatus.ACTIVE
    if state in INSTALLING:
        return CitizenStatus.PENDING
    return CitizenStatus.REMOVED
