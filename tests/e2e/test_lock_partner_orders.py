"""Orders to the lock partner: a fitter sees and confirms only their own firm's, a firm
without users gets its order from visitation as a file, and an order nobody confirms
reminds the visitator after five working days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.services.lifecycle import StepOutcome
from bot.storage.lock_partners import Firm, Order
from state.bekey_lifecycle import LifecycleState, LifecycleTrigger
from state.roles import Role
from tests.e2e.test_bekey_lifecycle import NEW_BO, NEW_ELSE, citizen, lock_partner, steps_of
from tests.harness import Harness, Person, register_citizens, text_of

NORD = "Hjemmepleje Nord"
ORDER_FROM_A = "📦 Bestil montering: Låse-Jens ApS"
ORDER_FROM_B = "📦 Bestil montering: Nøgle-Nina ApS"
REMINDER = "⏰ Ordre O-0001 er ikke bekræftet"
INSTALL = LifecycleTrigger.INSTALL


@pytest.fixture
async def firms(bot: Harness) -> tuple[Firm, Firm]:
    """Two lock partner firms the bot knows, Låse-Jens (the default) and Nøgle-Nina."""
    for unit in (NORD, "Hjemmepleje Syd"):
        await bot.services.units.add(unit, actor="cli")
    async with bot.services.db.transaction() as tx:
        now = bot.clock.now()
        a = await tx.lock_partners.save(
            "Låse-Jens ApS", "70 20 30 40", "ordre@laasejens.dk", now, default=True
        )
        b = await tx.lock_partners.save("Nøgle-Nina ApS", "80 90 10 20", "", now)
    return a, b


async def order(bot: Harness, order_id: int) -> Order:
    """An order as stored."""
    async with bot.services.db.read() as tx:
        stored = await tx.orders.get(order_id)
    assert stored is not None
    return stored


async def test_a_fitter_confirms_their_firms_order_and_is_refused_another_firms(
    bot: Harness, firms: tuple[Firm, Firm]
) -> None:
    """Jens confirms Låse-Jens's order; Nina of Nøgle-Nina never sees it, and her forged
    presses on it are refused and change nothing."""
    a, b = firms
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", a)
    nina = await lock_partner(bot, "lp-nina", "Nina Nøgle", b)
    await vera.press(ORDER_FROM_A, (await vera.say(NEW_ELSE))[0])
    await vera.press(ORDER_FROM_B, (await vera.say(NEW_BO))[0])

    push = await jens.last()
    assert "Ordre O-0001: montering af Bekey" in text_of(push)
    assert "O-0001" not in " ".join(await nina.bot_texts())
    listed = (await nina.say("/ordrer"))[0]
    assert "O-0002" in text_of(listed) and "O-0001" not in text_of(listed)
    assert listed.buttons == ["O-0002: ✅ Bekræft ordren"]

    for forged in ("bo:1:c", "bo:1:i"):
        answer, new = await nina.press("", listed, forge_data=forged)
        assert (answer, new) == ("Det kan din rolle ikke her.", [])
    first = await order(bot, 1)
    assert (first.confirmed_at, first.confirmed_by) == (None, None)
    else_ = await citizen(bot, "B-301")
    assert else_.lifecycle is LifecycleState.ORDERED
    lifecycle = bot.services.lifecycle  # the service refuses her too, whatever the route
    refused = await lifecycle.step(await bot.employee_record("lp-nina"), else_.id, INSTALL)
    assert refused.outcome is StepOutcome.NOT_ALLOWED
    assert (await citizen(bot, "B-301")).version == else_.version
    assert [e.target for e in await bot.audit("order_confirmed")] == []

    answer, _ = await jens.press("✅ Bekræft ordren", push)

    assert answer is None
    first = await order(bot, 1)
    assert (first.confirmed_by, first.confirmed_at) == ("lp-jens", bot.clock.now())
    shown = await jens.message_by_id(push.message_id)
    assert "✔ Bekræftet · nu: bestilt hos låsepartneren" in text_of(shown)
    assert shown.buttons == ["🔧 Monteret på bagdøren"]
    assert (await steps_of(bot, "B-301"))[-1] == ("confirm", "lp-jens", "ordered")
    assert [(e.actor, e.target) for e in await bot.audit("order_confirmed")] == [
        ("lp-jens", "B-301")
    ]
    answer, _ = await jens.press("", shown, forge_data="bo:1:c")  # a double tap
    assert answer == "Det er allerede noteret: her er ordren, som den står nu."
    assert len(await bot.audit("order_confirmed")) == 1
    mine = (await jens.say("/ordrer"))[0]
    assert "O-0001" in text_of(mine) and "O-0002" not in text_of(mine)
    assert mine.buttons == ["O-0001: 🔧 Monteret på bagdøren"]
    answer, _ = await jens.press("", mine, forge_data="bo:2:c")
    assert answer == "Det kan din rolle ikke her."
    assert (await order(bot, 2)).confirmed_at is None


async def test_a_fitter_sees_nothing_else_of_the_citizen_register(
    bot: Harness, firms: tuple[Firm, Firm]
) -> None:
    """Jens cannot look citizens up, report faults, list tickets or keys, nor open a card."""
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", firms[0])
    await vera.say(NEW_ELSE)
    refusal = "Det kan din rolle (låsepartner) ikke her."

    for command in ("/borger Else", "/fejl", "/mine", "/noegler", "/nyborger"):
        said = await jens.say(command)
        assert [text_of(m) for m in said] == [refusal], command
    listed = (await jens.say("/ordrer"))[0]
    for forged in ("cz:1:0:vw", "cz:1:0:in"):
        answer, new = await jens.press("", listed, forge_data=forged)
        assert (answer, new) == (refusal, [])
    assert (await citizen(bot, "B-301")).version == 0
    assert [e.actor for e in await bot.audit("citizen_lookup")] == []


async def test_an_order_for_a_firm_without_users_goes_to_visitation_as_a_file(
    bot: Harness, firms: tuple[Firm, Firm]
) -> None:
    """Nøgle-Nina has nobody in the bot: Vera gets the order as one unprotected file (audited)
    to send on, and records the firm's confirmation and steps from Else's card."""
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    card = (await vera.say(NEW_ELSE))[0]

    _, new = await vera.press(ORDER_FROM_B, card)

    assert len(new) == 1
    sent = new[0]
    assert sent.document is not None and not sent.protect_content
    name, _, content = await bot.client.file(str(sent.document["file_id"]))
    body = content.decode("utf-8")
    assert name == "o-0001-montering.txt"
    for fact in ("Ordre O-0001: montering af Bekey", "B-301", "Åboulevarden 12", "bagdøren"):
        assert fact in body
    assert "Else" not in body and "Ørum" not in body
    assert "Nøgle-Nina ApS bruger ikke botten" in text_of(sent) and "80 90 10 20" in text_of(sent)
    assert "Else" not in text_of(sent)
    assert [(e.actor, e.target) for e in await bot.audit("order_sent_unprotected")] == [
        ("vi01", "B-301")
    ]
    assert (await order(bot, 1)).sent_as_file_at == bot.clock.now()
    unprotected = [m for m in await vera.bot_messages() if "B-301" in (m.text or "")]
    assert [m.message_id for m in unprotected if not m.protect_content] == [sent.message_id]

    card = (await vera.say("/borger B-301"))[0]
    assert "Ordre O-0001 (montering) hos Nøgle-Nina ApS" in text_of(card)
    assert "ikke bekræftet endnu" in text_of(card)
    await vera.press("✅ Låsepartneren har bekræftet", card)
    assert (await order(bot, 1)).confirmed_by == "vi01"
    await vera.press("🔧 Monteret på bagdøren", card)
    await vera.press("🔓 Åbnet i Netkey", card)

    stored = await citizen(bot, "B-301")
    assert (stored.lifecycle, stored.bekey_door) == (LifecycleState.ACTIVE, "bagdøren")
    assert (await order(bot, 1)).closed_at == bot.clock.now()
    assert await steps_of(bot, "B-301") == [
        ("request", "vi01", "requested"),
        ("order", "vi01", "ordered"),
        ("confirm", "vi01", "ordered"),
        ("install", "vi01", "installed"),
        ("open_in_netkey", "vi01", "active"),
    ]
    assert "har nu Bekey på bagdøren" in await per.last_text()
    assert len(await bot.audit("order_sent_unprotected")) == 1


async def reminders(person: Person) -> int:
    """How many reminders of the unconfirmed order the person has had."""
    return sum(text.startswith(REMINDER) for text in await person.bot_texts())


async def test_an_unconfirmed_order_reminds_the_visitator_after_five_working_days(
    bot: Harness, firms: tuple[Firm, Firm]
) -> None:
    """Vera orders on the Wednesday before Easter 2027; Maundy Thursday, Good Friday and
    Easter Monday do not count, so she is reminded once, on Monday 5 April; Ulla is not, and
    an order Jens confirmed never reminds."""
    bot.clock.advance(datetime(2027, 3, 24, 8, 0, tzinfo=UTC) - bot.clock.now())
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    ulla = await bot.employee("vi02", Role.VISITATION, name="Ulla Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", firms[0])
    await vera.press(ORDER_FROM_A, (await vera.say(NEW_ELSE))[0])
    await vera.press(ORDER_FROM_A, (await vera.say(NEW_BO))[0])
    await jens.press("✅ Bekræft ordren", await jens.last())  # O-0002, the newest

    for _ in range(11):  # Thursday 25 March to Sunday 4 April: four working days
        await bot.tick(days=1)
        assert await reminders(vera) == 0, bot.clock.now()
    await bot.tick(days=1)  # Monday 5 April, the fifth working day

    assert await reminders(vera) == 1
    reminder = await vera.last()
    assert text_of(reminder) == (
        "⏰ Ordre O-0001 er ikke bekræftet efter 5 arbejdsdage.\n"
        "Ring til Låse-Jens ApS på 70 20 30 40.\n"
        "Reference B-301, Åboulevarden 12, 8000 Aarhus C; bestilt 24.03.2027 09.00."
    )
    assert reminder.protect_content
    assert reminder.buttons == ["✅ Låsepartneren har bekræftet"]
    assert (await order(bot, 1)).reminded_at == bot.clock.now()
    assert (await order(bot, 2)).reminded_at is None
    assert await reminders(ulla) == 0
    assert "O-0002 er ikke bekræftet" not in " ".join(await vera.bot_texts())
    for _ in range(3):
        await bot.tick(days=1)
    assert await reminders(vera) == 1

    await vera.press("✅ Låsepartneren har bekræftet", reminder)
    assert (await order(bot, 1)).confirmed_by == "vi01"


async def test_visitation_deactivates_a_fitter_who_left_the_firm(
    bot: Harness, firms: tuple[Firm, Firm]
) -> None:
    """Jens has left Låse-Jens: Vera deactivates him from her chat (he is in no unit); his
    order's buttons and /ordrer no longer answer him, and no planner gets a task."""
    jens_firm, _ = firms
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", jens_firm)
    await vera.say(NEW_ELSE)
    await vera.press("📦 Bestil montering: Låse-Jens ApS")
    push = await jens.last()

    asked = (await vera.say("/deaktiver lp-jens"))[0]
    assert "Deaktiver Jens Låsesmed (lp-jens), låsepartnerens montør?" in text_of(asked)
    await vera.press("⛔ Ja, deaktiver", asked)

    done = text_of(await vera.message_by_id(asked.message_id))
    assert "Jens Låsesmed (lp-jens) er deaktiveret." in done
    assert "Låsepartnerens montør har ikke længere adgang til ordrerne." in done
    assert not (await bot.employee_record("lp-jens")).active
    answer, _ = await jens.press("✅ Bekræft ordren", push)
    assert answer is not None and "adgang" in answer
    async with bot.services.db.read() as tx:
        stored = await tx.orders.get(1)
        task = await tx.leavers.open_for("lp-jens")
    assert stored is not None and stored.confirmed_at is None
    assert task is None
    assert not any("lp-jens" in text for text in await per.bot_texts())


