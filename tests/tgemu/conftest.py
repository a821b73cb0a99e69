"""Fixtures for the emulator tests: a running emulator, its control client, raw HTTP, a PTB Bot."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot

from tgemu import BotApiEmulator, EmulatorClient

TOKEN = "123456:TEST-emulator-token"
START = 1_800_000_000.0


class FakeClock:
    """Unix time that moves only when told."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def emulator(clock: FakeClock) -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, now=clock) as emu:
        yield emu


@pytest.fixture
async def control(emulator: BotApiEmulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.base_url) as client:
        yield client


@pytest.fixture
async def api(emulator: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP against /bot{TOKEN}/."""
    async with httpx.AsyncClient(
        base_url=f"{emulator.base_url}/bot{TOKEN}", trust_env=False, timeout=10
    ) as client:
        yield client


@pytest.fixture
async def bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    async with Bot(
        TOKEN,
        base_url=f"{emulator.base_url}/bot",
        base_file_url=f"{emulator.base_url}/file/bot",
    ) as telegram_bot:
        yield telegram_bot
