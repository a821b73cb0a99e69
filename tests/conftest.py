"""Fixtures: the emulator, settings aimed at it, and the real Application running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_application, close_resources, inbox_of, open_resources
from bot.clock import ManualClock
from bot.settings import Settings
from tests.harness import Harness
from tgemu.client import EmulatorClient
from tgemu.server import BotApiEmulator

TOKEN = "123456789:AAHtestTOKENtestTOKENtestTOKENtest12"
BOT_USERNAME = "bekey_test_bot"


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME) as emu:
        yield emu


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def settings(tmp_path: Path, emulator: BotApiEmulator) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_base_url=emulator.base_url,
        database_path=tmp_path / "bekey.sqlite3",
        it_helpdesk_phone="70 20 30 40",
        lock_partner_name="Låsepartner A/S",
        lock_partner_phone="55 66 77 88",
        scan_interval_seconds=3600,
    )


async def start_bot(settings: Settings, clock: ManualClock) -> Harness:
    """Build the Application as production does, open it (the inbox starts fetching), start it."""
    app = build_application(settings, clock=clock)
    await app.initialize()
    await open_resources(app)
    await app.start()
    client = EmulatorClient(settings.telegram_api_base_url)
    return Harness(app, client, clock)


async def stop_bot(harness: Harness) -> None:
    """Stop polling and shut the Application down (as a restart would)."""
    app = harness.app
    await inbox_of(app).stop()  # no more fetching; what is queued is handled by stop()
    if app.running:
        await app.stop()
    await app.shutdown()
    await close_resources(app)
    await harness.client.aclose()


@pytest.fixture
async def bot(settings: Settings, clock: ManualClock) -> AsyncIterator[Harness]:
    harness = await start_bot(settings, clock)
    try:
        yield harness
    finally:
        await stop_bot(harness)
