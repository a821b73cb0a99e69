"""Lock partner firms: the settings' firm is the default; a leader adds, changes and removes
firms in chat; nobody else can; door tickets name the firm of the citizen's order."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.render.i18n import t
from bot.settings import Settings
from bot.storage.lock_partners import Firm, OrderKind
from state.roles import Role
from tests.conftest import start_bot, stop_bot
from tests.e2e.conftest import report
from tests.harness import Harness, Person, register_citizens, text_of

JENS = "Låse-Jens ApS"
REMOVE_JENS = f"✖ Fjern {JENS}"


async def firms(bot: Harness, *, active_only: bool = True) -> list[Firm]:
    """The firms as the database holds them."""
    async with bot.services.db.read() as tx:
        return await tx.lock_partners.all(active_only=active_only)


async def order_from(bot: Harness, ref: str, firm_name: str) -> None:
    """Store an installation order for a citizen to a firm, as visitation's order would."""
    now = bot.services.clock.now()
    async with bot.services.db.transaction() as tx:
        citizen = await tx.citizens.by_ref(ref)
        firm = await tx.lock_partners.by_name(firm_name)
        assert citizen is not None and firm is not None
        await tx.orders.add(citizen.id, firm.id, OrderKind.INSTALL, "bagdør", "vi01", now)


async def test_the_settings_firm_is_the_default_and_a_leader_adds_another(bot: Harness) -> None:
    """/laasepartner lists the default (⭐, no remove button); NAVN; TELEFON; E-MAIL adds."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")

    listed = text_of((await lis.say("/laasepartner"))[0])
    assert "<b>1 låsepartner</b>" in ((await lis.last()).html or "")
    assert "• ⭐ Låsepartner A/S · +45 55 66 77 88" in listed
    assert (await lis.last()).buttons == []

    answer = (await lis.say(f"/laasepartner {JENS}; 22 33 44 55; ordre@laasejens.dk"))[0]

    shown = text_of(answer)
    assert shown.startswith(f"✅ {JENS} er tilføjet som låsepartner.")
    assert "2 låsepartnere:" in shown
    assert shown.index("⭐ Låsepartner A/S") < shown.index(f"• {JENS}")  # the default first
    assert f"• {JENS} · +45 22 33 44 55 · ordre@laasejens.dk" in shown
    assert answer.buttons == [REMOVE_JENS]
    assert [(f.name, f.phone, f.email, f.is_default) for f in await firms(bot)] == [
        ("Låsepartner A/S", "55 66 77 88", "", True),
        (JENS, "22 33 44 55", "ordre@laasejens.dk", False),
    ]
    assert [(e.actor, e.target, e.outcome) for e in await bot.audit("lock_partner_saved")] == [
        ("le01", JENS, "ok")
    ]

    changed = (await lis.say("/lockpartner låse-jens aps; +45 99 88 77 66"))[0]

    assert text_of(changed).startswith("✅ låse-jens aps er opdateret.")
    assert [(f.name, f.phone, f.email) for f in await firms(bot)][1] == (
        "låse-jens aps",
        "+45 99 88 77 66",
        "",
    )


async def test_the_leader_removes_a_firm_by_its_button_and_its_orders_stay(bot: Harness) -> None:
    """✖ Fjern: the firm leaves the list, audited; its order still names it."""
    await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    await lis.say(f"/laasepartner {JENS}; 22 33 44 55")
    await register_citizens(bot)
    await order_from(bot, "B-101", JENS)

    _, edited = await lis.press(REMOVE_JENS)

    shown = text_of(await lis.message_by_id((await lis.last()).message_id))
    assert edited == []  # the list is edited in place
    assert shown.startswith(f"✖ {JENS} er fjernet fra listen. Firmaets ordrer og historik bevares.")
    assert JENS not in shown.split("\n\n", 1)[1]
    assert [f.name for f in await firms(bot)] == ["Låsepartner A/S"]
    assert [(f.name, f.active) for f in await firms(bot, active_only=False)][1] == (JENS, False)
    assert [(e.actor, e.target) for e in await bot.audit("lock_partner_retired")] == [
        ("le01", JENS)
    ]
    async with bot.services.db.read() as tx:
        citizen = await tx.citizens.by_ref("B-101")
        assert citizen is not None
        order = await tx.orders.latest_for(citizen.id)
    assert order is not None and order.firm_id == (await firms(bot, active_only=False))[1].id


async def test_the_default_cannot_be_removed_nor_its_number_changed_in_chat(bot: Harness) -> None:
    """A forged remove button for the default, and a new number for it, are refused."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    [default] = await firms(bot)
    listed = (await lis.say("/laasepartner"))[0]

    await lis.press("x", listed, forge_data=f"lp:{default.id}:x")
    refused = text_of(await lis.message_by_id(listed.message_id))
    changed = text_of((await lis.say("/laasepartner Låsepartner A/S; 11 22 33 44"))[0])
    with_mail = text_of((await lis.say("/laasepartner Låsepartner A/S; 55667788; vagt@laas.dk"))[0])

    assert refused.startswith(t("da", "firm.default", name="Låsepartner A/S"))
    assert changed.startswith("Låsepartner A/S er standardfirmaet: nummeret kommer fra")
    assert with_mail.startswith("✅ Låsepartner A/S er opdateret.")  # same number: the e-mail
    assert [(f.name, f.phone, f.email, f.is_default) for f in await firms(bot)] == [
        ("Låsepartner A/S", "55 66 77 88", "vagt@laas.dk", True)
    ]


