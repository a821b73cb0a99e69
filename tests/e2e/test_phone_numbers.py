"""Phone numbers: one form everywhere (+45 43 30 05 05), and a missing number says so."""

from __future__ import annotations

import re

import pytest

from bot.render.phones import dialable
from bot.settings import Settings
from tests.e2e.conftest import begin_report, report
from tests.harness import Harness, Person, text_of

ODD_SPELLINGS = {
    "bekey_support_phone": "43300505",
    "it_helpdesk_phone": "+4570203040",
    "lock_partner_phone": "0045 55-66-77-88",
}
UNSET = {"bekey_support_phone": "43 30 05 05", "it_helpdesk_phone": " ", "lock_partner_phone": ""}
PAIRS = re.compile(r"(?:\+45 )?\d{2} \d{2} \d{2} \d{2}")


@pytest.fixture
def phones() -> dict[str, str]:
    """The support numbers as someone typed them into the settings."""
    return ODD_SPELLINGS


@pytest.fixture
def settings(settings: Settings, phones: dict[str, str]) -> Settings:
    return settings.model_copy(update=phones)


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("43 30 05 05", "+45 43 30 05 05"),
        ("43300505", "+45 43 30 05 05"),
        ("4330 0505", "+45 43 30 05 05"),
        ("43-30-05-05", "+45 43 30 05 05"),
        ("+45 43 30 05 05", "+45 43 30 05 05"),
        ("+4543300505", "+45 43 30 05 05"),
        ("0045 43 30 05 05", "+45 43 30 05 05"),
        (" 43 30 05 05 ", "+45 43 30 05 05"),
        ("+46 8 123 456 78", "+46 8 123 456 78"),  # not Danish: as written
        ("1813", "1813"),  # a short number: as written
        ("", ""),
    ],
)
def test_one_function_writes_every_number_the_way_phones_dial_it(written: str, shown: str) -> None:
    assert dialable(written) == shown


async def test_every_number_the_bot_shows_is_in_the_form_phones_dial(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per, kim = unit["anna"], unit["per"], unit["kim"]

    await report(anna, ["Ja", "Nej"])  # login: Bekey
    login_card = await kim.last()
    await report(anna, ["Nej"])  # the phone: IT
    phone_card = await per.last()
    await report(anna, ["Ja", "Ja", "Nej"])  # the door: the lock partner
    door_card = await per.last()
    await per.press("☎ Låsepartner A/S er kontaktet", door_card)
    await begin_report(anna)
    await anna.press("📶 Intet mobilnet overhovedet")
    network_down = await anna.last()

    assert "☎ Kontakt Bekey support: +45 43 30 05 05" in text_of(login_card)
    assert "☎ Kontakt IT-hotline: +45 70 20 30 40" in text_of(phone_card)
    door_card = await per.message_by_id(door_card.message_id)  # edited: contacted
    assert "☎ Kontakt Låsepartner A/S: +45 55 66 77 88" in text_of(door_card)
    assert door_card.edited
    assert "Ring til Bekey support, døgnet rundt: +45 43 30 05 05" in text_of(network_down)
    # Wherever the bot showed a number, in any chat, it is the +45 form, never as typed.
    for person in unit.values():
        for message in await person.bot_messages():
            text = message.text or ""
            assert all(found.startswith("+45 ") for found in PAIRS.findall(text)), text
            for written in ODD_SPELLINGS.values():
                assert written not in text
    assert (await bot.ticket(3)).model.contacted == "lock_partner"


async def test_the_emergency_card_shows_the_number_in_the_same_form(
    bot: Harness, unit: dict[str, Person]
) -> None:
    card = (await unit["anna"].say("/akut"))[0]

    assert "+45 43 30 05 05" in text_of(card)
    assert "43300505" not in text_of(card)


@pytest.mark.parametrize("phones", [UNSET], ids=["unset"])
async def test_a_card_without_a_number_tells_the_planner_to_ask_the_leader(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per, pia = unit["anna"], unit["per"], unit["pia"]
    await pia.say("/sprog")
    await pia.press("English")

    await report(anna, ["Ja", "Ja", "Nej"])  # the door: no lock partner number
    door = text_of(await per.last())
    door_en = text_of(await pia.last())
    await report(anna, ["Nej"])  # the phone: no IT number
    phone = text_of(await per.last())
    await report(anna, ["Ja", "Nej"])  # login: Bekey's number is set
    login = text_of(await per.last())

    assert "☎ Kontakt Låsepartner A/S: nummer ikke sat: spørg din leder" in door
    assert "☎ Contact Låsepartner A/S: number not set: ask your leader" in door_en
    assert "☎ Kontakt IT-hotline: nummer ikke sat: spørg din leder" in phone
    assert "☎ Kontakt Bekey support: +45 43 30 05 05" in login
    for card in (door, door_en, phone):
        assert ": ?" not in card
    assert [(await bot.ticket(i)).model.category for i in (1, 2, 3)] == ["door", "phone", "login"]
