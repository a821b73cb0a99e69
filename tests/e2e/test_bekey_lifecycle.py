"""A citizen's Bekey from visitation's request to the lock opened in Netkey, and back out:
visitation's steps, the lock partner's orders, the planners' notices, the to-dos."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock, to_db
from bot.storage.citizens import Citizen, CitizenRow
from bot.storage.database import Database
from bot.storage.employees import StaffRow
from bot.storage.lock_partners import Firm, Order, OrderKind
from bot.storage.migrations import migrate
from state.bekey_lifecycle import LifecycleState
from state.citizens import CitizenStatus
from state.roles import Role
from tests.e2e.conftest import ELSE
from tests.harness import Harness, Person, register_citizens, text_of
from tgemu.client import ChatMessage

NORD = "Hjemmepleje Nord"
NEW_ELSE = "/nyborger B-301; Else Ørum; Åboulevarden 12, 8000 Aarhus C; Hjemmepleje Nord; bagdøren"
NEW_BO = "/nyborger B-302; Bo Berg; Skolegade 4, 8000 Aarhus C; Hjemmepleje Nord; hoveddøren"
DONE = "✅ Skrevet i indgangsforholdene"


@pytest.fixture
async def firm(bot: Harness) -> Firm:
    """Låse-Jens ApS, a lock partner firm the bot knows (and the units it knows)."""
    for unit in (NORD, "Hjemmepleje Syd"):
        await bot.services.units.add(unit, actor="cli")
    async with bot.services.db.transaction() as tx:
        return await tx.lock_partners.save(
            "Låse-Jens ApS", "70 20 30 40", "ordre@laasejens.dk", bot.clock.now(), default=True
        )


async def lock_partner(bot: Harness, user_id: str, name: str, firm: Firm) -> Person:
    """A fitter of the firm who has joined by invite."""
    person = bot.person(name)
    invitation = await bot.services.staff.invite(
        StaffRow(user_id, name, Role.LOCK_PARTNER, "", firm.id),
        actor="cli",
        bot_username=bot.services.bot_username,
    )
    await person.say(f"/start {invitation.token}")
    return person


async def citizen(bot: Harness, ref: str) -> Citizen:
    """The citizen as stored."""
    async with bot.services.db.read() as tx:
        found = await tx.citizens.by_ref(ref)
    assert found is not None
    return found


async def open_order(bot: Harness, citizen_id: int) -> Order:
    """The citizen's open order as stored."""
    async with bot.services.db.read() as tx:
        order = await tx.orders.open_for(citizen_id)
    assert order is not None
    return order


async def reminders(person: Person) -> int:
    """How many to-do reminders the person has had."""
    texts = await person.bot_texts()
    return sum(text.startswith("⏰ Stadig ikke skrevet i indgangsforholdene") for text in texts)


async def todo_copies(person: Person, ref: str) -> list[ChatMessage]:
    """Every to-do (and reminder) the person got about the citizen."""
    return [m for m in await person.bot_messages() if f"({ref}), " in (m.text or "")]


async def notices(person: Person) -> list[str]:
    """The notices about Else Ørum the person has had, oldest first."""
    return [text for text in await person.bot_texts() if "Else Ørum, " in text]


