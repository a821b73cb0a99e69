"""The Bekey training register through the emulator: a key person records a training session
for several at once (tap names, then what they had; or type the user-ids), ``/status`` shows
the key person the unit's gaps and the leader its coverage (the numbers are the data's), the
weekly reminder and the leader's notice of late employees, the refusals (a caregiver's forged
button, a key person of another unit, a page drawn before the list changed), and the login
ticket of an untrained reporter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.audit import AuditEntry
from state.roles import Role
from state.training import TrainingRecord, TrainingStatus
from tests.e2e.conftest import report
from tests.harness import Harness, Person, register_citizens, text_of
from tgemu.client import ChatMessage

NORD = "Hjemmepleje Nord"
SYD = "Hjemmepleje Syd"
OEST = "Plejecenter Øst"

TRAINED = "🎓 Oplært i dag"
INSTALLED = "📱 Bekey installeret"
UPDATES = "🔄 Kan selv opdatere"
ALL_THREE = "✅ Alle tre"
PICK_ALL = "☑️ Vælg alle på siden"
NEXT = "Næste ▶️"
WEEKLY = "🗓 Ugens oplæring i Bekey"
LATE = "⏰ Ikke oplært efter 4 uger"
CHANGED = "Listen har ændret sig, siden den blev vist. Intet er noteret: vælg igen."
WRONG_ROLE = "Det kan din rolle (hjemmehjælper) ikke her."

SUBSTITUTES = [(f"sub{n:02}", f"Vikar {n:02}") for n in range(1, 11)]


async def staff_of_nord(bot: Harness) -> dict[str, Person]:
    """Hjemmepleje Nord in the bot: the key person (a caregiver appointed), the leader, a
    caregiver and a planner."""
    return {
        "kim": await bot.employee("kp01", Role.KEY_PERSON, name="Kim Key"),
        "lis": await bot.employee("le01", Role.LEADER, name="Lis Leder"),
        "anna": await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen"),
        "per": await bot.employee("pl01", Role.PLANNER, name="Per Planner"),
    }


async def hire_substitutes(bot: Harness, count: int = len(SUBSTITUTES)) -> None:
    """New substitutes of Nord, created (by the staff import) but not yet using the bot."""
    for user_id, name in SUBSTITUTES[:count]:
        await bot.invite(user_id, name, Role.SUBSTITUTE, NORD)


async def existing_staff(bot: Harness, *people: tuple[str, str]) -> None:
    """Staff who were there when the register landed: a "not recorded" line each."""
    for user_id, name in people:
        await bot.invite(user_id, name, Role.CAREGIVER, NORD)
    async with bot.services.db.transaction() as tx:
        for user_id, _ in people:
            record = TrainingRecord(user_id, TrainingStatus.NOT_RECORDED)
            await tx.training.save(record, bot.clock.now())


async def line(bot: Harness, user_id: str) -> TrainingRecord:
    """An employee's register line as stored."""
    async with bot.services.db.read() as tx:
        return await tx.training.get(user_id)


async def training_audit(bot: Harness) -> list[AuditEntry]:
    """The audit lines of the register."""
    return [entry for entry in await bot.audit() if entry.action.startswith("training_")]


def data_of(message: ChatMessage, label: str) -> str:
    """The callback data of a message's inline button."""
    assert message.reply_markup is not None
    for row in message.reply_markup["inline_keyboard"]:
        for button in row:
            if button["text"] == label:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r}")


def person_buttons(message: ChatMessage) -> list[str]:
    """The people on a register page's buttons, as labelled."""
    return [label for label in message.buttons if " · " in label]


async def count(person: Person, text: str) -> int:
    """How many of the bot's messages to this person contain the text."""
    return sum(text in (message.text or "") for message in await person.bot_messages())


async def move_to_local(bot: Harness, when: datetime) -> None:
    """Move the clock to a date and time in the bot's time zone, and run what is due."""
    target = when.replace(tzinfo=bot.services.settings.zone).astimezone(UTC)
    await bot.tick(seconds=(target - bot.clock.now()).total_seconds())


@pytest.fixture
async def nord(bot: Harness) -> dict[str, Person]:
    """Nord's staff in the bot, and a day later ten new substitutes (newest first on a page)."""
    people = await staff_of_nord(bot)
    bot.clock.advance(timedelta(days=1))
    await hire_substitutes(bot)
    return people


