"""Who hears about a fault, who contacts whom, and when a ticket is escalated.

- ``SupportParty`` and ``party_for``: the outside party a fault goes to (DOMAIN.md,
  "Reporting a fault" and "Emergency": login and emergencies to Bekey, the door to the
  lock partner, the phone to IT).
- ``first_recipient_roles``: the roles that receive a new ticket (the planner always;
  for login faults and emergencies the key person too, as either may contact Bekey).
- ``escalation_level_due`` and ``roles_for_escalation``: an untaken ticket is re-sent to
  planners and key persons after a while, and goes to the unit's leader after a while more.

Pure functions: no I/O, and the time is always passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from state.roles import Role
from state.triage import TriageCategory


class SupportParty(StrEnum):
    """An outside party that is contacted about a fault."""

    BEKEY = "bekey"
    LOCK_PARTNER = "lock_partner"
    IT = "it"


_PARTY_FOR_CATEGORY: Final[Mapping[TriageCategory, SupportParty]] = {
    TriageCategory.LOGIN: SupportParty.BEKEY,
    TriageCategory.DOOR: SupportParty.LOCK_PARTNER,
    TriageCategory.PHONE: SupportParty.IT,
    TriageCategory.EMERGENCY: SupportParty.BEKEY,
    TriageCategory.SMARTKEY: SupportParty.BEKEY,
}

_KEY_PERSON_CATEGORIES: Final = frozenset(
    {TriageCategory.LOGIN, TriageCategory.EMERGENCY, TriageCategory.SMARTKEY}
)

_ESCALATION_ROLES: Final[Mapping[int, frozenset[Role]]] = {
    0: frozenset(),
    1: frozenset({Role.PLANNER, Role.KEY_PERSON}),
    2: frozenset({Role.LEADER}),
}


def party_for(category: TriageCategory) -> SupportParty:
    """Name the party to contact about a fault of this category."""
    return _PARTY_FOR_CATEGORY[category]


def first_recipient_roles(category: TriageCategory) -> frozenset[Role]:
    """Name the roles that receive a new ticket of this category."""
    if category in _KEY_PERSON_CATEGORIES:
        return frozenset({Role.PLANNER, Role.KEY_PERSON})
    return frozenset({Role.PLANNER})


def escalation_level_due(
    created_at: datetime,
    now: datetime,
    *,
    first_after: timedelta,
    second_after: timedelta,
) -> int:
    """Tell the escalation level a ticket created at created_at has reached by now (0, 1, 2)."""
    if first_after < timedelta(0) or second_after < timedelta(0):
        raise ValueError("escalation delays must not be negative")
    waited = now - created_at
    if waited >= first_after + second_after:
        return 2
    if waited >= first_after:
        return 1
    return 0


def roles_for_escalation(level: int) -> frozenset[Role]:
    """Name the roles an escalation of this level goes to (none for level 0)."""
    try:
        return _ESCALATION_ROLES[level]
    except KeyError:
        raise ValueError(f"no escalation level {level}") from None