async def test_the_full_install_path(bot: Harness, firm: Firm) -> None:
    """Vera adds Else, tells her, orders from the firm; Jens confirms, installs and opens her
    in Netkey; the planners are told; Vera's to-do is done."""
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", firm)

    created = await vera.say(NEW_ELSE)
    assert "Else Ørum (B-301) er oprettet i Hjemmepleje Nord" in text_of(created[0])
    assert (await citizen(bot, "B-301")).lifecycle is LifecycleState.REQUESTED
    answer = (await anna.say("/borger ørum"))[0]
    assert "ikke sat op endnu" in text_of(answer)

    await vera.press("📣 Borgeren er orienteret")
    await vera.press("📦 Bestil montering: Låse-Jens ApS")
    assert (await citizen(bot, "B-301")).lifecycle is LifecycleState.ORDERED

    order = await jens.last()
    assert "Ordre O-0001: montering af Bekey" in text_of(order)
    assert "Åboulevarden 12" in text_of(order) and "bagdøren" in text_of(order)
    assert "Else" not in text_of(order)  # the firm gets the reference, never the name
    assert order.protect_content

    await jens.press("✅ Bekræft ordren")
    await jens.press("🔧 Monteret på bagdøren")
    assert (await citizen(bot, "B-301")).lifecycle is LifecycleState.INSTALLED
    await jens.press("🔓 Åbnet i Netkey")
    stored = await citizen(bot, "B-301")
    assert stored.lifecycle is LifecycleState.ACTIVE
    assert stored.bekey_door == "bagdøren"
    assert "✅ Udført." in text_of(await jens.message_by_id(order.message_id))

    notice = await per.last()
    assert "Else Ørum</b>" not in text_of(notice)
    assert "Else Ørum, Åboulevarden 12, 8000 Aarhus C har nu Bekey på bagdøren" in text_of(notice)
    todo = await vera.message_with_button("✅ Skrevet i indgangsforholdene")
    assert "«Bekey, bagdøren»" in text_of(todo)
    await vera.press("✅ Skrevet i indgangsforholdene")
    assert "✅ Skrevet af Vera Visitator." in text_of(await vera.message_by_id(todo.message_id))

    answer = (await anna.say("/borger ørum"))[0]
    assert "Bekey på bagdøren" in text_of(answer)
    steps = [e.action for e in await bot.audit() if e.action.startswith("citizen_")]
    assert steps == [
        "citizen_created",
        "citizen_lookup",
        "citizen_notify",
        "citizen_order",
        "citizen_install",
        "citizen_open_in_netkey",
        "citizen_lookup",
    ]


async def steps_of(bot: Harness, ref: str) -> list[tuple[str, str, str]]:
    """A citizen's history as stored: (step, who, to which state), oldest first."""
    stored = await citizen(bot, ref)
    async with bot.services.db.read() as tx:
        history = await tx.citizens.history(stored.id)
    return [(event.step, event.actor, event.to_state.value) for event in history]


async def test_the_full_removal_path(bot: Harness, firm: Firm) -> None:
    """Vera has Else's lock taken down by Jens, who closes her in Netkey; the planners are
    told; Else leaves every caregiver's list but keeps her history, and can have Bekey again."""
    await register_citizens(bot)
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", firm)

    card = (await vera.say("/borger Else Hansen"))[0]
    assert "Bekey: aktiv: Bekey virker · dør: bagdør" in text_of(card)
    await vera.press("➖ Afmeld Bekey", card)
    assert (await citizen(bot, "B-101")).lifecycle is LifecycleState.REMOVAL_REQUESTED
    assert "Bekey på bagdør" in text_of((await anna.say("/borger else"))[0])  # still on the door
    await vera.press("📦 Bestil afmontering: Låse-Jens ApS", card)

    else_ = await citizen(bot, "B-101")
    assert else_.lifecycle is LifecycleState.REMOVAL_ORDERED
    order = await open_order(bot, else_.id)
    assert (order.kind, order.firm_id, order.door, order.ordered_by) == (
        OrderKind.REMOVE,
        firm.id,
        "bagdør",
        "vi01",
    )
    push = await jens.last()
    assert "Ordre O-0001: afmontering af Bekey" in text_of(push)
    assert "Strandvej 1, 4640 Faxe" in text_of(push) and "Else" not in text_of(push)
    assert push.protect_content and push.buttons == ["✅ Bekræft ordren"]

    await jens.press("✅ Bekræft ordren", push)
    await jens.press("🔧 Afmonteret", push)
    assert (await citizen(bot, "B-101")).bekey_status is CitizenStatus.REMOVED
    notice = await per.last()
    assert text_of(notice) == (
        "🔓 Bekey er taget ned hos Else Hansen, Strandvej 1, 4640 Faxe."
        " Brug den gamle vej ind igen."
    )
    assert notice.protect_content
    await jens.press("🔒 Lukket i Netkey", push)

    assert (await citizen(bot, "B-101")).lifecycle is LifecycleState.CLOSED
    async with bot.services.db.read() as tx:
        done = await tx.orders.get(order.id)
    assert done is not None and done.closed_at is not None and done.confirmed_by == "lp-jens"
    shown = await jens.message_by_id(push.message_id)
    assert "✅ Udført." in text_of(shown) and shown.buttons == []
    assert text_of((await jens.say("/ordrer"))[0]) == "Ingen åbne ordrer."

    # Gone from every caregiver's list ...
    answer = text_of((await anna.say("/borger else"))[0])
    assert answer.startswith("Ingen borger med Bekey i Hjemmepleje Nord matcher «else»")
    triage = (await anna.say("/fejl"))[0]
    assert ELSE not in triage.buttons and "Jens Olsen · Torvet 3, 4640 Faxe" in triage.buttons
    await anna.say("/annuller")
    emergency = (await anna.say("/akut"))[0]
    assert ELSE not in emergency.buttons and "Jens Olsen · Torvet 3, 4640 Faxe" in emergency.buttons

    # ... but the history stays, for visitation.
    assert await steps_of(bot, "B-101") == [
        ("request_removal", "vi01", "removal_requested"),
        ("order_removal", "vi01", "removal_ordered"),
        ("confirm", "lp-jens", "removal_ordered"),
        ("remove", "lp-jens", "removed"),
        ("close_in_netkey", "lp-jens", "closed"),
    ]
    card = (await vera.say("/borger Else Hansen"))[0]
    assert "Bekey: lukket i Netkey" in text_of(card)
    assert "afmonteret · Jens Låsesmed" in text_of(card)
    assert "lukket i Netkey · Jens Låsesmed" in text_of(card)
    actions = [e.action for e in await bot.audit() if e.target == "B-101"]
    assert [a for a in actions if a != "citizen_lookup"] == [
        "citizen_request_removal",
        "citizen_order_removal",
        "order_confirmed",
        "citizen_remove",
        "citizen_close_in_netkey",
    ]

    # A removed citizen can be requested again.
    assert card.buttons == ["🔁 Anmod om Bekey igen"]
    await vera.press("🔁 Anmod om Bekey igen", card)
    again = await citizen(bot, "B-101")
    assert (again.lifecycle, again.bekey_status) == (
        LifecycleState.REQUESTED,
        CitizenStatus.PENDING,
    )
    assert "Bekey: anmodet" in text_of(await vera.message_by_id(card.message_id))
    assert "ikke sat op endnu" in text_of((await anna.say("/borger else"))[0])
    assert (await steps_of(bot, "B-101"))[-1] == ("request", "vi01", "requested")


