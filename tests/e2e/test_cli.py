"""The command line: an operator on the server runs ``python -m bot`` to set up, invite and import.

Every test runs the real CLI as a separate process (as the operator would), reads what the
operator sees (stdout, stderr, exit code), then opens the database to see what it holds.
The CLI asks the Bot API emulator for the bot's username, so the emulator must keep running
while the process does: processes are awaited, never waited for with a blocking call.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import re
from pathlib import Path

import pytest

from bot.render.i18n import t
from bot.settings import Settings
from bot.storage.migrations import MIGRATIONS
from state.invites import hash_token
from tests.conftest import BOT_USERNAME
from tests.harness import Harness
from tests.operator import Operator, Run

ROOT = Path(__file__).resolve().parents[2]
CLI = f"cli:{getpass.getuser()}"
"""How the command line signs the audit trail: cli and the operator's system user."""

# Made-up CPR-shaped test data (1 January 1990, serial 1234): nobody's number.
FAKE_CPR = "010190-1234"
FAKE_CPR_UNDASHED = "0101901234"

CPR_REFUSAL = "looks like a CPR number; CPR numbers must not be used"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _without(env: dict[str, str], *names: str) -> dict[str, str]:
    return {key: value for key, value in env.items() if key not in names}


def _names_bad_lines(run: Run, reasons: dict[int, str]) -> None:
    """Assert exit 1, one ``error: line N: ...`` per bad line in order, then the verdict."""
    assert run.code == 1, run
    assert run.out == ""
    assert "Traceback" not in run.err
    *named, verdict = run.err_lines
    assert len(named) == len(reasons), run.err
    for text, (number, reason) in zip(named, reasons.items(), strict=True):
        assert text.startswith(f"error: line {number}: "), text
        assert reason in text, text
    assert verdict == f"error: {len(reasons)} bad line(s); nothing was imported"


def _links(run: Run) -> dict[str, str]:
    """The tokens printed by import-staff, by user-id (checking every line's shape)."""
    assert run.out_lines[0] == "user_id,link"
    tokens: dict[str, str] = {}
    for line in run.out_lines[1:]:
        user_id, link = line.split(",")
        prefix = f"https://t.me/{BOT_USERNAME}?start="
        assert link.startswith(prefix)
        token = link.removeprefix(prefix)
        assert TOKEN_SHAPE.fullmatch(token)
        tokens[user_id] = token
    return tokens


INVITE_ANNA = (
    "invite",
    "--user-id",
    "ab1234",
    "--name",
    "Anna Jensen",
    "--role",
    "caregiver",
    "--unit",
    "Hjemmepleje Nord",
)


# --- settings ------------------------------------------------------------------------------


async def test_without_a_token_the_bot_explains_in_one_line_and_exits_2(
    operator: Operator,
) -> None:
    operator.file(".env", "")

    run = await operator.run(env=_without(operator.env, "TELEGRAM_BOT_TOKEN"))

    line = run.refused_in_one_line(2)
    assert "TELEGRAM_BOT_TOKEN is not set" in line


async def test_a_malformed_token_is_refused_in_one_line_without_repeating_it(
    operator: Operator,
) -> None:
    run = await operator.run(env={**operator.env, "TELEGRAM_BOT_TOKEN": "not-a-real-token"})

    line = run.refused_in_one_line(2)
    assert "TELEGRAM_BOT_TOKEN is malformed" in line
    assert "not-a-real-token" not in line


