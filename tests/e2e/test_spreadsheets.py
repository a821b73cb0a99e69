"""Staff lists as Danish offices save them: Excel workbooks and Excel's own CSV, in chat and CLI.

A key person in a Danish municipality keeps her team in Excel. Saved as CSV it has ``;``
between the fields and Windows-1252 letters; kept as a workbook the user-ids may be numbers.
Either must come back as a link per colleague. A file the bot cannot read gets one short
answer saying what to send instead, in the sender's language; on the command line, one line
and exit 1. Role names are typed back exactly as the bot shows them.

The command-line tests run ``python -m bot`` as a separate process, the way
``tests/e2e/test_cli.py`` does (its approach, copied here in small).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.render.i18n import t
from bot.render.spreadsheets import MAX_BYTES
from bot.storage.employees import Employee
from state.roles import Role
from tests.conftest import BOT_USERNAME
from tests.harness import Harness, text_of
from tests.operator import Operator
from tgemu.client import ChatMessage

ROOT = Path(__file__).resolve().parents[2]
NORD = "Hjemmepleje Nord"

# Made-up CPR-shaped test data (1 January 1990, serial 1234): nobody's number.
FAKE_CPR_WITHOUT_ITS_ZERO = 101901234  # 0101901234 typed into Excel as a number

Cell = str | int | float | None

TEAM: list[list[Cell]] = [
    ["user_id", "name", "role", "unit"],
    ["sub01", "Søren Krogh", "afløser", NORD],
    [4711, "Åse Ærø", "hjemmehjælper", NORD],  # a user-id typed as a number
    ["nat01", "Nanna Vagt", "nattevagt", NORD],
    ["elev07", "Emil Lærling", "elev", NORD],
]
TEAM_ROLES = {
    "sub01": ("Søren Krogh", Role.SUBSTITUTE),
    "4711": ("Åse Ærø", Role.CAREGIVER),
    "nat01": ("Nanna Vagt", Role.NIGHT_GUARD),
    "elev07": ("Emil Lærling", Role.STUDENT),
}


def workbook(rows: Sequence[Sequence[Cell]]) -> bytes:
    """An Excel workbook (.xlsx) with the rows on its first sheet."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def danish_excel_csv(rows: Sequence[Sequence[Cell]]) -> bytes:
    """What Excel in Danish saves as "CSV (semikolonsepareret)": ``;``, Windows-1252, CRLF."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("cp1252")


async def stored(bot: Harness, *user_ids: str) -> dict[str, Employee]:
    """Those of these user-ids the database holds an employee for."""
    found = {user_id: await bot.services.staff.get(user_id) for user_id in user_ids}
    return {user_id: employee for user_id, employee in found.items() if employee is not None}


async def links_in(bot: Harness, reply: ChatMessage) -> dict[str, str]:
    """The invite tokens in the file the bot sent back, by user-id."""
    assert reply.document is not None and reply.document["file_name"] == "invitationer.csv"
    rows = csv.DictReader(io.StringIO(await bot.client.document_text(reply)))
    return {row["user_id"]: row["link"].split("start=")[1] for row in rows}


async def assert_team_invited(bot: Harness, replies: list[ChatMessage]) -> None:
    """One file back with a link each, the team in the database, and a link that works."""
    assert len(replies) == 1
    assert "Invitationer til 4 medarbejdere i Hjemmepleje Nord" in (replies[0].text or "")
    tokens = await links_in(bot, replies[0])
    assert list(tokens) == list(TEAM_ROLES)
    staff = await stored(bot, *TEAM_ROLES)
    assert {user_id: (e.name, e.role, e.unit) for user_id, e in staff.items()} == {
        user_id: (name, role, NORD) for user_id, (name, role) in TEAM_ROLES.items()
    }
    aase = bot.person("Åse")
    welcome = await aase.say(f"/start {tokens['4711']}")
    assert "Velkommen, Åse Ærø" in text_of(welcome[0])


# --- in chat: Danish spreadsheets are accepted ----------------------------------------------


async def test_a_key_person_invites_her_team_from_a_danish_excel_file(bot: Harness) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON, name="Kim Key")

    replies = await kim.send_document("Mit hold.xlsx", workbook(TEAM))

    await assert_team_invited(bot, replies)


async def test_a_key_person_invites_her_team_from_a_csv_that_danish_excel_saved(
    bot: Harness,
) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON, name="Kim Key")

    replies = await kim.send_document("hold.csv", danish_excel_csv(TEAM))

    await assert_team_invited(bot, replies)


async def test_a_danish_excel_file_with_bad_rows_names_each_row_and_invites_nobody(
    bot: Harness,
) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON, name="Kim Key")
    rows: list[list[Cell]] = [
        *TEAM,
        ["pl05", "Per Plan", "planlægger", NORD],  # row 6: above a key person's reach
        [FAKE_CPR_WITHOUT_ITS_ZERO, "Gitte Holm", "elev", NORD],  # row 7: a CPR number
        ["sub09", "Sofie Holm", "afløser", None],  # row 8: no unit
    ]

    replies = await kim.send_document("hold.xlsx", workbook(rows))

    text = text_of(replies[0])
    assert text.splitlines() == [
        t("da", "import.refused", count=3),
        "Linje 6: du må ikke invitere en planlægger",
        "Linje 7: ligner et CPR-nummer; CPR-numre må ikke bruges",
        "Linje 8: tomt felt: unit",
    ]
    assert "1901234" not in text
    assert await stored(bot, *TEAM_ROLES, "pl05", "sub09") == {}
    assert [e.target for e in await bot.audit("invite")] == ["kp01"]  # Kim's own, nothing more


# --- in chat: a file the bot cannot read ----------------------------------------------------


def _damaged_workbook() -> bytes:
    whole = workbook(TEAM)
    return whole[: len(whole) // 2]


CANNOT_READ = {
    "binary junk named .csv": (
        "hold.csv",
        b"\x00\x01\x02\x03GIF89a\xff\x00",
        "Filen kan ikke læses som et regneark.",
        "The file cannot be read as a spreadsheet.",
    ),
    "a damaged workbook": (
        "hold.xlsx",
        _damaged_workbook(),
        "Excel-filen kan ikke åbnes; den er måske beskadiget.",
        "The Excel file cannot be opened; it may be damaged.",
    ),
    "the old Excel format": (
        "hold.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),
        "Det er en Excel-fil i det gamle format (.xls).",
        "This is an Excel file in the old format (.xls).",
    ),
    "the wrong columns": (
        "hold.csv",
        danish_excel_csv([["navn", "rolle"], ["Åse", "elev"]]),
        "Første række har ikke de rigtige kolonner.",
        "The first row does not have the right columns.",
    ),
    "too big": (
        "hold.csv",
        danish_excel_csv(TEAM) + b"x" * MAX_BYTES,
        "Filen er for stor (højst 256 kB).",
        "The file is too large (at most 256 kB).",
    ),
}

CITIZEN_COLUMNS = "ref,name,address,unit,bekey_door[,bekey_status]"
"""The columns a citizen file must have, then the optional one, as a refusal names them."""
DANISH_EXPECTATION = (
    "Jeg forventer kolonnerne user_id,name,role,unit i første række, "
    "som CSV (adskilt med , eller ;) eller Excel (.xlsx)."
)


@pytest.mark.parametrize(
    ("name", "content", "danish", "english"), CANNOT_READ.values(), ids=CANNOT_READ.keys()
)
async def test_a_leader_who_sends_a_file_the_bot_cannot_read_is_told_what_to_send(
    bot: Harness, name: str, content: bytes, danish: str, english: str
) -> None:
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")

    replies = await lis.send_document(name, content)

    assert len(replies) == 1
    assert text_of(replies[0]).splitlines() == [danish, DANISH_EXPECTATION]
    assert await stored(bot, *TEAM_ROLES) == {}


async def test_a_planner_who_reads_english_is_told_in_english(bot: Harness) -> None:
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    await per.say("/language en")

    replies = await per.send_document("team.xlsx", b"PK\x03\x04 not really a workbook")

    assert text_of(replies[0]).splitlines() == [
        "The Excel file cannot be opened; it may be damaged.",
        "Expected: the columns user_id,name,role,unit in the first row, "
        "as CSV (separated by , or ;) or Excel (.xlsx).",
    ]


async def test_a_caregiver_cannot_import_staff_from_a_workbook_either(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")

    replies = await anna.send_document("hold.xlsx", workbook(TEAM))

    assert replies[0].text == t("da", "access.wrong_role", role="hjemmehjælper")
    assert await stored(bot, *TEAM_ROLES) == {}


# --- in chat: every role name the bot shows is taken as typed -------------------------------


def shown_roles(usage: str, language: str) -> list[str]:
    """The role names in the invite usage text ("Du må invitere: a, b, c.")."""
    lead = {"da": "Du må invitere: ", "en": "You may invite: "}[language]
    line = next(line for line in usage.splitlines() if line.startswith(lead))
    return line.removeprefix(lead).removesuffix(".").split(", ")


@pytest.mark.parametrize(
    ("inviter_role", "language", "command", "expected"),
    [
        (
            Role.KEY_PERSON,
            "da",
            "/inviter",
            ["hjemmehjælper", "afløser", "elev", "nattevagt"],
        ),
        (
            Role.KEY_PERSON,
            "en",
            "/invite",
            ["caregiver", "substitute", "student", "night-guard"],
        ),
        (
            Role.LEADER,
            "da",
            "/inviter",
            [
                "hjemmehjælper",
                "afløser",
                "elev",
                "nattevagt",
                "planlægger",
                "nøgleperson",
                "leder",
                "visitator",
                "låsepartner",
            ],
        ),
    ],
    ids=["key person, Danish", "key person, English", "leader, Danish"],
)
async def test_a_key_person_invites_with_the_role_name_exactly_as_the_bot_shows_it(
    bot: Harness, inviter_role: Role, language: str, command: str, expected: list[str]
) -> None:
    inviter = await bot.employee("inv01", inviter_role, name="Inge Inviter")
    if language != "da":
        await inviter.say(f"/language {language}")
    usage = text_of((await inviter.say(command))[0])
    names = shown_roles(usage, language)
    assert names == expected

    for number, name in enumerate(names, start=1):
        replies = await inviter.say(f"{command} ny{number:02d} {name} Nina Nielsen")
        assert "https://t.me/bekey_test_bot?start=" in text_of(replies[0]), (name, replies)

    staff = await stored(bot, *(f"ny{number:02d}" for number in range(1, len(names) + 1)))
    shown_as = {
        name: t(language, f"role.{staff[f'ny{number:02d}'].acts_as.value}")
        for number, name in enumerate(names, start=1)
    }
    assert shown_as == {name: name for name in names}


async def test_an_unknown_role_is_answered_with_names_that_can_be_typed(bot: Harness) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON, name="Kim Key")

    replies = await kim.say("/inviter ny01 hjemmehjælper/sygeplejerske/chauffør Nina Nielsen")

    assert replies[0].text == (
        "Den rolle kender jeg ikke. Du må invitere: hjemmehjælper, afløser, elev, nattevagt."
    )
    assert await stored(bot, "ny01") == {}


# --- on the command line --------------------------------------------------------------------


async def test_an_operator_imports_the_staff_list_danish_excel_saved_as_csv(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    path = operator.file("personale.csv", danish_excel_csv(TEAM))

    run = await operator.run("import-staff", str(path))

    assert run.code == 0, run
    assert run.err == ""
    lines = run.out.splitlines()
    assert lines[0] == "user_id,link"
    assert [line.split(",")[0] for line in lines[1:]] == list(TEAM_ROLES)
    assert all(f"https://t.me/{BOT_USERNAME}?start=" in line for line in lines[1:])
    stored = operator.rows("SELECT user_id, name, role FROM employees ORDER BY rowid")
    assert stored == [(u, name, role.value) for u, (name, role) in TEAM_ROLES.items()]


async def test_an_operator_imports_the_citizens_from_an_excel_workbook(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    rows: list[list[Cell]] = [
        ["ref", "name", "address", "unit", "bekey_door"],
        [1001, "Karen Madsen", "Skovvej 12, 4690 Haslev", NORD, "Bagdør"],
        ["B-1002", "Poul Ærenlund", "Torvet 3 st. tv., 4690 Haslev", NORD, "Hoveddør"],
        [None, None, None, None, None],
    ]
    path = operator.file("borgere.xlsx", workbook(rows))

    run = await operator.run("import-citizens", str(path))

    assert run.code == 0, run
    assert run.out.splitlines() == ["imported 2 citizen(s)"]
    assert operator.rows(
        "SELECT ref, name, address, unit, bekey_door FROM citizens ORDER BY ref"
    ) == [
        ("1001", "Karen Madsen", "Skovvej 12, 4690 Haslev", NORD, "Bagdør"),
        ("B-1002", "Poul Ærenlund", "Torvet 3 st. tv., 4690 Haslev", NORD, "Hoveddør"),
    ]


async def test_an_operator_gets_each_bad_line_of_a_workbook_and_nothing_is_imported(
    operator: Operator,
) -> None:
    rows: list[list[Cell]] = [*TEAM, [FAKE_CPR_WITHOUT_ITS_ZERO, "Gitte Holm", "elev", NORD]]
    path = operator.file("personale.xlsx", workbook(rows))

    run = await operator.run("import-staff", str(path))

    assert run.code == 1, run
    assert run.out == ""
    assert run.err.splitlines() == [
        "error: line 6: looks like a CPR number; CPR numbers must not be used",
        "error: 1 bad line(s); nothing was imported",
    ]
    assert operator.rows("SELECT COUNT(*) FROM employees") in ([], [(0,)])


@pytest.mark.parametrize("command", ["import-staff", "import-citizens"])
@pytest.mark.parametrize(
    ("name", "content", "danish", "english"), CANNOT_READ.values(), ids=CANNOT_READ.keys()
)
async def test_an_operator_is_told_in_one_line_when_a_file_cannot_be_read(
    operator: Operator, command: str, name: str, content: bytes, danish: str, english: str
) -> None:
    path = operator.file(name, content)

    run = await operator.run(command, str(path))

    assert run.code == 1, run
    assert run.out == ""
    assert "Traceback" not in run.err
    columns = "user_id,name,role,unit" if command == "import-staff" else CITIZEN_COLUMNS
    assert run.err.splitlines() == [
        f"error: {path}: {english} Expected: the columns {columns} in the first row, "
        "as CSV (separated by , or ;) or Excel (.xlsx)."
    ]
    assert not operator.database.exists()  # refused before the database is opened
