"""The incident machine (every state and trigger pair) and the rule that opens an incident."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from state.incident import (
    FINAL_STATES,
    INCIDENT_MACHINE,
    OPEN_STATES,
    AggregationRule,
    Incident,
    IncidentKind,
    IncidentState,
    IncidentTrigger,
    Report,
    allowed_triggers,
    fire,
    format_incident_number,
    kind_of,
    quiet_check_due,
)
from state.triage import TriageCategory

S = IncidentState
T = IncidentTrigger

ARGUMENTS: dict[T, dict[str, object]] = {
    T.TAKE: {"by": "planner-2"},
    T.CONTINUE: {"by": "planner-2"},
    T.RESOLVE: {"by": "planner-2"},
}

# Every allowed step from an untaken incident; any pair not here is a refusal.
EXPECTED: dict[tuple[S, T], S] = {
    (S.OPEN, T.REPORT): S.OPEN,
    (S.OPEN, T.TAKE): S.OPEN,
    (S.OPEN, T.ASK): S.ASKED,
    (S.OPEN, T.RESOLVE): S.RESOLVED,
    (S.ASKED, T.REPORT): S.OPEN,
    (S.ASKED, T.CONTINUE): S.OPEN,
    (S.ASKED, T.RESOLVE): S.RESOLVED,
}

NOW = datetime(2026, 12, 1, 7, 30, tzinfo=UTC)


def loaded(state: S, taken_by: str | None = None) -> Incident:
    """Build an incident as the storage would load it, standing in the given state."""
    incident = Incident(id=3, kind=IncidentKind.LOGIN, state=state.value, version=4)
    incident.taken_by = taken_by
    if state is S.RESOLVED:
        incident.taken_by = incident.resolved_by = "planner-1"
    return incident


def snapshot(incident: Incident) -> tuple[dict[str, Any], set[str]]:
    """Capture the incident's data and its attribute names."""
    return dataclasses.asdict(incident), set(vars(incident))


@pytest.mark.parametrize(("state", "trigger"), list(itertools.product(S, T)))
def test_every_state_and_trigger(state: S, trigger: T) -> None:
    incident = loaded(state)
    before = snapshot(incident)
    expected = EXPECTED.get((state, trigger))

    stepped = fire(incident, trigger, **ARGUMENTS.get(trigger, {}))

    if expected is None:
        assert stepped is False
        assert snapshot(incident) == before
    else:
        assert stepped is True
        assert incident.state == expected
        assert incident.version == 5
    assert INCIDENT_MACHINE.models == []
    assert set(vars(incident)) == {f.name for f in dataclasses.fields(Incident)}


@pytest.mark.parametrize(("state", "trigger"), list(itertools.product(S, T)))
def test_every_state_and_trigger_once_taken(state: S, trigger: T) -> None:
    incident = loaded(state, taken_by="planner-1")
    before = snapshot(incident)
    expected = None if trigger is T.TAKE else EXPECTED.get((state, trigger))

    stepped = fire(incident, trigger, **ARGUMENTS.get(trigger, {}))

    assert stepped is (expected is not None)
    if expected is None:
        assert snapshot(incident) == before
    else:
        assert incident.state == expected
        assert incident.taken_by == "planner-1"  # nobody takes it from the one who has it


@pytest.mark.parametrize("state", list(S))
def test_allowed_triggers_match_the_table(state: S) -> None:
    allowed = {trigger for (source, trigger) in EXPECTED if source == state}
    assert set(allowed_triggers(state)) == allowed


def test_open_and_final_states_split_the_states() -> None:
    assert set(S) == OPEN_STATES | FINAL_STATES
    assert not OPEN_STATES & FINAL_STATES
    assert {state for state in S if allowed_triggers(state)} == OPEN_STATES


def test_the_machine_knows_every_trigger_and_no_other() -> None:
    assert set(INCIDENT_MACHINE.events) == set(T)


