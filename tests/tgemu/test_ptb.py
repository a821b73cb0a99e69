"""python-telegram-bot 22 against the emulator: requests decode, results de_json, errors map."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    LinkPreviewOptions,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes
from telegram.request import HTTPXRequest

from tests.tgemu.conftest import TOKEN, FakeClock
from tgemu import BotApiEmulator, EmulatorClient

ANNA = 42

YES_NO = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Ja", callback_data="yes"),
            InlineKeyboardButton("Nej", callback_data="no"),
        ]
    ]
)


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (7000000001, "bekey_test_bot", True)


async def test_wrong_token_raises_invalid_token(emulator: BotApiEmulator) -> None:
    requests = HTTPXRequest(), HTTPXRequest()
    wrong = Bot(
        "999:wrong",
        base_url=f"{emulator.base_url}/bot",
        request=requests[0],
        get_updates_request=requests[1],
    )
    try:
        with pytest.raises(InvalidToken):
            await wrong.get_me()
    finally:
        for request in requests:
            await request.shutdown()


async def test_get_updates_offsets_and_long_poll(bot: Bot, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "/start TOKEN_123", first_name="Anna", language_code="da")
    await control.send_text(ANNA, "/help@bekey_test_bot")
    updates = await bot.get_updates()
    first, second = updates
    assert first.message is not None and first.message.text == "/start TOKEN_123"
    assert first.message.from_user is not None
    assert (first.message.from_user.first_name, first.message.from_user.language_code) == (
        "Anna",
        "da",
    )
    assert first.message.parse_entities() == {first.message.entities[0]: "/start"}
    assert second.message is not None and second.message.entities[0].length == 20
    again = await bot.get_updates(offset=second.update_id)
    assert [u.update_id for u in again] == [second.update_id]
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=second.update_id + 1, timeout=5))
    await asyncio.sleep(0.1)
    await control.send_text(ANNA, "later")
    woken = await poll
    assert [u.message.text for u in woken if u.message] == ["later"]
    assert time.monotonic() - started < 1.0


async def test_send_message_html_inline_keyboard_protected(
    bot: Bot, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    sent = await bot.send_message(
        ANNA,
        "<b>Nøgle</b> til <i>Anna</i> &amp; co",
        parse_mode=ParseMode.HTML,
        reply_markup=YES_NO,
        protect_content=True,
        disable_notification=True,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
        reply_parameters=ReplyParameters(message_id=1),
    )
    assert sent.text == "Nøgle til Anna & co"
    assert sent.has_protected_content is True
    assert sent.reply_markup == YES_NO
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "hej"
    assert [e.type for e in sent.entities] == ["bold", "italic"]
    assert sent.text_html == "<b>Nøgle</b> til <i>Anna</i> &amp; co"
    [_, shown] = await control.messages(ANNA)
    assert shown.text == "Nøgle til Anna & co"
    assert shown.html == "<b>Nøgle</b> til <i>Anna</i> &amp; co"
    assert (shown.buttons, shown.button_data("Nej")) == (["Ja", "Nej"], "no")
    assert shown.protect_content and shown.reply_to_message_id == 1


async def test_reply_keyboard_is_shown_not_echoed(bot: Bot, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    keyboard = ReplyKeyboardMarkup([[KeyboardButton("Nøgle"), "Hjælp"], ["Afbryd"]])
    sent = await bot.send_message(ANNA, "Vælg", reply_markup=keyboard)
    assert sent.reply_markup is None
    assert await control.keyboard(ANNA) == [["Nøgle", "Hjælp"], ["Afbryd"]]
    assert (await control.messages(ANNA))[-1].reply_keyboard is not None
    await bot.send_message(ANNA, "Væk", reply_markup=ReplyKeyboardRemove())
    assert await control.keyboard(ANNA) is None


async def test_edit_and_answer_callback(bot: Bot, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    sent = await bot.send_message(ANNA, "Spørgsmål?", reply_markup=YES_NO)
    update_id, query_id = await control.press(ANNA, sent.message_id, text="Ja")
    [update] = await bot.get_updates(offset=update_id)
    query = update.callback_query
    assert query is not None and query.data == "yes" and query.id == query_id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await query.answer("Tak", show_alert=True) is True
    assert (await control.callback_answer(query_id))["text"] == "Tak"
    edited = await bot.edit_message_text(
        "<b>Svar:</b> ja", chat_id=ANNA, message_id=sent.message_id, parse_mode=ParseMode.HTML
    )
    assert not isinstance(edited, bool)
    assert edited.text == "Svar: ja" and edited.edit_date is not None
    assert edited.reply_markup is None
    shown = await control.wait_for_message(ANNA, lambda m: m.edited)
    assert (shown.text, shown.buttons) == ("Svar: ja", [])


async def test_commands_per_scope_and_language(bot: Bot, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    general = [BotCommand("start", "Start"), BotCommand("help", "Help")]
    danish = [BotCommand("start", "Start"), BotCommand("hjaelp", "Hjælp")]
    planner = [BotCommand("oversigt", "Overblik")]
    assert await bot.set_my_commands(general)
    assert await bot.set_my_commands(
        danish, scope=BotCommandScopeAllPrivateChats(), language_code="da"
    )
    assert await bot.set_my_commands(planner, scope=BotCommandScopeChat(ANNA), language_code="da")
    assert await bot.get_my_commands(scope=BotCommandScopeChat(ANNA), language_code="da") == tuple(
        planner
    )
    assert await bot.get_my_commands(scope=BotCommandScopeChat(ANNA)) == ()
    stored = await control.commands({"type": "chat", "chat_id": ANNA}, "da")
    assert stored == [{"command": "oversigt", "description": "Overblik"}]
    assert await control.commands() == [c.to_dict() for c in general]
    assert [c["command"] for c in await control.effective_commands(ANNA, "da")] == ["oversigt"]
    assert [c["command"] for c in await control.effective_commands(7, "da")] == [
        "start",
        "hjaelp",
    ]
    assert [c["command"] for c in await control.effective_commands(7, "en")] == ["start", "help"]
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(ANNA), language_code="da")
    assert [c["command"] for c in await control.effective_commands(ANNA, "da")] == [
        "start",
        "hjaelp",
    ]
    with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
        await bot.set_my_commands(planner, scope=BotCommandScopeChat(999))


async def test_pin_delete_and_document(bot: Bot, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    sent = await bot.send_message(ANNA, "Vigtigt")
    assert await bot.pin_chat_message(ANNA, sent.message_id, disable_notification=True)
    assert [m.message_id for m in await control.pinned(ANNA)] == [sent.message_id]
    assert await bot.unpin_chat_message(ANNA, sent.message_id)
    assert await control.pinned(ANNA) == []
    assert await bot.delete_message(ANNA, sent.message_id)
    assert [m.message_id for m in await control.messages(ANNA)] == [1]
    document = await bot.send_document(
        ANNA,
        b"navn;telefon\nAnna;12345678\n",
        filename="medarbejdere.csv",
        caption="<b>Liste</b>",
        parse_mode=ParseMode.HTML,
        protect_content=True,
    )
    assert document.document is not None
    assert (document.document.file_name, document.document.mime_type) == (
        "medarbejdere.csv",
        "text/csv",
    )
    assert document.caption == "Liste"
    again = await bot.send_document(ANNA, document.document.file_id)
    assert again.document is not None and again.document.file_id == document.document.file_id
    file = await bot.get_file(document.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"navn;telefon\nAnna;12345678\n"
    shown = (await control.messages(ANNA))[-2]
    assert shown.document is not None and shown.text == "Liste" and shown.protect_content


async def test_user_document_can_be_downloaded(bot: Bot, control: EmulatorClient) -> None:
    update_id = await control.send_document(ANNA, "staff.csv", b"a;b\n", caption="ny liste")
    [update] = await bot.get_updates()
    assert update.update_id == update_id
    message = update.message
    assert message is not None and message.document is not None
    assert (message.caption, message.document.file_name) == ("ny liste", "staff.csv")
    file = await message.document.get_file()
    assert bytes(await file.download_as_bytearray()) == b"a;b\n"


async def test_failures_raise_the_right_exceptions(
    bot: Bot, control: EmulatorClient, emulator: BotApiEmulator, clock: FakeClock
) -> None:
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(ANNA, "hej")
    await control.send_text(ANNA, "hej")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(ANNA, "")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(ANNA, "x" * 4097)
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(ANNA, b"x", filename="a.txt", caption="c" * 1025)
    too_long_data = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="æ" * 33)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(ANNA, "t", reply_markup=too_long_data)
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "x" at byte offset 0'):
        await bot.send_message(ANNA, "<x>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Can't parse entities: unescaped"):
        await bot.send_message(ANNA, "A & B", parse_mode=ParseMode.HTML)
    sent = await bot.send_message(ANNA, "same")
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("same", chat_id=ANNA, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=ANNA, message_id=99)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("unknown")
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(ANNA, 99)
    clock.advance(49 * 3600)
    with pytest.raises(BadRequest, match="Message can't be deleted for everyone"):
        await bot.delete_message(ANNA, sent.message_id)
    await control.set_blocked(ANNA, True)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(ANNA, "hej")


async def test_flood_limit_raises_retry_after(
    bot: Bot, control: EmulatorClient, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without PTB_TIMEDELTA, PTB 22 itself warns (PTBDeprecationWarning) on building RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    await control.send_text(ANNA, "hej")
    emulator.flood_limit_per_chat = 1
    await bot.send_message(ANNA, "one")
    with pytest.raises(RetryAfter) as flood:
        await bot.send_message(ANNA, "two")
    assert flood.value.retry_after == dt.timedelta(seconds=1)


async def test_answer_text_limit_and_double_answer(bot: Bot, control: EmulatorClient) -> None:
    await control.send_text(ANNA, "hej")
    sent = await bot.send_message(ANNA, "?", reply_markup=YES_NO)
    _, query_id = await control.press(ANNA, sent.message_id, data="no")
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    await bot.answer_callback_query(query_id)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_application_polls_and_handles_updates(
    emulator: BotApiEmulator, control: EmulatorClient
) -> None:
    """A whole PTB Application: CommandHandler matches /start, a button press is answered."""

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, f"args={context.args}", reply_markup=YES_NO
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer(f"got {update.callback_query.data}")
        await update.callback_query.edit_message_text("done")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{emulator.base_url}/bot")
        .base_file_url(f"{emulator.base_url}/file/bot")
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await control.send_text(ANNA, "/start abc")
        reply = await control.wait_for_message(ANNA, after_message_id=1)
        assert reply.text == "args=['abc']"
        _, query_id = await control.press(ANNA, reply.message_id, text="Nej")
        await control.wait_for_message(ANNA, lambda m: m.text == "done")
        assert (await control.callback_answer(query_id))["text"] == "got no"
        await app.updater.stop()
        await app.stop()
    assert await control.pending_updates() == []
    # PTB cancels its in-flight poll on stop; the emulator ends it quietly, not with 409.
    assert all(call["ok"] for call in await control.calls("getUpdates"))


async def test_second_bot_instance_ends_the_first_poll_with_conflict(
    bot: Bot, emulator: BotApiEmulator
) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=3))
    await asyncio.sleep(0.1)
    async with Bot(TOKEN, base_url=f"{emulator.base_url}/bot") as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await older