async def test_bad_details_are_explained_and_nothing_is_stored(bot: Harness) -> None:
    """A short phone, a wrong e-mail, a missing part: the reason and the usage, no change."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")

    phone = text_of((await lis.say(f"/laasepartner {JENS}; 1234"))[0])
    email = text_of((await lis.say(f"/laasepartner {JENS}; 22 33 44 55; ordre(at)jens"))[0])
    name = text_of((await lis.say("/laasepartner J; 22 33 44 55"))[0])
    usage = text_of((await lis.say(f"/laasepartner {JENS}"))[0])

    assert phone.startswith(t("da", "firm.problem.phone"))
    assert email.startswith(t("da", "firm.problem.email"))
    assert name.startswith(t("da", "firm.problem.name"))
    assert usage.startswith("Tilføj eller ret en låsepartner: /laasepartner NAVN; TELEFON")
    assert [f.name for f in await firms(bot)] == ["Låsepartner A/S"]
    assert await bot.audit("lock_partner_saved") == []


async def test_only_a_leader_keeps_the_list(bot: Harness) -> None:
    """A planner's /laasepartner and a forged remove button change nothing."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    await lis.say(f"/laasepartner {JENS}; 22 33 44 55")
    jens = (await firms(bot))[1]

    refused = await per.say("/laasepartner Falsk ApS; 11 22 33 44")
    _, nothing = await per.press("x", refused[0], forge_data=f"lp:{jens.id}:x")

    assert text_of(refused[0]) == t("da", "access.wrong_role", role=t("da", "role.planner"))
    assert nothing == []
    assert [f.name for f in await firms(bot)] == ["Låsepartner A/S", JENS]


async def test_an_english_leader_reads_the_list_in_english(bot: Harness) -> None:
    """/lockpartner in English: the same list, the remove button in English."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    await lis.say("/sprog")
    await lis.press("English")

    answer = (await lis.say(f"/lockpartner {JENS}; 22 33 44 55"))[0]

    assert text_of(answer).startswith(f"✅ {JENS} is added as a lock partner.")
    assert "2 lock partners:" in text_of(answer)
    assert answer.buttons == [f"✖ Remove {JENS}"]


# --- door tickets ---------------------------------------------------------------------------


async def test_a_door_ticket_names_the_firm_of_the_citizens_order(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Else's lock came from Låse-Jens: her door card, its button and Anna's notice say so."""
    anna, per, lis = unit["anna"], unit["per"], unit["lis"]
    await lis.say(f"/laasepartner {JENS}; 22 33 44 55")
    await order_from(bot, "B-101", JENS)

    await report(anna, ["Ja", "Ja", "Nej"])  # Else's door
    card = await per.last()

    assert f"☎ Kontakt {JENS}: +45 22 33 44 55" in text_of(card)
    assert "Låsepartner A/S" not in text_of(card)
    assert card.buttons == ["✋ Tag sagen", f"☎ {JENS} er kontaktet", "✅ Løst"]
    await per.press(f"☎ {JENS} er kontaktet", card)
    assert await anna.last_text() == f"☎ Din sag F-0001: {JENS} er kontaktet."
    assert f"{JENS} kontaktet af Per Planner" in text_of(await per.message_by_id(card.message_id))


async def test_a_door_ticket_without_an_order_names_the_default_firm(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Jens Olsen has no order (Else has one, to another firm): the default firm is named."""
    anna, per, lis = unit["anna"], unit["per"], unit["lis"]
    await lis.say(f"/laasepartner {JENS}; 22 33 44 55")
    await order_from(bot, "B-101", JENS)

    await anna.say("/fejl")
    await anna.press("Jens Olsen · Torvet 3, 4640 Faxe")
    for answer in ("Ja", "Ja", "Nej"):
        await anna.press(answer)
    await anna.press("📨 Send uden beskrivelse")
    card = text_of(await per.last())

    assert "☎ Kontakt Låsepartner A/S: +45 55 66 77 88" in card
    assert JENS not in card


async def test_changed_settings_move_the_default_firm_at_the_next_start(
    settings: Settings, clock: ManualClock
) -> None:
    """A new LOCK_PARTNER_NAME and phone: the new firm is the default, the old one stays on
    the list as an ordinary firm, and the move is audited as the settings'."""
    bot = await start_bot(settings, clock)
    await stop_bot(bot)
    moved = settings.model_copy(
        update={"lock_partner_name": "Nordlås A/S", "lock_partner_phone": "44 44 55 55"}
    )
    bot = await start_bot(moved, clock)
    try:
        listed = [(f.name, f.phone, f.is_default) for f in await firms(bot)]
        saved = [(e.actor, e.target) for e in await bot.audit("lock_partner_saved")]
    finally:
        await stop_bot(bot)

    assert listed == [
        ("Nordlås A/S", "44 44 55 55", True),
        ("Låsepartner A/S", "55 66 77 88", False),
    ]
    assert saved == [("settings", "Nordlås A/S")]
