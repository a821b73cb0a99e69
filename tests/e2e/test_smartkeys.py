"""Smartkeys at the cabinet: a planner hands out, a substitute confirms, a night guard takes one
herself at 22:00, keys come back or run late, and a lost key is blocked and found again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.render.i18n import t
from bot.storage.smartkeys import SmartkeyRow
from state.roles import Role
from state.smartkey import Smartkey, SmartkeyState
from state.smartkey_request import KeyRequest, RequestState
from tests.harness import Harness, Person, text_of
from tgemu.client import ChatMessage

NORD = "Hjemmepleje Nord"
OFFICE = "Plejecenter Nord, kontoret, 1. sal"
HAND_OUT = "🔑 Udlever en nøgle"
CONFIRM = "✅ Jeg har nøglen"
TOOK_ONE = "✍️ Jeg har taget en nøgle i skabet"
ASK = "🙋 Bed om en nøgle"
UNCONFIRMED = "❔ ikke bekræftet"
SELF_RECORDED = "✍️ selvregistreret"

STAFF: dict[str, tuple[str, Role, str]] = {
    "per": ("pl01", Role.PLANNER, "Per Planner"),
    "anna": ("ab1234", Role.CAREGIVER, "Anna Jensen"),
    "sofie": ("sub01", Role.SUBSTITUTE, "Sofie Vikar"),
    "nina": ("ng01", Role.NIGHT_GUARD, "Nina Nat"),
    "pia": ("pl02", Role.PLANNER, "Pia Planner"),
    "kim": ("kp01", Role.KEY_PERSON, "Kim Key"),
    "lis": ("le01", Role.LEADER, "Lis Leder"),
}
"""Hjemmepleje Nord's people: nickname → user-id, role, name."""


async def stock_cabinet(bot: Harness, labels: tuple[str, ...] = ("K-01", "K-02", "K-03")) -> None:
    """Register a cabinet of Hjemmepleje Nord with keys, the way the import does."""
    rows = [SmartkeyRow(label, NORD, "Kontoret", OFFICE) for label in labels]
    await bot.services.smartkeys.import_rows(rows, actor="cli")


async def hire(bot: Harness, *nicknames: str) -> dict[str, Person]:
    """Bring these people of Hjemmepleje Nord into the bot (each joins by invite)."""
    people = {}
    for nickname in nicknames:
        user_id, role, name = STAFF[nickname]
        people[nickname] = await bot.employee(user_id, role, name=name)
    return people


async def key(bot: Harness, label: str) -> Smartkey:
    """A key as stored."""
    async with bot.services.db.read() as tx:
        found = await tx.smartkeys.find(NORD, label)
    assert found is not None
    return found


async def key_request(bot: Harness, request_id: int) -> KeyRequest:
    """A request for a key as stored."""
    async with bot.services.db.read() as tx:
        found = await tx.key_requests.get(request_id)
    assert found is not None
    return found


async def cabinet_id(bot: Harness) -> int:
    """The id of Hjemmepleje Nord's cabinet "Kontoret"."""
    async with bot.services.db.read() as tx:
        cabinet = await tx.smartkeys.find_cabinet(NORD, "Kontoret")
    assert cabinet is not None
    return cabinet.id


def line_of(message: ChatMessage, label: str) -> str:
    """The line of a list that shows this key."""
    lines = [line for line in text_of(message).splitlines() if f"{label} " in line]
    assert len(lines) == 1, f"{label} in {text_of(message)!r}"
    return lines[0]


async def newest(person: Person, text: str) -> ChatMessage:
    """The bot's newest message to this person that contains the text (other pushes, such as
    other weekly reminders, may have come after it)."""
    for message in reversed(await person.bot_messages()):
        if text in (message.text or ""):
            return message
    raise AssertionError(f"no message contains {text!r}: {await person.bot_texts()}")


def button_data(message: ChatMessage, text: str) -> str:
    """The callback data of a message's inline button."""
    assert message.reply_markup is not None
    rows = message.reply_markup["inline_keyboard"]
    return next(str(b["callback_data"]) for row in rows for b in row if b["text"] == text)


async def key_actions(bot: Harness) -> list[tuple[str, str, str | None, str]]:
    """The audit trail of the keys since they were registered: (actor, action, target,
    outcome), oldest first."""
    return [
        (entry.actor, entry.action, entry.target, entry.outcome)
        for entry in await bot.audit()
        if entry.action.startswith("smartkey_") and entry.action != "smartkey_registered"
    ]


