"""Smartkeys at the cabinet: a planner hands out, a substitute confirms, a night guard takes one
herself at 22:00, keys come back or run late, and a lost key is blocked and found again."""

from __future__ import annotations

import pytest

from bot.render.i18n import t
from bot.storage.smartkeys import SmartkeyRow
from state.roles import Role
from state.smartkey import Smartkey, SmartkeyState
from tests.harness import Harness, Person, text_of

NORD = "Hjemmepleje Nord"
OFFICE = "Plejecenter Nord, kontoret, 1. sal"


async def stock_cabinet(bot: Harness, labels: tuple[str, ...] = ("K-01", "K-02", "K-03")) -> None:
    """Register a cabinet of Hjemmepleje Nord with keys, the way the import does."""
    rows = [SmartkeyRow(label, NORD, "Kontoret", OFFICE) for label in labels]
    await bot.services.smartkeys.import_rows(rows, actor="cli")


async def key(bot: Harness, label: str) -> Smartkey:
    """A key as stored."""
    async with bot.services.db.read() as tx:
        found = await tx.smartkeys.find(NORD, label)
    assert found is not None
    return found


@pytest.fixture
async def shift(bot: Harness) -> dict[str, Person]:
    """Hjemmepleje Nord at the start of a shift: a stocked cabinet, a planner, a caregiver,
    a substitute and a night guard."""
    await stock_cabinet(bot)
    return {
        "per": await bot.employee("pl01", Role.PLANNER, name="Per Planner"),
        "anna": await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen"),
        "sofie": await bot.employee("sub01", Role.SUBSTITUTE, name="Sofie Vikar"),
        "nina": await bot.employee("ng01", Role.NIGHT_GUARD, name="Nina Nat"),
    }


async def test_a_planner_hands_a_key_to_a_substitute_who_confirms(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Pick the key, pick the substitute (first in the list), she confirms with one tap."""
    per, sofie = shift["per"], shift["sofie"]

    view = await per.say("/noegler")
    assert "Kontoret" in text_of(view[0]) and "3 nøgler i skabet" in text_of(view[0])
    await per.press("🔑 Udlever en nøgle")
    await per.press("K-02")
    people = await per.message_with_button("Sofie Vikar · afløser")
    assert people.buttons[:2] == ["Nina Nat · nattevagt", "Sofie Vikar · afløser"]
    await per.press("Sofie Vikar · afløser")

    assert "K-02</b> er udleveret til Sofie Vikar" in (await per.last()).html
    asked = await sofie.last()
    assert "Smartkey <b>K-02</b>" in asked.html and "✅ Jeg har nøglen" in asked.buttons
    stored = await key(bot, "K-02")
    assert stored.state == SmartkeyState.HANDED_OUT and stored.holder == "sub01"
    assert stored.confirmed_at is None

    await sofie.press("✅ Jeg har nøglen")

    assert "Du har bekræftet" in await sofie.last_text()
    assert (await key(bot, "K-02")).confirmed_at == bot.clock.now()
    assert [entry.action for entry in await bot.audit() if "smartkey" in entry.action][-2:] == [
        "smartkey_hand_out",
        "smartkey_confirm",
    ]
    assert t("da", "smartkey.flag.unconfirmed") not in (await per.say("/noegler"))[0].html
