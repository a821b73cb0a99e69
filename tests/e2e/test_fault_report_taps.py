"""A fault report with gloves on: every category in six taps, any citizen, typed or listed."""

from __future__ import annotations

from bot.render.i18n import t
from tests.e2e.conftest import ELSE, SEND_NOW, register_namesakes
from tests.harness import Harness, Person, text_of


async def test_a_door_fault_without_a_description_takes_six_taps(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    taps = 0

    await anna.say(t("da", "button.report_fault"))
    taps += 1
    for button in (ELSE, "Ja", "Ja", "Nej", SEND_NOW):
        await anna.press(button)
        taps += 1

    assert taps == 6
    assert "F-0001" in await anna.last_text()
    ticket = await bot.ticket(1)
    assert (ticket.model.category, ticket.description, ticket.citizen_id) == ("door", None, 1)
    assert "F-0001" in await unit["per"].last_text()


async def test_a_citizen_not_in_the_register_is_reported_as_the_caregiver_typed_it(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/fejl")
    shown = (await anna.say("Hr. Mogensen, Bygaden 4"))[0]
    assert "Ingen Bekey-borger passer til «Hr. Mogensen, Bygaden 4»" in text_of(shown)

    await anna.press("✍ Ikke på listen: brug «Hr. Mogensen, Bygaden 4»", shown)
    step = await anna.last_text()
    assert "Hr. Mogensen, Bygaden 4" in step
    for button in ("Nej", SEND_NOW):
        await anna.press(button)

    ticket = await bot.ticket(1)
    assert (ticket.citizen_id, ticket.citizen_text) == (None, "Hr. Mogensen, Bygaden 4")
    assert ticket.unit == "Hjemmepleje Nord"
    card = await unit["per"].last_text()
    assert "Borger (skrevet af medarbejderen): Hr. Mogensen, Bygaden 4" in card


async def test_many_matching_citizens_ask_for_more_letters_in_the_fault_report(
    bot: Harness, unit: dict[str, Person]
) -> None:
    await register_namesakes(bot, 12)
    anna = unit["anna"]
    await anna.say("/fejl")

    shown = (await anna.say("vagn"))[0]

    assert t("da", "triage.more", total=12) in text_of(shown)
    assert "12 borgere passer. Skriv flere bogstaver" in text_of(shown)
    assert len([b for b in shown.buttons if b.startswith("Vagn")]) == 8
