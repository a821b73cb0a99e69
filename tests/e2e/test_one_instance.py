"""One bot per database, and a clear word when another machine polls with the same token.

The bot runs as the operator runs it (``python -m bot run``, a process), against the emulator;
a second one is started beside it on the same database, the command line is used while it
runs, it is killed with SIGKILL and started again. Two bots on different databases that share
a token make the emulator answer 409 Conflict, as Telegram does.
"""

from __future__ import annotations

import asyncio
import json
import re
import signal
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.instance import lock_path
from tests.operator import Operator, environment, running_bot, said
from tgemu.client import EmulatorClient
from tgemu.server import BotApiEmulator

SAY_WITHIN = 10.0
"""Seconds within which a bot must say what the test waits for."""

CONFLICT_WITHIN = 15.0
"""Seconds within which a bot must say that another bot polls with its token."""

MORE_CONFLICTS = 2
"""Conflicts both bots are watched through after the first word of one (they alternate)."""

WATCH_AT_MOST = 30.0
"""Seconds within which the two bots must have taken each other's polls that often."""

CONFLICT_LINE = "another bot is polling with this token"
PHONES = {"LOCK_PARTNER_PHONE": "55 66 77 88", "IT_HELPDESK_PHONE": "70 20 30 40"}
HOLDER = re.compile(r"\(PID (\d+), started (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) [^)]+\)")
STRANGER = 5_550_001


async def lines_for(process: asyncio.subprocess.Process, seconds: float) -> list[str]:
    """Every stderr line the bot writes in the next few seconds."""
    assert process.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(seconds):
            while line := (await process.stderr.readline()).decode():
                lines.append(line)
    except TimeoutError:
        pass
    return lines


def made(folder: Path) -> Path:
    """An empty working directory for a bot (no stray ``.env``)."""
    folder.mkdir(exist_ok=True)
    return folder


def first_env(operator: Operator) -> dict[str, str]:
    """The environment of the running bot: the operator's, with the phone numbers set."""
    return operator.env | PHONES


async def test_a_second_bot_on_the_same_database_is_refused_in_one_line_naming_the_first(
    tmp_path: Path, emulator: BotApiEmulator, operator: Operator
) -> None:
    async with running_bot(first_env(operator), made(tmp_path / "first")) as first:
        await said(first, "Application started")

        second = await operator.run("run", env=first_env(operator))

        line = second.refused_in_one_line(2)
        assert str(operator.database) in line
        holder = HOLDER.search(line)
        assert holder is not None, line
        assert int(holder[1]) == first.pid
        started = datetime.strptime(holder[2], "%Y-%m-%d %H:%M:%S").replace(
            tzinfo=ZoneInfo("Europe/Copenhagen")
        )
        assert abs(datetime.now(started.tzinfo) - started) < timedelta(minutes=2)

        assert first.returncode is None  # the first keeps running, and keeps answering
        async with EmulatorClient(emulator.base_url) as client:
            await client.send_text(STRANGER, "/start")
            await client.wait_for_message(STRANGER, timeout=SAY_WITHIN)
        assert first.returncode is None


async def test_the_lock_beside_the_database_names_the_running_bot_and_is_owner_only(
    tmp_path: Path, emulator: BotApiEmulator, operator: Operator
) -> None:
    async with running_bot(first_env(operator), made(tmp_path / "first")) as first:
        await said(first, "Application started")

        lock = lock_path(operator.database)
        assert lock.name == "bekey.sqlite3.lock"
        assert lock.stat().st_mode & 0o777 == 0o600
        written = json.loads(lock.read_text())
        assert written["pid"] == first.pid
        assert datetime.fromisoformat(written["started"]).tzinfo is not None


async def test_the_command_line_works_while_the_bot_runs(
    tmp_path: Path, emulator: BotApiEmulator, operator: Operator
) -> None:
    async with running_bot(first_env(operator), made(tmp_path / "first")) as first:
        await said(first, "Application started")

        added = await operator.run("units", "add", "Hjemmepleje Nord")
        units = await operator.run("units")
        invite = await operator.run(
            "invite",
            "--user-id",
            "le0001",
            "--name",
            "Lise Leder",
            "--role",
            "leder",
            "--unit",
            "Hjemmepleje Nord",
            "--json",
        )

        assert (added.code, added.out_lines) == (0, ["unit added: Hjemmepleje Nord"]), added
        assert (units.code, units.out_lines) == (0, ["Hjemmepleje Nord"]), units
        assert invite.code == 0, invite
        assert json.loads(invite.out)["user_id"] == "le0001"
        assert first.returncode is None


async def test_a_bot_killed_with_sigkill_is_started_again_at_once(
    tmp_path: Path, emulator: BotApiEmulator, operator: Operator
) -> None:
    async with running_bot(first_env(operator), made(tmp_path / "first")) as first:
        await said(first, "Application started")
        first.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(first.wait(), SAY_WITHIN) == -signal.SIGKILL

    async with running_bot(first_env(operator), made(tmp_path / "first")) as again:
        lines = await said(again, "Application started")

        assert not [line for line in lines if line.startswith("error:")], lines
        assert json.loads(lock_path(operator.database).read_text())["pid"] == again.pid


async def test_another_bot_polling_with_the_same_token_is_one_clear_error_line(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    envs = [
        environment(emulator.base_url, tmp_path / f"{name}-data" / "bekey.sqlite3", **PHONES)
        for name in ("here", "elsewhere")
    ]
    async with (
        running_bot(envs[0], made(tmp_path / "here")) as here,
        running_bot(envs[1], made(tmp_path / "elsewhere")) as elsewhere,
    ):
        await said(here, "Application started")
        await said(elsewhere, "Application started")

        seen = await said(elsewhere, CONFLICT_LINE, within=CONFLICT_WITHIN)
        watched: tuple[list[str], list[str]] = ([], [])
        until = _conflicts(emulator) + MORE_CONFLICTS
        async with asyncio.timeout(WATCH_AT_MOST):
            while _conflicts(emulator) < until:
                more = await asyncio.gather(lines_for(here, 1.0), lines_for(elsewhere, 1.0))
                watched[0].extend(more[0])
                watched[1].extend(more[1])

    said_elsewhere = seen + watched[1]
    [clear] = [line for line in said_elsewhere if CONFLICT_LINE in line]
    assert " ERROR " in clear
    assert all(CONFLICT_LINE not in line for line in watched[1]), "more than once a minute"
    assert all("Traceback" not in line for line in said_elsewhere + watched[0]), said_elsewhere
    assert len([line for line in watched[0] if CONFLICT_LINE in line]) <= 1


def _conflicts(emulator: BotApiEmulator) -> int:
    """How many getUpdates the emulator has answered with 409 Conflict so far."""
    return sum(1 for call in emulator.world.calls.all() if call["error_code"] == 409)
