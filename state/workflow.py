"""The plumbing every workflow shares: one transitions machine per kind, models stepped safely.

- ``transition``: a transition entry from StrEnum triggers and states (stored as plain values).
- ``shared_machine``: the one ``Machine`` of a kind, with no model of its own.
- ``Workflow``: attaches a loaded model at its stored state (``add_model(initial=...)``),
  fires one trigger, detaches it in ``finally``; a trigger the state does not allow is a
  refusal (False), never an exception, and bumps no version.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeVar

from transitions import EventData, Machine

TriggerT = TypeVar("TriggerT", bound=StrEnum)
Callback = Callable[[EventData], None]
Condition = Callable[[EventData], bool]


class Model(Protocol):
    """What a workflow model has: its stored state and a version for optimistic locking."""

    state: str
    version: int


def transition(
    trigger: StrEnum,
    source: StrEnum | Iterable[StrEnum],
    dest: StrEnum,
    *,
    before: Iterable[Callback] = (),
    conditions: Iterable[Condition] = (),
) -> dict[str, Any]:
    """Return one transition entry; states go in as plain strings."""
    sources = [source] if isinstance(source, StrEnum) else list(source)
    return {
        "trigger": trigger.value,
        "source": [state.value for state in sources],
        "dest": dest.value,
        "before": list(before),
        "conditions": list(conditions),
    }


def shared_machine(
    name: str,
    states: Iterable[StrEnum],
    finals: frozenset[StrEnum],
    initial: StrEnum,
    transitions: list[dict[str, Any]],
) -> Machine:
    """Build the one machine a kind of workflow shares (no model of its own)."""
    return Machine(
        model=None,
        states=[{"name": state.value, "final": state in finals} for state in states],
        initial=initial.value,
        transitions=transitions,
        auto_transitions=False,
        ignore_invalid_triggers=False,
        queued=False,
        send_event=True,
        name=name,
    )


class Workflow(Generic[TriggerT]):
    """Steps models of one kind through their shared machine, by its kind's triggers."""

    def __init__(self, machine: Machine, arguments: Mapping[TriggerT, Mapping[str, type]]) -> None:
        self.machine = machine
        self.arguments = arguments
        self.kind = str(machine.name).rstrip(": ")  # transitions stores "name: "
        # What add_model binds onto a model; removed again on detach, so that a detached
        # model is a plain dataclass and attaching it again binds afresh.
        self._bound = frozenset(
            {"trigger", "may_trigger"}
            | set(machine.events)
            | {f"may_{trigger}" for trigger in machine.events}
            | {f"is_{state}" for state in machine.states}
        )

    @contextmanager
    def attached(self, model: Model) -> Iterator[Model]:
        """Attach the model at its stored state; detach it afterwards."""
        if model in self.machine.models:  # identity (eq=False): attached by an outer block
            yield model
            return
        stored = str(model.state)  # a plain str: transitions reads an Enum by its name
        if stored not in self.machine.states:
            raise ValueError(f"unknown {self.kind} state {stored!r}")
        self.machine.add_model(model, initial=stored)
        try:
            yield model
        finally:
            self.machine.remove_model(model)
            for name in self._bound.intersection(vars(model)):
                delattr(model, name)

    def allowed_triggers(self, state: str) -> list[str]:
        """List the triggers the machine knows from this state, in a stable order."""
        triggers: list[str] = self.machine.get_triggers(str(state))
        return triggers

    def _check_arguments(self, trigger: TriggerT, kwargs: Mapping[str, object]) -> None:
        expected = self.arguments.get(trigger, {})
        if kwargs.keys() != expected.keys():
            raise TypeError(f"{trigger} takes {sorted(expected)}, got {sorted(kwargs)}")
        for name, kind in expected.items():
            value = kwargs[name]
            if not isinstance(value, kind) or isinstance(value, bool):
                # Name the type only: the value may be someone's free text.
                raise TypeError(f"{trigger}: {name} must be {kind.__name__}")

    def fire(self, model: Model, trigger: TriggerT, **kwargs: object) -> bool:
        """Step the model by the trigger; False is a refusal and leaves the model unchanged."""
        if trigger not in self.allowed_triggers(model.state):
            return False
        self._check_arguments(trigger, kwargs)
        with self.attached(model):
            stepped: bool = self.machine.events[str(trigger)].trigger(model, **kwargs)
        if stepped:
            model.version += 1
        return stepped
