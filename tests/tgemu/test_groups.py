"""Group chats: users write in a group the bot is in; the bot reads and answers there."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden

from tests.tgemu.calls import send, updates
from tgemu import BotApiEmulator, ControlError, EmulatorClient

ANNA, BO = 42, 43
SUPERGROUP, GROUP = -100123, -4567


async def post_group(
    emulator: BotApiEmulator, chat_id: int | str, body: dict[str, Any]
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}/control", trust_env=False) as raw:
        return await raw.post(f"/groups/{chat_id}/messages", json=body)


async def test_a_group_message_has_the_group_as_chat_and_the_user_as_sender(
    emulator: BotApiEmulator, api: httpx.AsyncClient
) -> None:
    response = await post_group(
        emulator,
        SUPERGROUP,
        {"user_id": ANNA, "text": "/akut", "first_name": "Anna", "title": "Hjemmepleje Nord"},
    )

    assert response.status_code == 200
    answer = response.json()
    [update] = await updates(api)
    assert update == {"update_id": answer["update_id"], "message": answer["message"]}
    message = answer["message"]
    assert message["chat"] == {"id": SUPERGROUP, "type": "supergroup", "title": "Hjemmepleje Nord"}
    assert message["from"] == {"id": ANNA, "is_bot": False, "first_name": "Anna"}
    assert (message["message_id"], message["text"]) == (1, "/akut")
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]


async def test_a_group_id_not_starting_with_100_is_a_plain_group(
    control: EmulatorClient, api: httpx.AsyncClient
) -> None:
    await control.send_group_text(GROUP, ANNA, "/fejl@bekey_test_bot", title="Vagtholdet")
    await control.send_group_text(GROUP, BO, "god morgen", first_name="Bo")

    first, second = [u["message"] for u in await updates(api)]
    assert first["chat"] == {"id": GROUP, "type": "group", "title": "Vagtholdet"}
    assert first["entities"] == [{"type": "bot_command", "offset": 0, "length": 20}]
    assert second["chat"] == first["chat"]
    assert (second["from"]["id"], second["from"]["first_name"]) == (BO, "Bo")
    assert "entities" not in second
    assert (first["message_id"], second["message_id"]) == (1, 2)


async def test_the_group_view_shows_who_wrote_and_what_the_bot_sent(
    control: EmulatorClient, api: httpx.AsyncClient
) -> None:
    await control.send_group_text(SUPERGROUP, ANNA, "hej alle")
    await control.send_group_text(SUPERGROUP, BO, "hej Anna", first_name="Bo")
    sent = await send(api, "sendMessage", chat_id=SUPERGROUP, text="Hej fra Bekey")

    assert sent["ok"] is True
    assert sent["result"]["chat"]["id"] == SUPERGROUP
    assert sent["result"]["from"]["is_bot"] is True
    chat = await control.messages(SUPERGROUP)
    assert [(m.message_id, m.from_bot, m.from_user_id, m.text) for m in chat] == [
        (1, False, ANNA, "hej alle"),
        (2, False, BO, "hej Anna"),
        (3, True, None, "Hej fra Bekey"),
    ]


async def test_writing_in_a_group_opens_no_private_chat(
    control: EmulatorClient, api: httpx.AsyncClient
) -> None:
    await control.send_group_text(SUPERGROUP, ANNA, "hej")

    assert await control.messages(ANNA) == []
    private = await send(api, "sendMessage", chat_id=ANNA, text="Hej Anna")
    assert private["description"] == "Bad Request: chat not found"
    with pytest.raises(ControlError) as press:
        await control.press(ANNA, 1, data="x", forge=True)
    assert press.value.status == 404


async def test_private_and_group_chats_of_one_user_are_apart(
    control: EmulatorClient, api: httpx.AsyncClient
) -> None:
    await control.send_text(ANNA, "privat", first_name="Anna")
    await control.send_group_text(SUPERGROUP, ANNA, "i gruppen", first_name="Anna")
    await control.send_text(ANNA, "privat igen", first_name="Anna")

    private_first, group, private_second = [u["message"] for u in await updates(api)]
    assert private_first["chat"]["type"] == private_second["chat"]["type"] == "private"
    assert (private_first["message_id"], private_second["message_id"]) == (1, 2)
    assert (group["chat"]["id"], group["message_id"]) == (SUPERGROUP, 1)
    assert [m.text for m in await control.messages(ANNA)] == ["privat", "privat igen"]
    assert [m.text for m in await control.messages(SUPERGROUP)] == ["i gruppen"]


async def test_a_user_who_blocked_the_bot_still_writes_in_the_group(
    control: EmulatorClient, api: httpx.AsyncClient
) -> None:
    await control.send_text(ANNA, "hej")
    await control.set_blocked(ANNA, True)
    await control.send_group_text(SUPERGROUP, ANNA, "hej alle")

    kinds = [next(k for k in u if k != "update_id") for u in await updates(api)]
    assert kinds == ["message", "my_chat_member", "message"]
    assert (await send(api, "sendMessage", chat_id=SUPERGROUP, text="ok"))["ok"] is True
    blocked = await send(api, "sendMessage", chat_id=ANNA, text="ok")
    assert blocked["description"] == "Forbidden: bot was blocked by the user"


async def test_the_first_message_names_the_group_and_later_titles_are_ignored(
    control: EmulatorClient, api: httpx.AsyncClient, emulator: BotApiEmulator
) -> None:
    untitled = await post_group(emulator, GROUP, {"user_id": ANNA, "text": "a"})
    await control.send_group_text(GROUP, ANNA, "b", title="Nord")
    await control.send_group_text(SUPERGROUP, ANNA, "c", title="Syd")
    await control.send_group_text(SUPERGROUP, BO, "d")

    assert untitled.json()["message"]["chat"]["title"] == "Gruppe"
    assert [u["message"]["chat"]["title"] for u in await updates(api)] == [
        "Gruppe",
        "Gruppe",
        "Syd",
        "Syd",
    ]


@pytest.mark.parametrize(
    ("chat_id", "body", "reason"),
    [
        (123, {"user_id": ANNA, "text": "hej"}, "chat_id must be negative"),
        (0, {"user_id": ANNA, "text": "hej"}, "chat_id must be negative"),
        ("gruppe", {"user_id": ANNA, "text": "hej"}, "chat_id must be an integer"),
        (SUPERGROUP, {"text": "hej"}, "user_id must be an integer"),
        (SUPERGROUP, {"user_id": "42", "text": "hej"}, "user_id must be an integer"),
        (SUPERGROUP, {"user_id": True, "text": "hej"}, "user_id must be an integer"),
        (SUPERGROUP, {"user_id": -5, "text": "hej"}, "user_id must be a positive integer"),
        (SUPERGROUP, {"user_id": ANNA}, "text must be a string"),
        (SUPERGROUP, {"user_id": ANNA, "text": "  "}, "text is empty"),
        (SUPERGROUP, {"user_id": ANNA, "text": "x" * 4097}, "longer than 4096"),
        (SUPERGROUP, {"user_id": ANNA, "text": "hej", "title": 7}, "title must be a string"),
        (SUPERGROUP, {"user_id": ANNA, "text": "hej", "title": " "}, "title is empty"),
    ],
)
async def test_bad_group_messages_are_refused(
    emulator: BotApiEmulator,
    api: httpx.AsyncClient,
    chat_id: int | str,
    body: dict[str, Any],
    reason: str,
) -> None:
    response = await post_group(emulator, chat_id, body)

    assert response.status_code == 400
    assert reason in response.json()["description"]
    assert await updates(api) == []
    assert emulator.world.chats == {}


async def test_a_group_id_is_no_user_id(control: EmulatorClient) -> None:
    await control.send_group_text(SUPERGROUP, ANNA, "hej")

    with pytest.raises(ControlError, match="user_id must be a positive integer"):
        await control.send_text(SUPERGROUP, "hej")
    with pytest.raises(ControlError) as block:
        await control.set_blocked(SUPERGROUP, True)
    assert block.value.status == 404
    with pytest.raises(ControlError) as press:
        await control.press(SUPERGROUP, 1, data="x", forge=True)
    assert press.value.status == 404


async def test_ptb_sees_a_group_and_its_member(bot: Bot, control: EmulatorClient) -> None:
    await control.send_group_text(
        SUPERGROUP, ANNA, "/hjaelp@bekey_test_bot", first_name="Anna", title="Hjemmepleje Nord"
    )
    await control.send_group_text(GROUP, BO, "hej", first_name="Bo")

    supergroup_update, group_update = await bot.get_updates()
    chat = supergroup_update.effective_chat
    assert chat is not None
    assert (chat.id, chat.type, chat.title) == (SUPERGROUP, ChatType.SUPERGROUP, "Hjemmepleje Nord")
    user = supergroup_update.effective_user
    assert user is not None and (user.id, user.first_name) == (ANNA, "Anna")
    message = supergroup_update.effective_message
    assert message is not None
    assert message.parse_entities() == {message.entities[0]: "/hjaelp@bekey_test_bot"}
    assert group_update.effective_chat is not None
    assert group_update.effective_chat.type == ChatType.GROUP
    assert group_update.effective_user is not None and group_update.effective_user.id == BO


async def test_ptb_answers_in_the_group(bot: Bot, control: EmulatorClient) -> None:
    await control.send_group_text(GROUP, ANNA, "hej", title="Vagtholdet")
    [update] = await bot.get_updates()
    assert update.effective_message is not None

    reply = await update.effective_message.reply_text("Hej Anna")
    await bot.send_chat_action(GROUP, "typing")
    await bot.pin_chat_message(GROUP, reply.message_id)
    full = await bot.get_chat(GROUP)

    assert (reply.chat.id, reply.chat.type, reply.chat.title) == (GROUP, "group", "Vagtholdet")
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "hej"
    assert (full.id, full.type, full.title) == (GROUP, "group", "Vagtholdet")
    chat = await control.messages(GROUP)
    assert [(m.from_bot, m.text, m.reply_to_message_id) for m in chat] == [
        (False, "hej", None),
        (True, "Hej Anna", 1),
    ]
    assert [m.message_id for m in await control.pinned(GROUP)] == [reply.message_id]


async def test_ptb_cannot_send_to_a_group_nobody_wrote_in(
    bot: Bot, control: EmulatorClient
) -> None:
    await control.send_group_text(SUPERGROUP, ANNA, "hej")

    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(-100999, "hej")
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.get_chat(-100999)
    [failed] = [c for c in await control.calls("sendMessage")]
    assert failed["params"]["chat_id"] == -100999
    assert failed["description"] == "Bad Request: chat not found"
    assert await control.messages(-100999) == []


async def test_blocking_in_private_does_not_stop_the_bot_in_groups(
    bot: Bot, control: EmulatorClient
) -> None:
    await control.send_group_text(SUPERGROUP, ANNA, "hej")
    await control.send_text(ANNA, "hej")
    await control.set_blocked(ANNA, True)

    with pytest.raises(Forbidden):
        await bot.send_message(ANNA, "hej")
    sent = await bot.send_message(SUPERGROUP, "hej alle")
    assert sent.chat.type == ChatType.SUPERGROUP


async def test_group_commands_resolve_from_all_group_chats(
    bot: Bot, control: EmulatorClient
) -> None:
    await control.send_group_text(GROUP, ANNA, "hej")
    group_commands = [BotCommand("hjaelp", "Hjælp")]
    await bot.set_my_commands([BotCommand("akut", "Akut")])
    await bot.set_my_commands(group_commands, scope=BotCommandScopeAllGroupChats())

    assert await control.effective_commands(GROUP) == [
        {"command": "hjaelp", "description": "Hjælp"}
    ]
    assert await control.effective_commands(ANNA) == [{"command": "akut", "description": "Akut"}]