# Recording several at once


async def test_a_key_person_records_a_training_session_for_several_at_once(
    bot: Harness, nord: dict[str, Person]
) -> None:
    """Kim taps three substitutes and records them trained today, then Bekey installed for the
    same three (they stay picked); then everyone on the page, all three: they drop off the
    list. The lines say when and by whom; each employee's change is audited."""
    kim = nord["kim"]
    [page] = await kim.say("/oplaering")
    assert text_of(page).splitlines() == [
        "🎓 Oplæring i Bekey · Hjemmepleje Nord",
        "14 medarbejdere mangler noget.",
        "Tryk på dem, det gælder, og så på det, de har fået. Efter navnet står, hvad der"
        " mangler: 🎓 oplæring, 📱 Bekey på telefonen, 🔄 kan selv opdatere, ❔ oplæring ikke"
        " registreret.",
        "Side 1 af 2 · 0 valgt",
    ]
    assert person_buttons(page) == [f"⬜ Vikar {n:02} · 🎓📱🔄" for n in range(1, 9)]
    assert page.buttons[8:] == [PICK_ALL, TRAINED, INSTALLED, UPDATES, ALL_THREE, NEXT]

    for name in ("Vikar 01", "Vikar 02", "Vikar 04"):
        await kim.press(f"⬜ {name} · 🎓📱🔄", page)
    page = await kim.message_by_id(page.message_id)
    assert "Side 1 af 2 · 3 valgt" in text_of(page)
    answer, new = await kim.press(TRAINED, page)
    assert (answer, new) == (None, [])
    page = await kim.message_by_id(page.message_id)
    assert text_of(page).startswith(
        "🎓 Oplært i dag: noteret for 3 medarbejdere (Vikar 01, Vikar 02, Vikar 04).\n\n"
    )
    assert person_buttons(page)[:4] == [
        "☑️ Vikar 01 · 📱🔄",
        "☑️ Vikar 02 · 📱🔄",
        "⬜ Vikar 03 · 🎓📱🔄",
        "☑️ Vikar 04 · 📱🔄",
    ]
    now = bot.clock.now()
    for user_id in ("sub01", "sub02", "sub04"):
        assert await line(bot, user_id) == TrainingRecord(
            user_id, TrainingStatus.TRAINED, trained_at=now, trained_by="kp01"
        )
    assert await line(bot, "sub03") == TrainingRecord("sub03", TrainingStatus.UNTRAINED)

    await kim.press(INSTALLED, page)
    page = await kim.message_by_id(page.message_id)
    assert "📱 Bekey installeret: noteret for 3 medarbejdere" in text_of(page)
    assert (await line(bot, "sub02")).bekey_installed is True
    assert (await line(bot, "sub03")).bekey_installed is None

    await kim.press(PICK_ALL, page)
    page = await kim.message_by_id(page.message_id)
    assert "Side 1 af 2 · 8 valgt" in text_of(page)
    await kim.press(ALL_THREE, page)
    page = await kim.message_by_id(page.message_id)
    assert text_of(page).startswith("✅ Alle tre: noteret for 8 medarbejdere (Vikar 01,")
    assert "6 medarbejdere mangler noget." in text_of(page)  # sub09, sub10 and the four
    assert person_buttons(page) == [
        "⬜ Vikar 09 · 🎓📱🔄",
        "⬜ Vikar 10 · 🎓📱🔄",
        "⬜ Anna Jensen · 🎓📱🔄",
        "⬜ Kim Key · 🎓📱🔄",
        "⬜ Lis Leder · 🎓📱🔄",
        "⬜ Per Planner · 🎓📱🔄",
    ]
    sub01 = await line(bot, "sub01")
    assert (sub01.trained_at, sub01.bekey_installed, sub01.can_update) == (now, True, True)

    audit = [(e.actor, e.action, e.target, e.outcome) for e in await training_audit(bot)]
    assert audit[:3] == [("kp01", "training_trained", f"sub0{n}", "ok") for n in (1, 2, 4)]
    assert audit.count(("kp01", "training_installed", "sub02", "ok")) == 1
    assert len([a for a in audit if a[1] == "training_all"]) == 8


