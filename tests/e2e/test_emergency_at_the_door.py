"""The emergency card as caregivers met it in their first week, at one door and then the next."""

from __future__ import annotations

from datetime import timedelta

from bot.render.i18n import t
from state.roles import Role
from tests.e2e.conftest import ELSE, begin_report, register_namesakes
from tests.harness import Harness, Person, register_citizens, text_of

JENS = "Jens Olsen · Torvet 3, 4640 Faxe"


async def test_a_second_emergency_at_another_door_is_one_tap_away(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    card = (await anna.say("/akut"))[0]
    await anna.press(ELSE, card)
    bot.clock.advance(timedelta(minutes=8))

    again = (await anna.say("/akut"))[0]

    assert "Else Hansen" in text_of(again)
    assert t("da", "emergency.still_open") in text_of(again)
    _, shown = await anna.press(t("da", "emergency.another"), again)
    new_card = shown[0]
    assert "Else Hansen" not in text_of(new_card)
    assert JENS in new_card.buttons
    await anna.press(JENS, new_card)

    first, second = await bot.ticket(1), await bot.ticket(2)
    assert (first.citizen_id, second.citizen_id) == (1, 2)
    assert second.model.category == "emergency" and second.reporter == "ab1234"
    assert "F-0002" in await unit["per"].last_text()


async def test_ok_tak_after_the_emergency_does_not_become_the_citizen(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/akut")

    shown = await anna.say("ok tak")

    assert "Ingen Bekey-borger passer til «ok tak»" in text_of(shown[0])
    ticket = await bot.ticket(1)
    assert ticket.citizen_id is None and ticket.citizen_text is None
    assert "ok tak" not in await unit["per"].last_text()


async def test_a_typed_name_fills_in_the_citizen_once_the_caregiver_confirms_it(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/akut")
    shown = await anna.say("Hr. Mogensen, Bygaden 4")

    answer, _ = await anna.press("✍ Ikke på listen: brug «Hr. Mogensen, Bygaden 4»", shown[0])

    assert answer == t("da", "emergency.citizen_set", number="F-0001")
    ticket = await bot.ticket(1)
    assert (ticket.citizen_id, ticket.citizen_text) == (None, "Hr. Mogensen, Bygaden 4")
    assert "Hr. Mogensen, Bygaden 4" in await unit["per"].last_text()


async def test_typing_part_of_a_name_offers_the_citizens_it_fits(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await anna.say("/akut")

    shown = await anna.say("jens")

    assert shown[0].buttons[0] == JENS
    await anna.press(JENS, shown[0])
    assert (await bot.ticket(1)).citizen_id == 2


async def test_many_matching_citizens_ask_for_more_letters(
    bot: Harness, unit: dict[str, Person]
) -> None:
    await register_namesakes(bot, 12)
    anna = unit["anna"]
    await anna.say("/akut")

    shown = await anna.say("vagn")

    assert t("da", "emergency.more_letters", count=12) in text_of(shown[0])
    assert len([b for b in shown[0].buttons if b.startswith("Vagn")]) == 8


async def test_the_card_says_who_was_told(bot: Harness, unit: dict[str, Person]) -> None:
    card = (await unit["anna"].say("/akut"))[0]

    told = t("da", "emergency.told", number="F-0001", names="Kim Key, Per Planner, Pia Planner")
    assert told in text_of(card)


async def test_in_a_unit_with_nobody_on_the_bot_the_card_says_nobody_was_told(
    bot: Harness,
) -> None:
    await register_citizens(bot)
    bo = await bot.employee("bo01", Role.NIGHT_GUARD, unit="Plejecenter Øst", name="Bo Vagt")

    card = (await bo.say("/akut"))[0]

    nobody = t("da", "emergency.told_nobody", number="F-0001", unit="Plejecenter Øst")
    assert nobody in text_of(card)
    assert "Planlæggeren har fået besked" not in text_of(card)


async def test_no_mobile_network_names_the_citizen_once_on_the_card(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await begin_report(anna)

    await anna.press(t("da", "triage.button.network_down"))

    card = await anna.last_text()
    assert "ikke virker: Else Hansen, Strandvej 1, 4640 Faxe (bagdør)" in card
    assert "Borger:" not in card


async def test_the_pinned_card_follows_the_caregivers_language(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]

    await anna.say("/language en")

    pinned = await bot.client.pinned(anna.telegram_id)
    assert len(pinned) == 1
    assert text_of(pinned[0]).startswith("🆘 Bekey not working: emergency")
    assert "ab1234" in text_of(pinned[0])
    unpin = [c for c in await bot.client.calls("unpinChatMessage") if c["error_code"] is None]
    assert len(unpin) == 1


async def test_the_leader_and_key_person_of_a_unit_without_a_planner_are_told_so(
    bot: Harness,
) -> None:
    lise = await bot.employee("le09", Role.LEADER, unit="Plejecenter Øst", name="Lise Leder")
    kaj = await bot.employee("kp09", Role.KEY_PERSON, unit="Plejecenter Øst", name="Kaj Key")
    warning = t("da", "help.no_planner", unit="Plejecenter Øst")

    for person in (lise, kaj):
        assert warning in text_of((await person.say("/hjaelp"))[0])

    await bot.employee("pl09", Role.PLANNER, unit="Plejecenter Øst", name="Pia Plan")
    assert warning not in text_of((await lise.say("/hjaelp"))[0])
