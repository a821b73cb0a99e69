"""Key persons: the leader appoints a caregiver, who keeps her role and gets the key person's
menu at once; removes her again; nobody else can; a unit with none is named as a gap."""

from __future__ import annotations

from pathlib import Path

from bot.clock import ManualClock, to_db
from bot.render.i18n import t
from bot.storage.database import Database
from bot.storage.migrations import migrate
from state.roles import Role
from tests.harness import Harness, text_of

NORD = "Hjemmepleje Nord"


async def commands_of(bot: Harness, telegram_id: int) -> list[str]:
    """The command menu Telegram shows in one chat."""
    return [c["command"] for c in await bot.client.effective_commands(telegram_id)]


async def test_a_leader_appoints_a_caregiver_who_keeps_her_role_and_gets_the_menu(
    bot: Harness,
) -> None:
    """/noegleperson ab1234: both are told, Anna's buttons and commands change at once."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    assert "sager" not in await commands_of(bot, anna.telegram_id)

    answer = await lis.say("/noegleperson ab1234")

    assert text_of(answer[0]).startswith("✅ Anna Jensen (ab1234) er nu nøgleperson.")
    assert "• Anna Jensen (ab1234)" in text_of(answer[0])
    told = await anna.last()
    assert text_of(told).startswith("🔑 Du er nu nøgleperson i Hjemmepleje Nord")
    keyboard = await anna.keyboard()
    assert keyboard is not None and any(t("da", "button.tickets") in row for row in keyboard)
    commands = await commands_of(bot, anna.telegram_id)
    assert {"sager", "oplaering", "status", "inviter"} <= set(commands)
    record = await bot.employee_record("ab1234")
    assert (record.role, record.key_person) == (Role.CAREGIVER, True)
    assert [(e.actor, e.target) for e in await bot.audit("key_person_appointed")] == [
        ("le01", "ab1234")
    ]
    listed = await anna.say("/sager")  # a key person's list, for a caregiver appointed one
    assert text_of(listed[0]).startswith(t("da", "tickets.none", unit=NORD)[:10])


async def test_the_leader_removes_the_appointment_and_the_menu_goes_back(bot: Harness) -> None:
    """The remove button under the list: Anna is told, her key person's commands go."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    await lis.say("/noegleperson ab1234")

    await lis.press("✖ Fjern Anna Jensen som nøgleperson")

    shown = text_of(await lis.last())
    assert shown.startswith("✖ Anna Jensen (ab1234) er ikke længere nøgleperson.")
    assert "Hjemmepleje Nord har ingen nøgleperson. Det er et hul" in shown
    assert text_of(await anna.last()).startswith("Du er ikke længere nøgleperson")
    assert "sager" not in await commands_of(bot, anna.telegram_id)
    assert not (await bot.employee_record("ab1234")).key_person
    refused = await anna.say("/sager")
    assert text_of(refused[0]) == t("da", "access.wrong_role", role=t("da", "role.caregiver"))


async def test_a_unit_may_have_several_key_persons_and_a_caregiver_cannot_appoint(
    bot: Harness,
) -> None:
    """Two appointed; a caregiver's /noegleperson and a forged remove button change nothing."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    bo = await bot.employee("bo01", Role.CAREGIVER, name="Bo Berg")
    await lis.say("/noegleperson ab1234")
    answer = await lis.say("/noegleperson pl01")
    assert "Nøglepersoner i Hjemmepleje Nord</b> (2)" in (answer[0].html or "")

    refused = await bo.say("/noegleperson bo01")
    _, nothing = await bo.press("x", refused[0], forge_data="kp:ab1234:x")

    assert text_of(refused[0]) == t("da", "access.wrong_role", role=t("da", "role.caregiver"))
    assert nothing == []
    assert (await bot.employee_record("ab1234")).key_person
    assert not (await bot.employee_record("bo01")).key_person
    assert (await bot.employee_record("pl01")).role is Role.PLANNER  # a planner stays one


async def test_a_leader_of_another_unit_cannot_appoint_or_remove(bot: Harness) -> None:
    """Sune leads Hjemmepleje Syd: Anna of Nord is not his to appoint; refused and audited."""
    sune = await bot.employee("le09", Role.LEADER, unit="Hjemmepleje Syd", name="Sune Syd")
    await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")

    answer = await sune.say("/noegleperson ab1234")

    assert text_of(answer[0]).startswith(t("da", "keyperson.not_allowed"))
    assert not (await bot.employee_record("ab1234")).key_person
    assert [(e.actor, e.outcome) for e in await bot.audit("key_person_appointed")] == [
        ("le09", "refused")
    ]


async def test_the_key_person_role_becomes_an_appointment_on_a_caregiver(tmp_path: Path) -> None:
    """Migration 12: a stored key_person keeps the rights as a caregiver appointed key person,
    and everyone already there is "not recorded" in the training register."""
    clock = ManualClock()
    db = Database(tmp_path / "old.sqlite3")
    await db.open()
    try:
        await migrate(db, clock, up_to=11)
        stamp = to_db(clock.now())
        async with db.transaction() as tx:
            for user_id, role in (("kp01", "key_person"), ("ab1234", "caregiver")):
                await tx.session.execute(
                    "INSERT INTO employees (user_id, name, role, unit, menu_role, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (user_id, user_id, role, NORD, role, stamp, stamp),
                )
        await migrate(db, clock)
        async with db.read() as tx:
            kim = await tx.employees.get("kp01")
            anna = await tx.employees.get("ab1234")
            rows = await tx.session.fetchall("SELECT user_id, status FROM training ORDER BY 1")
    finally:
        await db.close()
    assert kim is not None and anna is not None
    assert (kim.role, kim.key_person, kim.acts_as) == (Role.CAREGIVER, True, Role.KEY_PERSON)
    assert kim.menu_role is Role.KEY_PERSON  # the menu drawn before is still the right one
    assert (anna.role, anna.key_person) == (Role.CAREGIVER, False)
    assert [(r["user_id"], r["status"]) for r in rows] == [
        ("ab1234", "not_recorded"),
        ("kp01", "not_recorded"),
    ]


async def test_an_appointment_ends_with_a_move_to_another_unit_or_a_deactivation(
    bot: Harness,
) -> None:
    """Anna's appointment is Nord's leader's: moved to Syd by the staff list, she is not Syd's
    key person; Bo's ends when he leaves, and does not come back with him."""
    lis = await bot.employee("le01", Role.LEADER, name="Lis Leder")
    await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    await bot.employee("bo01", Role.CAREGIVER, name="Bo Berg")
    await lis.say("/noegleperson ab1234")
    await lis.say("/noegleperson bo01")

    await bot.invite("ab1234", "Anna Jensen", Role.CAREGIVER, "Hjemmepleje Syd")
    await bot.services.staff.deactivate("bo01", actor="cli")
    await bot.services.staff.reactivate("bo01", actor="cli")

    assert not (await bot.employee_record("ab1234")).key_person
    assert not (await bot.employee_record("bo01")).key_person
