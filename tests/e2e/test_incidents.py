"""Bekey fails for everyone at once: many reports become one incident, one message.

Three caregivers of two units report that Bekey will not log in, or press 🆘: the third
report of a kind opens an outage incident (login faults and emergencies are two kinds;
"no mobile network" on an emergency is noted and counted, not a kind of its own). Each
planner and key person of an affected unit gets one message, edited as the incident grows,
that shows their own unit's waiting citizens and no one else's. The reporters are told it
is a known outage and what to do now; a planner closes it (all its tickets resolved, every
reporter told), or after a quiet hour is asked whether it is over. Door faults never
aggregate. A planner tells the whole unit with one broadcast.
"""

from __future__ import annotations

import pytest

from bot.render.i18n import t
from state.roles import Role
from tests.e2e.conftest import ELSE, SEND_NOW
from tests.harness import Harness, Person, text_of
from tgemu.client import ChatMessage

JENS = "Jens Olsen · Torvet 3, 4640 Faxe"
KAREN = "Karen Berg · Skovvej 9, 4690 Haslev"
SYD = "Hjemmepleje Syd"
HEAD = "Driftsforstyrrelse H-001: Bekey-login virker ikke"
OVER = "✅ Overstået: luk alle sagerne"
TAKE = "✋ Jeg tager den"
YES = "✅ Ja, det er overstået"
NOT_YET = "⏳ Nej, ikke endnu"
ASKED = "Ingen nye meldinger i 60 minutter. Er det overstået?"


@pytest.fixture
async def staff(bot: Harness, unit: dict[str, Person]) -> dict[str, Person]:
    """Hjemmepleje Nord (from ``unit``) with one more caregiver, and Syd with two and a leader."""
    return {
        **unit,
        "bob": await bot.employee("ab2000", Role.CAREGIVER, name="Bo Berg"),
        "ole": await bot.employee("sy1000", Role.CAREGIVER, unit=SYD, name="Ole Syd"),
        "eva": await bot.employee("sy2000", Role.CAREGIVER, unit=SYD, name="Eva Syd"),
        "ulla": await bot.employee("sy9000", Role.LEADER, unit=SYD, name="Ulla Leder"),
    }


async def report_fault(person: Person, citizen: str, answers: list[str]) -> str:
    """Report a fault at a citizen's door with the check answers given; return the answer."""
    await person.say("/fejl")
    await person.press(citizen)
    for answer in answers:
        await person.press(answer)
    await person.press(SEND_NOW)
    return await person.last_text()


async def report_login(person: Person, citizen: str) -> str:
    """Report that Bekey will not log in (the phone is fine, the login is not)."""
    return await report_fault(person, citizen, ["Ja", "Nej"])


async def incident_messages(person: Person, head: str = HEAD) -> list[ChatMessage]:
    """The person's messages about the incident (its one message, if all is well)."""
    return [m for m in await person.bot_messages() if head in (m.text or "")]


async def the_incident_message(person: Person) -> ChatMessage:
    """The one incident message in the person's chat."""
    messages = await incident_messages(person)
    assert len(messages) == 1, [m.text for m in messages]
    return messages[0]


async def open_incident(staff: dict[str, Person]) -> None:
    """Anna (Nord), Ole (Syd) and Bo (Nord) report login faults: the third opens it."""
    await report_login(staff["anna"], ELSE)
    await report_login(staff["ole"], KAREN)
    await report_login(staff["bob"], JENS)


