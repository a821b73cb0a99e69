"""Roles, who may invite whom, and what each role is offered (commands and big buttons)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """An employee's role in the procedure."""

    CAREGIVER = "caregiver"
    SUBSTITUTE = "substitute"
    STUDENT = "student"
    NIGHT_GUARD = "night_guard"
    PLANNER = "planner"
    KEY_PERSON = "key_person"
    LEADER = "leader"
    VISITATION = "visitation"


FIELD_ROLES = frozenset({Role.CAREGIVER, Role.SUBSTITUTE, Role.STUDENT, Role.NIGHT_GUARD})
"""Staff who visit citizens and report faults."""

TICKET_HANDLERS = frozenset({Role.PLANNER, Role.KEY_PERSON, Role.LEADER})
"""Roles that may take, contact on and resolve tickets of their unit."""

INVITERS = frozenset({Role.LEADER, Role.KEY_PERSON, Role.PLANNER})
"""Roles that may create invites."""

_GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.LEADER: frozenset(Role),
    Role.KEY_PERSON: frozenset({Role.CAREGIVER, Role.SUBSTITUTE, Role.STUDENT, Role.NIGHT_GUARD}),
    Role.PLANNER: frozenset({Role.SUBSTITUTE, Role.STUDENT, Role.NIGHT_GUARD}),
}


def parse_role(text: str) -> Role | None:
    """Read a role from its code or a Danish or English name; None if unknown."""
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    return _ROLE_NAMES.get(key)


_ROLE_NAMES: dict[str, Role] = {role.value: role for role in Role} | {
    "hjemmehjælper": Role.CAREGIVER,
    "medarbejder": Role.CAREGIVER,
    "sosu": Role.CAREGIVER,
    "sygeplejerske": Role.CAREGIVER,
    "afløser": Role.SUBSTITUTE,
    "afloeser": Role.SUBSTITUTE,
    "elev": Role.STUDENT,
    "nattevagt": Role.NIGHT_GUARD,
    "planlægger": Role.PLANNER,
    "planlaegger": Role.PLANNER,
    "nøgleperson": Role.KEY_PERSON,
    "noegleperson": Role.KEY_PERSON,
    "keyperson": Role.KEY_PERSON,
    "leder": Role.LEADER,
}


def grantable_roles(inviter: Role) -> frozenset[Role]:
    """Return the roles an inviter of this role may give (empty if none)."""
    return _GRANTABLE.get(inviter, frozenset())


def may_invite(
    inviter_role: Role,
    inviter_unit: str,
    role: Role,
    unit: str,
    existing_role: Role | None = None,
    existing_unit: str | None = None,
) -> bool:
    """Whether an inviter may invite (or re-invite) someone to a role in a unit.

    Invites are always for the inviter's own unit. Re-inviting an existing employee (a new
    phone, a new role) also needs the right to manage the role they have now.
    """
    allowed = grantable_roles(inviter_role)
    if role not in allowed or unit != inviter_unit:
        return False
    if existing_role is None:
        return True
    return existing_role in allowed and existing_unit == inviter_unit


class Action(StrEnum):
    """A main action, shown as a command and (for the big ones) a keyboard button."""

    REPORT_FAULT = "report_fault"
    EMERGENCY = "emergency"
    MY_TICKETS = "my_tickets"
    TICKETS = "tickets"
    INVITE = "invite"
    LANGUAGE = "language"
    HELP = "help"


def actions_for(role: Role) -> tuple[Action, ...]:
    """Return the actions a role is offered, most urgent first."""
    base: tuple[Action, ...] = (Action.EMERGENCY, Action.REPORT_FAULT, Action.MY_TICKETS)
    if role in TICKET_HANDLERS:
        base = (Action.EMERGENCY, Action.TICKETS, Action.REPORT_FAULT, Action.MY_TICKETS)
    if role in INVITERS:
        base = (*base, Action.INVITE)
    return (*base, Action.LANGUAGE, Action.HELP)


KEYBOARD_ACTIONS = frozenset(
    {Action.EMERGENCY, Action.REPORT_FAULT, Action.MY_TICKETS, Action.TICKETS, Action.HELP}
)
"""Actions that get a big button on the persistent keyboard."""
