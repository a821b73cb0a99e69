"""The municipality's training report: ``python -m bot report training [--csv]``.

Every unit side by side: staff in the register, trained, Bekey on the phone, can update it,
all three (counts and percentages), untrained, not recorded, key persons (none is a gap),
and all units together. The command runs in this process through ``bot.cli.main``, as
``python -m bot`` calls it, over a database the services filled; the numbers are the data's.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import ManualClock
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.storage.employees import StaffRow
from state.roles import Role
from state.training import Mark, TrainingRecord, TrainingStatus
from tests.conftest import BOT_USERNAME, TOKEN
from tests.operator import Run

NORD, SYD, OEST = "Hjemmepleje Nord", "Hjemmepleje Syd", "Plejecenter Øst"

STAFF = (
    StaffRow("kp01", "Kim Key", Role.KEY_PERSON, NORD),
    StaffRow("le01", "Lis Leder", Role.LEADER, NORD),
    StaffRow("sub01", "Vikar 01", Role.SUBSTITUTE, NORD),
    StaffRow("sub02", "Vikar 02", Role.SUBSTITUTE, NORD),
    StaffRow("old01", "Ole Gammel", Role.CAREGIVER, NORD),
    StaffRow("kp09", "Sune Syd", Role.KEY_PERSON, SYD),
    StaffRow("kp08", "Sara Syd", Role.KEY_PERSON, SYD),
    StaffRow("sub09", "Vikar 09", Role.SUBSTITUTE, SYD),
    StaffRow("le03", "Lone Øst", Role.LEADER, OEST),
    StaffRow("vis1", "Vera Visitator", Role.VISITATION, OEST),  # not in the register
)


async def _fill(settings: Settings) -> None:
    """Nord: Kim trained Vikar 01 fully, Vikar 02 trained; Ole there before the register.
    Syd: two key persons, Vikar 09 fully. Øst: a leader, no key person."""
    services = Services.create(settings, ManualClock())
    await services.open()
    try:
        for row in STAFF:
            await services.staff.invite(row, actor="cli", bot_username=BOT_USERNAME)
        async with services.db.transaction() as tx:
            record = TrainingRecord("old01", TrainingStatus.NOT_RECORDED)
            await tx.training.save(record, services.clock.now())
        kim, sune = await services.staff.get("kp01"), await services.staff.get("kp09")
        assert kim is not None and sune is not None
        await services.training.record(kim, ["sub01"], Mark.ALL)
        await services.training.record(kim, ["sub02"], Mark.TRAINED)
        await services.training.record(sune, ["sub09"], Mark.ALL)
    finally:
        await services.close()


@dataclass
class Shell:
    """An operator's shell on the server: the settings in the environment."""

    capsys: pytest.CaptureFixture[str]

    def run(self, *args: str) -> Run:
        """Run ``python -m bot ARGS`` (in this process) and return what the operator saw."""
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        return Run(code, out, err)


@pytest.fixture
def shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Shell:
    """A database filled as above, and an environment with the token and the database."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "data" / "bekey.sqlite3"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    asyncio.run(_fill(load_settings()))
    return Shell(capsys)


def test_the_report_shows_every_unit_side_by_side(shell: Shell) -> None:
    """Nord 5, Syd 3, Øst 1 (visitation is not in the register): counts, percentages, the
    key persons (Øst has none: a gap), and every unit together."""
    run = shell.run("report", "training")
    assert (run.code, run.err) == (0, "")
    assert re.fullmatch(
        r"Bekey training, every unit \(as of \d{4}-\d\d-\d\d \d\d:\d\d, Europe/Copenhagen\)",
        run.out_lines[0],
    )
    assert run.out_lines[1:] == [
        "unit              staff  trained  on phone  can update  all three  untrained"
        "  not recorded  key persons",
        "Hjemmepleje Nord      5  2 (40%)   1 (20%)     1 (20%)    1 (20%)    2 (40%)"
        "       1 (20%)            1",
        "Hjemmepleje Syd       3  1 (33%)   1 (33%)     1 (33%)    1 (33%)    2 (67%)"
        "        0 (0%)            2",
        "Plejecenter Øst       1   0 (0%)    0 (0%)      0 (0%)     0 (0%)   1 (100%)"
        "        0 (0%)      0 (gap)",
        "All units             9  3 (33%)   2 (22%)     2 (22%)    2 (22%)    5 (56%)"
        "       1 (11%)            3",
    ]


def test_the_report_as_csv(shell: Shell) -> None:
    """One row a unit and the total, every count with its percentage."""
    run = shell.run("report", "training", "--csv")
    assert (run.code, run.err) == (0, "")
    assert run.out_lines == [
        "unit,staff,trained,trained_pct,bekey_installed,bekey_installed_pct,can_update,"
        "can_update_pct,all_three,all_three_pct,untrained,untrained_pct,not_recorded,"
        "not_recorded_pct,key_persons",
        "Hjemmepleje Nord,5,2,40,1,20,1,20,1,20,2,40,1,20,1",
        "Hjemmepleje Syd,3,1,33,1,33,1,33,1,33,2,67,0,0,2",
        "Plejecenter Øst,1,0,0,0,0,0,0,0,0,1,100,0,0,0",
        "All units,9,3,33,2,22,2,22,2,22,5,56,1,11,3",
    ]


def test_report_is_a_group_of_kinds(shell: Shell) -> None:
    """``report`` alone names the kinds it has, and exits 2 as bad arguments do."""
    with pytest.raises(SystemExit) as exit_:
        shell.run("report")
    assert exit_.value.code == 2
    assert "training" in shell.capsys.readouterr().err