async def test_the_third_report_opens_an_incident_that_grows_by_edits_and_is_resolved(
    bot: Harness, staff: dict[str, Person]
) -> None:
    anna, bob, ole, eva = staff["anna"], staff["bob"], staff["ole"], staff["eva"]
    per, pia, kim, sune = staff["per"], staff["pia"], staff["kim"], staff["syd"]

    # Two reports are two tickets, pushed one by one as always.
    await report_login(anna, ELSE)
    await report_login(ole, KAREN)
    assert "F-0001" in await per.last_text()
    assert "F-0002" in await sune.last_text()
    assert not await incident_messages(per)

    # The third, from a third person, opens the incident.
    answer = await report_login(bob, JENS)

    assert "F-0003" in answer
    assert "Kendt driftsforstyrrelse" in answer and "3 meldinger lige nu" in answer
    assert "Smartkey i det aflåste skab" in answer and "+45 43 30 05 05" in answer
    for planner in (per, pia, kim):
        message = await the_incident_message(planner)
        assert message.protect_content
        text = text_of(message)
        assert "3 meldinger" in text
        assert "Hjemmepleje Nord 2, Hjemmepleje Syd 1" in text
        assert "F-0001 · Else Hansen" in text and "F-0003 · Jens Olsen" in text
        assert "Karen Berg" not in text and "F-0002" not in text  # Syd's citizen stays in Syd
        assert message.buttons == [TAKE, OVER]
        # The third ticket was not pushed on its own.
        assert not [m for m in await planner.bot_messages() if "🛠 F-0003" in (m.text or "")]
    syd_view = text_of(await the_incident_message(sune))
    assert "F-0002 · Karen Berg" in syd_view
    assert "Else Hansen" not in syd_view and "Jens Olsen" not in syd_view
    # The two who reported before it opened are told theirs is part of it.
    assert "F-0001" in await anna.last_text() and "driftsforstyrrelse" in await anna.last_text()
    assert "F-0002" in await ole.last_text() and "Smartkey" in await ole.last_text()

    # A fourth report joins: no new message to anyone, the one message is edited.
    before = {who: len(await staff[who].bot_messages()) for who in ("per", "pia", "kim", "syd")}
    answer = await report_login(eva, KAREN)
    assert "4 meldinger lige nu" in answer
    await bot.tick(seconds=6)  # an edit of one message waits its turn (EDIT_EVERY_SECONDS)
    for who, count in before.items():
        assert len(await staff[who].bot_messages()) == count, who
    for planner in (per, pia, kim):
        message = await the_incident_message(planner)
        assert message.edited
        assert "4 meldinger" in text_of(message)
        assert "Hjemmepleje Nord 2, Hjemmepleje Syd 2" in text_of(message)
        assert "Karen Berg" not in text_of(message)
    syd_view = text_of(await the_incident_message(sune))
    assert "F-0002 · Karen Berg" in syd_view and "F-0004 · Karen Berg" in syd_view
    assert (await bot.ticket(4)).model.state == "open"

    # A planner closes it: every ticket resolved, every reporter told, once each.
    reply, _ = await per.press(OVER, await the_incident_message(per))
    assert reply == "H-001 er lukket. Sagerne er løst, og alle der meldte, får besked."
    for ticket_id in (1, 2, 3, 4):
        ticket = await bot.ticket(ticket_id)
        assert (ticket.model.state, ticket.model.taken_by) == ("resolved", "pl01")
    for reporter, number in ((anna, "F-0001"), (ole, "F-0002"), (bob, "F-0003"), (eva, "F-0004")):
        told = await reporter.last_text()
        assert "H-001" in told and "er overstået, siger Per Planner" in told and number in told
    await bot.tick(seconds=6)
    for planner in (per, pia, kim, sune):
        message = await the_incident_message(planner)
        assert "Overstået" in text_of(message) and "Per Planner" in text_of(message)
        assert message.buttons == []
    assert [(e.actor, e.outcome) for e in await bot.audit("incident_resolve")] == [("pl01", "4")]
    assert [e.outcome for e in await bot.audit("incident_opened")] == ["login"]