async def test_a_key_person_types_the_user_ids_of_a_session(
    bot: Harness, nord: dict[str, Person]
) -> None:
    """``/oplaering sub01 sub02 zz999``: two trained, one refused; a word first picks the mark;
    a second time says who had it already; a reset is a correction."""
    kim = nord["kim"]
    [answer] = await kim.say("/oplaering sub01 sub02 zz999")
    assert text_of(answer) == (
        "🎓 Oplært i dag: noteret for 2 medarbejdere (Vikar 01, Vikar 02).\n"
        "Ikke i din enhed, eller ukendt: zz999"
    )
    [again] = await kim.say("/oplaering sub01 sub03")
    assert text_of(again) == (
        "🎓 Oplært i dag: noteret for 1 medarbejder (Vikar 03).\nVar allerede noteret: Vikar 01"
    )
    [alt] = await kim.say("/oplaering alt sub01")
    assert text_of(alt).startswith("✅ Alle tre: noteret for 1 medarbejder (Vikar 01).")
    assert await line(bot, "sub01") == TrainingRecord(
        "sub01", TrainingStatus.TRAINED, bot.clock.now(), "kp01", True, True
    )
    [reset] = await kim.say("/oplaering nulstil sub01")
    assert text_of(reset).startswith("↩️ Nulstillet: noteret for 1 medarbejder (Vikar 01).")
    assert await line(bot, "sub01") == TrainingRecord(
        "sub01", TrainingStatus.UNTRAINED, None, None, False, False
    )
    [usage] = await kim.say("/oplaering installeret")
    assert text_of(usage).startswith("Noter oplæring for flere på én gang:")


# What the key person and the leader see


@pytest.fixture
async def recorded(bot: Harness, nord: dict[str, Person]) -> dict[str, Person]:
    """Nord with eight in the register, recorded so: sub01 all three; sub02 trained, Bekey
    installed; Anna Bekey installed only; Ole not recorded; Olga not recorded but Bekey
    installed; Kim, Lis and Per new (nothing)."""
    async with bot.services.db.transaction() as tx:  # only two of the ten substitutes stay
        for user_id, _ in SUBSTITUTES[2:]:
            await tx.employees.deactivate(user_id, bot.clock.now())
    await existing_staff(bot, ("old01", "Ole Gammel"), ("old02", "Olga Gammel"))
    kim = nord["kim"]
    await kim.say("/oplaering alt sub01")
    await kim.say("/oplaering sub02")
    await kim.say("/oplaering installeret sub02 ab1234 old02")
    return nord


async def test_the_key_person_sees_the_units_gaps(
    bot: Harness, recorded: dict[str, Person]
) -> None:
    """Untrained, no Bekey on the phone, cannot update it: each list exactly; the not
    recorded apart (their unknown answers are no gap of their own)."""
    [status] = await recorded["kim"].say("/status")
    assert text_of(status) == "\n".join(
        [
            "📋 Bekey-status · Hjemmepleje Nord",
            "8 medarbejdere i registret.",
            "",
            "🎓 Ikke oplært (4):",
            "• Anna Jensen (ab1234)",
            "• Kim Key (kp01)",
            "• Lis Leder (le01)",
            "• Per Planner (pl01)",
            "",
            "📱 Uden Bekey på telefonen (3):",
            "• Kim Key (kp01)",
            "• Lis Leder (le01)",
            "• Per Planner (pl01)",
            "",
            "🔄 Kan ikke selv opdatere (5):",
            "• Anna Jensen (ab1234)",
            "• Kim Key (kp01)",
            "• Lis Leder (le01)",
            "• Per Planner (pl01)",
            "• Vikar 02 (sub02)",
            "",
            "❔ Ikke registreret endnu (2):",
            "• Ole Gammel (old01)",
            "• Olga Gammel (old02)",
        ]
    )
    assert status.buttons == ["🎓 Noter oplæring"]
    [card] = await recorded["kim"].say("/status sub02")
    assert text_of(card) == "\n".join(
        [
            "👤 Vikar 02 (sub02) · Hjemmepleje Nord",
            "🎓 Oplært 28. nov. 2026 af Kim Key",
            "📱 Bekey på telefonen: ja",
            "🔄 Kan selv opdatere: nej",
        ]
    )


