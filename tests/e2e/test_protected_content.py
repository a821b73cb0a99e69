"""Telegram's cloud is outside the EU: every message that names a citizen is protected content."""

from __future__ import annotations

from tests.e2e.conftest import ELSE, SEND_NOW, begin_report
from tests.harness import Harness, Person

CITIZEN_NAMES = ("Else Hansen", "Jens Olsen", "Strandvej", "Torvet")


async def test_every_message_that_names_a_citizen_cannot_be_forwarded_or_saved(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    await begin_report(anna, ["Ja", "Ja", "Nej"])
    await anna.press(SEND_NOW)
    card = (await anna.say("/akut"))[0]
    await anna.press(ELSE, card)
    await anna.say("/mine")
    await anna.say("/fejl")
    await anna.say("torv")
    await per.say("/sager")
    await per.press("✋ Tag sagen", await per.message_with_button("✋ Tag sagen"))

    naming = [
        (who, message)
        for who, person in unit.items()
        for message in await person.bot_messages()
        if any(name in (message.text or "") for name in CITIZEN_NAMES)
    ]

    assert len(naming) >= 8  # cards, lists, the triage, the emergency card and copies
    unprotected = [(who, (m.text or "")[:40]) for who, m in naming if not m.protect_content]
    assert unprotected == []
