"""An employee's request for a Smartkey: asked, then handed a key or declined.

- ``RequestState``, ``RequestTrigger``: where a request stands, and what may happen to it.
- ``KeyRequest``: the model; ``REQUEST_MACHINE`` the one machine every request shares;
  ``fire``, ``allowed_triggers``: how callers step one. The diagram is in
  ``smartkey_request.md``.

Any employee may ask for a key (say, the network is down). A planner or key person of the
unit (or its leader) approves it by handing the requester a key, or declines it; the requester may
withdraw it while it waits. An unanswered request escalates like a ticket
(``state.routing.escalation_level_due``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final, cast

from transitions import EventData

from state.workflow import Workflow, shared_machine, transition


class RequestState(StrEnum):
    """Where a Smartkey request stands."""

    WAITING = "waiting"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class RequestTrigger(StrEnum):
    """What may happen to a Smartkey request."""

    APPROVE = "approve"
    """A key was handed to the requester (``key_id`` names it)."""
    DECLINE = "decline"
    WITHDRAW = "withdraw"


FINAL_STATES: Final = frozenset(
    {RequestState.APPROVED, RequestState.DECLINED, RequestState.WITHDRAWN}
)

_ARGUMENTS: Final[Mapping[RequestTrigger, Mapping[str, type]]] = {
    RequestTrigger.APPROVE: {"by": str, "at": datetime, "key_id": int},
    RequestTrigger.DECLINE: {"by": str, "at": datetime},
    RequestTrigger.WITHDRAW: {"by": str, "at": datetime},
}


@dataclass(eq=False)
class KeyRequest:
    """One request for a Smartkey: the model the shared machine steps."""

    id: int | None
    requester: str
    unit: str
    state: str
    created_at: datetime
    key_id: int | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    escalation_level: int = 0
    version: int = 0


def _request(event: EventData) -> KeyRequest:
    return cast(KeyRequest, event.model)


def _named(event: EventData) -> bool:
    return bool(str(event.kwargs["by"]).strip())


def _by_requester(event: EventData) -> bool:
    return _request(event).requester == str(event.kwargs["by"])


def _decide(event: EventData) -> None:
    request = _request(event)
    request.decided_by = event.kwargs["by"]
    request.decided_at = event.kwargs["at"]


def _give_key(event: EventData) -> None:
    _request(event).key_id = event.kwargs["key_id"]


_S = RequestState
_T = RequestTrigger

_TRANSITIONS: Final = [
    transition(
        _T.APPROVE, _S.WAITING, _S.APPROVED, conditions=[_named], before=[_decide, _give_key]
    ),
    transition(_T.DECLINE, _S.WAITING, _S.DECLINED, conditions=[_named], before=[_decide]),
    transition(_T.WITHDRAW, _S.WAITING, _S.WITHDRAWN, conditions=[_by_requester], before=[_decide]),
]

REQUEST_MACHINE: Final = shared_machine(
    "smartkey_request", RequestState, FINAL_STATES, RequestState.WAITING, _TRANSITIONS
)
REQUEST: Final = Workflow[RequestTrigger](REQUEST_MACHINE, _ARGUMENTS)


def allowed_triggers(state: str) -> list[RequestTrigger]:
    """List the triggers the machine knows from this state, in a stable order."""
    return [RequestTrigger(name) for name in REQUEST.allowed_triggers(state)]


def fire(model: KeyRequest, trigger: RequestTrigger, **kwargs: object) -> bool:
    """Step the request by the trigger; False is a refusal and leaves it unchanged."""
    return REQUEST.fire(model, trigger, **kwargs)