async def test_a_fitter_invited_in_chat_is_in_their_firm_not_the_leaders_unit(
    bot: Harness, firms: tuple[Firm, Firm]
) -> None:
    """Lis invites Ole of Låse-Jens in chat: he is stored in the firm with no unit, gets no
    emergency card or 🆘 button, and /akut neither shows him the unit's citizens nor makes a
    ticket."""
    await register_citizens(bot)
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    unknown = await lis.say("/inviter lp-ole låsepartner Ole Låsesmed; Låse-Hans")
    assert text_of(unknown[0]).startswith("Hvilket firma?")
    assert "Låse-Jens ApS" in text_of(unknown[0]) and "Nøgle-Nina" in text_of(unknown[0])
    invited = await lis.say("/inviter lp-ole låsepartner Ole Låsesmed; Låse-Jens ApS")
    assert "(lp-ole, låsepartner, Låse-Jens ApS)" in text_of(invited[0])
    ole_record = await bot.employee_record("lp-ole")
    assert (ole_record.unit, ole_record.firm_id) == ("", firms[0].id)

    ole = bot.person("Ole")
    link = text_of(invited[0]).split("start=")[1].split()[0]
    await ole.say(f"/start {link}")
    assert await bot.client.pinned(ole.telegram_id) == []
    keyboard = await ole.keyboard() or []
    assert all("🆘" not in button for row in keyboard for button in row)

    answer = await ole.say("/akut")
    assert [text_of(m) for m in answer] == ["Det kan din rolle (låsepartner) ikke her."]
    answer = await ole.say("Strandvej")
    assert not any("Else Hansen" in text_of(m) for m in answer)
    assert await bot.ticket_count() == 0


async def test_a_door_with_an_ampersand_reads_as_typed(
    bot: Harness, firms: tuple[Firm, Firm]
) -> None:
    """A door typed with "&" is shown as typed on the fitter's button and visitation's
    to-do, never as "&amp;"."""
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", firms[0])
    await vera.say(NEW_ELSE.replace("bagdøren", "kælder & gård"))
    await vera.press("📦 Bestil montering: Låse-Jens ApS")
    await jens.press("✅ Bekræft ordren", await jens.last())

    assert (await jens.last()).buttons == ["🔧 Monteret på kælder & gård"]
    await jens.press("🔧 Monteret på kælder & gård", await jens.last())
    await jens.press("🔓 Åbnet i Netkey", await jens.last())
    todo = await vera.message_with_button("✅ Skrevet i indgangsforholdene")
    assert "«Bekey, kælder & gård»" in text_of(todo) and "&amp;" not in text_of(todo)
