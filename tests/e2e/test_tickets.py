"""Planners with many tickets: the first press wins, stale and forged presses change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.render.i18n import t
from tests.e2e.conftest import report
from tests.harness import Harness, Person, text_of


async def test_two_planners_racing_to_take_one_ticket_one_wins(
    bot: Harness, unit: dict[str, Person]
) -> None:
    per, pia = unit["per"], unit["pia"]
    await report(unit["anna"], ["Ja", "Ja", "Nej"])
    per_card, pia_card = await per.last(), await pia.last()

    presses = await asyncio.gather(
        bot.client.press(per.telegram_id, per_card.message_id, text="✋ Tag sagen"),
        bot.client.press(pia.telegram_id, pia_card.message_id, text="✋ Tag sagen"),
    )
    await asyncio.gather(*(bot.handled(update_id) for update_id, _ in presses))

    answers = [(await bot.client.callback_answer(q))["text"] for _, q in presses]
    ticket = await bot.ticket(1)
    assert ticket is not None and ticket.model.taken_by in {"pl01", "pl02"}
    winner = "Per Planner" if ticket.model.taken_by == "pl01" else "Pia Planner"
    assert sorted(answers) == sorted(
        ["Du har taget F-0001.", f"F-0001 er allerede taget af {winner}."]
    )
    for planner in (per, pia):
        assert f"taget af {winner}" in await planner.last_text()
    takes = [e for e in await bot.ticket_events(1) if e.to_state == "taken"]
    assert len(takes) == 1


async def test_a_stale_button_on_a_resolved_ticket_changes_nothing(
    bot: Harness, unit: dict[str, Person]
) -> None:
    per = unit["per"]
    await report(unit["anna"], ["Nej"])
    first_card = await per.last()
    take = first_card.button_data("✋ Tag sagen")
    await per.press("✅ Løst", first_card)

    answer, _ = await per.press("✋ Tag sagen", first_card, forge_data=take)

    assert answer == "F-0001 er allerede løst af Per Planner."
    ticket = await bot.ticket(1)
    assert ticket is not None and ticket.model.state == "resolved"


async def test_forged_presses_are_refused_on_the_server(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, syd = unit["anna"], unit["syd"]
    await report(anna, ["Nej"])
    card = await unit["per"].last()
    resolve = card.button_data("✅ Løst")

    by_caregiver, _ = await anna.press("x", await anna.last(), forge_data=resolve)
    by_other_unit, _ = await syd.press("x", await syd.last(), forge_data=resolve)
    malformed, _ = await anna.press("x", await anna.last(), forge_data="tk:1:explode")
    unknown, _ = await unit["per"].press("x", card, forge_data="tk:999:take")

    assert by_caregiver == t("da", "ticket.not_allowed")
    assert by_other_unit == t("da", "ticket.not_allowed")
    assert malformed == t("da", "access.stale_button")
    assert unknown == t("da", "ticket.not_found")
    ticket = await bot.ticket(1)
    assert ticket is not None and ticket.model.state == "open"
    refused = [e for e in await bot.audit("ticket_resolve")]
    assert [(e.actor, e.outcome) for e in refused] == [("ab1234", "refused"), ("pl09", "refused")]


async def test_planners_list_open_tickets_oldest_first_with_their_age(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    await report(anna, ["Nej"])
    bot.clock.advance(timedelta(minutes=12))
    await report(anna, ["Ja", "Nej"])

    listing = (await per.say("/sager"))[0]

    assert listing.html is not None
    assert "Åbne sager i Hjemmepleje Nord</b> (2)" in listing.html
    assert "F-0001 · Telefonen · Else Hansen · 12 minutter" in listing.html  # age in the text
    assert listing.buttons[0] == "📱 F-0001 · Else Hansen · åben"  # the status on the button
    assert listing.buttons[1] == "🔐 F-0002 · Else Hansen · åben"
    assert listing.protect_content
    _, shown = await per.press(listing.buttons[0], listing)
    assert "F-0001" in text_of(shown[0])
    assert shown[0].buttons[0] == "✋ Tag sagen"


async def test_a_planner_with_nothing_open_is_told_so(
    bot: Harness, unit: dict[str, Person]
) -> None:
    assert (await unit["per"].say("/sager"))[0].text == "Ingen åbne sager i Hjemmepleje Nord. 👍"


async def test_the_reporter_lists_and_withdraws_an_untaken_ticket(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    await report(anna, ["Nej"])

    mine = (await anna.say("/mine"))[0]
    assert "F-0001 · Telefonen" in text_of(mine)
    answer, _ = await anna.press("✖ Træk F-0001 tilbage", mine)

    assert answer == "F-0001 er trukket tilbage."
    assert "trukket tilbage af melderen" in await per.last_text()
    assert (await per.last()).buttons == []
    assert (await anna.say("/mine"))[0].text == t("da", "mine.none")


async def test_a_card_on_a_phone_that_lost_access_is_emptied_at_the_next_change(
    bot: Harness, unit: dict[str, Person]
) -> None:
    per, pia = unit["per"], unit["pia"]
    await report(unit["anna"], ["Nej"])
    await bot.services.staff.deactivate("pl02", actor="cli")
    card = await per.message_with_button("✋ Tag sagen")  # (the leaver's Bekey task comes too)

    await per.press("✋ Tag sagen", card)

    assert await pia.last_text() == "Sagen F-0001 kan ikke længere ses her."
    assert "Else Hansen" not in await pia.last_text()
    assert "taget af Per Planner" in text_of(await per.message_by_id(card.message_id))
