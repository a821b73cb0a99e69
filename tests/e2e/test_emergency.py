"""Bekey does not open and a visit is waiting: one tap gives the number and what to say."""

from __future__ import annotations

from datetime import timedelta

from bot.render.i18n import t
from tests.harness import Harness, Person, text_of


async def test_one_tap_shows_the_number_the_words_and_the_fallbacks(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]

    replies = await anna.say(t("da", "button.emergency"))

    card = replies[0]
    assert "Ring til Bekey support, døgnet rundt: +45 43 30 05 05" in text_of(card)
    assert "Mit bruger-id: ab1234" in text_of(card)
    assert "Smartkey fra det aflåste skab" in text_of(card)
    assert "sender Bekey en låsesmed" in text_of(card)
    assert card.buttons == [
        "Else Hansen · Strandvej 1, 4640 Faxe",
        "Jens Olsen · Torvet 3, 4640 Faxe",
        "📶 Mobilnettet er nede",
    ]
    assert card.protect_content


async def test_the_emergency_is_recorded_and_pushed_to_planners_and_key_persons(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]

    await anna.say("/akut")

    ticket = await bot.ticket(1)
    assert ticket is not None
    assert (ticket.model.category, ticket.reporter, ticket.model.state) == (
        "emergency",
        "ab1234",
        "open",
    )
    for who in ("per", "pia", "kim"):
        pushed = await unit[who].last()
        assert "AKUT: Bekey virker ikke" in text_of(pushed)
        assert "Borger: ikke oplyst endnu" in text_of(pushed)


async def test_choosing_the_citizen_fills_in_the_card_and_the_planners_copy(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    card = (await anna.say("/akut"))[0]

    answer, _ = await anna.press("Jens Olsen · Torvet 3, 4640 Faxe", card)

    assert answer == "Borger noteret på F-0001."
    filled = await anna.message_by_id(card.message_id)
    chosen = "Hos hvilken borger nøglen ikke virker: Jens Olsen, Torvet 3, 4640 Faxe"
    assert chosen in text_of(filled)
    assert filled.buttons == ["📶 Mobilnettet er nede"]
    assert "Borger: Jens Olsen, Torvet 3" in await per.last_text()


async def test_a_typed_citizen_is_used_when_the_list_does_not_help(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    await anna.say("/akut")

    replies = await anna.say("Fru Nielsen, Bakken 4")
    await anna.press("✍ Ikke på listen: brug «Fru Nielsen, Bakken 4»", replies[0])

    card = await anna.message_by_id(replies[0].message_id)
    assert "ikke virker: Fru Nielsen, Bakken 4" in text_of(card)
    assert "Borger (skrevet af medarbejderen): Fru Nielsen, Bakken 4" in await per.last_text()


async def test_a_second_tap_shows_the_same_emergency_not_a_new_one(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]

    await anna.say("/akut")
    await anna.say("/emergency")

    assert await bot.ticket_count() == 1


async def test_the_emergency_card_answers_in_english_too(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/language en")

    card = (await anna.say(t("en", "button.emergency")))[0]

    assert "Call Bekey support, around the clock: +45 43 30 05 05" in text_of(card)
    assert "My user-id: ab1234" in text_of(card)


async def test_text_goes_to_the_fault_report_started_after_the_emergency(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/akut")
    bot.clock.advance(timedelta(seconds=20))
    await anna.say("/fejl")

    replies = await anna.say("torv")

    assert replies[0].buttons[0] == "Jens Olsen · Torvet 3, 4640 Faxe"
    ticket = await bot.ticket(1)
    assert ticket is not None and ticket.citizen_text is None
