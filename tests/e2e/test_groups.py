"""Group chats: the team has a group with the bot in it; the bot says nothing there.

Reports and emergencies are handled in each employee's private chat with the bot. In a
group it neither answers nor records anything, for staff and strangers alike.
"""

from __future__ import annotations

from typing import Any

from bot.render.i18n import t
from state.roles import Role
from tests.harness import Harness, Person, register_citizens

TEAM_GROUP = -100123
TEAM_TITLE = "Hjemmepleje Nord"
EVERYTHING_ANNA_TRIES = [
    "/akut",
    "/fejl",
    "/hjaelp",
    "/akut@bekey_test_bot",
    "/fejl@bekey_test_bot",
    "/hjaelp@bekey_test_bot",
    "Døren hos Else går ikke op",
]


async def say_in_group(bot: Harness, person: Person, text: str) -> None:
    """The person writes in the team's group; return once the bot has handled it."""
    update_id = await bot.client.send_group_text(
        TEAM_GROUP, person.telegram_id, text, first_name=person.first_name, title=TEAM_TITLE
    )
    await bot.handled(update_id)


async def bot_calls(bot: Harness) -> list[dict[str, Any]]:
    """Every Bot API call the bot made since the log was cleared, except polling."""
    return [call for call in await bot.client.calls() if call["method"] != "getUpdates"]


async def group_chat(bot: Harness) -> list[tuple[bool, int | None, str | None]]:
    """The group as it stands: (from the bot?, who wrote, text)."""
    return [(m.from_bot, m.from_user_id, m.text) for m in await bot.client.messages(TEAM_GROUP)]


async def recorded(bot: Harness) -> dict[str, int]:
    """How many rows the tables a report, an emergency or a message would add to hold."""
    counts = {}
    async with bot.services.db.read() as tx:
        for table in ("tickets", "ticket_events", "triages", "outbox"):
            row = await tx.session.fetchone(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608
            assert row is not None
            counts[table] = int(row["n"])
    return counts


async def test_an_employee_gets_no_answer_in_the_team_group(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    private_before = await anna.messages()
    await bot.client.clear_calls()

    for text in EVERYTHING_ANNA_TRIES:
        await say_in_group(bot, anna, text)

    written = [(False, anna.telegram_id, text) for text in EVERYTHING_ANNA_TRIES]
    assert await group_chat(bot) == written
    calls = await bot_calls(bot)
    assert [c for c in calls if c["params"].get("chat_id") == TEAM_GROUP] == []
    assert calls == []  # nothing anywhere else either: no private answer, no pin, no menu
    assert await anna.messages() == private_before


async def test_nothing_is_reported_from_the_team_group(bot: Harness) -> None:
    await register_citizens(bot)
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    before = await recorded(bot)  # joining queued her pinned emergency card

    for text in EVERYTHING_ANNA_TRIES:
        await say_in_group(bot, anna, text)

    assert await bot.ticket_count() == 0
    assert await recorded(bot) == before


async def test_a_stranger_in_the_team_group_gets_no_refusal(bot: Harness) -> None:
    await bot.employee("ab1234", Role.CAREGIVER)
    stranger = bot.person("Mallory")
    await bot.client.clear_calls()

    for text in ("/akut", "/start", "hej, hvad kan du?"):
        await say_in_group(bot, stranger, text)

    assert [from_bot for from_bot, _, _ in await group_chat(bot)] == [False, False, False]
    assert await bot_calls(bot) == []
    assert await stranger.messages() == []  # not told privately either
    assert await bot.ticket_count() == 0


async def test_the_private_chat_still_answers_right_after_the_group(bot: Harness) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    await say_in_group(bot, anna, "/hjaelp")
    await say_in_group(bot, anna, "/akut")

    replies = await anna.say("/hjaelp")

    assert len(replies) == 1
    help_text = replies[0].text or ""
    assert TEAM_TITLE in help_text  # her unit, from the help's first line
    assert t("da", "help.emergency_note") in help_text
    assert "/akut" in help_text
    assert [from_bot for from_bot, _, _ in await group_chat(bot)] == [False, False]
    group_calls = [c for c in await bot.client.calls() if c["params"].get("chat_id") == TEAM_GROUP]
    assert group_calls == []