def test_take_and_resolve_record_who() -> None:
    incident = loaded(S.OPEN)
    assert fire(incident, T.TAKE, by="key-7")
    assert fire(incident, T.RESOLVE, by="leader-1")
    assert (incident.taken_by, incident.resolved_by) == ("key-7", "leader-1")

    untaken = loaded(S.ASKED)
    assert fire(untaken, T.RESOLVE, by="planner-3")
    assert (untaken.taken_by, untaken.resolved_by) == ("planner-3", "planner-3")


@pytest.mark.parametrize("trigger", [T.TAKE, T.CONTINUE, T.RESOLVE])
def test_an_unnamed_actor_is_a_refusal(trigger: T) -> None:
    incident = loaded(S.ASKED if trigger is T.CONTINUE else S.OPEN)
    before = snapshot(incident)
    assert fire(incident, trigger, by=" ") is False
    assert snapshot(incident) == before


def test_a_missing_argument_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        fire(loaded(S.OPEN), T.RESOLVE)
    with pytest.raises(TypeError):
        fire(loaded(S.OPEN), T.REPORT, by="planner-1")
    assert INCIDENT_MACHINE.models == []


# The kinds of report that can mean an outage.


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        (TriageCategory.LOGIN, IncidentKind.LOGIN),
        (TriageCategory.EMERGENCY, IncidentKind.EMERGENCY),
        (TriageCategory.DOOR, None),
        (TriageCategory.PHONE, None),
    ],
)
def test_only_login_faults_and_emergencies_aggregate(
    category: TriageCategory, kind: IncidentKind | None
) -> None:
    assert kind_of(category) is kind


# The rule that opens an incident.


def reports(*entries: tuple[str, int]) -> list[Report]:
    """Reports by (reporter, minutes before now)."""
    return [Report(who, NOW - timedelta(minutes=ago)) for who, ago in entries]


def test_the_third_person_within_ten_minutes_opens_an_incident() -> None:
    rule = AggregationRule()
    assert not rule.opens(reports(("a", 9), ("b", 4)), NOW)
    assert rule.opens(reports(("a", 9), ("b", 4), ("c", 0)), NOW)


def test_the_same_person_reporting_again_does_not_count_twice() -> None:
    rule = AggregationRule()
    assert not rule.opens(reports(("a", 9), ("a", 4), ("b", 0), ("b", 0)), NOW)


def test_reports_outside_the_window_do_not_count() -> None:
    rule = AggregationRule()
    assert not rule.opens(reports(("a", 11), ("b", 4), ("c", 0)), NOW)
    assert rule.opens(reports(("a", 10), ("b", 4), ("c", 0)), NOW)


def test_the_rule_is_configurable() -> None:
    rule = AggregationRule(reports=5, window=timedelta(minutes=2))
    five = reports(("a", 2), ("b", 1), ("c", 1), ("d", 0), ("e", 0))
    assert rule.opens(five, NOW)
    assert not rule.opens(five[:4], NOW)
    assert not AggregationRule(reports=5, window=timedelta(minutes=1)).opens(five, NOW)


@pytest.mark.parametrize(
    ("count", "window", "why"),
    [(1, 10, "at least two"), (0, 10, "at least two"), (3, 0, "positive"), (3, -1, "positive")],
)
def test_a_rule_that_makes_no_sense_is_refused(count: int, window: int, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        AggregationRule(reports=count, window=timedelta(minutes=window))


def test_the_quiet_check_falls_due_after_the_quiet_spell() -> None:
    quiet = timedelta(minutes=60)
    assert not quiet_check_due(NOW - timedelta(minutes=59, seconds=59), NOW, quiet)
    assert quiet_check_due(NOW - timedelta(minutes=60), NOW, quiet)


@pytest.mark.parametrize(("number", "shown"), [(1, "H-001"), (42, "H-042"), (1234, "H-1234")])
def test_format_incident_number(number: int, shown: str) -> None:
    assert format_incident_number(number) == shown


def test_a_negative_incident_number_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        format_incident_number(-1)
