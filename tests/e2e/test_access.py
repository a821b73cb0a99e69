"""Access that holds: people who left stay out, colleagues cannot rename each other, the gate
fails closed, a database that cannot be written is refused at start."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from bot.render.i18n import both, t
from bot.services.access import AccessService
from bot.storage.lookup import StaffLookup
from state.roles import Role
from tests.harness import Harness, Person, text_of
from tests.operator import Operator

NORD = "Hjemmepleje Nord"
STAFF = """user_id,name,role,unit
ab1234,Anna Jensen,hjemmehjælper,Hjemmepleje Nord
cd5678,Bo Sørensen,afløser,Hjemmepleje Nord
"""


async def _joined_from_the_command_line(
    bot: Harness, operator: Operator, user_id: str = "ab1234"
) -> Person:
    """An employee invited by the operator's staff list, who joined on their phone."""
    await operator.knows_units(NORD)
    run = await operator.run("import-staff", str(operator.file("personale.csv", STAFF)))
    assert run.code == 0, run
    link = next(line for line in run.out_lines if line.startswith(f"{user_id},"))
    person = bot.person(user_id)
    await person.say(f"/start {link.split('start=')[1]}")
    return person


async def test_a_deactivated_employees_old_phone_stays_out_after_the_staff_list_is_imported_again(
    bot: Harness, operator: Operator
) -> None:
    anna = await _joined_from_the_command_line(bot, operator)
    assert (await operator.run("deactivate", "--user-id", "ab1234")).code == 0

    again = await operator.run("import-staff", str(operator.file("personale.csv", STAFF)))

    assert again.code == 0, again
    assert [line.split(",")[0] for line in again.out_lines[1:]] == ["cd5678"]
    assert again.err_lines == [
        "skipped: ab1234 is deactivated; a leader reactivates with "
        "python -m bot reactivate --user-id ab1234"
    ]
    replies = await anna.say("/akut")
    assert text_of(replies[0]).startswith(t("da", "access.stranger"))
    assert await bot.ticket_count() == 0
    assert operator.rows("SELECT active, telegram_id FROM employees WHERE user_id = 'ab1234'") == [
        (0, None)
    ]
    assert [e.outcome for e in await bot.audit("invite") if e.target == "ab1234"][-1] == (
        "deactivated"
    )


async def test_a_key_person_cannot_invite_a_deactivated_colleague_back(
    bot: Harness, operator: Operator
) -> None:
    anna = await _joined_from_the_command_line(bot, operator)
    kim = await bot.employee("kp01", Role.KEY_PERSON, unit=NORD, name="Kim Key")
    await bot.services.staff.deactivate("ab1234", actor="le01")

    replies = await kim.say("/inviter ab1234 hjemmehjælper Anna Jensen")

    assert text_of(replies[0]) == t("da", "invite.deactivated", user_id="ab1234")
    assert "t.me" not in text_of(replies[0])
    assert not (await bot.employee_record("ab1234")).active
    assert text_of((await anna.say("/hjaelp"))[0]).startswith(t("da", "access.stranger"))


async def test_reactivation_by_the_leader_never_brings_the_old_phone_back(
    bot: Harness, operator: Operator
) -> None:
    anna = await _joined_from_the_command_line(bot, operator)
    lis = await bot.employee("le01", Role.LEADER, unit=NORD, name="Lis Leder")
    await bot.services.staff.deactivate("ab1234", actor="le01")
    await bot.sender.settled()  # Lis has the Bekey task (no planner): it is withdrawn below

    replies = await lis.say("/genaktiver ab1234")

    assert text_of(replies[0]) == t("da", "reactivate.done", user_id="ab1234")
    record = await bot.employee_record("ab1234")
    assert record.active and record.telegram_id is None
    assert text_of((await anna.say("/akut"))[0]).startswith(t("da", "access.stranger"))
    assert [(e.actor, e.target) for e in await bot.audit("reactivate")] == [("le01", "ab1234")]
    # a new invite binds a phone again
    token = json.loads((await operator.run(*_invite_args("ab1234"), "--json")).out)["token"]
    welcome = await anna.say(f"/start {token}")
    assert text_of(welcome[0]).startswith("Velkommen, Anna Jensen.")
    assert (await bot.employee_record("ab1234")).telegram_id == anna.telegram_id