async def test_migrate_creates_the_schema_and_running_it_again_is_harmless(
    operator: Operator,
) -> None:
    assert not operator.database.exists()

    first = await operator.run("migrate")
    second = await operator.run("migrate")

    latest = MIGRATIONS[-1]
    for run in (first, second):
        assert run.code == 0, run
        assert run.err == ""
        assert run.out_lines == [
            f"database {operator.database} is up to date (version {latest.number})"
        ]
    tables = {
        name for (name,) in operator.rows("SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert tables >= {"employees", "invites", "citizens", "audit", "tickets", "triages", "outbox"}
    assert operator.rows("SELECT number FROM schema_migrations ORDER BY number") == [
        (m.number,) for m in MIGRATIONS
    ]


# --- invite --------------------------------------------------------------------------------


async def test_invite_prints_one_json_line_with_the_deep_link_and_stores_only_a_hash(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    run = await operator.run(*INVITE_ANNA, "--json")

    assert run.code == 0, run
    assert run.err == ""
    assert len(run.out_lines) == 1
    printed = json.loads(run.out_lines[0])
    assert set(printed) == {"user_id", "token", "link"}
    token = printed["token"]
    assert printed["user_id"] == "ab1234"
    assert TOKEN_SHAPE.fullmatch(token)
    assert printed["link"] == f"https://t.me/{BOT_USERNAME}?start={token}"
    # the token itself is nowhere in the database files, only its hash
    assert token.encode() not in operator.database_bytes()
    assert operator.rows("SELECT token_hash, user_id, created_by, revoked_at FROM invites") == [
        (hash_token(token), "ab1234", CLI, None)
    ]
    assert operator.rows(
        "SELECT user_id, name, role, unit, active, telegram_id FROM employees"
    ) == [("ab1234", "Anna Jensen", "caregiver", "Hjemmepleje Nord", 1, None)]
    assert operator.rows("SELECT actor, action, target, outcome FROM audit") == [
        (CLI, "invite", "ab1234", "ok")
    ]


async def test_an_invite_made_on_the_command_line_lets_the_employee_join(
    operator: Operator, bot: Harness, settings: Settings
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    assert operator.database == settings.database_path
    run = await operator.run(*INVITE_ANNA, "--json")
    token = json.loads(run.out)["token"]
    anna = bot.person("Anna")

    replies = await anna.say(f"/start {token}")

    welcome = replies[0].text
    assert welcome is not None and "Velkommen, Anna Jensen" in welcome
    assert operator.rows("SELECT telegram_id FROM employees WHERE user_id = 'ab1234'") == [
        (anna.telegram_id,)
    ]
    assert operator.rows("SELECT redeemed_by FROM invites") == [(anna.telegram_id,)]


async def test_a_deactivated_employee_cannot_join_with_the_link_they_were_sent(
    operator: Operator, bot: Harness
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    token = json.loads((await operator.run(*INVITE_ANNA, "--json")).out)["token"]
    assert (await operator.run("deactivate", "--user-id", "ab1234")).code == 0
    anna = bot.person("Anna")

    replies = await anna.say(f"/start {token}")

    refusal = replies[0].text
    assert refusal is not None and refusal.startswith(t("da", "join.used"))  # revoked with it
    assert operator.rows("SELECT active, telegram_id FROM employees") == [(0, None)]
    assert operator.rows("SELECT COUNT(*) FROM invites WHERE revoked_at IS NULL") == [(0,)]


async def test_a_configured_username_is_used_for_the_link_without_asking_the_bot_api(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    env = {**operator.env, "TELEGRAM_BOT_USERNAME": "@faxe_bekey_bot"}
    env["TELEGRAM_API_BASE_URL"] = "http://127.0.0.1:9"  # nothing listens there

    run = await operator.run(*INVITE_ANNA, "--json", env=env)

    assert run.code == 0, run
    printed = json.loads(run.out)
    assert printed["link"] == f"https://t.me/faxe_bekey_bot?start={printed['token']}"


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--role", "chauffør", "--role 'chauffør' is not one of: caregiver, substitute"),
        ("--user-id", "a b", "--user-id 'a b' is not a SmartCare user-id"),
        ("--name", FAKE_CPR, CPR_REFUSAL),
        ("--user-id", FAKE_CPR_UNDASHED, CPR_REFUSAL),
    ],
    ids=["bad role", "bad user-id", "CPR name", "CPR user-id"],
)
async def test_a_bad_invite_is_refused_in_one_line_and_nothing_is_written(
    operator: Operator, option: str, value: str, expected: str
) -> None:
    args = list(INVITE_ANNA)
    args[args.index(option) + 1] = value

    run = await operator.run(*args)

    line = run.refused_in_one_line(2)
    assert expected in line
    for table in ("employees", "invites", "audit"):
        assert operator.count(table) == 0


async def test_a_cpr_typed_as_the_user_id_is_never_printed_back(operator: Operator) -> None:
    args = list(INVITE_ANNA)
    args[args.index("--user-id") + 1] = FAKE_CPR.replace("-", " ")

    run = await operator.run(*args)

    line = run.refused_in_one_line(2)
    assert FAKE_CPR.replace("-", " ") not in line


async def test_an_invite_when_the_bot_api_refuses_the_token_says_what_to_set_and_writes_nothing(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    wrong = "987654321:AAHwrongTOKENwrongTOKENwrongTOKEN12"

    run = await operator.run(*INVITE_ANNA, env={**operator.env, "TELEGRAM_BOT_TOKEN": wrong})

    line = run.refused_in_one_line(2)
    assert "could not ask the Bot API" in line
    assert "set TELEGRAM_BOT_USERNAME" in line
    assert wrong not in line
    for table in ("employees", "invites", "audit"):
        assert operator.count(table) == 0


# --- import-staff --------------------------------------------------------------------------

STAFF = """\ufeffuser_id,name,role,unit
ab1234,Anna Jensen,caregiver,Hjemmepleje Nord
cd5678,Bo Sørensen,afløser,Hjemmepleje Nord
ef9012,Eva Østergaard,nattevagt,Plejecenter Syd
"""


async def test_import_staff_prints_a_link_per_employee_and_a_rerun_updates_and_revokes(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    # saved from a spreadsheet as "CSV UTF-8": a byte-order mark and CRLF line ends
    first_file = operator.file("personale.csv", STAFF, newline="\r\n")

    first = await operator.run("import-staff", str(first_file))

    assert first.code == 0, first
    assert first.err == ""
    first_tokens = _links(first)
    assert list(first_tokens) == ["ab1234", "cd5678", "ef9012"]
    assert operator.rows("SELECT user_id, name, role, unit FROM employees ORDER BY user_id") == [
        ("ab1234", "Anna Jensen", "caregiver", "Hjemmepleje Nord"),
        ("cd5678", "Bo Sørensen", "substitute", "Hjemmepleje Nord"),
        ("ef9012", "Eva Østergaard", "night_guard", "Plejecenter Syd"),
    ]

    second_file = operator.file("personale.csv", STAFF.replace("Bo Sørensen", "Bo Sørensen Holm"))
    second = await operator.run("import-staff", str(second_file))

    assert second.code == 0, second
    second_tokens = _links(second)
    assert list(second_tokens) == ["ab1234", "cd5678", "ef9012"]
    assert set(second_tokens.values()).isdisjoint(first_tokens.values())
    assert operator.count("employees") == 3
    assert operator.rows("SELECT name FROM employees WHERE user_id = 'cd5678'") == [
        ("Bo Sørensen Holm",)
    ]
    revoked = dict(operator.rows("SELECT token_hash, revoked_at IS NOT NULL FROM invites"))
    assert len(revoked) == 6
    assert all(revoked[hash_token(token)] for token in first_tokens.values())
    assert not any(revoked[hash_token(token)] for token in second_tokens.values())
    stored = operator.database_bytes()
    for token in [*first_tokens.values(), *second_tokens.values()]:
        assert token.encode() not in stored
    assert operator.rows("SELECT actor, action, COUNT(*) FROM audit GROUP BY actor, action") == [
        (CLI, "invite", 6)
    ]


async def test_a_staff_file_with_bad_lines_names_each_one_and_imports_nothing(
    operator: Operator,
) -> None:
    path = operator.file(
        "personale.csv",
        "user_id,name,role,unit\n"
        "ab1234,Anna Jensen,caregiver,Hjemmepleje Nord\n"
        "cd5678,Carl Hansen,chauffør,Hjemmepleje Nord\n"
        "ef9012,,elev,Hjemmepleje Nord\n"
        "gh3456,Gitte Holm,planner\n"
        "AB1234,Anna B. Jensen,caregiver,Hjemmepleje Nord\n"
        f"ij7890,{FAKE_CPR},caregiver,Hjemmepleje Nord\n"
        "a b,Ib Berg,elev,Hjemmepleje Nord\n"
        "kl1122,Karen Lund,leder,Sygeplejen\n",
    )

    run = await operator.run("import-staff", str(path))

    _names_bad_lines(
        run,
        {
            3: "unknown role 'chauffør'",
            4: "empty field: name",
            5: "expected 4 fields, found 3",
            6: "duplicate of line 2",
            7: CPR_REFUSAL,
            8: "'a b' is not a SmartCare user-id",
        },
    )
    assert FAKE_CPR not in run.err
    for table in ("employees", "invites", "audit"):
        assert operator.count(table) == 0


@pytest.mark.parametrize(
    ("command", "text", "header"),
    [
        (
            "import-staff",
            "userid,name,role,unit\nab1234,Anna,caregiver,Nord\n",
            "user_id,name,role,unit",
        ),
        (
            "import-citizens",
            "ref,name,address,unit\nB-1001,Karen,Skovvej 12,Nord\n",
            "ref,name,address,unit,bekey_door",
        ),
    ],
    ids=["staff misspelt", "citizens missing a column"],
)
async def test_a_file_with_the_wrong_header_is_refused_at_line_1(
    operator: Operator, command: str, text: str, header: str
) -> None:
    path = operator.file("fil.csv", text)

    run = await operator.run(command, str(path))

    line = run.refused_in_one_line(1)
    assert line.startswith(f"error: {path}: ") and header in line
    for table in ("employees", "invites", "citizens", "audit"):
        assert operator.count(table) == 0


# --- import-citizens -----------------------------------------------------------------------

CITIZENS = """ref,name,address,unit,bekey_door
B-1001,Karen Madsen,"Skovvej 12, 4690 Haslev",Hjemmepleje Nord,Bagdør
B-1002,Poul Nielsen,"Torvet 3 st. tv., 4690 Haslev",Hjemmepleje Nord,Hoveddør
"""


async def test_import_citizens_registers_each_door_and_a_reimport_updates_not_doubles(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    first = await operator.run("import-citizens", str(operator.file("borgere.csv", CITIZENS)))

    assert first.code == 0, first
    assert first.err == ""
    assert first.out_lines == ["imported 2 citizen(s)"]
    query = "SELECT ref, name, address, unit, bekey_door, bekey_status FROM citizens ORDER BY ref"
    assert operator.rows(query) == [
        (
            "B-1001",
            "Karen Madsen",
            "Skovvej 12, 4690 Haslev",
            "Hjemmepleje Nord",
            "Bagdør",
            "active",
        ),
        (
            "B-1002",
            "Poul Nielsen",
            "Torvet 3 st. tv., 4690 Haslev",
            "Hjemmepleje Nord",
            "Hoveddør",
            "active",
        ),
    ]

    moved = CITIZENS.replace(
        '"Skovvej 12, 4690 Haslev",Hjemmepleje Nord,Bagdør',
        '"Ringstedvej 5, 4690 Haslev",Hjemmepleje Nord,Hoveddør',
    )
    second = await operator.run("import-citizens", str(operator.file("borgere.csv", moved)))

    assert second.code == 0, second
    assert operator.count("citizens") == 2
    assert operator.rows("SELECT address, bekey_door FROM citizens WHERE ref = 'B-1001'") == [
        ("Ringstedvej 5, 4690 Haslev", "Hoveddør")
    ]
    assert operator.rows("SELECT actor, action, target FROM audit ORDER BY id") == [
        (CLI, "import_citizens", "2"),
        (CLI, "import_citizens", "2"),
    ]


async def test_a_citizen_file_with_bad_lines_names_each_one_and_imports_nothing(
    operator: Operator,
) -> None:
    too_long = "B-" + "9" * 31
    path = operator.file(
        "borgere.csv",
        "ref,name,address,unit,bekey_door\n"
        "B-1001,Karen Madsen,Skovvej 12,Hjemmepleje Nord,Bagdør\n"
        f"{FAKE_CPR_UNDASHED},Jens Jensen,Bygaden 1,Hjemmepleje Nord,Hoveddør\n"
        f"{too_long},Lis Lund,Bygaden 2,Hjemmepleje Nord,Hoveddør\n"
        "B-1004,Ole Olsen,,Hjemmepleje Nord,Bagdør\n",
    )

    run = await operator.run("import-citizens", str(path))

    _names_bad_lines(
        run,
        {3: CPR_REFUSAL, 4: "ref is longer than 32 characters", 5: "empty field: address"},
    )
    assert FAKE_CPR_UNDASHED not in run.err
    assert operator.count("citizens") == 0
    assert operator.count("audit") == 0


# --- files that cannot be read -------------------------------------------------------------


@pytest.mark.parametrize("command", ["import-staff", "import-citizens"])
async def test_a_missing_file_is_named_in_one_line(operator: Operator, command: str) -> None:
    missing = operator.workdir / "findes-ikke.csv"

    run = await operator.run(command, str(missing))

    assert run.refused_in_one_line(2) == f"error: {missing}: no such file"


async def test_a_file_saved_by_danish_excel_in_windows_1252_is_read(operator: Operator) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    path = operator.file("personale.csv", STAFF.lstrip("\ufeff"), encoding="cp1252")

    run = await operator.run("import-staff", str(path))

    assert run.code == 0, run
    names = operator.rows("SELECT name FROM employees ORDER BY user_id")
    assert names == [("Anna Jensen",), ("Bo Sørensen",), ("Eva Østergaard",)]


async def test_a_database_path_that_cannot_be_opened_is_named_in_one_line(
    operator: Operator,
) -> None:
    blocker = operator.file("not-a-directory", "")
    env = {**operator.env, "DATABASE_PATH": str(blocker / "bekey.sqlite3")}

    run = await operator.run("migrate", env=env)

    assert "cannot open the database" in run.refused_in_one_line(2)


async def test_a_file_that_is_not_a_database_is_refused_without_hanging(
    operator: Operator,
) -> None:
    garbage = operator.file("notdb.sqlite3", "garbage " * 200)
    env = {**operator.env, "DATABASE_PATH": str(garbage)}

    run = await asyncio.wait_for(operator.run("migrate", env=env), timeout=20)

    assert "cannot open the database" in run.refused_in_one_line(2)


# --- deactivate ----------------------------------------------------------------------------


async def test_deactivate_closes_an_employees_access_and_is_audited(operator: Operator) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    assert (await operator.run(*INVITE_ANNA)).code == 0

    run = await operator.run("deactivate", "--user-id", "ab1234")

    assert run.code == 0, run
    assert run.err == ""
    assert run.out_lines == [
        "ab1234 deactivated: the bot no longer answers that account",
        "task 'close ab1234 in Bekey' is open, but no planner or leader of Hjemmepleje Nord"
        " uses the bot: close them in Bekey yourself",
    ]
    assert operator.rows("SELECT active FROM employees WHERE user_id = 'ab1234'") == [(0,)]
    assert operator.rows("SELECT actor, action, target, outcome FROM audit ORDER BY id") == [
        (CLI, "invite", "ab1234", "ok"),
        (CLI, "deactivate", "ab1234", "ok"),
        (CLI, "leaver_task", "ab1234", "1"),
    ]


async def test_deactivating_an_unknown_user_id_exits_1_and_changes_nothing(
    operator: Operator,
) -> None:
    await operator.knows_units("Hjemmepleje Nord", "Plejecenter Syd")
    assert (await operator.run(*INVITE_ANNA)).code == 0

    run = await operator.run("deactivate", "--user-id", "zz9999")

    assert run.refused_in_one_line(1) == "error: no employee with user-id 'zz9999'"
    assert operator.rows("SELECT user_id, active FROM employees") == [("ab1234", 1)]
    assert operator.rows("SELECT action FROM audit") == [("invite",)]
