"""A caregiver at a locked door reports the fault, and the planner acts on it by button."""

from __future__ import annotations

import asyncio

from bot.clock import ManualClock
from bot.render.i18n import t
from bot.settings import Settings
from tests.conftest import start_bot, stop_bot
from tests.e2e.conftest import ELSE, SEND_NOW, begin_report, report
from tests.harness import Harness, Person, text_of


async def test_a_door_fault_goes_to_the_planners_who_take_contact_and_resolve(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per, pia = unit["anna"], unit["per"], unit["pia"]

    sent = await report(anna, ["Ja", "Ja", "Nej"], "Låsen blinker rødt")

    assert "F-0001" in sent
    card = await per.last()
    assert card.protect_content
    for fact in (
        "F-0001",
        "Døren (låseenheden)",
        "Else Hansen",
        "Strandvej 1",
        "bagdør",
        "Anna Jensen (ab1234)",
        "Låsen blinker rødt",
        "Låsen svarer: nej",
        "Låsepartner A/S",
        "55 66 77 88",
        "åben, ikke taget",
    ):
        assert fact in text_of(card)
    assert card.buttons == ["✋ Tag sagen", "☎ Låsepartner A/S er kontaktet", "✅ Løst"]
    assert await pia.last_text() == card.text
    assert "F-0001" not in await unit["kim"].last_text()  # door faults: planners only

    answer, _ = await per.press("✋ Tag sagen", card)
    assert answer == "Du har taget F-0001."
    assert "taget af Per Planner" in await per.last_text()
    assert "taget af Per Planner" in await pia.last_text()
    assert await anna.last_text() == "👀 Din sag F-0001 er taget af Per Planner."

    await per.press("☎ Låsepartner A/S er kontaktet", await per.last())
    assert await anna.last_text() == "☎ Din sag F-0001: Låsepartner A/S er kontaktet."
    assert "Låsepartner A/S kontaktet af Per Planner" in await pia.last_text()

    await per.press("✅ Løst", await per.last())
    assert await anna.last_text() == "✅ Din sag F-0001 er løst."
    assert (await per.last()).buttons == []

    ticket = await bot.ticket(1)
    assert ticket is not None
    assert (ticket.model.state, ticket.model.taken_by, ticket.model.contacted) == (
        "resolved",
        "pl01",
        "lock_partner",
    )
    assert ticket.answers == {
        "checking_phone": "yes",
        "checking_login": "yes",
        "checking_lock": "no",
    }
    events = await bot.ticket_events(1)
    assert [(e.actor, e.to_state) for e in events] == [
        ("ab1234", "open"),
        ("pl01", "taken"),
        ("pl01", "contacted"),
        ("pl01", "resolved"),
    ]
    actions = [(e.actor, e.action) for e in await bot.audit() if e.action.startswith("ticket_")]
    assert actions == [
        ("ab1234", "ticket_created"),
        ("pl01", "ticket_take"),
        ("pl01", "ticket_contact"),
        ("pl01", "ticket_resolve"),
    ]


async def test_a_login_fault_goes_to_key_persons_too_with_bekeys_number(
    bot: Harness, unit: dict[str, Person]
) -> None:
    await report(unit["anna"], ["Ja", "Nej"])

    for who in ("per", "pia", "kim"):
        card = await unit[who].last()
        assert "Bekey-login" in text_of(card)
        assert "Kontakt Bekey support: +45 43 30 05 05" in text_of(card)
    assert "F-0001" not in await unit["lis"].last_text()
    assert "F-0001" not in await unit["syd"].last_text()  # another unit hears nothing


async def test_a_phone_fault_names_the_it_helpdesk(bot: Harness, unit: dict[str, Person]) -> None:
    await report(unit["anna"], ["Nej"])

    card = await unit["per"].last()
    assert "Telefonen" in text_of(card)
    assert "IT-hotline: +45 70 20 30 40" in text_of(card)
    assert card.buttons[1] == "☎ IT-hotline er kontaktet"


async def test_it_works_now_ends_without_a_ticket_but_is_counted(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Ja"])

    await anna.press("✅ Det virker nu")

    assert await anna.last_text() == t("da", "triage.solved")
    assert await bot.ticket_count() == 0
    assert await bot.triage_outcomes() == {"solved_by_caregiver": 1}


async def test_no_mobile_network_sends_the_caregiver_to_the_emergency_card(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await begin_report(anna)

    await anna.press("📶 Intet mobilnet overhovedet")

    shown = await anna.last_text()
    assert "43 30 05 05" in shown
    assert "Smartkey" in shown
    assert "Else Hansen" in shown
    assert "ab1234" in shown
    ticket = await bot.ticket(1)
    assert ticket is not None
    assert (ticket.model.category, ticket.citizen_id) == ("emergency", 1)
    assert "AKUT: Bekey virker ikke" in await unit["per"].last_text()
    assert "Else Hansen" in await unit["kim"].last_text()


async def test_typing_narrows_the_citizen_list(bot: Harness, unit: dict[str, Person]) -> None:
    anna = unit["anna"]
    first = (await anna.say("/fejl"))[0]
    assert first.buttons[:2] == [ELSE, "Jens Olsen · Torvet 3, 4640 Faxe"]
    assert "Karen Berg · Skovvej 9, 4690 Haslev" not in first.buttons  # another unit

    narrowed = (await anna.say("torv"))[0]
    nothing = (await anna.say("zzz"))[0]

    assert narrowed.buttons == [
        "Jens Olsen · Torvet 3, 4640 Faxe",
        "✍ Ikke på listen: brug «torv»",
        "✖ Annuller",
    ]
    assert "Ingen Bekey-borger passer til «zzz»" in text_of(nothing)


async def test_back_goes_one_step_back_and_cancel_ends_it(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Ja"])
    assert "Trin 2 af 3" in await anna.last_text()

    await anna.press("⬅ Tilbage")
    assert "Trin 1 af 3" in await anna.last_text()

    replies = await anna.say("/annuller")
    assert replies[0].text == t("da", "triage.cancelled")
    assert await bot.triage_outcomes() == {"cancelled": 1}
    assert (await anna.say("/cancel"))[0].text == t("da", "triage.nothing_to_cancel")


async def test_a_too_long_description_is_refused_and_kept_waiting(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])

    replies = await anna.say("x" * 301)

    assert replies[0].text == t("da", "triage.too_long", max=300)
    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None and stored.model.state == "describing"


async def test_a_double_tap_moves_the_triage_once(bot: Harness, unit: dict[str, Person]) -> None:
    anna = unit["anna"]
    await begin_report(anna)
    step_one = await anna.message_with_button("Ja")
    yes = step_one.button_data("Ja")

    await anna.press("Ja", step_one)
    answer, _ = await anna.press("Ja", step_one, forge_data=yes)  # the second tap, same button

    assert answer == t("da", "triage.stale")
    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None
    assert (stored.model.state, stored.model.answers) == (
        "checking_login",
        {"checking_phone": "yes"},
    )


async def test_two_taps_on_send_make_one_ticket(bot: Harness, unit: dict[str, Person]) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])
    await anna.say("Skærmen er sort")
    confirm = await anna.message_with_button("📨 Send til planlægger")
    data = confirm.button_data("📨 Send til planlægger")

    first = await bot.client.press(anna.telegram_id, confirm.message_id, data=data, forge=True)
    second = await bot.client.press(anna.telegram_id, confirm.message_id, data=data, forge=True)
    await asyncio.gather(bot.handled(first[0]), bot.handled(second[0]))

    assert await bot.ticket_count() == 1


async def test_two_messages_racing_describe_once(bot: Harness, unit: dict[str, Person]) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Nej"])

    ids = await asyncio.gather(
        bot.client.send_text(anna.telegram_id, "Første"),
        bot.client.send_text(anna.telegram_id, "Anden"),
    )
    await asyncio.gather(*(bot.handled(i) for i in ids))

    stored = await bot.services.triage.active(await bot.employee_record("ab1234"))
    assert stored is not None
    assert stored.model.state == "confirming"
    assert stored.model.description == "Første"
    assert stored.model.version == 3  # chosen, answered, described: nothing moved twice


async def test_a_triage_survives_a_restart_at_the_same_step(
    bot: Harness,
    unit: dict[str, Person],
    settings: Settings,
    clock: ManualClock,
) -> None:
    anna = unit["anna"]
    await begin_report(anna, ["Ja"])
    step_two = await anna.message_with_button("Nej")

    await stop_bot(bot)
    again = await start_bot(settings, clock)
    try:
        anna_again = again.person("Anna", telegram_id=anna.telegram_id)
        await anna_again.press("Nej", step_two)
        assert "Bekey-login" in await anna_again.last_text()
        resumed = await anna_again.say("/fejl")
        assert text_of(resumed[0]).startswith(t("da", "triage.resumed"))
        assert SEND_NOW in resumed[0].buttons
    finally:
        await stop_bot(again)


async def test_an_idle_triage_expires_with_a_message(bot: Harness, unit: dict[str, Person]) -> None:
    anna = unit["anna"]
    await begin_report(anna)
    step_one = await anna.message_with_button("Ja")

    await bot.tick(minutes=29)
    assert await bot.triage_outcomes() == {}
    await bot.tick(minutes=2)

    expired = await anna.message_by_id(step_one.message_id)
    assert text_of(expired) == t("da", "triage.expired", minutes=30)
    assert expired.buttons == []  # the step's buttons are gone with it
    answer, _ = await anna.press("Ja", step_one, forge_data=step_one.button_data("Ja"))
    assert answer == t("da", "triage.stale")
    assert await bot.triage_outcomes() == {"expired": 1}