async def test_the_leader_sees_the_units_coverage_and_its_key_persons(
    bot: Harness, recorded: dict[str, Person]
) -> None:
    """Eight in the register: the counts and percentages are the data's; Kim is the key
    person. The report over the same data says the same."""
    [status] = await recorded["lis"].say("/status")
    assert text_of(status) == "\n".join(
        [
            "📊 Bekey-dækning · Hjemmepleje Nord",
            "8 medarbejdere i registret.",
            "🎓 Oplært: 2 (25 %)",
            "📱 Bekey på telefonen: 4 (50 %)",
            "🔄 Kan selv opdatere: 1 (13 %)",
            "✅ Alle tre: 1 (13 %)",
            "⏳ Ikke oplært: 4 (50 %)",
            "❔ Ikke registreret: 2 (25 %)",
            "",
            "🔑 Nøgleperson (1): Kim Key",
        ]
    )
    [unit] = await bot.services.training.report()
    assert (unit.unit, unit.key_persons) == (NORD, 1)
    assert unit.coverage.staff == 8 and unit.coverage.ready == 1


async def test_a_unit_without_a_key_person_is_a_gap_in_the_leaders_view(bot: Harness) -> None:
    """Plejecenter Øst has a leader and a caregiver, and no key person: said so, in bold."""
    leader = await bot.employee("le03", Role.LEADER, unit=OEST, name="Lone Øst")
    await bot.employee("cg03", Role.CAREGIVER, unit=OEST, name="Carl Øst")
    [status] = await leader.say("/status")
    text = text_of(status)
    assert "2 medarbejdere i registret." in text
    assert "⏳ Ikke oplært: 2 (100 %)" in text
    assert text.endswith(
        "⚠️ Plejecenter Øst har ingen nøgleperson. Det er et hul: nøglepersonen sørger for, at"
        " alle bliver oplært, og kontakter Bekey ved loginproblemer. Udpeg en med /noegleperson."
    )
    assert "<b>Plejecenter Øst har ingen nøgleperson.</b>" in (status.html or "")


# Reminders


async def test_the_weekly_reminder_and_the_leaders_notice_of_the_late_once(
    bot: Harness,
) -> None:
    """The first round (Friday, in a week under way) only starts the count. Monday 09:00 Kim
    gets Nord's untrained (not the not-recorded), once; Øst has no key person, so its leader
    is reminded. Four weeks after joining, Lis is told of those still untrained, once each."""
    people = await staff_of_nord(bot)
    kim, lis = people["kim"], people["lis"]
    await hire_substitutes(bot, 1)
    await existing_staff(bot, ("old01", "Ole Gammel"))
    lone = await bot.employee("le03", Role.LEADER, unit=OEST, name="Lone Øst")
    await kim.say("/oplaering ab1234 le01 pl01")

    await bot.tick()  # Friday 27 November, 09:00: the bot starts counting weeks
    assert await count(kim, WEEKLY) == await count(lone, WEEKLY) == 0
    await move_to_local(bot, datetime(2026, 11, 30, 8, 59))
    assert await count(kim, WEEKLY) == 0

    await bot.tick(minutes=1)  # Monday 09:00
    reminder = await kim.last()
    assert text_of(reminder).splitlines() == [
        "🗓 Ugens oplæring i Bekey · Hjemmepleje Nord",
        "2 medarbejdere er ikke oplært endnu:",
        "• Kim Key (kp01), oprettet 27. nov. 2026",
        "• Vikar 01 (sub01), oprettet 27. nov. 2026",
        "",
        "Noter oplæringen, når den er givet: /oplaering",
    ]
    assert reminder.buttons == ["🎓 Noter oplæring"]
    assert await count(lis, WEEKLY) == 0
    assert "⚠️ Plejecenter Øst har ingen nøgleperson, så påmindelsen går til dig som leder." in (
        await lone.last_text()
    )
    await kim.press("🎓 Noter oplæring", reminder)  # opens the register; the reminder stays
    assert "Side 1 af 1 · 0 valgt" in await kim.last_text()
    await bot.tick(hours=5)
    assert await count(kim, WEEKLY) == 1

    await move_to_local(bot, datetime(2026, 12, 21, 9, 0))  # 3 weeks 3 days: not late yet
    assert await count(kim, WEEKLY) == 2  # one round, however long the jump
    assert await count(lis, LATE) == 0
    await bot.invite("sub02", "Vikar 02", Role.SUBSTITUTE, NORD)  # new this week

    await move_to_local(bot, datetime(2026, 12, 28, 9, 0))
    assert await count(lis, LATE) == 1
    assert text_of(await lis.last()).splitlines() == [
        "⏰ Ikke oplært efter 4 uger · Hjemmepleje Nord",
        "2 medarbejdere er stadig ikke oplært i Bekey 4 uger efter at være oprettet:",
        "• Kim Key (kp01), oprettet 27. nov. 2026",
        "• Vikar 01 (sub01), oprettet 27. nov. 2026",
    ]
    assert "3 medarbejdere er ikke oplært endnu:" in await kim.last_text()
    told = await line(bot, "sub01")
    assert told.late_told_at == bot.clock.now()

    await move_to_local(bot, datetime(2027, 1, 25, 9, 0))  # sub02 late now; the others told
    assert await count(lis, LATE) == 2
    assert "• Vikar 02 (sub02), oprettet 21. dec. 2026" in await lis.last_text()
    assert "Kim Key" not in await lis.last_text()
    late = [e.target for e in await bot.audit("training_late")]
    assert late == ["kp01", "sub01", "le03", "sub02"]  # Lone, Øst's untrained leader, too


