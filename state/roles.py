"""Roles, the one table of who may do what, who may invite whom, and each role's menu.

- ``Role``: an employee's role in the procedure.
- ``Permission``, ``PERMISSIONS``, ``may``: the one role-and-action table; every check reads it.
- ``GRANTABLE``, ``may_invite``: whom each inviting role may invite.
- ``Action``, ``actions_for``: the commands and big buttons a role is offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Final


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
    LOCK_PARTNER = "lock_partner"
    """A lock partner firm's fitter: belongs to a firm, not a unit; sees only its orders."""


class Permission(StrEnum):
    """Something an employee may do; who may is the table below, and nowhere else."""

    EMERGENCY = "emergency"
    REPORT_FAULT = "report_fault"
    SEE_OWN_TICKETS = "see_own_tickets"
    SEE_UNIT_TICKETS = "see_unit_tickets"
    TAKE_TICKET = "take_ticket"
    CONTACT_ON_TICKET = "contact_on_ticket"
    RESOLVE_TICKET = "resolve_ticket"
    HANDLE_INCIDENT = "handle_incident"
    BROADCAST = "broadcast"
    INVITE = "invite"
    REACTIVATE = "reactivate"
    HOLD_SMARTKEY = "hold_smartkey"
    """Record one's own take and return of a Smartkey, ask for one, see one's own."""
    SEE_UNIT_SMARTKEYS = "see_unit_smartkeys"
    HAND_OUT_SMARTKEY = "hand_out_smartkey"
    REGISTER_SMARTKEY = "register_smartkey"
    """Register cabinets and keys, and correct a key (back in the cabinet, found)."""
    RETIRE_SMARTKEY = "retire_smartkey"
    MARK_SMARTKEY_UPDATED = "mark_smartkey_updated"
    ANSWER_SMARTKEY_REQUEST = "answer_smartkey_request"
    APPOINT_KEY_PERSON = "appoint_key_person"
    RECORD_TRAINING = "record_training"
    """Record who is trained in Bekey, has it on the work phone, and can keep it updated."""
    SEE_TRAINING = "see_training"
    """See the unit's training gaps (key person) and coverage (leader): ``/status``."""
    DEACTIVATE = "deactivate"
    """Deactivate a leaver of the unit (which roles: ``DEACTIVATABLE``)."""
    LOOK_UP_CITIZEN = "look_up_citizen"
    """Look up a citizen of one's own unit: Bekey or not, which door, and its status."""
    CLOSE_LEAVER_TASK = "close_leaver_task"
    """Mark a leaver closed in Bekey (and their Smartkey back): the seed's planner's task."""
    MANAGE_CITIZENS = "manage_citizens"
    """Create citizens, see every unit's, and record visitation's steps of their Bekey."""
    RECORD_LOCK_PARTNER_STEP = "record_lock_partner_step"
    """Confirm an order, and record installed, opened, removed and closed in Netkey (a lock
    partner for their own firm's orders only; visitation on the lock partner's word)."""
    MANAGE_LOCK_PARTNERS = "manage_lock_partners"
    """Keep the list of lock partner firms."""
    SET_DUTY = "set_duty"
    """Set the unit's planner hours and appoint its on-call people."""
    SEE_REPORT = "see_report"
    """The leader's monthly report of the Bekey procedure."""


_EVERYONE: Final = frozenset(Role)
_FIELD: Final = _EVERYONE - {Role.VISITATION, Role.LOCK_PARTNER}
"""Everyone who opens citizens' doors (visitation assesses; a lock partner only fits locks)."""
_TICKET_HANDLERS: Final = frozenset({Role.PLANNER, Role.KEY_PERSON, Role.LEADER})
_KEY_KEEPERS: Final = frozenset({Role.PLANNER, Role.KEY_PERSON, Role.LEADER})

