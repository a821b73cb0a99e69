"""Units are a list the bot knows: however a file or an operator spells one, it is one unit."""

from __future__ import annotations

from state.roles import Role
from tests.harness import Harness, text_of
from tests.operator import Operator

NORD = "Hjemmepleje Nord"
CITIZENS_OTHER_SPELLING = """ref,name,address,unit,bekey_door
B-1001,Karen Madsen,"Skovvej 12, 4690 Haslev",hjemmepleje nord ,Bagdør
"""


def _invite(user_id: str, role: str, unit: str) -> tuple[str, ...]:
    return (
        "invite",
        "--user-id",
        user_id,
        "--name",
        user_id.upper(),
        "--role",
        role,
        "--unit",
        unit,
    )


async def test_an_operator_lists_the_units_and_adds_one_once_however_it_is_spelt(
    operator: Operator,
) -> None:
    assert (await operator.run("units")).out == ""

    added = await operator.run("units", "add", NORD)
    again = await operator.run("units", "add", "  hjemmepleje   NORD ")

    assert (added.code, added.out_lines) == (0, [f"unit added: {NORD}"])
    assert again.refused_in_one_line(1) == f"error: the bot knows that unit already, as {NORD}"
    assert (await operator.run("units")).out_lines == [NORD]


async def test_the_first_leaders_invite_founds_the_unit_and_later_invites_join_it(
    operator: Operator,
) -> None:
    leader = await operator.run(*_invite("le01", "leader", NORD))
    caregiver = await operator.run(*_invite("ab1234", "hjemmehjælper", "hjemmepleje nord "))

    assert (leader.code, caregiver.code) == (0, 0)
    assert (await operator.run("units")).out_lines == [NORD]
    assert operator.rows("SELECT user_id, unit FROM employees ORDER BY user_id") == [
        ("ab1234", NORD),
        ("le01", NORD),
    ]


async def test_a_caregiver_invited_to_an_unknown_unit_is_refused_with_the_known_ones(
    operator: Operator,
) -> None:
    await operator.knows_units(NORD, "Plejecenter Syd")

    run = await operator.run(*_invite("ab1234", "caregiver", "Hjemmeplje Nord"))

    line = run.refused_in_one_line(1)
    assert "'Hjemmeplje Nord' is not a unit the bot knows" in line
    assert "Hjemmepleje Nord, Plejecenter Syd" in line
    assert operator.count("employees") == 0


async def test_citizens_imported_with_another_spelling_are_shown_to_the_units_caregivers(
    bot: Harness, operator: Operator
) -> None:
    await operator.knows_units(NORD)
    anna = await bot.employee("ab1234", Role.CAREGIVER, unit=NORD, name="Anna Jensen")
    path = operator.file("borgere.csv", CITIZENS_OTHER_SPELLING)

    run = await operator.run("import-citizens", str(path))

    assert run.code == 0, run
    assert operator.rows("SELECT unit FROM citizens") == [(NORD,)]
    shown = (await anna.say("/fejl"))[0]
    assert "Karen Madsen · Skovvej 12, 4690 Haslev" in shown.buttons


async def test_an_import_line_with_an_unknown_unit_names_the_known_units(
    operator: Operator,
) -> None:
    await operator.knows_units(NORD)
    path = operator.file("borgere.csv", CITIZENS_OTHER_SPELLING.replace("hjemmepleje nord ", "Øst"))

    refused = await operator.run("import-citizens", str(path))
    created = await operator.run("import-citizens", str(path), "--create-units")

    assert refused.code == 1
    assert refused.err_lines[0].startswith("error: line 2: the bot does not know the unit «Øst»")
    assert f"(known: {NORD})" in refused.err_lines[0]
    assert created.code == 0, created
    assert (await operator.run("units")).out_lines == [NORD, "Øst"]
    assert operator.rows("SELECT unit FROM citizens") == [("Øst",)]


async def test_a_key_persons_staff_file_may_spell_her_own_unit_her_own_way(
    bot: Harness,
) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON, unit=NORD, name="Kim Key")
    content = "user_id,name,role,unit\nsub01,Sanne Vikar,afløser,HJEMMEPLEJE NORD\n"

    replies = await kim.send_document("hold.csv", content.encode())

    assert replies[0].document is not None, text_of(replies[0])
    employee = await bot.employee_record("sub01")
    assert employee.unit == NORD
