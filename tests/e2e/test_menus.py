"""Menus and language: each role sees its own commands and big buttons, in its own language."""

from __future__ import annotations

from bot.render.i18n import t
from state.roles import Role
from tests.harness import Harness, text_of


async def test_a_caregiver_sees_the_emergency_button_first_and_no_admin(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    keyboard = await anna.keyboard()
    commands = [c["command"] for c in await bot.client.effective_commands(anna.telegram_id)]

    assert keyboard == [
        [t("da", "button.emergency")],
        [t("da", "button.report_fault"), t("da", "button.my_tickets")],
        [t("da", "button.smartkeys"), t("da", "button.help")],
    ]
    assert commands == ["akut", "fejl", "mine", "borger", "noegler", "sprog", "hjaelp"]


async def test_a_planner_gets_the_ticket_list_and_may_invite(bot: Harness) -> None:
    per = await bot.employee("pl01", Role.PLANNER)

    keyboard = await per.keyboard()
    commands = [c["command"] for c in await bot.client.effective_commands(per.telegram_id)]

    assert keyboard is not None
    assert keyboard[0] == [t("da", "button.emergency")]
    assert t("da", "button.tickets") in keyboard[1]
    assert commands == [
        "akut",
        "sager",
        "haendelse",
        "udsend",
        "fejl",
        "mine",
        "borger",
        "noegler",
        "nynoegle",
        "skab",
        "inviter",
        "deaktiver",
        "sprog",
        "hjaelp",
    ]


async def test_help_says_what_the_role_can_do(bot: Harness) -> None:
    leader = await bot.employee("le01", Role.LEADER)
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    leader_help = text_of((await leader.say("/hjaelp"))[0])
    anna_help = text_of((await anna.say(t("da", "button.help")))[0])

    assert "/inviter" in leader_help
    assert "/sager" in leader_help
    assert "/inviter" not in anna_help
    assert "/akut" in anna_help
    assert "hjemmehjælper" in anna_help


async def test_a_caregiver_cannot_open_the_planners_list(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    replies = await anna.say("/sager")

    assert replies[0].text == t("da", "access.wrong_role", role=t("da", "role.caregiver"))


async def test_switching_to_english_changes_menu_buttons_and_answers(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    await anna.say("/sprog")
    _, replies = await anna.press("English")

    assert replies[0].text == t("en", "language.changed")
    assert text_of(replies[1]).startswith("🆘 Bekey not working")  # the card, pinned anew
    assert (await bot.employee_record("ab1234")).language == "en"
    keyboard = await anna.keyboard()
    assert keyboard is not None and keyboard[0] == [t("en", "button.emergency")]
    commands = [c["command"] for c in await bot.client.effective_commands(anna.telegram_id)]
    assert commands == ["emergency", "fault", "mine", "citizen", "keys", "language", "help"]
    help_text = text_of((await anna.say("/help"))[0])
    assert "What you can do here" in help_text
    # Danish commands keep working for someone who switched
    assert "What you can do here" in text_of((await anna.say("/hjaelp"))[0])


async def test_language_can_be_named_directly_and_switched_back(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    await anna.say("/language en")
    replies = await anna.say("/sprog da")

    assert replies[0].text == t("da", "language.changed")
    assert text_of(replies[1]).startswith("🆘 Bekey virker ikke")
    assert (await bot.employee_record("ab1234")).language == "da"


async def test_text_that_means_nothing_points_back_to_the_buttons(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)

    replies = await anna.say("hvad så")

    assert replies[0].text == t("da", "access.not_understood")


async def test_an_unknown_button_gets_a_short_answer_and_changes_nothing(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER)
    message = await anna.last()

    answer, replies = await anna.press("x", message, forge_data="zz:unknown")

    assert answer == t("da", "access.stale_button")
    assert replies == []