async def test_a_request_is_cancelled_before_and_after_the_order(bot: Harness, firm: Firm) -> None:
    """Vera cancels Else's request before ordering and Bo's after: Jens's order then says
    cancelled and loses its buttons, and is closed; both can be requested again."""
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", firm)
    else_card = (await vera.say(NEW_ELSE))[0]
    bo_card = (await vera.say(NEW_BO))[0]

    await vera.press("✖ Annuller anmodningen", else_card)
    else_ = await citizen(bot, "B-301")
    assert (else_.lifecycle, else_.bekey_status) == (
        LifecycleState.CANCELLED,
        CitizenStatus.REMOVED,
    )
    assert "Bekey: annulleret" in text_of(await vera.message_by_id(else_card.message_id))
    assert await steps_of(bot, "B-301") == [
        ("request", "vi01", "requested"),
        ("cancel", "vi01", "cancelled"),
    ]

    await vera.press("📦 Bestil montering: Låse-Jens ApS", bo_card)
    push = await jens.last()
    await jens.press("✅ Bekræft ordren", push)
    bo = await citizen(bot, "B-302")
    order = await open_order(bot, bo.id)
    await vera.press("✖ Annuller anmodningen", bo_card)

    assert (await citizen(bot, "B-302")).lifecycle is LifecycleState.CANCELLED
    shown = await jens.message_by_id(push.message_id)
    assert "✖ Annulleret af visitationen: intet at gøre." in text_of(shown)
    assert shown.buttons == []
    async with bot.services.db.read() as tx:
        closed = await tx.orders.get(order.id)
        assert await tx.orders.open_for(bo.id) is None
    assert closed is not None and closed.closed_at == bot.clock.now()
    assert text_of((await jens.say("/ordrer"))[0]) == "Ingen åbne ordrer."
    answer, _ = await jens.press("", push, forge_data=f"bo:{order.id}:i")
    assert answer == "Ordren er lukket: her er den, som den står nu."
    assert (await citizen(bot, "B-302")).lifecycle is LifecycleState.CANCELLED
    assert (await steps_of(bot, "B-302"))[-1] == ("cancel", "vi01", "cancelled")
    assert [e.target for e in await bot.audit("citizen_cancel")] == ["B-301", "B-302"]

    answer_text = text_of((await anna.say("/borger ørum"))[0])
    assert answer_text.startswith("Ingen borger med Bekey i Hjemmepleje Nord")
    card = await vera.message_by_id(bo_card.message_id)
    assert card.buttons == ["🔁 Anmod om Bekey igen"]
    await vera.press("🔁 Anmod om Bekey igen", card)
    assert (await citizen(bot, "B-302")).lifecycle is LifecycleState.REQUESTED


