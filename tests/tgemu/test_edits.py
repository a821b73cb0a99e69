"""A user edits a message they sent: the bot gets an edited_message with it as it now stands."""

from __future__ import annotations

import httpx
import pytest
from telegram import Bot, Update

from tests.tgemu.calls import send, updates
from tests.tgemu.conftest import START, FakeClock
from tgemu import BotApiEmulator, ControlError, EmulatorClient

ANNA = 42


async def test_an_edit_reaches_the_bot_as_edited_message_with_edit_date(
    api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    await control.send_text(ANNA, "Døren klemmer", first_name="Anna")
    clock.advance(30)

    update_id = await control.edit(ANNA, 1, "/fejl Døren klemmer igen")

    pending = await updates(api)
    assert [u["update_id"] for u in pending] == [update_id - 1, update_id]
    edited = pending[1]["edited_message"]
    assert "message" not in pending[1]
    assert edited["message_id"] == 1
    assert edited["text"] == "/fejl Døren klemmer igen"
    assert edited["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert edited["date"] == int(START)
    assert edited["edit_date"] == int(START) + 30
    assert edited["from"]["first_name"] == "Anna"
    chat = await control.messages(ANNA)
    assert [(m.text, m.edited) for m in chat] == [("/fejl Døren klemmer igen", True)]


async def test_an_edit_of_a_files_caption_changes_the_caption(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_document(ANNA, "hold.csv", b"user_id,name\n", caption="Holdet")

    await control.edit(ANNA, 1, "Holdet, rettet")
    await control.edit(ANNA, 1, "")

    first, second = [u["edited_message"] for u in (await updates(api))[1:]]
    assert first["caption"] == "Holdet, rettet"
    assert first["document"]["file_name"] == "hold.csv"
    assert "text" not in first
    assert "caption" not in second
    assert (await control.messages(ANNA))[0].text is None


async def test_python_telegram_bot_reads_the_edit(bot: Bot, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "før")
    await control.edit(ANNA, 1, "efter")

    got = await bot.get_updates()

    assert isinstance(got[1], Update)
    assert got[1].edited_message is not None and got[1].message is None
    assert got[1].effective_message is got[1].edited_message
    assert got[1].edited_message.text == "efter"
    assert got[1].edited_message.edit_date is not None


async def test_what_cannot_be_edited_is_refused(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    with pytest.raises(ControlError, match="has no chat"):
        await control.edit(ANNA, 1, "x")
    await control.send_text(ANNA, "hej")
    await send(api, "sendMessage", chat_id=ANNA, text="Hej Anna")
    with pytest.raises(ControlError, match="only their own"):
        await control.edit(ANNA, 2, "x")
    with pytest.raises(ControlError, match="is not in chat"):
        await control.edit(ANNA, 99, "x")
    with pytest.raises(ControlError, match="not modified"):
        await control.edit(ANNA, 1, "hej")
    with pytest.raises(ControlError, match="empty"):
        await control.edit(ANNA, 1, "  ")
    with pytest.raises(ControlError, match="longer than 4096"):
        await control.edit(ANNA, 1, "x" * 4097)
    await send(api, "deleteMessage", chat_id=ANNA, message_id=1)
    with pytest.raises(ControlError, match="is not in chat") as deleted:
        await control.edit(ANNA, 1, "x")
    assert deleted.value.status == 404
    await control.send_text(ANNA, "igen")
    await control.set_blocked(ANNA)
    with pytest.raises(ControlError, match="blocked the bot"):
        await control.edit(ANNA, 3, "x")


async def test_an_edit_needs_a_message_id_and_text(
    emulator: BotApiEmulator, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    base_url = f"{emulator.base_url}/control"
    async with httpx.AsyncClient(base_url=base_url, trust_env=False) as http:
        no_id = await http.post(f"/users/{ANNA}/edits", json={"message_id": "1", "text": "x"})
        no_text = await http.post(f"/users/{ANNA}/edits", json={"message_id": 1})
    assert no_id.status_code == 400 and "message_id" in no_id.json()["description"]
    assert no_text.status_code == 400 and "text" in no_text.json()["description"]
