"""Every role name the bot shows is one word, and is taken back exactly as it was shown.

A key person reads "Du må invitere: hjemmehjælper, afløser, ..." and types one of those words
in ``/inviter BRUGER-ID ROLLE NAVN``; a staff file names roles the same way.
"""

from __future__ import annotations

import pytest

from bot.render.i18n import LANGUAGES, t
from state.roles import Role, parse_role

SHOWN = [
    (language, role, t(language, f"role.{role.value}")) for language in LANGUAGES for role in Role
]


@pytest.mark.parametrize(("language", "role", "name"), SHOWN)
def test_every_role_name_the_bot_shows_is_one_word_that_reads_back_as_that_role(
    language: str, role: Role, name: str
) -> None:
    assert len(name.split()) == 1, f"{language}: {name!r} would not parse in /inviter ID ROLE NAME"
    assert parse_role(name) is role
    assert parse_role(name.upper()) is role
    assert parse_role(name.capitalize()) is role


def test_no_two_roles_are_shown_by_the_same_name() -> None:
    for language in LANGUAGES:
        names = [t(language, f"role.{role.value}").lower() for role in Role]
        assert len(set(names)) == len(names), language


TYPED = [
    # the codes (command line, files)
    *((role.value, role) for role in Role),
    ("night guard", Role.NIGHT_GUARD),
    ("NIGHT-GUARD", Role.NIGHT_GUARD),
    ("key person", Role.KEY_PERSON),
    ("Key_Person", Role.KEY_PERSON),
    # æ, ø and å, typed as such, as ae/oe/aa, or as plain letters
    ("Afløser", Role.SUBSTITUTE),
    ("afloeser", Role.SUBSTITUTE),
    ("afloser", Role.SUBSTITUTE),
    ("hjemmehjaelper", Role.CAREGIVER),
    ("hjemmehjalper", Role.CAREGIVER),
    ("planlaegger", Role.PLANNER),
    ("PLANLÆGGER", Role.PLANNER),
    ("noegleperson", Role.KEY_PERSON),
    ("nøgle-person", Role.KEY_PERSON),
    ("nogleperson", Role.KEY_PERSON),
    ("  leder ", Role.LEADER),
    ("visitator", Role.VISITATION),
    ("visitation", Role.VISITATION),
    ("assessor", Role.VISITATION),
    # the names the bot showed before, still in people's files
    ("hjemmehjælper/sygeplejerske", Role.CAREGIVER),
    ("caregiver/nurse", Role.CAREGIVER),
    ("sygeplejerske", Role.CAREGIVER),
    ("keyperson", Role.KEY_PERSON),
    ("medarbejder", Role.CAREGIVER),
    ("sosu", Role.CAREGIVER),
    ("vikar", Role.SUBSTITUTE),
    # not roles
    ("direktør", None),
    ("chauffør", None),
    ("", None),
    ("-", None),
]


@pytest.mark.parametrize(("typed", "role"), TYPED)
def test_a_role_is_read_however_it_is_typed(typed: str, role: Role | None) -> None:
    assert parse_role(typed) is role