async def test_a_new_door_is_stored_told_and_written_in_the_entry_conditions(
    bot: Harness, firm: Firm
) -> None:
    """Vera records Else's new door on a Thursday: the planners are told, both visitators get
    the to-do, reminded on Friday and (past the weekend) on Monday, until Ulla marks it done."""
    await register_citizens(bot)
    bot.clock.advance(timedelta(days=6))  # Thursday 3 December 2026, 09:00 in Denmark
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    sune = await bot.employee("pl09", Role.PLANNER, unit="Hjemmepleje Syd", name="Sune Syd")
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    ulla = await bot.employee("vi02", Role.VISITATION, name="Ulla Visitator")

    card = (await vera.say("/borger Else Hansen"))[0]
    _, hint = await vera.press("🚪 Ny dør", card)
    assert text_of(hint[0]) == "Skriv den nye dør sådan:\n/borger dør B-101 NY DØR"
    answers = await vera.say("/borger dør B-101 hoveddøren")

    assert any("Bekey: aktiv: Bekey virker · dør: hoveddøren" in text_of(m) for m in answers)
    else_ = await citizen(bot, "B-101")
    assert (else_.lifecycle, else_.bekey_door) == (LifecycleState.ACTIVE, "hoveddøren")
    assert await steps_of(bot, "B-101") == [("change_door", "vi01", "active")]
    assert [e.actor for e in await bot.audit("citizen_change_door")] == ["vi01"]
    notice = await per.last()
    assert text_of(notice) == (
        "🚪 Bekey hos Else Hansen, Strandvej 1, 4640 Faxe sidder nu på hoveddøren."
    )
    assert notice.protect_content
    assert "Else Hansen" not in " ".join(await sune.bot_texts())
    assert "Bekey på hoveddøren" in text_of((await anna.say("/borger else"))[0])

    todos = [await vera.message_with_button(DONE), await ulla.message_with_button(DONE)]
    for todo in todos:
        assert text_of(todo) == (
            "📝 Skriv i indgangsforholdene i SmartCare\n"
            "Else Hansen (B-101), Hjemmepleje Nord: «Bekey, hoveddøren» (ny dør)"
        )
        assert todo.protect_content

    await bot.tick(days=1)  # Friday: the next working day
    assert await reminders(vera) == 1 and await reminders(ulla) == 1
    await bot.tick(days=1)  # Saturday
    await bot.tick(days=1)  # Sunday
    assert await reminders(vera) == 1
    await bot.tick(days=1)  # Monday
    assert await reminders(vera) == 2 and await reminders(ulla) == 2

    await ulla.press(DONE)

    async with bot.services.db.read() as tx:
        todo_rows = await tx.todos.open_todos()
        stored = await tx.todos.get(1)
    assert todo_rows == []
    assert stored is not None and (stored.done_by, stored.done_at) == ("vi02", bot.clock.now())
    for person in (vera, ulla):
        copies = await todo_copies(person, "B-101")
        assert len(copies) == 3  # the to-do and its two reminders, each edited
        for copy in copies:
            assert text_of(copy).endswith("✅ Skrevet af Ulla Visitator.") and copy.buttons == []
    assert [e.actor for e in await bot.audit("entry_conditions_done")] == ["vi02"]
    await bot.tick(days=1)
    assert len(await todo_copies(vera, "B-101")) == 3


