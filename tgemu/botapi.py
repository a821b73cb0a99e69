"""The Bot API method table: names (case-insensitive) to handlers, and the simpler methods."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from tgemu import messages
from tgemu.commands import check_commands, scope_key
from tgemu.errors import (
    ANSWER_TOO_LONG,
    QUERY_INVALID,
    ApiError,
    bad_request,
    method_not_found,
)
from tgemu.limits import COUNTED_METHODS
from tgemu.params import Params
from tgemu.world import World

JsonObject = dict[str, Any]
Handler = Callable[[World, Params], Awaitable[object]]

MAX_ANSWER_TEXT = 200
_LANGUAGE = re.compile(r"[a-z]{2}")


async def get_me(world: World, p: Params) -> object:
    """getMe."""
    return {
        **world.bot.as_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


async def get_updates(world: World, p: Params) -> object:
    """getUpdates: confirm by offset, then long-poll up to timeout seconds."""
    return await world.updates.poll(
        offset=p.integer("offset"),
        limit=p.integer("limit"),
        timeout=float(p.integer("timeout") or 0),
        allowed_updates=p.array("allowed_updates"),
    )


async def delete_webhook(world: World, p: Params) -> object:
    """deleteWebhook (there is never a webhook); drop_pending_updates is honoured."""
    if p.flag("drop_pending_updates"):
        world.updates.drop_all()
    return True


async def get_webhook_info(world: World, p: Params) -> object:
    """getWebhookInfo."""
    return {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending()),
    }


async def always_true(world: World, p: Params) -> object:
    """close, logOut: nothing to do."""
    return True


async def answer_callback_query(world: World, p: Params) -> object:
    """answerCallbackQuery: each query can be answered once."""
    text = p.text("text")
    if text is not None and len(text) > MAX_ANSWER_TEXT:
        raise bad_request(ANSWER_TOO_LONG)
    record = world.callbacks.get(p.text("callback_query_id") or "")
    if record is None or record.answered:
        raise bad_request(QUERY_INVALID)
    record.answered = True
    record.text = text
    record.show_alert = p.flag("show_alert")
    record.url = p.text("url")
    record.cache_time = p.integer("cache_time")
    return True


def _scope(world: World, p: Params) -> tuple[str, str]:
    key = scope_key(p.obj("scope"))
    if ":" in key:
        world.chat_for_bot(int(key.split(":")[1]))
    language = p.text("language_code") or ""
    if language and not _LANGUAGE.fullmatch(language):
        raise bad_request("LANG_CODE_INVALID")
    return key, language


async def set_my_commands(world: World, p: Params) -> object:
    """setMyCommands for a scope and language."""
    commands = check_commands(p.array("commands") or [])
    key, language = _scope(world, p)
    world.commands.set(key, language, commands)
    return True


async def get_my_commands(world: World, p: Params) -> object:
    """getMyCommands: exactly the list stored for that scope and language."""
    key, language = _scope(world, p)
    return world.commands.get(key, language)


async def delete_my_commands(world: World, p: Params) -> object:
    """deleteMyCommands."""
    key, language = _scope(world, p)
    world.commands.delete(key, language)
    return True


def _text_setter(field: str, limit: int) -> Handler:
    async def handler(world: World, p: Params) -> object:
        value = p.text(field) or ""
        if len(value) > limit:
            raise bad_request(f"{field.upper()}_INVALID")
        world.texts[(field, p.text("language_code") or "")] = value
        return True

    return handler


def _text_getter(field: str) -> Handler:
    async def handler(world: World, p: Params) -> object:
        language = p.text("language_code") or ""
        stored = world.texts.get((field, language), world.texts.get((field, ""), ""))
        if field == "name" and not stored:
            stored = world.bot.first_name
        return {field: stored}

    return handler


async def set_chat_menu_button(world: World, p: Params) -> object:
    """setChatMenuButton for one chat, or the default when chat_id is left out."""
    button = p.obj("menu_button")
    if p.has("chat_id"):
        world.chat_for_bot(p.chat()).menu_button = button
    else:
        world.menu_button = button
    return True


async def get_chat_menu_button(world: World, p: Params) -> object:
    """getChatMenuButton."""
    button = world.chat_for_bot(p.chat()).menu_button if p.has("chat_id") else None
    return button or world.menu_button or {"type": "commands"}


async def send_chat_action(world: World, p: Params) -> object:
    """sendChatAction ("typing", ...)."""
    world.chat_to_message(p.chat())
    if not p.text("action"):
        raise bad_request("action is empty")
    return True


async def get_chat(world: World, p: Params) -> object:
    """getChat for a private chat or a group."""
    chat = world.chat_for_bot(p.chat())
    return {
        **chat.as_json(),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


_HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "close": always_true,
    "logOut": always_true,
    "sendMessage": messages.send_message,
    "sendDocument": messages.send_document,
    "editMessageText": messages.edit_message_text,
    "editMessageCaption": messages.edit_message_caption,
    "editMessageReplyMarkup": messages.edit_message_reply_markup,
    "deleteMessage": messages.delete_message,
    "pinChatMessage": messages.pin_chat_message,
    "unpinChatMessage": messages.unpin_chat_message,
    "unpinAllChatMessages": messages.unpin_all_chat_messages,
    "getFile": messages.get_file,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": _text_setter("description", 512),
    "getMyDescription": _text_getter("description"),
    "setMyShortDescription": _text_setter("short_description", 120),
    "getMyShortDescription": _text_getter("short_description"),
    "setMyName": _text_setter("name", 64),
    "getMyName": _text_getter("name"),
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
    "sendChatAction": send_chat_action,
    "getChat": get_chat,
}
_BY_LOWER = {name.lower(): name for name in _HANDLERS}


def canonical_method(method: str) -> str:
    """Return the method's usual spelling ("sendmessage" -> "sendMessage"), or it as given."""
    return _BY_LOWER.get(method.lower(), method)


def known_method(method: str) -> bool:
    """Tell whether the emulator serves this method (any case)."""
    return method.lower() in _BY_LOWER


async def call_method(world: World, method: str, params: Params) -> object:
    """Run one Bot API method; raise ApiError as Telegram would fail it.

    A method Telegram's limits count takes its tokens first (or fails with 429) when it
    names an existing chat; see ``tgemu.limits``.
    """
    name = _BY_LOWER.get(method.lower())
    if name is None:
        raise method_not_found()
    if name in COUNTED_METHODS:
        chat_id = _existing_chat(world, params)
        if chat_id is not None:
            world.limits.check(name, chat_id)
    return await _HANDLERS[name](world, params)


def _existing_chat(world: World, params: Params) -> int | None:
    """Return the chat_id the call names when that chat exists (else the method fails)."""
    try:
        chat_id = params.chat()
    except ApiError:
        return None
    return chat_id if isinstance(chat_id, int) and chat_id in world.chats else None
