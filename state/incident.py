"""Outage incidents: many reports of one cause, handled as one.

- ``IncidentKind``, ``kind_of``: the two kinds of report that can mean an outage: Bekey
  login faults, and emergencies (🆘 or /akut, and fault reports that end in "no mobile
  network"). Door and phone faults are one door or one phone and never aggregate. Whether
  an emergency's reporter said the mobile network is down is information, not a kind.
- ``AggregationRule``, ``Report``: the pure rule that opens an incident (by default 3
  reports from different people within 10 minutes, across the municipality).
- ``quiet_check_due``: when an incident with no new report asks whether it is over.
- ``IncidentState``, ``OPEN_STATES``, ``FINAL_STATES``: where an incident stands.
- ``Incident``: the model, one per incident; a plain dataclass the storage loads and saves.
- ``INCIDENT_MACHINE``, ``IncidentTrigger``, ``fire``, ``allowed_triggers``: the lifecycle.
- ``IncidentNote``: what a reporter's answer says about the outage under way.

An incident is open while reports keep coming; a planner, key person or leader may take
it (which stops its escalation) and resolve it (which resolves its tickets). After a quiet
spell it asks whether it is over, and closes only when someone says so; a new report, or
"not yet", opens it again. Who may fire which trigger is decided by the caller. The
diagram is in ``incident.md``. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final, cast

from transitions import EventData

from state.triage import TriageCategory
from state.workflow import Workflow, shared_machine, transition


class IncidentKind(StrEnum):
    """A kind of report that can mean an outage."""

    LOGIN = "login"
    """Bekey login faults: the app or Bekey's servers."""
    EMERGENCY = "emergency"
    """Emergencies: Bekey will not open a door (🆘, /akut, or no mobile network at all)."""


def kind_of(category: TriageCategory) -> IncidentKind | None:
    """Name the kind of outage a report may belong to (None: it never aggregates).

    Every emergency is of one kind, whether or not its reporter said the mobile network
    is down (the fault report's "no mobile network" ending is recorded as an emergency).
    """
    if category is TriageCategory.LOGIN:
        return IncidentKind.LOGIN
    if category is TriageCategory.EMERGENCY:
        return IncidentKind.EMERGENCY
    return None


@dataclass(frozen=True)
class Report:
    """One report as the aggregation rule sees it: who, and when."""

    reporter: str
    at: datetime


@dataclass(frozen=True)
class AggregationRule:
    """When reports of one kind become an incident: enough different people, close together."""

    reports: int = 3
    window: timedelta = timedelta(minutes=10)

    def __post_init__(self) -> None:
        if self.reports < 2:
            raise ValueError("an incident needs at least two reports")
        if self.window <= timedelta(0):
            raise ValueError("the window must be positive")

    def reporters(self, reports: Iterable[Report], now: datetime) -> frozenset[str]:
        """The different people who reported within the window that ends now."""
        since = now - self.window
        return frozenset(report.reporter for report in reports if since <= report.at <= now)

    def opens(self, reports: Iterable[Report], now: datetime) -> bool:
        """Whether these reports (of one kind, not yet in an incident) open an incident now."""
        return len(self.reporters(reports, now)) >= self.reports


def quiet_check_due(quiet_from: datetime, now: datetime, quiet: timedelta) -> bool:
    """Whether an incident with no news since ``quiet_from`` should ask if it is over."""
    return now - quiet_from >= quiet


class IncidentState(StrEnum):
    """Where an incident stands."""

    OPEN = "open"
    ASKED = "asked"
    """Quiet for a while: its planners were asked whether it is over."""
    RESOLVED = "resolved"


class IncidentTrigger(StrEnum):
    """What may happen to an incident."""

    REPORT = "report"
    """A new report joins it."""
    TAKE = "take"
    """A planner, key person or leader takes it on (its escalation stops)."""
    ASK = "ask"
    """No new report for a while: ask whether it is over."""
    CONTINUE = "continue"
    """Asked, someone answers "not yet"."""
    RESOLVE = "resolve"
    """It is over: its tickets are resolved."""


OPEN_STATES: Final = frozenset({IncidentState.OPEN, IncidentState.ASKED})
FINAL_STATES: Final = frozenset({IncidentState.RESOLVED})

_ARGUMENTS: Final[Mapping[IncidentTrigger, Mapping[str, type]]] = {
    IncidentTrigger.TAKE: {"by": str},
    IncidentTrigger.CONTINUE: {"by": str},
    IncidentTrigger.RESOLVE: {"by": str},
}


@dataclass(eq=False)
class Incident:
    """One outage incident: the model the shared machine steps."""

    id: int | None
    kind: IncidentKind
    state: str
    taken_by: str | None = None
    resolved_by: str | None = None
    version: int = 0


def format_incident_number(number: int) -> str:
    """Show an incident's number (its id) the way staff say it: H- and at least three digits."""
    if number < 0:
        raise ValueError("incident numbers are not negative")
    return f"H-{number:03d}"


@dataclass(frozen=True)
class IncidentNote:
    """What a reporter is told about an outage under way.

    ``member``: the report is part of the incident (else the outage is only under way).
    """

    number: int
    kind: IncidentKind
    reports: int
    member: bool = True


def _incident(event: EventData) -> Incident:
    return cast(Incident, event.model)


def _actor_is_named(event: EventData) -> bool:
    return bool(event.kwargs["by"].strip())


def _untaken(event: EventData) -> bool:
    return _incident(event).taken_by is None


def _take(event: EventData) -> None:
    _incident(event).taken_by = event.kwargs["by"]


def _resolve(event: EventData) -> None:
    incident = _incident(event)
    incident.resolved_by = event.kwargs["by"]
    if incident.taken_by is None:
        incident.taken_by = event.kwargs["by"]


_S = IncidentState
_T = IncidentTrigger

_TRANSITIONS: Final = [
    transition(_T.REPORT, [_S.OPEN, _S.ASKED], _S.OPEN),
    transition(_T.TAKE, _S.OPEN, _S.OPEN, conditions=[_actor_is_named, _untaken], before=[_take]),
    transition(_T.ASK, _S.OPEN, _S.ASKED),
    transition(_T.CONTINUE, _S.ASKED, _S.OPEN, conditions=[_actor_is_named]),
    transition(
        _T.RESOLVE,
        [_S.OPEN, _S.ASKED],
        _S.RESOLVED,
        conditions=[_actor_is_named],
        before=[_resolve],
    ),
]

INCIDENT_MACHINE: Final = shared_machine(
    "incident", IncidentState, FINAL_STATES, IncidentState.OPEN, _TRANSITIONS
)
INCIDENT: Final = Workflow[IncidentTrigger](INCIDENT_MACHINE, _ARGUMENTS)


def allowed_triggers(state: str) -> list[IncidentTrigger]:
    """List the triggers the machine knows from this state, in a stable order."""
    return [IncidentTrigger(name) for name in INCIDENT.allowed_triggers(state)]


def fire(model: Incident, trigger: IncidentTrigger, **kwargs: object) -> bool:
    """Step the incident by the trigger; False is a refusal and leaves it unchanged."""
    return INCIDENT.fire(model, trigger, **kwargs)