async def test_the_planners_are_told_of_every_change_at_the_door(bot: Harness, firm: Firm) -> None:
    """Else's lock opens, moves to the front door, she moves to Syd and the lock comes off:
    each time the planners of her unit (of both units, for the move) are told, protected."""
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    sune = await bot.employee("pl09", Role.PLANNER, unit="Hjemmepleje Syd", name="Sune Syd")
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    jens = await lock_partner(bot, "lp-jens", "Jens Låsesmed", firm)
    card = (await vera.say(NEW_ELSE))[0]
    await vera.press("📦 Bestil montering: Låse-Jens ApS", card)
    for button in ("✅ Bekræft ordren", "🔧 Monteret på bagdøren", "🔓 Åbnet i Netkey"):
        await jens.press(button)
    await vera.say("/borger dør B-301 hoveddøren")
    card = (await vera.say("/borger B-301"))[0]
    await vera.press("🏘 Flyt til Hjemmepleje Syd", card)
    await vera.press("📦 Bestil afmontering: Låse-Jens ApS", card)
    for button in ("✅ Bekræft ordren", "🔧 Afmonteret", "🔒 Lukket i Netkey"):
        await jens.press(button)

    place = "Else Ørum, Åboulevarden 12, 8000 Aarhus C"
    assert await notices(per) == [
        f"🔑 {place} har nu Bekey på bagdøren. Brug Bekey fra nu af.",
        f"🚪 Bekey hos {place} sidder nu på hoveddøren.",
        f"🏘 {place} er flyttet til Hjemmepleje Syd og er ikke længere jeres.",
    ]
    assert await notices(sune) == [
        f"🏘 {place} hører nu til Hjemmepleje Syd. Bekey: hoveddøren.",
        f"🔓 Bekey er taget ned hos {place}. Brug den gamle vej ind igen.",
    ]
    assert await notices(lis) == [] and await notices(anna) == []  # the planners' job
    for planner in (per, sune):
        told = [m for m in await planner.bot_messages() if "Else Ørum, " in (m.text or "")]
        assert all(m.protect_content for m in told)
    stored = await citizen(bot, "B-301")
    assert (stored.unit, stored.lifecycle) == ("Hjemmepleje Syd", LifecycleState.CLOSED)
    assert ("move", "vi01", "active") in await steps_of(bot, "B-301")


async def test_a_citizen_being_set_up_is_not_yet_in_her_unit_and_nobody_elsewhere(
    bot: Harness, firm: Firm
) -> None:
    """While Else's lock is on its way, Anna of Nord is told "not yet" and Sofie of Syd finds
    nobody; moved to Syd, it is the other way round; every lookup shown is audited."""
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    sofie = await bot.employee("ab9999", Role.CAREGIVER, unit="Hjemmepleje Syd", name="Sofie")
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    card = (await vera.say(NEW_ELSE))[0]
    await vera.press("📣 Borgeren er orienteret", card)
    await vera.press("📦 Bestil montering: Låse-Jens ApS", card)

    answer = (await anna.say("/borger ørum"))[0]
    assert text_of(answer) == (
        "1 borger i Hjemmepleje Nord:\n⏳ Else Ørum, Åboulevarden 12, 8000 Aarhus C:"
        " Bekey er ikke sat op endnu. Brug den nuværende vej ind."
    )
    assert answer.protect_content
    refused = text_of((await sofie.say("/borger ørum"))[0])
    assert refused.startswith("Ingen borger med Bekey i Hjemmepleje Syd matcher «ørum»")

    await vera.press("🏘 Flyt til Hjemmepleje Syd", card)

    assert "⏳ Else Ørum" in text_of((await sofie.say("/borger ørum"))[0])
    assert text_of((await anna.say("/borger ørum"))[0]).startswith("Ingen borger med Bekey")
    caregivers = [(e.actor, e.target) for e in await bot.audit("citizen_lookup")]
    assert [c for c in caregivers if c[0] != "vi01"] == [("ab1234", "B-301"), ("ab9999", "B-301")]