async def test_only_a_leader_reactivates_and_the_command_line_can_too(
    bot: Harness, operator: Operator
) -> None:
    await _joined_from_the_command_line(bot, operator)
    kim = await bot.employee("kp01", Role.KEY_PERSON, unit=NORD, name="Kim Key")
    await bot.services.staff.deactivate("ab1234", actor="cli")

    answer = await kim.say("/genaktiver ab1234")
    run = await operator.run("reactivate", "--user-id", "ab1234")

    role = t("da", "appointment.with_key_person", role=t("da", "role.caregiver"))
    assert text_of(answer[0]) == t("da", "access.wrong_role", role=role)
    assert run.code == 0, run
    assert run.out_lines[0].startswith("ab1234 reactivated")
    assert (await bot.employee_record("ab1234")).active


def _invite_args(user_id: str) -> tuple[str, ...]:
    return (
        "invite",
        "--user-id",
        user_id,
        "--name",
        "Anna Jensen",
        "--role",
        "caregiver",
        "--unit",
        NORD,
    )


async def test_a_key_person_re_inviting_a_colleague_changes_neither_name_nor_role(
    bot: Harness,
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, unit=NORD, name="Anna Jensen")
    kim = await bot.employee("kp01", Role.KEY_PERSON, unit=NORD, name="Kim Key")
    lis = await bot.employee("le01", Role.LEADER, unit=NORD, name="Lis Leder")

    replies = await kim.say("/inviter ab1234 afløser Mallory Hacker")

    assert "Anna Jensen" in text_of(replies[0]) and "navn og rolle er uændrede" in text_of(
        replies[0]
    )
    record = await bot.employee_record("ab1234")
    assert (record.name, record.role) == ("Anna Jensen", Role.CAREGIVER)
    link = next(m for m in replies if "t.me/" in (m.text or ""))
    token = text_of(link).split("start=")[1].split()[0]
    new_phone = bot.person("Anna ny telefon")
    await new_phone.say(f"/start {token}")

    assert text_of(await anna.last()) == t("da", "join.moved")
    told = t("da", "join.leader_moved", name="Anna Jensen", user_id="ab1234")
    assert await lis.last_text() == told
    moved = [(e.target, e.outcome) for e in await bot.audit("binding_moved")]
    assert moved == [("ab1234", f"from tg:{anna.telegram_id}")]


async def test_the_gate_fails_closed_when_it_cannot_read_the_database(
    bot: Harness, unit: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreadable(self: StaffLookup, telegram_id: int) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    async def broken(self: AccessService, telegram_id: int) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(StaffLookup, "by_telegram_id", unreadable)  # the gate's own reads
    monkeypatch.setattr(AccessService, "admit", broken)  # and the shared connection
    anna = unit["anna"]

    replies = await anna.say("/akut")

    # Nothing got past the gate, but the person at the door still has Bekey's number.
    assert len(replies) == 1
    assert "+45 43 30 05 05" in text_of(replies[0])
    assert await bot.ticket_count() == 0

    replies = await anna.say("hej")
    assert [text_of(m) for m in replies] == [both("access.db_down", phone="+45 43 30 05 05")]


async def test_a_database_that_cannot_be_written_is_refused_at_start_in_one_line(
    operator: Operator, tmp_path: Path
) -> None:
    assert (await operator.run("migrate")).code == 0
    patch = tmp_path / "readonly"
    patch.mkdir()
    (patch / "sitecustomize.py").write_text(
        "import aiosqlite\n"
        "_connect = aiosqlite.connect\n"
        "def _read_only(database, *args, **kwargs):\n"
        "    return _connect(f'file:{database}?mode=ro', *args, uri=True, **kwargs)\n"
        "aiosqlite.connect = _read_only\n"
    )
    env = {**operator.env, "PYTHONPATH": f"{patch}:{operator.env['PYTHONPATH']}"}

    run = await operator.run("run", env=env)

    line = run.refused_in_one_line(2)
    assert "cannot open the database" in line and "readonly" in line
    assert operator.env["TELEGRAM_BOT_TOKEN"] not in run.err
