"""The control API: playing users, inspecting chats, and the Python client's helpers."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.tgemu.calls import send, updates
from tgemu import BotApiEmulator, ControlError, EmulatorClient

ANNA = 42
MENU = {
    "inline_keyboard": [
        [{"text": "Ja", "callback_data": "yes"}, {"text": "Nej", "callback_data": "no"}],
        [{"text": "Hjemmeside", "url": "https://example.org"}],
    ]
}


async def test_user_message_carries_profile_and_command_entity(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(
        ANNA, "/start INV_abc-123", first_name="Anna", last_name="Holm", username="annah"
    )
    await control.send_text(ANNA, "/start@bekey_test_bot")
    await control.send_text(ANNA, "hej /start")
    first, second, third = [u["message"] for u in await updates(api)]
    assert first["from"] == {
        "id": ANNA,
        "is_bot": False,
        "first_name": "Anna",
        "last_name": "Holm",
        "username": "annah",
        "language_code": "da",
    }
    assert first["chat"] == {
        "id": ANNA,
        "type": "private",
        "first_name": "Anna",
        "last_name": "Holm",
        "username": "annah",
    }
    assert first["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert second["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
    assert "entities" not in third


async def test_press_needs_a_shown_button_unless_forged(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    sent = (await send(api, "sendMessage", chat_id=ANNA, text="?", reply_markup=MENU))["result"]
    message_id = sent["message_id"]
    with pytest.raises(ControlError) as missing:
        await control.press(ANNA, message_id, text="Måske")
    assert missing.value.status == 400
    assert "no inline button with text 'Måske'" in missing.value.description
    assert "['Ja', 'Nej', 'Hjemmeside']" in missing.value.description
    with pytest.raises(ControlError, match="no inline button with data 'admin'"):
        await control.press(ANNA, message_id, data="admin")
    with pytest.raises(ControlError, match="has no callback_data"):
        await control.press(ANNA, message_id, text="Hjemmeside")
    with pytest.raises(ControlError, match="is not in chat"):
        await control.press(ANNA, 99, text="Ja")
    with pytest.raises(ControlError, match="is not in chat"):
        await control.press(ANNA, 99, data="x", forge=True)
    await updates(api)
    _, by_data = await control.press(ANNA, message_id, data="no")
    _, forged = await control.press(ANNA, message_id, data="admin", forge=True)
    queries = [u["callback_query"] for u in await updates(api) if "callback_query" in u]
    assert [q["data"] for q in queries] == ["no", "admin"]
    assert [q["id"] for q in queries] == [by_data, forged]
    assert queries[0]["from"]["id"] == ANNA
    assert queries[0]["message"]["reply_markup"] == MENU
    assert queries[0]["chat_instance"]


async def test_press_sees_the_message_as_it_stands(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    sent = (await send(api, "sendMessage", chat_id=ANNA, text="?", reply_markup=MENU))["result"]
    await send(api, "editMessageReplyMarkup", chat_id=ANNA, message_id=sent["message_id"])
    with pytest.raises(ControlError, match="shown: \\[\\]"):
        await control.press(ANNA, sent["message_id"], text="Ja")


async def test_chat_view_keyboard_and_pins(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    assert await control.messages(ANNA) == []
    assert await control.keyboard(ANNA) is None
    await control.send_text(ANNA, "hej")
    keyboard = {"keyboard": [["Nøgle", {"text": "Hjælp"}]], "resize_keyboard": True}
    await send(
        api,
        "sendMessage",
        chat_id=ANNA,
        text="<i>Vælg</i>",
        parse_mode="HTML",
        reply_markup=keyboard,
    )
    await send(api, "sendMessage", chat_id=ANNA, text="To", reply_markup=MENU)
    for message_id in (3, 2):
        await send(api, "pinChatMessage", chat_id=ANNA, message_id=message_id)
    user, first, second = await control.messages(ANNA)
    assert (user.from_bot, user.text, user.html) == (False, "hej", None)
    assert (first.text, first.html, first.parse_mode) == ("Vælg", "<i>Vælg</i>", "HTML")
    assert first.reply_keyboard == keyboard and first.reply_markup is None
    assert second.reply_markup == MENU and second.buttons == ["Ja", "Nej", "Hjemmeside"]
    assert second.button_rows == [["Ja", "Nej"], ["Hjemmeside"]]
    with pytest.raises(KeyError):
        second.button_data("Hjemmeside")
    assert await control.keyboard(ANNA) == [["Nøgle", "Hjælp"]]
    assert [m.message_id for m in await control.pinned(ANNA)] == [3, 2]
    await send(api, "unpinChatMessage", chat_id=ANNA)
    assert [m.message_id for m in await control.pinned(ANNA)] == [3]
    await send(api, "unpinAllChatMessages", chat_id=ANNA)
    assert await control.pinned(ANNA) == []


async def test_block_sends_my_chat_member_and_writing_unblocks(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    with pytest.raises(ControlError) as unknown:
        await control.set_blocked(ANNA, True)
    assert unknown.value.status == 404
    await control.send_text(ANNA, "hej")
    await control.set_blocked(ANNA, True)
    await control.send_text(ANNA, "igen")
    kinds = [next(k for k in u if k != "update_id") for u in await updates(api)]
    assert kinds == ["message", "my_chat_member", "my_chat_member", "message"]
    sent = await send(api, "sendMessage", chat_id=ANNA, text="velkommen tilbage")
    assert sent["ok"] is True


async def test_wait_for_message(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")

    async def reply_later() -> None:
        await asyncio.sleep(0.05)
        await send(api, "sendMessage", chat_id=ANNA, text="første")
        await asyncio.sleep(0.05)
        await send(api, "editMessageText", chat_id=ANNA, message_id=2, text="rettet")

    task = asyncio.create_task(reply_later())
    first = await control.wait_for_message(ANNA, timeout=2)
    assert first.text == "første"
    edited = await control.wait_for_message(ANNA, lambda m: m.text == "rettet", timeout=2)
    assert edited.edited and edited.message_id == 2
    await task
    with pytest.raises(TimeoutError) as late:
        await control.wait_for_message(ANNA, after_message_id=2, timeout=0.1)
    assert "rettet" in str(late.value) and "hej" in str(late.value)


async def test_documents_and_bad_control_input(
    emulator: BotApiEmulator, control: EmulatorClient
) -> None:
    await control.send_document(ANNA, "staff.csv", b"a;b\n", mime_type="text/csv")
    [message] = await control.messages(ANNA)
    assert message.document is not None
    assert (message.document["file_name"], message.document["file_size"]) == ("staff.csv", 4)
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}/control", trust_env=False) as raw:
        bad_base64 = await raw.post(
            f"/users/{ANNA}/documents", json={"file_name": "a", "content_base64": "!!"}
        )
        empty = await raw.post(f"/users/{ANNA}/messages", json={"text": " "})
        not_json = await raw.post(f"/users/{ANNA}/messages", content=b"[1")
        bad_scope = await raw.get("/commands", params={"scope": "{"})
    assert bad_base64.status_code == empty.status_code == not_json.status_code == 400
    assert bad_scope.status_code == 400
    with pytest.raises(ControlError) as unknown:
        await control.callback_answer("nope")
    assert unknown.value.status == 404


async def test_clock_and_flood_via_control(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    await control.set_flood_limit(1)
    assert (await send(api, "sendMessage", chat_id=ANNA, text="a"))["ok"]
    flooded = await send(api, "sendMessage", chat_id=ANNA, text="b")
    assert flooded["error_code"] == 429
    await control.advance_clock(1)
    assert (await send(api, "sendMessage", chat_id=ANNA, text="c"))["ok"]
    await control.advance_clock(48 * 3600 + 5)
    refused = await send(api, "deleteMessage", chat_id=ANNA, message_id=2)
    assert refused["description"] == "Bad Request: message can't be deleted for everyone"


async def test_calls_filter_by_method(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    await send(api, "getMe")
    await send(api, "getmyCommands")
    assert [c["method"] for c in await control.calls("getMyCommands")] == ["getMyCommands"]


async def test_files_sent_by_users_can_be_read_back(control: EmulatorClient) -> None:
    await control.send_document(42, "staff.csv", b"user_id,name\n")
    message = (await control.messages(42))[-1]

    assert await control.document_text(message) == "user_id,name\n"
    with pytest.raises(ControlError):
        await control.file_content("no-such-file")