async def test_a_button_from_an_older_card_shows_the_card_as_it_stands(
    bot: Harness, firm: Firm
) -> None:
    """Ulla told Else while Vera's card was open: Vera's order press is answered "already",
    her card shows where Else stands, and nothing is ordered; a made-up button is stale."""
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    ulla = await bot.employee("vi02", Role.VISITATION, name="Ulla Visitator")
    await vera.say(NEW_ELSE)
    old = (await vera.say("/borger B-301"))[0]
    await ulla.press("📣 Borgeren er orienteret", (await ulla.say("/borger B-301"))[0])

    answer, _ = await vera.press("📦 Bestil montering: Låse-Jens ApS", old)

    assert answer == "Borgeren er allerede flyttet videre: her er kortet, som det står nu."
    shown = await vera.message_by_id(old.message_id)
    assert "Bekey: borgeren er orienteret" in text_of(shown)
    assert "borgeren orienteret · Ulla Visitator" in text_of(shown)
    assert "📣 Borgeren er orienteret" not in shown.buttons
    stored = await citizen(bot, "B-301")
    assert stored.lifecycle is LifecycleState.NOTIFIED
    async with bot.services.db.read() as tx:
        assert await tx.orders.latest_for(stored.id) is None
    assert [e.action for e in await bot.audit("citizen_order")] == []

    for garbage in ("cz:1:x:or", "cz:1:0:zz", "cz:;DROP TABLE citizens", "cz:1:0:cf"):
        answer, new = await vera.press("", shown, forge_data=garbage)
        assert (answer, new) == ("Den knap virker ikke længere.", [])
    assert (await citizen(bot, "B-301")).version == stored.version
    nord = next(u for u in await bot.services.units.all() if u.name == NORD)
    answer, _ = await vera.press(
        "", shown, forge_data=f"cz:{stored.id}:{stored.version}:mv:{nord.id}"
    )
    assert answer == "Borgeren er allerede flyttet videre: her er kortet, som det står nu."
    assert (await citizen(bot, "B-301")).unit == NORD


async def test_the_migration_keeps_every_citizen_as_they_were(tmp_path: Path) -> None:
    """Migration 14: an active citizen stays active, a pending one is requested (still pending
    at the door), a removed one is closed in Netkey; none has a made-up history."""
    clock = ManualClock()
    db = Database(tmp_path / "old.sqlite3")
    await db.open()
    try:
        await migrate(db, clock, up_to=13)
        stamp = to_db(clock.now())
        async with db.transaction() as tx:
            for ref, status in (("B-1", "active"), ("B-2", "pending"), ("B-3", "removed")):
                await tx.session.execute(
                    "INSERT INTO citizens (ref, name, address, unit, bekey_door, bekey_status,"
                    " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (ref, f"Borger {ref}", "Vejen 1", NORD, "bagdør", status, stamp, stamp),
                )
        await migrate(db, clock)
        async with db.read() as tx:
            stored = [await tx.citizens.by_ref(ref) for ref in ("B-1", "B-2", "B-3")]
            histories = [await tx.citizens.history(c.id) for c in stored if c is not None]
            orders = await tx.orders.open_orders()
    finally:
        await db.close()
    assert [(c.lifecycle, c.bekey_status, c.bekey_door) for c in stored if c is not None] == [
        (LifecycleState.ACTIVE, CitizenStatus.ACTIVE, "bagdør"),
        (LifecycleState.REQUESTED, CitizenStatus.PENDING, "bagdør"),
        (LifecycleState.CLOSED, CitizenStatus.REMOVED, "bagdør"),
    ]
    assert histories == [[], [], []] and orders == []


async def test_a_citizen_imported_half_way_is_moved_on_by_visitation(
    bot: Harness, firm: Firm
) -> None:
    """Ida came in by import as ordered, Ole as removed: no order is in the bot, so Vera
    records the lock partner's steps on their word and neither is stuck."""
    rows = (
        CitizenRow(
            "B-401", "Ida Holm", "Havnen 2, 4640 Faxe", NORD, "bagdør", LifecycleState.ORDERED
        ),
        CitizenRow(
            "B-402", "Ole Holm", "Havnen 4, 4640 Faxe", NORD, "gavldør", LifecycleState.REMOVED
        ),
    )
    await register_citizens(bot, rows)
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")

    ida = (await vera.say("/borger Ida Holm"))[0]
    assert "🔧 Monteret på bagdør" in ida.buttons
    await vera.press("🔧 Monteret på bagdør", ida)
    await vera.press("🔓 Åbnet i Netkey", ida)
    ole = (await vera.say("/borger Ole Holm"))[0]
    await vera.press("🔒 Lukket i Netkey", ole)

    assert (await citizen(bot, "B-401")).lifecycle is LifecycleState.ACTIVE
    assert (await citizen(bot, "B-402")).lifecycle is LifecycleState.CLOSED
    assert await steps_of(bot, "B-401") == [
        ("install", "vi01", "installed"),
        ("open_in_netkey", "vi01", "active"),
    ]
    assert await steps_of(bot, "B-402") == [("close_in_netkey", "vi01", "closed")]