PERMISSIONS: Final[Mapping[Permission, frozenset[Role]]] = {
    Permission.EMERGENCY: _EVERYONE - {Role.LOCK_PARTNER},
    Permission.REPORT_FAULT: _FIELD,
    Permission.SEE_OWN_TICKETS: _FIELD,
    Permission.SEE_UNIT_TICKETS: _TICKET_HANDLERS,
    Permission.TAKE_TICKET: _TICKET_HANDLERS,
    Permission.CONTACT_ON_TICKET: _TICKET_HANDLERS,
    Permission.RESOLVE_TICKET: _TICKET_HANDLERS,
    Permission.HANDLE_INCIDENT: _TICKET_HANDLERS,
    Permission.BROADCAST: _TICKET_HANDLERS,
    Permission.INVITE: frozenset({Role.LEADER, Role.KEY_PERSON, Role.PLANNER, Role.VISITATION}),
    Permission.REACTIVATE: frozenset({Role.LEADER}),
    Permission.HOLD_SMARTKEY: _FIELD,
    Permission.SEE_UNIT_SMARTKEYS: _KEY_KEEPERS,
    Permission.HAND_OUT_SMARTKEY: _KEY_KEEPERS,
    Permission.REGISTER_SMARTKEY: _KEY_KEEPERS,
    Permission.RETIRE_SMARTKEY: _KEY_KEEPERS,
    Permission.MARK_SMARTKEY_UPDATED: _KEY_KEEPERS,
    Permission.ANSWER_SMARTKEY_REQUEST: _KEY_KEEPERS,
    Permission.APPOINT_KEY_PERSON: frozenset({Role.LEADER}),
    Permission.RECORD_TRAINING: frozenset({Role.KEY_PERSON, Role.LEADER}),
    Permission.SEE_TRAINING: frozenset({Role.KEY_PERSON, Role.LEADER}),
    Permission.DEACTIVATE: frozenset({Role.LEADER, Role.PLANNER, Role.VISITATION}),
    Permission.CLOSE_LEAVER_TASK: frozenset({Role.PLANNER, Role.LEADER}),
    Permission.LOOK_UP_CITIZEN: _FIELD | {Role.VISITATION},
    Permission.MANAGE_CITIZENS: frozenset({Role.VISITATION}),
    Permission.RECORD_LOCK_PARTNER_STEP: frozenset({Role.VISITATION, Role.LOCK_PARTNER}),
    Permission.MANAGE_LOCK_PARTNERS: frozenset({Role.LEADER}),
    Permission.SET_DUTY: frozenset({Role.LEADER}),
    Permission.SEE_REPORT: frozenset({Role.LEADER}),
}
"""Who may do what (the unit check and, for tickets, the state check are the caller's)."""

GRANTABLE: Final[Mapping[Role, frozenset[Role]]] = {
    Role.LEADER: _EVERYONE,
    Role.KEY_PERSON: frozenset({Role.CAREGIVER, Role.SUBSTITUTE, Role.STUDENT, Role.NIGHT_GUARD}),
    Role.PLANNER: frozenset({Role.SUBSTITUTE, Role.STUDENT, Role.NIGHT_GUARD}),
    Role.VISITATION: frozenset({Role.LOCK_PARTNER}),
}
"""Whom an inviter may invite: the roles each inviting role may give."""

DEACTIVATABLE: Final[Mapping[Role, frozenset[Role]]] = {
    Role.LEADER: _EVERYONE,
    Role.PLANNER: frozenset({Role.SUBSTITUTE, Role.STUDENT, Role.NIGHT_GUARD, Role.CAREGIVER}),
    Role.VISITATION: frozenset({Role.LOCK_PARTNER}),
}
"""Whom a deactivating role may deactivate (in their own unit): a leader anyone, a planner
substitutes, students, night guards and caregivers; a leader or visitation a lock partner's
fitter (who belongs to a firm, in no unit)."""


def may(holder: Role | Iterable[Role], permission: Permission) -> bool:
    """Whether a role (or someone acting as any of several: a role and an appointment) may
    do this."""
    roles = (holder,) if isinstance(holder, Role) else holder
    return any(role in PERMISSIONS[permission] for role in roles)