async def hand_out(keeper: Person, label: str, to: str) -> None:
    """A keeper opens the cabinet, picks the key (its button) and then the person."""
    await keeper.say("/noegler")
    await keeper.press(HAND_OUT)
    await keeper.press(label)
    await keeper.press(to)


async def move_to_local(bot: Harness, when: datetime) -> None:
    """Move the clock to a date and time in the bot's time zone, and run what is due."""
    target = when.replace(tzinfo=bot.services.settings.zone).astimezone(UTC)
    await bot.tick(seconds=(target - bot.clock.now()).total_seconds())


@pytest.fixture
async def shift(bot: Harness) -> dict[str, Person]:
    """Hjemmepleje Nord at the start of a shift: a stocked cabinet, a planner, a caregiver,
    a substitute and a night guard."""
    await stock_cabinet(bot)
    return await hire(bot, "per", "anna", "sofie", "nina")


@pytest.fixture
async def office(bot: Harness, shift: dict[str, Person]) -> dict[str, Person]:
    """The shift, with a second planner, the key person and the unit's leader in the bot."""
    return shift | await hire(bot, "pia", "kim", "lis")


# Hand-out and confirmation


async def test_a_planner_hands_a_key_to_a_substitute_who_confirms(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Pick the key, pick the substitute (first in the list), she confirms with one tap."""
    per, sofie = shift["per"], shift["sofie"]

    view = await per.say("/noegler")
    assert "Kontoret" in text_of(view[0]) and "3 nøgler i skabet" in text_of(view[0])
    await per.press(HAND_OUT)
    await per.press("K-02")
    people = await per.message_with_button("Sofie Vikar · afløser")
    assert people.buttons[:2] == ["Nina Nat · nattevagt", "Sofie Vikar · afløser"]
    await per.press("Sofie Vikar · afløser")

    assert "K-02 er udleveret til Sofie Vikar" in await per.last_text()
    asked = await sofie.last()
    assert "Smartkey K-02" in text_of(asked) and CONFIRM in asked.buttons
    stored = await key(bot, "K-02")
    assert stored.state == SmartkeyState.HANDED_OUT and stored.holder == "sub01"
    assert stored.confirmed_at is None

    await sofie.press(CONFIRM)

    assert "Du har bekræftet" in await sofie.last_text()
    assert (await key(bot, "K-02")).confirmed_at == bot.clock.now()
    assert [entry.action for entry in await bot.audit() if "smartkey" in entry.action][-2:] == [
        "smartkey_hand_out",
        "smartkey_confirm",
    ]
    assert UNCONFIRMED not in text_of((await per.say("/noegler"))[0])


async def test_an_unconfirmed_hand_out_stands_and_the_late_confirmation_is_recorded(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Anna's phone has no network: the key is hers all the same, shown "not confirmed" to the
    planner, until her tap arrives two hours later."""
    per, anna = shift["per"], shift["anna"]
    handed_at = bot.clock.now()

    await hand_out(per, "K-01", "Anna Jensen · hjemmehjælper")

    stored = await key(bot, "K-01")
    assert (stored.state, stored.holder, stored.handed_out_by) == ("handed_out", "ab1234", "pl01")
    assert (stored.handed_out_at, stored.confirmed_at) == (handed_at, None)
    overview = (await per.say("/noegler"))[0]
    assert UNCONFIRMED in line_of(overview, "K-01")
    assert "hos Anna Jensen" in line_of(overview, "K-01")
    assert "2 nøgler i skabet" in text_of(overview)

    await bot.tick(hours=2)  # back in coverage, she taps the push she got
    own = (await anna.say("/noegler"))[0]  # her own view names the key it confirms
    assert own.buttons[:3] == ["✅ K-01 lagt i skabet", "🔴 Mistet", "👍 Jeg har fået K-01"]
    pushed = await anna.message_with_button(CONFIRM)
    answer, _ = await anna.press(CONFIRM, pushed)

    assert answer is None
    assert "Du har bekræftet" in text_of(await anna.message_by_id(pushed.message_id))
    assert (await key(bot, "K-01")).confirmed_at == handed_at + timedelta(hours=2)
    assert UNCONFIRMED not in line_of((await per.say("/noegler"))[0], "K-01")
    assert await key_actions(bot) == [
        ("pl01", "smartkey_hand_out", "K-01", "ok"),
        ("ab1234", "smartkey_confirm", "K-01", "ok"),
    ]


async def test_a_night_guard_records_her_own_take_and_the_planner_corrects_it_in_the_morning(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """At 22:00 no planner is at work: Nina notes the key she took herself; the planner's next
    view shows it self-recorded, and he records it back in the cabinet."""
    per, nina = shift["per"], shift["nina"]
    await move_to_local(bot, datetime(2026, 11, 27, 22, 0))

    own = (await nina.say("/noegler"))[0]
    assert text_of(own) == t("da", "smartkey.mine_none")
    assert HAND_OUT not in own.buttons
    await nina.press(TOOK_ONE)
    pick = await nina.last()
    assert pick.buttons == ["K-01", "K-02", "K-03"]
    await nina.press("K-03")

    assert "Noteret: du har K-03 fra skabet Kontoret" in await nina.last_text()
    assert "tilbage senest 28.11. 06:00" in await nina.last_text()
    stored = await key(bot, "K-03")
    assert (stored.state, stored.holder, stored.handed_out_by) == ("handed_out", "ng01", "ng01")
    assert stored.self_recorded and stored.confirmed_at == bot.clock.now()
    assert not any("K-03" in text for text in await per.bot_texts())  # no push at night

    await move_to_local(bot, datetime(2026, 11, 28, 7, 30))  # she forgot to note it back
    assert "Nina Nat (ng01) har haft den siden" in text_of(await newest(per, "K-03"))
    overview = (await per.say("/noegler"))[0]
    assert SELF_RECORDED in line_of(overview, "K-03")
    assert "hos Nina Nat siden 27.11" in line_of(overview, "K-03")
    assert UNCONFIRMED not in line_of(overview, "K-03")

    await per.press("K-03")  # the key's card
    card = await per.last()
    assert "✅ K-03 lagt i skabet" in card.buttons
    await per.press("✅ K-03 lagt i skabet", card)

    corrected = await per.message_by_id(card.message_id)
    assert "K-03 er lagt tilbage i skabet Kontoret" in text_of(corrected)
    assert "afleveret af Nina Nat (noteret af Per Planner)" in text_of(corrected)
    stored = await key(bot, "K-03")
    assert (stored.state, stored.holder, stored.self_recorded) == ("in_cabinet", None, False)
    assert await key_actions(bot) == [
        ("ng01", "smartkey_take", "K-03", "ok"),
        ("system", "smartkey_overdue", "K-03", "2"),
        ("pl01", "smartkey_give_back", "K-03", "ok"),
    ]


async def test_keys_come_back_by_the_holders_own_view_and_on_the_planners_card(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Sofie returns hers from /noegler; the planner records Anna's on the key's card."""
    per, sofie, anna = shift["per"], shift["sofie"], shift["anna"]
    await hand_out(per, "K-02", "Sofie Vikar · afløser")
    await hand_out(per, "K-01", "Anna Jensen · hjemmehjælper")
    await bot.tick(hours=7)

    own = (await sofie.say("/noegler"))[0]
    assert "K-02" in text_of(own) and "K-01" not in text_of(own)
    await sofie.press("✅ K-02 lagt i skabet", own)

    assert text_of(await sofie.message_by_id(own.message_id)) == (
        "✅ K-02 er lagt tilbage i skabet Kontoret."
    )
    assert (await key(bot, "K-02")).state == SmartkeyState.IN_CABINET
    assert t("da", "smartkey.mine_none") in text_of((await sofie.say("/noegler"))[0])

    card = (await per.say("/noegler K-01"))[0]
    assert "hos Anna Jensen" in text_of(card)
    await per.press("✅ K-01 lagt i skabet", card)

    assert "K-01 er lagt tilbage i skabet Kontoret" in text_of(
        await per.message_by_id(card.message_id)
    )
    stored = await key(bot, "K-01")
    assert (stored.state, stored.holder, stored.due_at) == ("in_cabinet", None, None)
    assert "3 nøgler i skabet" in text_of((await per.say("/noegler"))[0])
    assert [action[:3] for action in await key_actions(bot)][-2:] == [
        ("sub01", "smartkey_give_back", "K-02"),
        ("pl01", "smartkey_give_back", "K-01"),
    ]
    await bot.tick(hours=2)  # past the due time: nothing is overdue
    assert not any("⏰" in text for text in await sofie.bot_texts() + await anna.bot_texts())


# Requests


async def test_a_request_is_approved_by_handing_the_requester_a_key(
    bot: Harness, office: dict[str, Person]
) -> None:
    """The network is down: Anna asks; Per hands her K-01 from his push; she is asked to
    confirm, and every keeper's copy says who got which key from whom."""
    anna, per, pia, kim = office["anna"], office["per"], office["pia"], office["kim"]

    await anna.say("/noegler")
    await anna.press(ASK)

    assert "sendt til 3 planlæggere og nøglepersoner" in await anna.last_text()
    for keeper in (per, pia, kim):
        push = await keeper.last()
        assert "Anna Jensen (ab1234) beder om en Smartkey" in text_of(push)
        assert push.buttons == [HAND_OUT, "✖ Afvis"]
    request = await key_request(bot, 1)
    assert (request.requester, request.unit, request.state, request.created_at) == (
        "ab1234",
        NORD,
        RequestState.WAITING,
        bot.clock.now(),
    )

    await pia.press(HAND_OUT, await pia.last())  # Pia opens the list too, and is called away
    her_list = await pia.last()
    k02_data = button_data(her_list, "K-02")
    await per.press(HAND_OUT, await per.last())
    assert (await per.last()).buttons == ["K-01", "K-02", "K-03"]
    await per.press("K-01")

    asked = await anna.last()
    assert "Du har fået Smartkey K-01 fra skabet Kontoret af Per Planner" in text_of(asked)
    assert CONFIRM in asked.buttons
    for keeper in (pia, kim):  # Pia's open list too
        copy = await keeper.last()
        assert text_of(copy) == "✅ Anna Jensen fik K-01 af Per Planner."
        assert copy.buttons == []
    assert (await pia.last()).message_id == her_list.message_id
    assert "K-01 er udleveret til Anna Jensen" in await per.last_text()
    request = await key_request(bot, 1)
    assert (request.state, request.decided_by, request.key_id) == (
        "approved",
        "pl01",
        (await key(bot, "K-01")).id,
    )
    assert (await key(bot, "K-01")).holder == "ab1234"

    lis = office["lis"]  # the leader hears of it only if it waits (the timers' tests)
    assert not any("beder om en Smartkey" in text for text in await lis.bot_texts())

    # Her phone missed the edit: she taps K-02 on the list it still shows.
    answer, _ = await pia.press("K-02", her_list, forge_data=k02_data)
    assert answer == "Den anmodning er allerede besvaret."
    assert text_of(await pia.last()) == "✅ Anna Jensen fik K-01 af Per Planner."
    assert (await key(bot, "K-02")).state == SmartkeyState.IN_CABINET
    assert (await key_request(bot, 1)).key_id == (await key(bot, "K-01")).id


async def test_a_declined_request_tells_the_requester(
    bot: Harness, office: dict[str, Person]
) -> None:
    """Sofie asks; Pia declines; Sofie hears who declined, and no key moves."""
    sofie, per, pia = office["sofie"], office["per"], office["pia"]
    await sofie.say("/noegler")
    await sofie.press(ASK)

    await pia.press("✖ Afvis", await pia.last())

    assert "Din anmodning om en Smartkey blev afvist af Pia Planner" in await sofie.last_text()
    assert text_of(await per.last()) == (
        "✖ Sofie Vikars anmodning om en nøgle blev afvist af Pia Planner."
    )
    request = await key_request(bot, 1)
    assert (request.state, request.decided_by, request.key_id) == ("declined", "pl02", None)
    settled = await per.last()
    answer, _ = await per.press("✖ Afvis", settled, forge_data="sq:1:n")  # a late second tap
    assert answer == "Den anmodning er allerede besvaret."
    assert text_of(await per.message_by_id(settled.message_id)) == text_of(settled)
    assert [entry.actor for entry in await bot.audit("smartkey_request_decline")] == ["pl02"]
    states = [(await key(bot, label)).state for label in ("K-01", "K-02", "K-03")]
    assert states == [SmartkeyState.IN_CABINET] * 3
    assert ASK in (await sofie.say("/noegler"))[0].buttons  # she may ask again


# Histories and who sees what


async def test_the_history_of_a_key_and_of_an_employee(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Who had K-02 and when, on its card; and Sofie's keys, for the planner and for herself."""
    per, sofie = shift["per"], shift["sofie"]
    await hand_out(per, "K-02", "Sofie Vikar · afløser")
    await bot.tick(minutes=5)
    await sofie.press(CONFIRM)
    await bot.tick(hours=7)
    await sofie.say("/noegler")
    await sofie.press("✅ K-02 lagt i skabet")
    await bot.tick(hours=1)
    await hand_out(per, "K-01", "Sofie Vikar · afløser")

    card = (await per.say("/noegler K-02"))[0]
    assert text_of(card).splitlines()[:4] == [
        "🔑 Smartkey K-02",
        f"Skab: Kontoret ({OFFICE})",
        "🟢 K-02 i skabet",
        "Opdateret: 09:00",
    ]
    assert text_of(card).split("Historik (nyeste først):\n")[1].splitlines() == [
        "16:05 · K-02: afleveret af Sofie Vikar",
        "09:05 · K-02: modtagelse bekræftet af Sofie Vikar",
        "09:00 · K-02: udleveret til Sofie Vikar af Per Planner",
        "09:00 · K-02: registreret af importen",
    ]
    history = (await per.say("/noegler sub01"))[0]
    assert text_of(history).splitlines() == [
        "🔑 Smartkeys: Sofie Vikar (nyeste først):",
        "17:05 · K-01: udleveret til Sofie Vikar af Per Planner",
        "16:05 · K-02: afleveret af Sofie Vikar",
        "09:05 · K-02: modtagelse bekræftet af Sofie Vikar",
        "09:00 · K-02: udleveret til Sofie Vikar af Per Planner",
    ]
    assert history.protect_content
    assert text_of((await sofie.say("/noegler sub01"))[0]) == text_of(history)


async def test_a_substitute_sees_only_her_own_keys_and_history(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Sofie cannot look up Anna, nor Anna's key; her /noegler shows her key, not the cabinet."""
    per, sofie = shift["per"], shift["sofie"]
    await hand_out(per, "K-01", "Anna Jensen · hjemmehjælper")
    await hand_out(per, "K-02", "Sofie Vikar · afløser")

    unknown = "Jeg kender hverken en nøgle eller en kollega i din enhed, der hedder «{}»."
    for asked in ("ab1234", "K-01", "K-03", "pl01"):
        assert await sofie.say(f"/noegler {asked}") == [await sofie.last()]
        assert await sofie.last_text() == unknown.format(asked)
    own = (await sofie.say("/noegler"))[0]
    assert text_of(own).splitlines()[0] == "🔑 Din Smartkey (1):"
    assert "K-02" in text_of(own)
    assert "K-01" not in text_of(own) and "K-03" not in text_of(own)
    assert "Kontoret (" not in text_of(own)
    assert "K-02 hos Sofie Vikar" in text_of((await sofie.say("/noegler K-02"))[0])


async def test_a_substitute_cannot_hand_out_keys_even_with_forged_buttons(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """No hand-out in Sofie's view; her forged presses get a short no and change nothing. A
    planner of another unit, past the role check, is refused by the key's unit."""
    sofie, per = shift["sofie"], shift["per"]
    own = (await sofie.say("/noegler"))[0]
    assert own.buttons == [ASK, TOOK_ONE]
    k01 = await key(bot, "K-01")
    before = (await key_actions(bot), len(await per.bot_messages()))
    wrong_role = "Det kan din rolle (afløser) ikke her."

    for forged, refusal in (
        (f"sh:{k01.id}:sub01", wrong_role),  # hand K-01 to herself
        (f"sh:{k01.id}:sub01:f", wrong_role),  # ... past the stale warning
        ("sv:h", "Det må du ikke med den nøgle."),  # the hand-out list
        (f"sc:{await cabinet_id(bot)}:u", wrong_role),  # the whole cabinet updated
        (f"sk:{k01.id}:g", "Den nøgle findes ikke."),  # whom to hand K-01 to
        (f"sk:{k01.id}:u", "Den nøgle findes ikke."),  # K-01 updated
    ):
        answer, new = await sofie.press("", own, forge_data=forged)
        assert (answer, new) == (refusal, []), forged
        assert text_of(await sofie.message_by_id(own.message_id)) == text_of(own), forged

    stored = await key(bot, "K-01")
    assert (stored.state, stored.holder, stored.updated_at, stored.version) == (
        "in_cabinet",
        None,
        k01.updated_at,
        k01.version,
    )
    assert (await key_actions(bot), len(await per.bot_messages())) == before

    syd = await bot.employee("pl09", Role.PLANNER, unit="Hjemmepleje Syd", name="Sune Syd")
    syd_view = (await syd.say("/noegler"))[0]
    answer, _ = await syd.press("", syd_view, forge_data=f"sh:{k01.id}:sub01:f")
    assert answer == "Det må du ikke med den nøgle."
    assert (await key(bot, "K-01")).holder is None
    assert (await key_actions(bot))[-1] == ("pl09", "smartkey_hand_out", "K-01", "refused")


# The weekly update, and a lost key


async def test_a_stale_key_asks_for_a_second_tap_before_it_is_handed_out(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Nobody updated the keys for eight days: K-02 is flagged, handing it out warns, and only
    "Ja, alligevel" hands it out."""
    per, sofie = shift["per"], shift["sofie"]
    await bot.tick(days=8)

    overview = (await per.say("/noegler"))[0]
    assert "⚠️ ikke opdateret i 8 dage" in line_of(overview, "K-02")
    await per.press(HAND_OUT)
    assert (await per.last()).buttons == ["⚠️ K-01", "⚠️ K-02", "⚠️ K-03"]
    await per.press("⚠️ K-02")
    await per.press("Sofie Vikar · afløser")

    warning = await per.last()
    assert text_of(warning).startswith("⚠️ K-02: ⚠️ ikke opdateret i 8 dage.")
    assert warning.buttons == ["⚠️ Ja, alligevel", "↩ Vælg en anden"]
    assert (await key(bot, "K-02")).state == SmartkeyState.IN_CABINET
    assert not any("K-02" in text for text in await sofie.bot_texts())

    await per.press("↩ Vælg en anden", warning)  # he thinks better of it
    assert (await key(bot, "K-02")).state == SmartkeyState.IN_CABINET
    assert "smartkey_hand_out" not in [action[1] for action in await key_actions(bot)]

    await per.press(HAND_OUT)
    await per.press("⚠️ K-02")
    await per.press("Sofie Vikar · afløser")
    await per.press("⚠️ Ja, alligevel")

    assert "K-02 er udleveret til Sofie Vikar" in await per.last_text()
    assert "Smartkey K-02" in await sofie.last_text()
    stored = await key(bot, "K-02")
    assert (stored.state, stored.holder) == ("handed_out", "sub01")
    assert [action[1:3] for action in await key_actions(bot)][-1] == ("smartkey_hand_out", "K-02")


async def test_a_lost_key_is_blocked_its_ticket_escalates_and_it_comes_back_when_found(
    bot: Harness, office: dict[str, Person]
) -> None:
    """Sofie loses K-03: it leaves the hand-out list at once and a smartkey ticket goes to the
    planners and the key person, escalating like any ticket; found and re-enabled at Bekey,
    it is back in the cabinet."""
    per, kim, lis, sofie = office["per"], office["kim"], office["lis"], office["sofie"]
    await hand_out(per, "K-03", "Sofie Vikar · afløser")
    await bot.tick(hours=3)

    own = (await sofie.say("/noegler"))[0]
    await sofie.press("🔴 Mistet", own)
    await sofie.press("🔴 Ja, den er mistet")

    assert "K-03 er spærret her. Sag F-0001 er sendt til planlæggerne" in await sofie.last_text()
    for keeper in (per, kim):
        pushed = text_of(await keeper.last())
        assert "F-0001 · Mistet Smartkey: spær den hos Bekey" in pushed
        assert "Smartkey K-03: kontakt Bekey, og få den spærret." in pushed
    assert not any("F-0001" in text for text in await lis.bot_texts())
    ticket = await bot.ticket(1)
    assert (ticket.model.category, ticket.reporter, ticket.citizen_text) == (
        "smartkey",
        "sub01",
        "K-03",
    )
    stored = await key(bot, "K-03")
    assert (stored.state, stored.lost_ticket_id, stored.holder) == ("lost", 1, "sub01")
    overview = (await per.say("/noegler"))[0]
    assert line_of(overview, "K-03") == "🔴 K-03 mistet, spærret"
    assert "2 nøgler i skabet" in text_of(overview)
    await per.press(HAND_OUT, overview)
    assert (await per.last()).buttons == ["K-01", "K-02"]  # K-03 cannot be handed out

    await bot.tick(minutes=15)  # nobody took the ticket
    for keeper in (per, kim):
        assert "F-0001" in text_of(await newest(keeper, "⏰ Ikke taget efter 15 min."))
    await bot.tick(minutes=30)
    assert "Smartkey K-03" in text_of(await newest(lis, "Sendt videre til lederen."))
    assert (await bot.ticket(1)).escalation_level == 2
    escalations = [(e.target, e.outcome) for e in await bot.audit("ticket_escalated")]
    assert escalations == [("F-0001", "1"), ("F-0001", "2")]

    await bot.tick(hours=20)  # it turns up in the car
    card = (await per.say("/noegler K-03"))[0]
    await per.press("🟡 Fundet", card)
    assert (await key(bot, "K-03")).state == SmartkeyState.FOUND
    await per.press("🟢 Bekey har åbnet den igen: i skabet")

    assert "K-03 er i skabet igen" in await per.last_text()
    stored = await key(bot, "K-03")
    assert (stored.state, stored.holder) == ("in_cabinet", None)
    assert stored.lost_ticket_id is not None  # its ticket is settled: no block needed now
    settled = await bot.ticket(stored.lost_ticket_id)
    assert (settled.model.state, settled.model.taken_by) == ("resolved", "pl01")
    assert (await bot.ticket_events(settled.id))[-1].detail == "smartkey_re_enabled"
    await per.say("/noegler")
    await per.press(HAND_OUT)
    assert (await per.last()).buttons == ["K-01", "K-02", "K-03"]
    assert [action[:3] for action in await key_actions(bot)][-3:] == [
        ("sub01", "smartkey_lost", "K-03"),
        ("pl01", "smartkey_found", "K-03"),
        ("pl01", "smartkey_re_enable", "K-03"),
    ]


# In an outage, and registering in chat


async def test_the_emergency_card_says_where_the_cabinet_is_and_how_many_keys_are_in_it(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Anna's 🆘 names the cabinet and its count; after a hand-out, her next card and Sofie's
    count one less."""
    anna, per, sofie = shift["anna"], shift["per"], shift["sofie"]
    cabinet = "🗄 Smartkeys: skabet Kontoret, Plejecenter Nord, kontoret, 1. sal. {} i skabet nu."

    card = (await anna.say(t("da", "button.emergency")))[0]
    assert cabinet.format("3 nøgler") in text_of(card)

    await hand_out(per, "K-01", "Sofie Vikar · afløser")
    card = (await anna.say(t("da", "button.emergency")))[0]  # at the next door
    assert cabinet.format("2 nøgler") in text_of(card)
    assert cabinet.format("3 nøgler") not in text_of(card)
    card = (await sofie.say(t("da", "button.emergency")))[0]
    assert cabinet.format("2 nøgler") in text_of(card)


async def test_a_planner_registers_a_cabinet_and_a_key_in_chat_and_a_caregiver_cannot(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Per adds the basement cabinet and K-10 in it; Anna's same commands are refused."""
    per, anna = shift["per"], shift["anna"]

    added = await per.say("/skab Kælderen; Plejecenter Nord, kælderen")
    assert text_of(added[0]).startswith(
        "🗄 Skabet Kælderen (Plejecenter Nord, kælderen) er oprettet i Hjemmepleje Nord."
    )
    added = await per.say("/nynoegle K-10 Kælderen")
    assert text_of(added[0]) == "🔑 K-10 er registreret i skabet Kælderen."

    stored = await key(bot, "K-10")
    async with bot.services.db.read() as tx:
        cellar = await tx.smartkeys.find_cabinet(NORD, "Kælderen")
    assert cellar is not None and cellar.location == "Plejecenter Nord, kælderen"
    assert (stored.cabinet_id, stored.state, stored.updated_at) == (
        cellar.id,
        "in_cabinet",
        bot.clock.now(),
    )
    overview = (await per.say("/noegler"))[0]
    assert "Kælderen (Plejecenter Nord, kælderen): 1 nøgle i skabet" in text_of(overview)
    assert "K-10" in overview.buttons
    assert [action[:3] for action in await key_actions(bot)] == [
        ("pl01", "smartkey_cabinet", "Kælderen"),
    ]
    registered = [(e.actor, e.target, e.outcome) for e in await bot.audit("smartkey_registered")]
    assert registered[-1] == ("pl01", "K-10", "Kælderen")

    refused = "Det kan din rolle (hjemmehjælper) ikke her."
    assert text_of((await anna.say("/skab Bilen; Parkeringen"))[0]) == refused
    assert text_of((await anna.say("/nynoegle K-11 Kontoret"))[0]) == refused
    async with bot.services.db.read() as tx:
        assert await tx.smartkeys.find_cabinet(NORD, "Bilen") is None
        assert await tx.smartkeys.find(NORD, "K-11") is None


# The worst hour: many keys, long names, new staff, leavers


async def test_an_outage_with_a_hundred_keys_out_still_fits_one_message_and_its_buttons(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Two cabinets of 50 keys, 45 handed to one long-named substitute: the planner's view and
    the holder's own view each arrive within Telegram's limits, ending in "… and N more"."""
    per = shift["per"]
    rows = [
        SmartkeyRow(f"K-{n:03d}", NORD, "Kontoret" if n <= 50 else "Nattevagten", OFFICE)
        for n in range(1, 101)
    ]
    await bot.services.smartkeys.import_rows(rows, actor="cli")
    long_name = "Anne-Marie Christiansen-Østergaard Vikarbureauet Syd"
    holder = await bot.employee("sub02", Role.SUBSTITUTE, name=long_name)
    planner = await bot.employee_record("pl01")
    for line in (await bot.services.smartkeys.available(NORD))[:45]:
        assert line.key.id is not None
        await bot.services.smartkeys.hand_out(planner, line.key.id, "sub02", despite_stale=True)

    overview = (await per.say("/noegler"))[0]
    own = (await holder.say("/noegler"))[0]

    for message in (overview, own):
        assert len(text_of(message)) <= 4096
        assert len(message.buttons) <= 100
        assert "linjer mere. Én nøgle: /noegler K-07" in text_of(message)
    assert overview.buttons[0] == HAND_OUT  # the action comes first, and stays
    assert own.buttons[-2:] == [ASK, TOOK_ONE]


async def test_a_take_recorded_at_night_stays_named_for_the_planner_after_the_key_is_back(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Nina takes K-01 at 22:00 and puts it back at 05:30: Per's view at 07:30 still names
    the take, so he can check it."""
    per, nina = shift["per"], shift["nina"]
    await move_to_local(bot, datetime(2026, 11, 27, 22, 0))
    await nina.say("/noegler")
    await nina.press(TOOK_ONE)
    await nina.press("K-01")
    await move_to_local(bot, datetime(2026, 11, 28, 5, 30))
    await nina.say("/noegler")
    await nina.press("✅ K-01 lagt i skabet")

    await move_to_local(bot, datetime(2026, 11, 28, 7, 30))
    overview = text_of((await per.say("/noegler"))[0])

    assert "✍️ Taget af medarbejderen selv det sidste døgn" in overview
    assert "22:00 · K-01: taget af Nina Nat (selvregistreret)" in overview
    assert "🟢 K-01 i skabet" in overview


async def test_a_new_substitute_who_has_not_joined_yet_can_be_handed_a_key(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Bo is on the staff list but has not opened his invite: he is in the picker, the
    hand-out stands without his confirmation."""
    per = shift["per"]
    await bot.invite("sub09", "Bo Bølle", Role.SUBSTITUTE, NORD)

    await hand_out(per, "K-01", "Bo Bølle · afløser")

    assert "K-01 er udleveret til Bo Bølle" in await per.last_text()
    stored = await key(bot, "K-01")
    assert (stored.state, stored.holder, stored.confirmed_at) == ("handed_out", "sub09", None)


async def test_a_key_held_by_someone_who_left_is_marked_so(
    bot: Harness, shift: dict[str, Person]
) -> None:
    """Sofie leaves with K-02: the cabinet view says she has stopped, so it is chased."""
    per = shift["per"]
    await hand_out(per, "K-02", "Sofie Vikar · afløser")
    await bot.services.staff.deactivate("sub01", actor="cli")
    await bot.sender.settled()  # the planners' task to close her in Bekey comes first

    await per.say("/noegler")
    overview = await newest(per, "Smartkeys i Hjemmepleje Nord")

    assert "hos Sofie Vikar (stoppet) siden" in line_of(overview, "K-02")