# Refusals


async def test_a_caregiver_is_refused_even_with_a_forged_button(
    bot: Harness, nord: dict[str, Person]
) -> None:
    """Anna has no /oplaering or /status, and her forged press of a copied button gets a short
    no: nothing is recorded, nothing audited."""
    anna, kim = nord["anna"], nord["kim"]
    [page] = await kim.say("/oplaering")
    await kim.press("⬜ Vikar 01 · 🎓📱🔄", page)
    picked = await kim.message_by_id(page.message_id)
    forged = data_of(picked, ALL_THREE)
    own = await anna.last()
    answer, new = await anna.press("", own, forge_data=forged)
    assert (answer, new) == (WRONG_ROLE, [])
    assert await anna.say("/oplaering sub01") == [await anna.last()]
    assert await anna.last_text() == WRONG_ROLE
    [refused] = await anna.say("/status")
    assert text_of(refused) == WRONG_ROLE
    assert await line(bot, "sub01") == TrainingRecord("sub01", TrainingStatus.UNTRAINED)
    assert await training_audit(bot) == []


async def test_a_key_person_of_another_unit_is_refused(
    bot: Harness, nord: dict[str, Person]
) -> None:
    """Sune, key person of Syd, cannot record for Nord's staff: typed ids are refused (and
    audited so), and a button copied from Kim's page fits no page of his."""
    sune = await bot.employee("kp09", Role.KEY_PERSON, unit=SYD, name="Sune Syd")
    [typed] = await sune.say("/oplaering sub01 ab1234")
    assert text_of(typed) == "Ikke i din enhed, eller ukendt: sub01, ab1234"
    refused = [(e.actor, e.target, e.outcome) for e in await training_audit(bot)]
    assert refused == [("kp09", "sub01", "refused"), ("kp09", "ab1234", "refused")]

    [page] = await nord["kim"].say("/oplaering")
    await nord["kim"].press("⬜ Vikar 01 · 🎓📱🔄", page)
    forged = data_of(await nord["kim"].message_by_id(page.message_id), TRAINED)
    [own] = await sune.say("/oplaering")
    answer, _ = await sune.press("", own, forge_data=forged)
    assert answer == CHANGED
    assert await line(bot, "sub01") == TrainingRecord("sub01", TrainingStatus.UNTRAINED)
    [card] = await sune.say("/status sub01")
    assert text_of(card) == "Jeg kender ingen medarbejder med bruger-id sub01 i din enhed."


