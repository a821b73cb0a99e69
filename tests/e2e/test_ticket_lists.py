"""Long ticket lists: /mine and /sager a page at a time, emergencies first, buttons that fit.

Many tickets are filed the way a sent report files them (``open_ticket`` in one
transaction, pushes and all), which is quicker than walking twenty triages; everything
after that goes through the chat.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.render.i18n import t
from bot.services.ticket_pushes import open_ticket
from bot.storage.citizens import Citizen, CitizenRow
from bot.storage.tickets import NewTicket
from state.triage import TriageCategory
from tests.harness import Harness, Person, register_citizens, text_of
from tgemu.client import ChatMessage

UNIT = "Hjemmepleje Nord"
LONG_NAME = "Else Marie Ingeborg Kristine Margrethe " * 10  # 390 characters
TELEGRAM_MAX_TEXT = 4096
TELEGRAM_MAX_DATA = 64


def numbers(n: range | list[int]) -> list[str]:
    return [f"F-{i:04}" for i in n]


def numbers_in(message: ChatMessage) -> list[str]:
    """The ticket numbers a list message names in its text, in order."""
    return re.findall(r"F-\d{4}", text_of(message))


def withdraw(n: range | list[int]) -> list[str]:
    return [f"✖ Træk {number} tilbage" for number in numbers(n)]


def assert_fits_telegram(message: ChatMessage) -> None:
    """The text is within 4096 characters (also as UTF-16), every button's data within 64 bytes."""
    text = text_of(message)
    assert len(text) <= TELEGRAM_MAX_TEXT
    assert len(text.encode("utf-16-le")) // 2 <= TELEGRAM_MAX_TEXT
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            assert 1 <= len(button["callback_data"].encode()) <= TELEGRAM_MAX_DATA


async def long_named_citizens(bot: Harness, count: int) -> list[Citizen]:
    """Register citizens whose names are far too long for one line, and return them."""
    rows = tuple(
        CitizenRow(f"L-{i:03}", f"{LONG_NAME}Hansen {i}", f"Langgade {i}", UNIT, "bagdør")
        for i in range(1, count + 1)
    )
    await register_citizens(bot, rows)
    async with bot.services.db.read() as tx:
        citizens = await tx.citizens.with_bekey(UNIT, "Langgade")
    return sorted(citizens, key=lambda citizen: citizen.ref)


async def else_hansen(bot: Harness) -> Citizen:
    async with bot.services.db.read() as tx:
        [else_] = await tx.citizens.with_bekey(UNIT, "Else Hansen")
    return else_


async def file_tickets(
    bot: Harness,
    reporter: str,
    citizens: list[Citizen | str],
    category: TriageCategory = TriageCategory.PHONE,
) -> None:
    """File one ticket per citizen (or typed citizen text), ten seconds apart, as reports do."""
    services = bot.services
    for citizen in citizens:
        bot.clock.advance(timedelta(seconds=10))
        typed = citizen if isinstance(citizen, str) else None
        new = NewTicket(
            reporter=reporter,
            unit=UNIT,
            category=category,
            citizen_id=None if isinstance(citizen, str) else citizen.id,
            answers={} if category is TriageCategory.EMERGENCY else {"checking_phone": "no"},
            description=None,
            citizen_text=typed,
        )
        async with services.db.transaction() as tx:
            await open_ticket(tx, services.settings, new, services.clock.now())
    await bot.tick()


async def states(bot: Harness, count: int) -> dict[str, str]:
    """Every ticket's state, by number."""
    return {f"F-{i:04}": (await bot.ticket(i)).model.state for i in range(1, count + 1)}


