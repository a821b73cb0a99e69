"""Routing rules: which party, which roles, when to escalate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from state.roles import Role
from state.routing import (
    SupportParty,
    escalation_level_due,
    first_recipient_roles,
    party_for,
    roles_for_escalation,
)
from state.triage import TriageCategory as C


@pytest.mark.parametrize(
    ("category", "party"),
    [
        (C.LOGIN, SupportParty.BEKEY),
        (C.DOOR, SupportParty.LOCK_PARTNER),
        (C.PHONE, SupportParty.IT),
        (C.EMERGENCY, SupportParty.BEKEY),
    ],
)
def test_party_for(category: C, party: SupportParty) -> None:
    assert party_for(category) is party


@pytest.mark.parametrize(
    ("category", "roles"),
    [
        (C.LOGIN, {Role.PLANNER, Role.KEY_PERSON}),
        (C.EMERGENCY, {Role.PLANNER, Role.KEY_PERSON}),
        (C.DOOR, {Role.PLANNER}),
        (C.PHONE, {Role.PLANNER}),
    ],
)
def test_first_recipient_roles(category: C, roles: set[Role]) -> None:
    assert first_recipient_roles(category) == roles


CREATED = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
FIRST = timedelta(minutes=15)
SECOND = timedelta(minutes=45)


@pytest.mark.parametrize(
    ("waited", "level"),
    [
        (timedelta(0), 0),
        (timedelta(minutes=14, seconds=59), 0),
        (timedelta(minutes=15), 1),
        (timedelta(minutes=59, seconds=59), 1),
        (timedelta(hours=1), 2),
        (timedelta(days=3), 2),
        (timedelta(minutes=-5), 0),
    ],
)
def test_escalation_level_due(waited: timedelta, level: int) -> None:
    due = escalation_level_due(CREATED, CREATED + waited, first_after=FIRST, second_after=SECOND)
    assert due == level


def test_negative_escalation_delays_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        escalation_level_due(CREATED, CREATED, first_after=-FIRST, second_after=SECOND)


def test_roles_for_escalation() -> None:
    assert roles_for_escalation(0) == frozenset()
    assert roles_for_escalation(1) == {Role.PLANNER, Role.KEY_PERSON}
    assert roles_for_escalation(2) == {Role.LEADER}
    with pytest.raises(ValueError, match="no escalation level 3"):
        roles_for_escalation(3)