def holders(permission: Permission) -> frozenset[Role]:
    """The roles that may do this."""
    return PERMISSIONS[permission]


def parse_role(text: str) -> Role | None:
    """Read a role from its code or any Danish or English name; None if unknown.

    Case, spaces, hyphens and underscores do not matter, nor whether æ, ø and å are typed
    as such, as ae, oe and aa, or as a, o and a (``Afloeser``, ``night guard``, ``nøgle-person``).
    """
    return _ROLE_NAMES.get(_folded(text))


def _folded(text: str) -> str:
    """A role name as compared: lower case, no separators, æøå as a, o, a."""
    key = text.strip().lower()
    for separator in ("-", "_", " ", "\u00a0", "/"):
        key = key.replace(separator, "")
    for danish, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        key = key.replace(danish, spelt)
    for spelt, plain in (("ae", "a"), ("oe", "o"), ("aa", "a")):
        key = key.replace(spelt, plain)
    return key


_NAMES: Final[Mapping[Role, tuple[str, ...]]] = {
    Role.CAREGIVER: (
        "hjemmehjælper",
        "caregiver",
        # the names the bot once showed; they live on in saved staff files
        "hjemmehjælper/sygeplejerske",
        "caregiver/nurse",
        "sygeplejerske",
        "nurse",
        "medarbejder",
        "sosu",
    ),
    Role.SUBSTITUTE: ("afløser", "substitute", "vikar"),
    Role.STUDENT: ("elev", "student"),
    Role.NIGHT_GUARD: ("nattevagt", "night-guard"),
    Role.PLANNER: ("planlægger", "planner"),
    Role.KEY_PERSON: ("nøgleperson", "key-person"),
    Role.LEADER: ("leder", "leader"),
    Role.VISITATION: ("visitator", "assessor", "visitation", "visitationen"),
    Role.LOCK_PARTNER: ("låsepartner", "lock-partner", "montør", "fitter", "låsesmed"),
}
"""Every name a role goes by: the names shown in Danish and English first (bot/render/locales,
``[role]``; a test holds the two together), then older and everyday ones."""

_ROLE_NAMES: Final[Mapping[str, Role]] = {
    _folded(name): role for role in Role for name in (role.value, *_NAMES[role])
}


def grantable_roles(inviter: Role) -> frozenset[Role]:
    """Return the roles an inviter of this role may give (empty if none)."""
    if not may(inviter, Permission.INVITE):
        return frozenset()
    return GRANTABLE.get(inviter, frozenset())


def may_invite(
    inviter_role: Role,
    inviter_unit: str,
    role: Role,
    unit: str,
    existing_role: Role | None = None,
    existing_unit: str | None = None,
) -> bool:
    """Whether an inviter may invite (or re-invite) someone to a role in a unit.

    Invites are for the inviter's own unit (a lock partner belongs to a firm, in no unit).
    Re-inviting an existing employee (a new phone, a new role) also needs the right to manage
    the role they have now.
    """
    allowed = grantable_roles(inviter_role)
    if role not in allowed or not _own_unit(role, unit, inviter_unit):
        return False
    if existing_role is None:
        return True
    return existing_role in allowed and _own_unit(existing_role, existing_unit, inviter_unit)


def _own_unit(role: Role, unit: str | None, inviter_unit: str) -> bool:
    """Whether someone of this role in this unit is in the inviter's unit (a lock partner is
    in none, so in reach of whoever may invite them)."""
    return role is Role.LOCK_PARTNER or unit == inviter_unit