async def test_a_caregiver_with_twenty_open_tickets_pages_through_them(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await file_tickets(bot, "ab1234", list(await long_named_citizens(bot, 20)))

    mine = (await anna.say("/mine"))[0]

    assert mine.html is not None and "Dine åbne sager</b> (20)" in mine.html
    assert "side 1 af 2" in text_of(mine)
    assert numbers_in(mine) == numbers(range(1, 11))
    assert mine.buttons == [*withdraw(range(1, 11)), "Næste ▶"]
    assert LONG_NAME not in text_of(mine)
    assert "· Else Marie Ingeborg Kristine Margrethe… ·" in text_of(mine)
    assert mine.protect_content
    assert_fits_telegram(mine)

    _, new = await anna.press("Næste ▶", mine)

    assert new == []  # the list is edited in place
    page2 = await anna.message_by_id(mine.message_id)
    assert page2.edited
    assert "side 2 af 2" in text_of(page2)
    assert numbers_in(page2) == numbers(range(11, 21))
    assert page2.buttons == [*withdraw(range(11, 21)), "◀ Forrige"]
    assert_fits_telegram(page2)

    answer, new = await anna.press("✖ Træk F-0015 tilbage", page2)

    assert answer == "F-0015 er trukket tilbage."
    assert new == []
    page2 = await anna.message_by_id(mine.message_id)
    assert page2.html is not None and "Dine åbne sager</b> (19)" in page2.html
    assert "side 2 af 2" in text_of(page2)
    assert numbers_in(page2) == numbers([11, 12, 13, 14, 16, 17, 18, 19, 20])
    assert page2.buttons == [*withdraw([11, 12, 13, 14, 16, 17, 18, 19, 20]), "◀ Forrige"]
    held = await states(bot, 20)
    assert held.pop("F-0015") == "cancelled"
    assert set(held.values()) == {"open"}
    assert [(e.actor, e.to_state) for e in await bot.ticket_events(15)][-1] == (
        "ab1234",
        "cancelled",
    )

    await anna.press("◀ Forrige", page2)

    page1 = await anna.message_by_id(mine.message_id)
    assert "side 1 af 2" in text_of(page1)
    assert numbers_in(page1) == numbers(range(1, 11))
    assert page1.buttons == [*withdraw(range(1, 11)), "Næste ▶"]


async def test_a_planner_sees_emergencies_first_and_each_tickets_status_on_its_button(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    else_ = await else_hansen(bot)
    await file_tickets(bot, "ab1234", list(await long_named_citizens(bot, 10)))
    await file_tickets(bot, "ab1234", [else_], TriageCategory.DOOR)
    card = next(m for m in await per.bot_messages() if "F-0002" in text_of(m))
    await per.press("✋ Tag sagen", card)
    await file_tickets(bot, "kp01", [else_], TriageCategory.EMERGENCY)
    await file_tickets(bot, "pl02", ["Fru Nielsen, Bakken 4"], TriageCategory.EMERGENCY)

    listing = (await per.say("/sager"))[0]

    assert listing.html is not None
    assert "Åbne sager i Hjemmepleje Nord</b> (13)" in listing.html
    assert "🆘 2 akutte sager står øverst." in text_of(listing)
    assert "side 1 af 2" in text_of(listing)
    assert numbers_in(listing) == numbers([12, 13, 1, 2, 3, 4, 5, 6, 7, 8])
    labels = listing.buttons
    assert labels[:2] == [
        "🆘 F-0012 · Else Hansen · åben",
        "🆘 F-0013 · Fru Nielsen, Bakken 4 · åben",
    ]
    assert labels[2].startswith("📱 F-0001 · Else Marie") and labels[2].endswith("… · åben")
    assert labels[3].startswith("📱 F-0002 · Else") and labels[3].endswith("… · taget af Per")
    assert labels[-1] == "Næste ▶"
    assert len(labels) == 11
    assert all(len(label) <= 40 for label in labels)
    assert_fits_telegram(listing)

    await per.press("Næste ▶", listing)

    page2 = await per.message_by_id(listing.message_id)
    assert "side 2 af 2" in text_of(page2)
    assert numbers_in(page2) == numbers([9, 10, 11])
    assert page2.buttons[2:] == ["🚪 F-0011 · Else Hansen · åben", "◀ Forrige"]

    _, shown = await per.press("🚪 F-0011 · Else Hansen · åben", page2)

    assert "F-0011" in text_of(shown[0])
    assert shown[0].buttons[0] == "✋ Tag sagen"
    assert (await bot.ticket(2)).model.taken_by == "pl01"
    assert (await bot.ticket(12)).model.category == "emergency"
    assert "F-0012" not in text_of(await anna.last())  # Anna's chat is not the planners'


async def test_a_stale_page_button_shows_the_nearest_page_that_still_exists(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await file_tickets(bot, "ab1234", [await else_hansen(bot)] * 12)
    old = (await anna.say("/mine"))[0]
    fresh = (await anna.say("/mine"))[0]
    await anna.press("Næste ▶", fresh)

    await anna.press("✖ Træk F-0011 tilbage", await anna.message_by_id(fresh.message_id))
    await anna.press("✖ Træk F-0012 tilbage", await anna.message_by_id(fresh.message_id))

    # Page 2 is gone: the list she withdrew from shows the nearest page, page 1.
    fresh = await anna.message_by_id(fresh.message_id)
    assert numbers_in(fresh) == numbers(range(1, 11))
    assert "side" not in text_of(fresh)
    assert fresh.buttons == withdraw(range(1, 11))

    await anna.press("✖ Træk F-0010 tilbage", fresh)
    answer, new = await anna.press("Næste ▶", old)

    assert answer == "Listen har ændret sig i mellemtiden."
    assert new == []
    shown = await anna.message_by_id(old.message_id)
    assert shown.html is not None and "Dine åbne sager</b> (9)" in shown.html
    assert numbers_in(shown) == numbers(range(1, 10))
    assert "side" not in text_of(shown)
    assert shown.buttons == withdraw(range(1, 10))
    held = await states(bot, 12)
    assert [number for number, state in held.items() if state == "cancelled"] == numbers(
        [10, 11, 12]
    )


@pytest.mark.parametrize(
    "data",
    [
        "pg:m:2:13",  # a page the list could have had, but not a button of this message
        "pg:m:3:12",  # a page a list of 12 never had
        "pg:m:0:12",
        "pg:m:2:9999999",
        "pg:m:x:12",
    ],
)
async def test_a_forged_page_button_changes_nothing(
    bot: Harness, unit: dict[str, Person], data: str
) -> None:
    anna = unit["anna"]
    await file_tickets(bot, "ab1234", [await else_hansen(bot)] * 12)
    mine = (await anna.say("/mine"))[0]

    answer, new = await anna.press("x", mine, forge_data=data)

    assert answer == t("da", "access.stale_button")
    assert new == []
    assert await anna.message_by_id(mine.message_id) == mine
    assert set((await states(bot, 12)).values()) == {"open"}


async def test_a_page_button_forged_onto_another_list_or_card_changes_nothing(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    await file_tickets(bot, "ab1234", [await else_hansen(bot)] * 12)
    mine = (await anna.say("/mine"))[0]
    card = await per.last()
    before = await per.bot_messages()

    by_caregiver, _ = await anna.press("x", mine, forge_data="pg:u:2:12")
    onto_card, _ = await per.press("x", card, forge_data="pg:u:2:12")

    assert by_caregiver == t("da", "access.wrong_role", role=t("da", "role.caregiver"))
    assert onto_card == t("da", "access.stale_button")
    assert await anna.message_by_id(mine.message_id) == mine
    assert await per.bot_messages() == before


async def test_a_planner_in_english_reads_page_2_of_2(
    bot: Harness, unit: dict[str, Person]
) -> None:
    per = unit["per"]
    await file_tickets(bot, "ab1234", [await else_hansen(bot)] * 11)
    await per.say("/language")
    await per.press("English")

    listing = (await per.say("/tickets"))[0]
    assert "page 1 of 2" in text_of(listing)
    assert listing.buttons[0] == "📱 F-0001 · Else Hansen · open"
    await per.press("Next ▶", listing)

    page2 = await per.message_by_id(listing.message_id)
    assert "page 2 of 2" in text_of(page2)
    assert page2.buttons == ["📱 F-0011 · Else Hansen · open", "◀ Previous"]