async def test_visitations_todo_list_keeps_the_others_when_one_is_done(
    bot: Harness, firm: Firm
) -> None:
    """Vera has two to-dos in /ordrer: marking Else's done leaves Jens's on the list."""
    await register_citizens(bot)
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    await vera.say("/borger dør B-101 hoveddøren")
    await vera.say("/borger dør B-102 bagdøren")
    listed = (await vera.say("/ordrer"))[-1]
    assert listed.buttons == ["✅ Else Hansen (B-101)", "✅ Jens Olsen (B-102)"]

    await vera.press("✅ Else Hansen (B-101)", listed)

    shown = await vera.message_by_id(listed.message_id)
    assert text_of(shown) == (
        "📝 1 opgave i indgangsforholdene\n• Jens Olsen (B-102): «Bekey, bagdøren» (ny dør)"
    )
    assert shown.buttons == ["✅ Jens Olsen (B-102)"]
    async with bot.services.db.read() as tx:
        assert [todo.id for todo in await tx.todos.open_todos()] == [2]
    first = await vera.message_with_button(DONE)
    assert "Jens Olsen (B-102)" in text_of(first)  # Else's own to-do says it is written


async def test_an_order_button_of_a_firm_taken_off_the_list_orders_nothing(
    bot: Harness, firm: Firm
) -> None:
    """Nøgle-Nina left the list after Vera's card was drawn: her press is refused, nothing is
    ordered from another firm behind her back, and the card shows the firms there are."""
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    async with bot.services.db.transaction() as tx:
        nina = await tx.lock_partners.save("Nøgle-Nina ApS", "80 90 10 20", "", bot.clock.now())
    card = (await vera.say(NEW_ELSE))[0]
    async with bot.services.db.transaction() as tx:
        await tx.lock_partners.retire(nina.id, bot.clock.now())

    answer, _ = await vera.press("📦 Bestil montering: Nøgle-Nina ApS", card)

    assert answer == "Det firma er ikke længere på listen: vælg et andet."
    stored = await citizen(bot, "B-301")
    assert stored.lifecycle is LifecycleState.REQUESTED
    async with bot.services.db.read() as tx:
        assert await tx.orders.latest_for(stored.id) is None
    shown = await vera.message_by_id(card.message_id)
    assert "📦 Bestil montering: Nøgle-Nina ApS" not in shown.buttons
    assert "📦 Bestil montering: Låse-Jens ApS" in shown.buttons


async def test_a_door_typed_before_bekey_is_active_is_not_now_and_an_import_keeps_cards_good(
    bot: Harness, firm: Firm
) -> None:
    """Vera types a new door for Else, whose Bekey is only requested: she is told it cannot
    be done yet, and why; nothing is stored. The register imported again, unchanged, leaves
    Vera's card of Else Hansen good: its next button still works."""
    vera = await bot.employee("vi01", Role.VISITATION, name="Vera Visitator")
    card = (await vera.say(NEW_ELSE))[0]

    answer = (await vera.say("/borger dør B-301 hoveddøren"))[0]

    assert text_of(answer).startswith(
        "Det kan ikke gøres nu: Bekey hos borgeren er anmodet. Døren skiftes, når Bekey er aktiv."
    )
    assert (await citizen(bot, "B-301")).bekey_door == "bagdøren"
    await vera.press("📣 Borgeren er orienteret", card)
    assert (await citizen(bot, "B-301")).lifecycle is LifecycleState.NOTIFIED

    await register_citizens(bot)
    hansen = (await vera.say("/borger B-101"))[0]  # imported active
    await register_citizens(bot)  # the same register imported again: nothing moved

    pressed, _ = await vera.press("➖ Afmeld Bekey", hansen)

    assert pressed is None
    assert (await citizen(bot, "B-101")).lifecycle is LifecycleState.REMOVAL_REQUESTED