async def test_a_page_drawn_before_the_list_changed_records_nothing(
    bot: Harness, nord: dict[str, Person]
) -> None:
    """Kim picks on a page; Lis meanwhile records Vikar 01 fully, so the page's people move:
    Kim's press is refused, nothing is recorded, and the page is drawn as it stands."""
    kim, lis = nord["kim"], nord["lis"]
    [page] = await kim.say("/oplaering")
    await kim.press("⬜ Vikar 03 · 🎓📱🔄", page)
    await lis.say("/oplaering alt sub01")
    answer, _ = await kim.press(TRAINED, await kim.message_by_id(page.message_id))
    assert answer == CHANGED
    assert await line(bot, "sub03") == TrainingRecord("sub03", TrainingStatus.UNTRAINED)
    page = await kim.message_by_id(page.message_id)
    assert person_buttons(page)[0] == "⬜ Vikar 02 · 🎓📱🔄"
    answer, _ = await kim.press("", page, forge_data="tn:1:0000000a:1ff:t")  # beyond the page
    assert answer == "Den knap virker ikke længere."
    answer, _ = await kim.press(TRAINED, page)  # nobody picked
    assert answer == "Vælg først medarbejderne: tryk på deres navne."


# The login ticket


async def test_a_login_problem_from_an_untrained_reporter_says_so_on_the_card(
    bot: Harness, nord: dict[str, Person]
) -> None:
    """Anna (new, untrained) reports a login problem: the planner's card says she is not
    trained; once Kim has trained her, her next login report says nothing of it, nor does a
    door fault."""
    await register_citizens(bot)
    anna, per = nord["anna"], nord["per"]
    await move_to_local(bot, datetime(2026, 11, 30, 9, 0))  # Monday: the planners are in
    await report(anna, ["Ja", "Nej"])  # the phone works; the login does not
    card = text_of(await per.last())
    assert "⚠️ Ikke oplært i Bekey endnu" in card
    await nord["kim"].say("/oplaering ab1234")
    await report(anna, ["Ja", "Nej"])
    assert "Ikke oplært" not in text_of(await per.last())


async def test_a_not_recorded_reporter_is_not_flagged(
    bot: Harness, nord: dict[str, Person]
) -> None:
    """Staff there when the register landed are not recorded, not untrained: no flag."""
    await register_citizens(bot)
    async with bot.services.db.transaction() as tx:
        await tx.training.save(
            TrainingRecord("ab1234", TrainingStatus.NOT_RECORDED), bot.clock.now()
        )
    await report(nord["anna"], ["Ja", "Nej"])
    assert "Ikke oplært" not in text_of(await nord["per"].last())


async def test_namesakes_on_a_page_are_told_apart_by_their_user_ids(bot: Harness) -> None:
    """Two substitutes whose long names read alike once cut show their user-ids."""
    people = await staff_of_nord(bot)
    for user_id in ("amc01", "amc02"):
        await bot.invite(user_id, "Anne-Marie Christiansen-Østergaard", Role.SUBSTITUTE, NORD)

    page = (await people["kim"].say("/oplaering"))[0]

    namesakes = [label for label in person_buttons(page) if "Anne-Marie" in label]
    assert len(namesakes) == 2
    assert any("(amc01)" in label for label in namesakes)
    assert any("(amc02)" in label for label in namesakes)


async def test_more_late_than_one_notice_names_are_named_the_week_after(bot: Harness) -> None:
    """Twelve substitutes still untrained after four weeks: Lis's notice names ten and counts
    two; the next week's names those two (nobody is marked told without being named)."""
    people = await staff_of_nord(bot)
    lis = people["lis"]
    await people["kim"].say("/oplaering kp01 le01 pl01 ab1234")
    await hire_substitutes(bot, 10)
    for user_id, name in (("sub11", "Vikar 11"), ("sub12", "Vikar 12")):
        await bot.invite(user_id, name, Role.SUBSTITUTE, NORD)
    await bot.tick()  # the first round starts the count

    await move_to_local(bot, datetime(2026, 12, 28, 9, 0))
    first = await lis.last_text()
    await move_to_local(bot, datetime(2027, 1, 4, 9, 0))
    second = await lis.last_text()

    assert "12 medarbejdere er stadig ikke oplært" in first
    assert first.count("• Vikar") == 10
    assert second.count("• Vikar") == 2
    told = {e.target for e in await bot.audit("training_late")}
    assert told == {f"sub{n:02}" for n in range(1, 13)}
