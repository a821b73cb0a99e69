"""Starting the bot: a newcomer's first minute, told at once what is wrong and what is not."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.conftest import TOKEN
from tests.operator import environment, running_bot, said
from tgemu.server import BotApiEmulator

CLOSED_PORT = 9
"""The discard port: nothing listens on it here, and no emulator takes a port this low."""


async def test_a_bot_that_cannot_reach_the_bot_api_says_so_within_ten_seconds_and_keeps_trying(
    tmp_path: Path,
) -> None:
    env = environment(f"http://127.0.0.1:{CLOSED_PORT}", tmp_path / "bekey.sqlite3")

    async with running_bot(env, tmp_path) as bot:
        first = (await said(bot, "cannot be reached"))[-1]
        again = (await said(bot, "cannot be reached"))[-1]
        assert bot.returncode is None, "the bot stopped trying"

    assert "trying again" in first and "trying again" in again
    assert TOKEN not in first + again


async def test_a_missing_lock_partner_number_is_named_at_start(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    env = environment(
        emulator.base_url, tmp_path / "bekey.sqlite3", IT_HELPDESK_PHONE="70 20 30 40"
    )

    async with running_bot(env, tmp_path) as bot:
        warning = (await said(bot, "LOCK_PARTNER_PHONE"))[-1]
        await said(bot, "Application started")
        assert bot.returncode is None, "the bot stopped on its own"

    assert "not set" in warning


async def test_a_token_the_bot_api_rejects_is_one_line_and_exit_2(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    wrong = "123456789:AAHwrongTOKENwrongTOKENwrongTOKEN12"
    env = environment(
        emulator.base_url,
        tmp_path / "bekey.sqlite3",
        TELEGRAM_BOT_TOKEN=wrong,
        LOCK_PARTNER_PHONE="55 66 77 88",
        IT_HELPDESK_PHONE="70 20 30 40",
    )

    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 30)

    assert process.returncode == 2
    lines = [line for line in err.decode().splitlines() if not line[:4].isdigit()]
    assert lines == [
        "error: TELEGRAM_BOT_TOKEN was rejected by the Bot API: check the token from @BotFather"
    ]
    assert wrong not in (out + err).decode()
