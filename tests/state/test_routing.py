"""Routing rules: which party, which roles, when to escalate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from state.routing import (
    SupportParty,
    escalation_level_due,
    first_recipient_roles,
    party_for,
    roles_for_escalation,
    who_may_act_on_ticket,
)

ROLES = (
    "caregiver",
    "substitute",
    "student",
    "night_guard",
    "planner",
    "key_person",
    "leader",
    "visitation",
)


@pytest.mark.parametrize(
    ("category", "party"),
    [
        ("login", SupportParty.BEKEY),
        ("door", SupportParty.LOCK_PARTNER),
        ("phone", SupportParty.IT),
        ("emergency", SupportParty.BEKEY),
    ],
)
def test_party_for(category: str, party: SupportParty) -> None:
    assert party_for(category) is party


@pytest.mark.parametrize(
    ("category", "roles"),
    [
        ("login", {"planner", "key_person"}),
        ("emergency", {"planner", "key_person"}),
        ("door", {"planner"}),
        ("phone", {"planner"}),
    ],
)
def test_first_recipient_roles(category: str, roles: set[str]) -> None:
    assert first_recipient_roles(category) == roles


def test_an_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="window"):
        party_for("window")
    with pytest.raises(ValueError, match="window"):
        first_recipient_roles("window")


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
    assert roles_for_escalation(1) == {"planner", "key_person"}
    assert roles_for_escalation(2) == {"leader"}
    with pytest.raises(ValueError, match="no escalation level 3"):
        roles_for_escalation(3)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_act_on_ticket(role: str) -> None:
    assert who_may_act_on_ticket(role) is (role in {"planner", "key_person", "leader"})