class Action(StrEnum):
    """A main action, shown as a command and (for the big ones) a keyboard button."""

    REPORT_FAULT = "report_fault"
    EMERGENCY = "emergency"
    MY_TICKETS = "my_tickets"
    TICKETS = "tickets"
    INCIDENTS = "incidents"
    BROADCAST = "broadcast"
    INVITE = "invite"
    REACTIVATE = "reactivate"
    CITIZEN = "citizen"
    NEW_CITIZEN = "new_citizen"
    ORDERS = "orders"
    SMARTKEYS = "smartkeys"
    NEW_SMARTKEY = "new_smartkey"
    CABINET = "cabinet"
    STATUS = "status"
    REPORT = "report"
    ON_CALL = "on_call"
    TRAINING = "training"
    KEY_PERSONS = "key_persons"
    LOCK_PARTNERS = "lock_partners"
    DEACTIVATE = "deactivate"
    LANGUAGE = "language"
    HELP = "help"


_ACTION_ORDER: Final = (
    Action.EMERGENCY,
    Action.TICKETS,
    Action.INCIDENTS,
    Action.BROADCAST,
    Action.REPORT_FAULT,
    Action.MY_TICKETS,
    Action.CITIZEN,
    Action.NEW_CITIZEN,
    Action.ORDERS,
    Action.SMARTKEYS,
    Action.NEW_SMARTKEY,
    Action.CABINET,
    Action.STATUS,
    Action.REPORT,
    Action.TRAINING,
    Action.KEY_PERSONS,
    Action.ON_CALL,
    Action.LOCK_PARTNERS,
    Action.INVITE,
    Action.DEACTIVATE,
    Action.REACTIVATE,
    Action.LANGUAGE,
    Action.HELP,
)
_ACTION_NEEDS: Final[Mapping[Action, Permission]] = {
    Action.EMERGENCY: Permission.EMERGENCY,
    Action.TICKETS: Permission.SEE_UNIT_TICKETS,
    Action.INCIDENTS: Permission.HANDLE_INCIDENT,
    Action.BROADCAST: Permission.BROADCAST,
    Action.REPORT_FAULT: Permission.REPORT_FAULT,
    Action.MY_TICKETS: Permission.SEE_OWN_TICKETS,
    Action.INVITE: Permission.INVITE,
    Action.REACTIVATE: Permission.REACTIVATE,
    Action.CITIZEN: Permission.LOOK_UP_CITIZEN,
    Action.NEW_CITIZEN: Permission.MANAGE_CITIZENS,
    Action.ORDERS: Permission.RECORD_LOCK_PARTNER_STEP,
    Action.LOCK_PARTNERS: Permission.MANAGE_LOCK_PARTNERS,
    Action.SMARTKEYS: Permission.HOLD_SMARTKEY,
    Action.NEW_SMARTKEY: Permission.REGISTER_SMARTKEY,
    Action.CABINET: Permission.REGISTER_SMARTKEY,
    Action.STATUS: Permission.SEE_TRAINING,
    Action.REPORT: Permission.SEE_REPORT,
    Action.ON_CALL: Permission.SET_DUTY,
    Action.TRAINING: Permission.RECORD_TRAINING,
    Action.KEY_PERSONS: Permission.APPOINT_KEY_PERSON,
    Action.DEACTIVATE: Permission.DEACTIVATE,
}
"""The permission behind each menu action (language and help are everyone's)."""


def actions_for(holder: Role | Iterable[Role]) -> tuple[Action, ...]:
    """Return the actions a role (or a role and an appointment) is offered, most urgent first."""
    roles = frozenset((holder,) if isinstance(holder, Role) else holder)
    return tuple(
        action
        for action in _ACTION_ORDER
        if action not in _ACTION_NEEDS or may(roles, _ACTION_NEEDS[action])
    )


def permission_for(action: Action) -> Permission | None:
    """The permission a menu action needs (None: everyone's)."""
    return _ACTION_NEEDS.get(action)


KEYBOARD_ACTIONS = frozenset(
    {
        Action.EMERGENCY,
        Action.REPORT_FAULT,
        Action.MY_TICKETS,
        Action.TICKETS,
        Action.SMARTKEYS,
        Action.ORDERS,
        Action.HELP,
    }
)
"""Actions that get a big button on the persistent keyboard."""
