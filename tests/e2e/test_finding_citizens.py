"""A caregiver finds the citizen the way Danes type: with æ, ø, å, or without them."""

from __future__ import annotations

import pytest

from bot.storage.citizens import CitizenRow
from state.roles import Role
from tests.harness import Harness, Person, register_citizens

AASE = CitizenRow("B-103", "Åse Ørum", "Ågade 2, 4640 Faxe", "Hjemmepleje Nord", "hoveddør")
AASE_BUTTON = "Åse Ørum · Ågade 2, 4640 Faxe"


@pytest.fixture
async def anna(bot: Harness) -> Person:
    """A caregiver of Hjemmepleje Nord, where Åse Ørum lives, at the first step of a report."""
    await register_citizens(bot)
    await register_citizens(bot, (AASE,))
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    await anna.say("/fejl")
    return anna


@pytest.mark.parametrize(
    "typed", ["Åse", "åse", "ågade", "Ørum", "ØRUM", "aase", "oerum", "aagade"]
)
async def test_a_caregiver_finds_aase_oerum_by_typing(anna: Person, typed: str) -> None:
    shown = await anna.say(typed)

    assert len(shown) == 1
    assert shown[0].buttons[0] == AASE_BUTTON
    assert "Else Hansen · Strandvej 1, 4640 Faxe" not in shown[0].buttons


async def test_a_caregiver_who_types_a_wildcard_finds_nobody_by_accident(anna: Person) -> None:
    shown = await anna.say("%")

    assert "Ingen Bekey-borger passer til «%»" in (shown[0].text or "")
    assert AASE_BUTTON not in shown[0].buttons


async def test_a_caregiver_picks_aase_oerum_after_finding_her(bot: Harness, anna: Person) -> None:
    await anna.say("aase")
    await anna.press(AASE_BUTTON)

    async with bot.services.db.read() as tx:
        triage = await tx.triages.active_for("ab1234")
    assert triage is not None and triage.model.citizen_id is not None
    async with bot.services.db.read() as tx:
        citizen = await tx.citizens.get(triage.model.citizen_id)
    assert citizen is not None and citizen.name == "Åse Ørum"
