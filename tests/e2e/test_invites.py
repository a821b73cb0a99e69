"""Who may invite whom: leaders anyone in their unit, key persons field staff, planners less."""

from __future__ import annotations

import pytest

from bot.render.i18n import t
from state.roles import Role
from tests.harness import Harness, text_of

ALLOWED = [
    (Role.LEADER, "planner", Role.PLANNER),
    (Role.LEADER, "nøgleperson", Role.KEY_PERSON),
    (Role.LEADER, "leder", Role.LEADER),
    (Role.LEADER, "visitation", Role.VISITATION),
    (Role.KEY_PERSON, "hjemmehjælper", Role.CAREGIVER),
    (Role.KEY_PERSON, "afløser", Role.SUBSTITUTE),
    (Role.KEY_PERSON, "nattevagt", Role.NIGHT_GUARD),
    (Role.PLANNER, "elev", Role.STUDENT),
    (Role.PLANNER, "substitute", Role.SUBSTITUTE),
]
REFUSED = [
    (Role.KEY_PERSON, "planlægger"),
    (Role.KEY_PERSON, "leder"),
    (Role.PLANNER, "hjemmehjælper"),
    (Role.PLANNER, "nøgleperson"),
]


@pytest.mark.parametrize(("inviter_role", "role_text", "granted"), ALLOWED)
async def test_an_inviter_may_invite_the_roles_the_procedure_allows(
    bot: Harness, inviter_role: Role, role_text: str, granted: Role
) -> None:
    inviter = await bot.employee("inv01", inviter_role)

    replies = await inviter.say(f"/inviter ny01 {role_text} Nina Nielsen")

    assert "https://t.me/bekey_test_bot?start=" in text_of(replies[0])
    employee = await bot.employee_record("ny01")
    assert (employee.acts_as, employee.unit, employee.telegram_id) == (  # key person: appointed
        granted,
        "Hjemmepleje Nord",
        None,
    )


@pytest.mark.parametrize(("inviter_role", "role_text"), REFUSED)
async def test_an_inviter_may_not_give_roles_above_their_own(
    bot: Harness, inviter_role: Role, role_text: str
) -> None:
    inviter = await bot.employee("inv01", inviter_role)

    replies = await inviter.say(f"/inviter ny01 {role_text} Nina Nielsen")

    assert "ny01" in text_of(replies[0])
    assert "https://t.me" not in text_of(replies[0])
    assert await bot.services.staff.get("ny01") is None
    refused = [e for e in await bot.audit("invite") if e.outcome == "refused"]
    assert [(e.actor, e.target) for e in refused] == [("inv01", "ny01")]


async def test_a_caregiver_cannot_invite_at_all(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    replies = await anna.say("/inviter ny01 afløser Nina Nielsen")

    assert replies[0].text == t("da", "access.wrong_role", role=t("da", "role.caregiver"))
    assert await bot.services.staff.get("ny01") is None


async def test_a_key_person_cannot_take_over_a_planner_by_reinviting_them(bot: Harness) -> None:
    await bot.employee("pl01", Role.PLANNER)
    key_person = await bot.employee("kp01", Role.KEY_PERSON)

    await key_person.say("/inviter pl01 afløser Per Planner")

    assert (await bot.employee_record("pl01")).role is Role.PLANNER


async def test_an_invite_made_in_chat_lets_the_new_colleague_in(bot: Harness) -> None:
    key_person = await bot.employee("kp01", Role.KEY_PERSON)
    replies = await key_person.say("/inviter sub07 afløser Sofie Holm")
    link = next(w for w in text_of(replies[0]).split() if w.startswith("https://t.me/"))
    sofie = bot.person("Sofie")

    welcome = await sofie.say(f"/start {link.split('start=')[1]}")

    assert "Velkommen, Sofie Holm" in text_of(welcome[0])
    assert (await bot.employee_record("sub07")).unit == "Hjemmepleje Nord"


async def test_an_invite_without_details_explains_how(bot: Harness) -> None:
    leader = await bot.employee("le01", Role.LEADER)

    replies = await leader.say("/inviter")

    assert "/inviter BRUGER-ID ROLLE FULDE NAVN" in text_of(replies[0])


async def test_an_unknown_role_or_user_id_is_explained(bot: Harness) -> None:
    leader = await bot.employee("le01", Role.LEADER)

    bad_role = await leader.say("/inviter ny01 direktør Nina Nielsen")
    bad_id = await leader.say("/inviter n! afløser Nina Nielsen")

    assert text_of(bad_role[0]).startswith("Den rolle kender jeg ikke")
    assert bad_id[0].text == t("da", "invite.bad_user_id")


async def test_a_new_role_redraws_the_colleagues_menu_at_once(bot: Harness) -> None:
    leader = await bot.employee("le01", Role.LEADER)
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    await leader.say("/inviter ab1234 nøgleperson Anna Jensen")
    replies = await anna.say("/hjaelp")

    anna_is = t("da", "appointment.with_key_person", role=t("da", "role.caregiver"))
    assert replies[0].text == t("da", "join.role_changed", role=anna_is, unit="Hjemmepleje Nord")
    commands = [c["command"] for c in await bot.client.effective_commands(anna.telegram_id)]
    assert "inviter" in commands
    assert (await bot.employee_record("ab1234")).telegram_id == anna.telegram_id
    changes = [(e.actor, e.target) for e in await bot.audit("key_person_appointed")]
    assert changes == [("le01", "ab1234")]
    assert (await bot.employee_record("ab1234")).role is Role.CAREGIVER  # she keeps her role
