"""The one table of who may do what, read as a table: every role against every permission."""

from __future__ import annotations

import itertools

import pytest

from state.roles import (
    GRANTABLE,
    PERMISSIONS,
    Action,
    Permission,
    Role,
    actions_for,
    grantable_roles,
    may,
    may_invite,
)

R, P = Role, Permission

# Who may do what, written out by hand: any (role, permission) pair not marked is a "no".
# Columns: emergency, report fault, own tickets, unit tickets, take, contact, resolve,
# handle an incident, broadcast, invite, reactivate; then Smartkeys: hold one's own, see the
# unit's, hand out, register, retire, mark updated, answer a request; then appoint a key
# person, record training, see training, deactivate, close a leaver's task; then citizens:
# look one up, manage citizens, record a lock partner's step, keep the lock partner firms;
# then the leader's monthly report, and setting duty (planner hours, on-call people).
_YES = "x"
MATRIX: dict[Role, str] = {
    R.CAREGIVER: "xxx........ x...... ..... x... ..",
    R.SUBSTITUTE: "xxx........ x...... ..... x... ..",
    R.STUDENT: "xxx........ x...... ..... x... ..",
    R.NIGHT_GUARD: "xxx........ x...... ..... x... ..",
    R.VISITATION: "x........x. ....... ...x. xxx. ..",
    R.LOCK_PARTNER: "........... ....... ..... ..x. ..",
    R.PLANNER: "xxxxxxxxxx. xxxxxxx ...xx x... ..",
    R.KEY_PERSON: "xxxxxxxxxx. xxxxxxx .xx.. x... ..",
    R.LEADER: "xxxxxxxxxxx xxxxxxx xxxxx x..x xx",
}
COLUMNS = (
    P.EMERGENCY,
    P.REPORT_FAULT,
    P.SEE_OWN_TICKETS,
    P.SEE_UNIT_TICKETS,
    P.TAKE_TICKET,
    P.CONTACT_ON_TICKET,
    P.RESOLVE_TICKET,
    P.HANDLE_INCIDENT,
    P.BROADCAST,
    P.INVITE,
    P.REACTIVATE,
    P.HOLD_SMARTKEY,
    P.SEE_UNIT_SMARTKEYS,
    P.HAND_OUT_SMARTKEY,
    P.REGISTER_SMARTKEY,
    P.RETIRE_SMARTKEY,
    P.MARK_SMARTKEY_UPDATED,
    P.ANSWER_SMARTKEY_REQUEST,
    P.APPOINT_KEY_PERSON,
    P.RECORD_TRAINING,
    P.SEE_TRAINING,
    P.DEACTIVATE,
    P.CLOSE_LEAVER_TASK,
    P.LOOK_UP_CITIZEN,
    P.MANAGE_CITIZENS,
    P.RECORD_LOCK_PARTNER_STEP,
    P.MANAGE_LOCK_PARTNERS,
    P.SEE_REPORT,
    P.SET_DUTY,
)


def test_the_matrix_covers_every_role_and_permission() -> None:
    assert set(MATRIX) == set(Role)
    assert set(COLUMNS) == set(Permission) == set(PERMISSIONS)


@pytest.mark.parametrize(("role", "permission"), list(itertools.product(Role, Permission)))
def test_who_may_do_what(role: Role, permission: Permission) -> None:
    expected = MATRIX[role].replace(" ", "")[COLUMNS.index(permission)] == _YES
    assert may(role, permission) is expected


WHOM: dict[Role, set[Role]] = {
    R.LEADER: set(Role),
    R.KEY_PERSON: {R.CAREGIVER, R.SUBSTITUTE, R.STUDENT, R.NIGHT_GUARD},
    R.PLANNER: {R.SUBSTITUTE, R.STUDENT, R.NIGHT_GUARD},
    R.VISITATION: {R.LOCK_PARTNER},
}


@pytest.mark.parametrize(("inviter", "role"), list(itertools.product(Role, Role)))
def test_who_may_invite_whom(inviter: Role, role: Role) -> None:
    expected = role in WHOM.get(inviter, set())
    assert (role in grantable_roles(inviter)) is expected
    assert may_invite(inviter, "Nord", role, "Nord") is expected
    # always the inviter's own unit; a lock partner is in no unit, but in a firm
    assert may_invite(inviter, "Nord", role, "Syd") is (expected and role is R.LOCK_PARTNER)


def test_only_inviters_have_whom_to_invite() -> None:
    assert set(GRANTABLE) == {role for role in Role if may(role, P.INVITE)}


@pytest.mark.parametrize(
    ("inviter", "existing", "allowed"),
    [
        (R.KEY_PERSON, R.CAREGIVER, True),  # a new phone for a colleague
        (R.KEY_PERSON, R.PLANNER, False),  # a key person cannot demote a planner
        (R.PLANNER, R.CAREGIVER, False),
        (R.LEADER, R.PLANNER, True),
    ],
)
def test_re_inviting_needs_the_right_over_the_role_held_now(
    inviter: Role, existing: Role, allowed: bool
) -> None:
    assert may_invite(inviter, "Nord", R.SUBSTITUTE, "Nord", existing, "Nord") is (
        allowed and R.SUBSTITUTE in WHOM[inviter]
    )


@pytest.mark.parametrize("role", list(Role))
def test_the_menu_offers_exactly_what_the_table_allows_emergency_first(role: Role) -> None:
    actions = actions_for(role)
    assert (actions[0] is Action.EMERGENCY) is may(role, P.EMERGENCY)  # not a lock partner
    assert (Action.TICKETS in actions) is may(role, P.SEE_UNIT_TICKETS)
    assert (Action.INVITE in actions) is may(role, P.INVITE)
    assert actions[-2:] == (Action.LANGUAGE, Action.HELP)
