"""A home-care unit ready for fault reports: citizens, a caregiver, planners, key person, leader."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage.citizens import CitizenRow
from state.roles import Role
from tests.harness import Harness, Person, register_citizens
from tests.operator import Operator, environment
from tgemu.server import BotApiEmulator

ELSE = "Else Hansen · Strandvej 1, 4640 Faxe"
SEND_NOW = "📨 Send uden beskrivelse"


@pytest.fixture
async def unit(bot: Harness) -> dict[str, Person]:
    """Hjemmepleje Nord, with a planner of Hjemmepleje Syd on the side."""
    await register_citizens(bot)
    return {
        "anna": await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen"),
        "per": await bot.employee("pl01", Role.PLANNER, name="Per Planner"),
        "pia": await bot.employee("pl02", Role.PLANNER, name="Pia Planner"),
        "kim": await bot.employee("kp01", Role.KEY_PERSON, name="Kim Key"),
        "lis": await bot.employee("le01", Role.LEADER, name="Lis Leder"),
        "syd": await bot.employee("pl09", Role.PLANNER, unit="Hjemmepleje Syd", name="Sune Syd"),
    }


async def begin_report(anna: Person, answers: list[str] | None = None) -> None:
    """Start a fault report at Else's door and give the answers (Ja/Nej) to the checks."""
    await anna.say("/fejl")
    await anna.press(ELSE)
    for answer in answers or []:
        await anna.press(answer)


async def report(anna: Person, answers: list[str], description: str | None = None) -> str:
    """Walk the triage: Else's door, the given answers, then send (with a description, checked)."""
    await begin_report(anna, answers)
    if description is None:
        await anna.press(SEND_NOW)
    else:
        await anna.say(description)
        await anna.press("📨 Send til planlægger")
    return await anna.last_text()


@pytest.fixture
def operator(tmp_path: Path, emulator: BotApiEmulator, settings: Settings) -> Operator:
    """The operator at the server, sharing the database and the emulator with ``bot``."""
    workdir = tmp_path / "operator"
    workdir.mkdir()
    env = environment(emulator.base_url, settings.database_path)
    return Operator(workdir, settings.database_path, env)


async def register_namesakes(bot: Harness, count: int) -> None:
    """Register ``count`` citizens of Hjemmepleje Nord whose names all start with "Vagn"."""
    rows = tuple(
        CitizenRow(f"V-{n}", f"Vagn Vej {n}", f"Vejen {n}", "Hjemmepleje Nord", "hoveddør")
        for n in range(count)
    )
    await register_citizens(bot, rows)
