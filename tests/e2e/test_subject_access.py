"""Subject access: ``python -m bot subject-access --user-id ID`` prints what the bot holds.

The account, the role history, the invites (never a token or its hash), the tickets the
employee reported or handled with their part in each, the fault reports they ran, and the
audit lines where they act or are named. A citizen shows by reference only; another
person's words (a description on a ticket the employee only handled) never show.
The commands run in-process over the real bot's database, as ``bot.cli`` will run them.
"""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

import pytest

from bot.cli_records import CliRecordsError, add_commands, prepare
from bot.services.records import RecordsService
from bot.services.retention import RetentionService, months_before
from bot.storage.smartkeys import SmartkeyRow
from state.invites import hash_token
from state.roles import Role
from state.training import Mark
from tests.e2e.conftest import report
from tests.harness import Harness, Person

DESCRIPTION = "Låsen blinker rødt ved bagdøren"


async def _run(bot: Harness, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run one command as ``python -m bot`` would, over the bot's database; return stdout."""
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    work = prepare(args.command, args)
    assert work is not None
    capsys.readouterr()
    assert await work(bot.services) == 0
    return capsys.readouterr().out


@pytest.fixture
async def history(bot: Harness, unit: dict[str, Person]) -> list[str]:
    """Anna reported F-0001 at Else's door, Per took and resolved it; Anna became key person.

    Returns the invite tokens Anna was given.
    """
    anna, per = unit["anna"], unit["per"]
    await report(anna, ["Nej"], DESCRIPTION)
    await per.press("✋ Tag sagen")
    await per.press("✅ Løst")
    bot.clock.advance(timedelta(hours=2))
    return [await bot.invite("ab1234", "Anna Jensen", Role.KEY_PERSON, "Hjemmepleje Nord")]


async def test_an_employee_sees_account_roles_invites_tickets_reports_and_trail(
    bot: Harness, history: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = await _run(bot, capsys, "subject-access", "--user-id", "ab1234")

    lines = out.splitlines()
    assert lines[0] == "Subject access: ab1234 (as of 2026-11-27 11:00, Europe/Copenhagen)"
    headings = [line for line in lines if line.startswith("== ")]
    assert headings[:5] == [
        "== Account ==",
        "== Role history (1) ==",
        "== Invites (2) ==",
        "== Tickets reported or handled (1) ==",
        "== Fault reports (1) ==",
    ]
    assert headings[5:8] == [
        "== Smartkeys taken, handed out or held ==",  # none: an empty section
        "== Bekey training ==",
        "== Tasks to close them in Bekey ==",
    ]
    assert headings[8].startswith("== Audit trail (")
    for expected in (
        "  user-id:      ab1234",
        "  name:         Anna Jensen",
        "  role:         caregiver",
        "  key person:   yes (appointed)",
        "  unit:         Hjemmepleje Nord",
        "  language:     da",
        "  active:       yes",
        "  telegram:     bound, since 2026-11-27 09:00",
        "  created:      2026-11-27 09:00",
        "  deactivated:  no",
        "  2026-11-27 11:00  by cli: key person appointed",
        "  created 2026-11-27 09:00 by cli, expires 2026-11-30 09:00, used 2026-11-27 09:00",
        "  created 2026-11-27 11:00 by cli, expires 2026-11-30 11:00, not used",
        "    your part: reported; steps: open (phone) 2026-11-27 09:00",
        "    citizen: B-101",
        f"    description: {DESCRIPTION}",
        "  2026-11-27 11:00  cli  key_person_appointed  ab1234  ok",
    ):
        assert expected in lines, (expected, out)
    assert any(line.startswith("  F-0001  phone  resolved") for line in lines), out
    assert any(
        line.startswith("  #1  submitted  phone  started 2026-11-27 09:00") for line in lines
    )
    for never in ("Else Hansen", "Strandvej", history[0], hash_token(history[0])):
        assert never not in out, never
    looked = await bot.audit("subject_access")
    assert [(e.actor, e.target) for e in looked] == [("cli", "ab1234")]


async def test_a_planner_sees_their_part_but_not_the_reporters_words(
    bot: Harness, history: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = await _run(bot, capsys, "subject-access", "--user-id", "pl01")

    lines = out.splitlines()
    assert "== Tickets reported or handled (1) ==" in lines
    assert "== Fault reports ==" in lines and "  (none)" in lines
    part = next(line for line in lines if line.startswith("    your part: "))
    assert part.startswith("    your part: took; steps: taken 2026-11-27 09:00")
    assert "resolved 2026-11-27 09:00" in part
    assert DESCRIPTION not in out
    assert "  name:         Per Planner" in lines


async def test_the_json_version_holds_the_same_and_no_account_id_or_token(
    bot: Harness, history: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    out = await _run(bot, capsys, "subject-access", "--user-id", "ab1234", "--json")

    found = json.loads(out)
    assert found["user_id"] == "ab1234"
    account = found["account"]
    assert (account["name"], account["role"], account["key_person"], account["bound"]) == (
        "Anna Jensen",
        "caregiver",
        True,
        True,
    )
    assert account["bound_at"] == "2026-11-27T09:00:00+01:00"
    assert "telegram_id" not in account
    assert [r["action"] for r in found["role_history"]] == ["key_person_appointed"]
    assert len(found["invites"]) == 2
    (ticket,) = found["tickets"]
    assert (ticket["number"], ticket["reported"], ticket["took"]) == ("F-0001", True, False)
    assert (ticket["citizen_ref"], ticket["description"]) == ("B-101", DESCRIPTION)
    (triage,) = found["triages"]
    assert (triage["ticket_number"], triage["citizen_ref"]) == ("F-0001", "B-101")
    assert any(a["action"] == "ticket_created" for a in found["audit"])
    for never in ("Else Hansen", "Strandvej", history[0], hash_token(history[0])):
        assert never not in out


async def test_after_retention_the_ticket_is_in_the_trail_only(
    bot: Harness, history: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    now = bot.clock.now()
    bot.clock.advance(months_before(now, -13) + timedelta(days=1) - now)
    services = bot.services
    await RetentionService(services.db, services.clock, services.settings).purge(dry_run=False)

    out = await _run(bot, capsys, "subject-access", "--user-id", "ab1234")

    assert "== Tickets reported or handled ==" in out.splitlines()
    assert DESCRIPTION not in out
    assert "ab1234  ticket_created  F-0001  phone" in out


async def test_an_unknown_or_malformed_user_id_is_one_line(
    bot: Harness, unit: dict[str, Person]
) -> None:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))

    work = prepare("subject-access", parser.parse_args(["subject-access", "--user-id", "zz9999"]))
    assert work is not None
    with pytest.raises(CliRecordsError) as unknown:
        await work(bot.services)
    assert (str(unknown.value), unknown.value.code) == ("no employee with user-id 'zz9999'", 1)

    for bad, message in (
        ("a b", "--user-id 'a b' is not a SmartCare user-id"),
        ("010190-1234", "that looks like a CPR number; CPR numbers must not be used"),
    ):
        with pytest.raises(CliRecordsError) as refused:
            prepare("subject-access", parser.parse_args(["subject-access", "--user-id", bad]))
        assert (str(refused.value), refused.value.code) == (message, 2)
    services = bot.services
    records = RecordsService(services.db, services.clock, services.settings)
    assert await records.subject_access("(anonymised)", actor="cli") is None
    assert await bot.audit("subject_access") == []


async def test_the_smartkeys_an_employee_took_or_was_handed_are_listed(
    bot: Harness, unit: dict[str, Person], capsys: pytest.CaptureFixture[str]
) -> None:
    """Per hands Anna K-07; Anna gives it back: both steps are in Anna's report."""
    ledger = bot.services.smartkeys
    await ledger.import_rows(
        [SmartkeyRow("K-07", "Hjemmepleje Nord", "Kontoret", "1. sal")], actor="cli"
    )
    per = await bot.employee_record("pl01")
    anna = await bot.employee_record("ab1234")
    found = await ledger.find_key(per, "K-07")
    assert found is not None and found.key.id is not None
    await ledger.hand_out(per, found.key.id, "ab1234")
    await ledger.give_back(anna, found.key.id)

    out = await _run(bot, capsys, "subject-access", "--user-id", "ab1234")

    assert "== Smartkeys taken, handed out or held (2) ==" in out
    assert "K-07: in_cabinet -> handed_out (by pl01, held by them)" in out
    assert "K-07: handed_out -> in_cabinet (by them, held by them)" in out


async def test_training_and_the_task_to_close_a_leaver_in_bekey_are_listed(
    bot: Harness, unit: dict[str, Person], capsys: pytest.CaptureFixture[str]
) -> None:
    """Kim trains Anna; Lis deactivates her: her training line and the planners' task show."""
    kim = await bot.employee_record("kp01")
    await bot.services.training.record(kim, ["ab1234"], Mark.TRAINED)
    await bot.services.staff.deactivate("ab1234", actor="cli")

    out = await _run(bot, capsys, "subject-access", "--user-id", "ab1234")

    assert "  trained:      trained, 2026-11-27 09:00 by kp01" in out
    assert "  installed:    not recorded" in out
    assert "== Tasks to close them in Bekey (1) ==" in out
    assert "  2026-11-27 09:00  by cli: open" in out
