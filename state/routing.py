"""Who hears about a fault, who contacts whom, and when a ticket is escalated.

- ``SupportParty`` and ``party_for``: the outside party a fault goes to (DOMAIN.md,
  "Reporting a fault" and "Emergency": login and emergencies to Bekey, the door to the
  lock partner, the phone to IT).
- ``first_recipient_roles``: the roles that receive a new ticket (the planner always;
  for login faults and emergencies the key person too, as either may contact Bekey).
- ``escalation_level_due`` and ``roles_for_escalation``: an untaken ticket is re-sent to
  planners and key persons after a while, and goes to the unit's leader after a while more.
- ``who_may_act_on_ticket``: the roles that may take, contact about and resolve tickets
  (the unit check is the caller's).

Roles are the plain strings used across the project (``caregiver``, ``substitute``,
``student``, ``night_guard``, ``planner``, ``key_person``, ``leader``, ``visitation``).
Pure functions: no I/O, and the time is always passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from state.triage import TriageCategory

_PLANNER: Final = "planner"
_KEY_PERSON: Final = "key_person"
_LEADER: Final = "leader"


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
}

_KEY_PERSON_CATEGORIES: Final = frozenset({TriageCategory.LOGIN, TriageCategory.EMERGENCY})

_TICKET_ACTORS: Final = frozenset({_PLANNER, _KEY_PERSON, _LEADER})

_ESCALATION_ROLES: Final[Mapping[int, frozenset[str]]] = {
    0: frozenset(),
    1: frozenset({_PLANNER, _KEY_PERSON}),
    2: frozenset({_LEADER}),
}


def party_for(category: str) -> SupportParty:
    """Name the party to contact about a fault of this category (ValueError if unknown)."""
    return _PARTY_FOR_CATEGORY[TriageCategory(category)]


def first_recipient_roles(category: str) -> frozenset[str]:
    """Name the roles that receive a new ticket of this category (ValueError if unknown)."""
    if TriageCategory(category) in _KEY_PERSON_CATEGORIES:
        return frozenset({_PLANNER, _KEY_PERSON})
    return frozenset({_PLANNER})


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


def roles_for_escalation(level: int) -> frozenset[str]:
    """Name the roles an escalation of this level goes to (none for level 0)."""
    try:
        return _ESCALATION_ROLES[level]
    except KeyError:
        raise ValueError(f"no escalation level {level}") from None


def who_may_act_on_ticket(role: str) -> bool:
    """Tell whether this role may take, contact about and resolve tickets."""
    return role in _TICKET_ACTORS