async def test_a_storm_of_reports_is_one_message_edited_once(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per = staff["per"]
    await open_incident(staff)
    helpers = [
        await bot.employee(f"ab3{n:03d}", Role.CAREGIVER, name=f"Hjælper {n}") for n in range(8)
    ]
    seen = len(await per.bot_messages())
    message = await the_incident_message(per)
    log = await bot.client.calls()
    since = log[-1]["seq"] if log else 0

    for n, helper in enumerate(helpers):
        answer = await report_login(helper, ELSE if n % 2 else JENS)
        assert f"{4 + n} meldinger lige nu" in answer  # each reporter hears the count at once
    await bot.tick(seconds=6)

    assert len(await per.bot_messages()) == seen
    assert "11 meldinger" in text_of(await per.message_by_id(message.message_id))
    edits = [
        call
        for call in await bot.client.calls("editMessageText", after=since)
        if int(call["params"]["chat_id"]) == per.telegram_id
    ]
    assert len(edits) == 1  # eight reports, one edit of the one message


async def test_reports_of_the_same_person_do_not_make_an_outage(
    bot: Harness, staff: dict[str, Person]
) -> None:
    anna, per = staff["anna"], staff["per"]

    for citizen in (ELSE, JENS, ELSE):
        answer = await report_login(anna, citizen)

    assert "driftsforstyrrelse" not in answer.lower()
    assert not await incident_messages(per)
    assert len([m for m in await per.bot_messages() if "Bekey-login" in (m.text or "")]) == 3


async def test_door_faults_never_aggregate(bot: Harness, staff: dict[str, Person]) -> None:
    per = staff["per"]

    for who, citizen in (("anna", ELSE), ("bob", JENS), ("anna", JENS), ("ole", KAREN)):
        answer = await report_fault(staff[who], citizen, ["Ja", "Ja", "Nej"])
        assert "driftsforstyrrelse" not in answer.lower()

    cards = [m for m in await per.bot_messages() if "Døren (låseenheden)" in (m.text or "")]
    assert len(cards) == 3
    assert not [m for m in await per.bot_messages() if "Driftsforstyrrelse" in (m.text or "")]


async def test_an_incident_escalates_once_as_one_ticket_would(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per, lis, ulla = staff["per"], staff["lis"], staff["ulla"]
    await open_incident(staff)
    await report_login(staff["eva"], KAREN)

    await bot.tick(minutes=15)

    # Once for the incident, not once per report: one new message, the old one points to it.
    old, new = await incident_messages(per, "H-001")
    assert "⏰ Ikke taget efter 15 min." in text_of(new) and HEAD in text_of(new)
    assert text_of(old) == "🚨 Driftsforstyrrelsen H-001: se den nyeste besked nedenfor."
    assert old.buttons == [] and new.buttons == [TAKE, OVER]
    # Its tickets do not escalate one by one.
    assert not await bot.audit("ticket_escalated")

    await bot.tick(minutes=30)
    for leader in (lis, ulla):
        message = await the_incident_message(leader)
        assert "Sendt videre til lederen" in text_of(message)
    assert "Karen Berg" in text_of(await the_incident_message(ulla))
    assert "Karen Berg" not in text_of(await the_incident_message(lis))
    assert [e.outcome for e in await bot.audit("incident_escalated")] == ["1", "2"]

    await bot.tick(hours=3)  # taken or not, no third round
    assert len(await incident_messages(lis)) == 1


async def test_a_quiet_incident_asks_its_planners_and_closes_only_on_yes(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per, pia, kim, sune = staff["per"], staff["pia"], staff["kim"], staff["syd"]
    await open_incident(staff)
    answer, _ = await kim.press(TAKE, await the_incident_message(kim))
    assert answer == "Du har taget H-001."
    await bot.tick(seconds=6)
    assert "Kim Key tager sig af den" in text_of(await the_incident_message(per))
    assert (await the_incident_message(per)).buttons == [OVER]

    await bot.tick(minutes=59)
    assert not [m for m in await per.bot_messages() if ASKED in (m.text or "")]

    await bot.tick(minutes=1)
    for planner in (per, pia, sune):
        question = await planner.last()
        assert ASKED in text_of(question) and HEAD in text_of(question)
        assert question.buttons == [YES, NOT_YET]
    await bot.tick(seconds=6)
    assert ASKED in text_of(await the_incident_message(kim))  # edited, not sent again

    answer, _ = await pia.press(NOT_YET, await pia.last())
    assert answer == "Noteret: H-001 er ikke overstået. Du bliver spurgt igen senere."
    assert (await bot.ticket(1)).model.state == "open"
    await bot.tick(seconds=6)
    assert ASKED not in text_of(await per.last())  # the question is gone from every copy
    seen = len(await per.bot_messages())
    await bot.tick(minutes=59)
    assert len(await per.bot_messages()) == seen

    await bot.tick(minutes=1)
    question = await per.last()
    assert ASKED in text_of(question)
    answer, _ = await per.press(YES, question)
    assert answer is not None and answer.startswith("H-001 er lukket")
    assert {(await bot.ticket(n)).model.state for n in (1, 2, 3)} == {"resolved"}
    assert "er overstået, siger Per Planner" in await staff["bob"].last_text()


async def test_a_new_report_after_the_question_means_it_is_not_over(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per = staff["per"]
    await open_incident(staff)
    await bot.tick(minutes=60)
    assert ASKED in await per.last_text()

    answer = await report_login(staff["eva"], KAREN)

    assert "4 meldinger lige nu" in answer
    await bot.tick(seconds=6)
    assert ASKED not in text_of(await per.last())
    assert (await per.last()).buttons == [TAKE, OVER]


async def test_only_handlers_of_an_affected_unit_may_close_it(
    bot: Harness, staff: dict[str, Person], emulator: object
) -> None:
    anna = staff["anna"]
    await report_login(staff["anna"], ELSE)
    await report_login(staff["bob"], JENS)
    await report_login(staff["pia"], JENS)  # a planner may report too: Nord only
    sune = staff["syd"]
    assert not await incident_messages(sune)

    forged, _ = await sune.press("", await sune.last(), forge_data="in:1:over")
    assert forged == "Den driftsforstyrrelse berører ikke din enhed."
    refused, _ = await anna.press("", await anna.last(), forge_data="in:1:over")
    assert refused == t("da", "access.wrong_role", role=t("da", "role.caregiver"))
    garbage, _ = await staff["per"].press("", await staff["per"].last(), forge_data="in:x:over")
    assert garbage == t("da", "access.stale_button")
    assert (await bot.ticket(1)).model.state == "open"

    listed = await staff["lis"].say("/haendelse")
    assert HEAD in text_of(listed[0]) and listed[0].buttons == [TAKE, OVER]
    assert (await sune.say("/haendelse"))[0].text == (
        "Ingen driftsforstyrrelse berører Hjemmepleje Syd lige nu. 👍"
    )


NO_NETWORK = "📶 Mobilnettet er nede"
EMERGENCY_HEAD = "Driftsforstyrrelse H-001: Bekey virker ikke / akut"


async def press_emergency(person: Person) -> ChatMessage:
    """Press 🆘 (/akut); return the card (the one answer)."""
    replies = await person.say("/akut")
    assert len(replies) == 1, [m.text for m in replies]
    return replies[0]


def cards_of(messages: list[ChatMessage], number: str) -> list[ChatMessage]:
    """The ticket cards of one ticket among a person's messages."""
    return [m for m in messages if f"🛠 {number}" in (m.text or "")]


async def test_three_emergencies_from_different_people_become_one_incident(
    bot: Harness, staff: dict[str, Person]
) -> None:
    anna, bob, ole, eva = staff["anna"], staff["bob"], staff["ole"], staff["eva"]
    per, pia, kim, sune = staff["per"], staff["pia"], staff["kim"], staff["syd"]

    # Two emergencies are two tickets, pushed one by one as always.
    had = {who: len(await staff[who].bot_messages()) for who in ("anna", "ole", "bob")}
    await press_emergency(anna)
    await press_emergency(ole)
    assert "AKUT" in await per.last_text() and "F-0001" in await per.last_text()
    assert "AKUT" in await sune.last_text() and "F-0002" in await sune.last_text()
    assert not await incident_messages(per, EMERGENCY_HEAD)

    # The third, from a third person, opens the incident: nobody said "no network".
    card = text_of(await press_emergency(bob))

    assert "Kendt driftsforstyrrelse (H-001): 3 meldinger lige nu: Bekey virker ikke / akut" in (
        card
    )
    assert "📨 F-0003 er sendt til" in card and "Per Planner" in card  # not "nobody was told"
    for planner in (per, pia, kim):
        [message] = await incident_messages(planner, EMERGENCY_HEAD)
        text = text_of(message)
        assert "3 meldinger" in text and "Hjemmepleje Nord 2, Hjemmepleje Syd 1" in text
        assert "F-0001 · borger ikke oplyst · Anna Jensen" in text and "F-0003 ·" in text
        assert "F-0002" not in text  # Syd's emergency stays in Syd
        assert "intet mobilnet" not in text
        assert message.buttons == [TAKE, OVER]
        assert not cards_of(await planner.bot_messages(), "F-0003")  # not pushed on its own
    assert len(await incident_messages(sune, EMERGENCY_HEAD)) == 1
    # Each reporter has one message, their card: no second message in a storm.
    for who, count in had.items():
        assert len(await staff[who].bot_messages()) == count + 1, who
    assert [e.outcome for e in await bot.audit("incident_opened")] == ["emergency"]

    # A fourth emergency joins: its card knows, the planners' one message is edited.
    before = {who: len(await staff[who].bot_messages()) for who in ("per", "pia", "kim", "syd")}
    assert "4 meldinger lige nu" in text_of(await press_emergency(eva))
    await bot.tick(seconds=6)
    for who, count in before.items():
        assert len(await staff[who].bot_messages()) == count, who
    assert "Hjemmepleje Syd 2" in text_of((await incident_messages(sune, EMERGENCY_HEAD))[0])
    assert (await bot.ticket(4)).model.state == "open"
    assert (await bot.ticket(4)).model.category == "emergency"


async def test_no_network_is_shown_and_counted_but_does_not_decide(
    bot: Harness, staff: dict[str, Person]
) -> None:
    anna, bob, per = staff["anna"], staff["bob"], staff["per"]

    # Before any incident: the planner's card of the emergency says "no network".
    card = await press_emergency(anna)
    answer, _ = await anna.press(NO_NETWORK, card)
    assert answer == "Noteret på F-0001: intet mobilnet."
    marked = await anna.message_by_id(card.message_id)
    assert "📶 Noteret: intet mobilnet." in text_of(marked) and NO_NETWORK not in marked.buttons
    [pushed] = cards_of(await per.bot_messages(), "F-0001")
    assert "📶 Intet mobilnet, siger den der meldte." in text_of(pushed)
    # Two people saying "no network" is no more an outage than two emergencies.
    second = await press_emergency(bob)
    await bob.press(NO_NETWORK, second)
    assert not await incident_messages(per, EMERGENCY_HEAD)

    await press_emergency(staff["ole"])  # the third emergency, with the network fine

    await bot.tick(seconds=6)
    [message] = await incident_messages(per, EMERGENCY_HEAD)
    assert "📶 2 meldinger: intet mobilnet" in text_of(message)
    assert "F-0001 · borger ikke oplyst · Anna Jensen" in text_of(message)
    # Saying it on an emergency that is part of the incident counts it there.
    third = await press_emergency(staff["eva"])
    await staff["eva"].press(NO_NETWORK, third)
    await bot.tick(seconds=6)
    syd = text_of((await incident_messages(staff["syd"], EMERGENCY_HEAD))[0])
    assert "📶 3 meldinger: intet mobilnet" in syd


async def test_a_storm_of_emergencies_is_one_message_per_planner(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per, kim = staff["per"], staff["kim"]
    for who in ("anna", "ole", "bob"):
        await press_emergency(staff[who])
    helpers = [
        await bot.employee(f"ab4{n:03d}", Role.CAREGIVER, name=f"Hjælper {n}") for n in range(12)
    ]
    seen = {who: len(await staff[who].bot_messages()) for who in ("per", "kim")}
    message = (await incident_messages(per, EMERGENCY_HEAD))[0]
    log = await bot.client.calls()
    since = log[-1]["seq"] if log else 0

    for n, helper in enumerate(helpers):
        card = text_of(await press_emergency(helper))
        assert f"{4 + n} meldinger lige nu" in card  # each hears the count at once
    # Two edit windows: the sender may send the storm's edit as the clock reaches the first
    # window, just before the scan brings the last reports in; then they come in the next.
    await bot.tick(seconds=6)
    await bot.tick(seconds=6)

    # Twelve more emergencies: not one new message to a planner, and the one edited, at most
    # once a window.
    for who, person in (("per", per), ("kim", kim)):
        messages = await person.bot_messages()
        assert len(messages) == seen[who], [m.text for m in messages[seen[who] :]]
    assert "15 meldinger" in text_of(await per.message_by_id(message.message_id))
    edits = [
        call
        for call in await bot.client.calls("editMessageText", after=since)
        if int(call["params"]["chat_id"]) == per.telegram_id
    ]
    assert 1 <= len(edits) <= 2
    # Their tickets do not escalate one by one: the incident does, once.
    await bot.tick(minutes=15)
    assert not await bot.audit("ticket_escalated")
    assert [e.outcome for e in await bot.audit("incident_escalated")] == ["1"]


async def test_emergencies_and_login_faults_are_separate_incidents(
    bot: Harness, staff: dict[str, Person]
) -> None:
    anna, bob, ole, eva, per = staff["anna"], staff["bob"], staff["ole"], staff["eva"], staff["per"]

    await press_emergency(anna)
    await report_login(bob, JENS)
    await press_emergency(ole)
    await report_login(eva, KAREN)
    assert not await incident_messages(per, "Driftsforstyrrelse")  # two of each: no outage

    await report_login(anna, ELSE)  # the third login fault
    await press_emergency(bob)  # the third emergency

    [login] = await incident_messages(per, "Driftsforstyrrelse H-001: Bekey-login virker ikke")
    assert "3 meldinger" in text_of(login)
    [emergency] = await incident_messages(per, "Driftsforstyrrelse H-002: Bekey virker ikke / akut")
    assert "3 meldinger" in text_of(emergency)
    assert [e.outcome for e in await bot.audit("incident_opened")] == ["login", "emergency"]


async def test_no_network_in_the_fault_report_is_an_emergency_of_the_same_incident(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per = staff["per"]
    await press_emergency(staff["anna"])
    await press_emergency(staff["ole"])
    bob = staff["bob"]
    await bob.say("/fejl")
    await bob.press(JENS)
    await bob.press("📶 Intet mobilnet overhovedet")

    ended = await bob.last_text()
    assert "Bekey virker ikke: akut" in ended  # the emergency card, as before
    assert "Kendt driftsforstyrrelse (H-001): 3 meldinger lige nu: Bekey virker ikke / akut" in (
        ended
    )
    [message] = await incident_messages(per, EMERGENCY_HEAD)
    assert "📶 1 melding: intet mobilnet" in text_of(message)
    assert "F-0003 · Jens Olsen" in text_of(message)
    assert not cards_of(await per.bot_messages(), "F-0003")


async def test_a_broadcast_reaches_every_active_member_of_the_unit_and_is_audited(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per = staff["per"]
    await bot.services.staff.deactivate("ab2000", actor="le01")  # Bo has left
    await bot.sender.settled()  # (the planners' task of closing Bo in Bekey goes out first)
    text = "Bekey er nede: hent en Smartkey i skabet <nu>."

    preview = (await per.say(f"/udsend {text}"))[0]

    assert "Til 4 kolleger i Hjemmepleje Nord" in text_of(preview)
    assert text in text_of(preview)
    assert preview.buttons == ["📣 Send til 4 kolleger", "✖ Annuller"]
    assert not await bot.audit("broadcast_sent")

    await per.press("📣 Send til 4 kolleger", preview)

    assert "Sendt til 4 kolleger i Hjemmepleje Nord" in text_of(
        await per.message_by_id(preview.message_id)
    )
    for who in ("anna", "pia", "kim", "lis"):
        received = await staff[who].last()
        assert text in text_of(received), who
        assert "fra Per Planner (planlægger)" in text_of(received)
    for who in ("bob", "ole", "syd"):
        assert not [m for m in await staff[who].bot_messages() if text in (m.text or "")], who
    assert [(e.actor, e.target, e.outcome) for e in await bot.audit("broadcast_sent")] == [
        ("pl01", "Hjemmepleje Nord", "4")
    ]

    again, _ = await per.press("📣 Send til 4 kolleger", preview, forge_data="bc:1:send")
    assert again == "Den besked er allerede sendt eller annulleret."
    assert len(await bot.audit("broadcast_sent")) == 1


async def test_a_broadcast_is_short_confirmed_by_its_author_and_not_for_caregivers(
    bot: Harness, staff: dict[str, Person]
) -> None:
    per, kim, anna = staff["per"], staff["kim"], staff["anna"]

    too_long = (await per.say("/udsend " + "x" * 401))[0]
    assert too_long.text == "Beskeden er for lang: højst 400 tegn. Skriv den kortere."
    usage = (await per.say("/udsend"))[0]
    assert "/udsend TEKST" in text_of(usage)
    refused = (await anna.say("/udsend Hej alle"))[0]
    assert refused.text == t("da", "access.wrong_role", role=t("da", "role.caregiver"))

    preview = (await per.say("/broadcast Mødet er flyttet"))[0]
    not_his, _ = await kim.press("", await kim.last(), forge_data="bc:1:send")
    assert not_his == "Den besked er ikke din."
    await per.press("✖ Annuller", preview)
    assert text_of(await per.message_by_id(preview.message_id)) == "Beskeden er ikke sendt."
    assert not [m for m in await anna.bot_messages() if "Mødet er flyttet" in (m.text or "")]
    sent = [(e.actor, e.outcome) for e in await bot.audit("broadcast_sent")]
    assert sent == [("kp01", "refused")]
