"""What people do in their chats with the bot; each action becomes an update for the bot.

A user who blocked the bot and writes again unblocks it first, as the Telegram app does
(the bot gets a my_chat_member update each time the block changes). A user may edit their
own messages (the text, or a file's caption) while the bot is not blocked; the bot gets an
edited_message update with the message as it now stands. A user may also write
in a group (the bot is a member; privacy mode is not emulated, so the bot gets every
message); that touches neither their private chat nor their block.
"""

from __future__ import annotations

import re
from typing import Any

from tgemu.errors import ApiError
from tgemu.html import Entity, utf16_len
from tgemu.markup import inline_buttons
from tgemu.views import message_json
from tgemu.world import Chat, World

JsonObject = dict[str, Any]

MAX_USER_TEXT = 4096
MAX_USER_CAPTION = 1024
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


def refused(reason: str, status: int = 400) -> ApiError:
    """Return a control API refusal."""
    return ApiError(status, reason)


def command_entities(text: str) -> tuple[Entity, ...]:
    """Return the bot_command entity Telegram puts on a leading "/command[@bot]"."""
    match = _COMMAND.match(text)
    if match is None:
        return ()
    return ({"type": "bot_command", "offset": 0, "length": utf16_len(match.group())},)


def write(world: World, user_id: int, text: str, profile: JsonObject) -> tuple[int, JsonObject]:
    """The user sends a text message; return the update_id and the Message."""
    _check_text(text)
    chat = _chat_of_user(world, user_id, profile)
    message = chat.add(
        from_bot=False, date=world.today(), text=text, entities=command_entities(text)
    )
    payload = message_json(world, chat, message)
    return world.updates.push("message", payload), payload


def write_in_group(
    world: World,
    chat_id: int,
    user_id: int,
    text: str,
    *,
    title: str | None,
    profile: JsonObject,
) -> tuple[int, JsonObject]:
    """The user writes in a group (created by its first message); return update_id, Message."""
    _check_text(text)
    if chat_id >= 0:
        raise refused("a group's chat_id must be negative")
    if title is not None and not title.strip():
        raise refused("title is empty")
    author = world.person(_user_id(user_id), profile)
    chat = world.group(chat_id, title)
    message = chat.add(
        from_bot=False,
        date=world.today(),
        author=author,
        text=text,
        entities=command_entities(text),
    )
    payload = message_json(world, chat, message)
    return world.updates.push("message", payload), payload


def _check_text(text: str) -> None:
    if not text.strip():
        raise refused("text is empty")
    if len(text) > MAX_USER_TEXT:
        raise refused("text is longer than 4096 characters")


def _user_id(user_id: int) -> int:
    if user_id <= 0:
        raise refused("user_id must be a positive integer")
    return user_id


def send_document(
    world: World,
    user_id: int,
    *,
    file_name: str,
    content: bytes,
    caption: str | None,
    mime_type: str | None,
    profile: JsonObject,
) -> tuple[int, JsonObject]:
    """The user sends a file; return the update_id and the Message."""
    if not content:
        raise refused("the file is empty")
    chat = _chat_of_user(world, user_id, profile)
    stored = world.files.add(content, file_name, mime_type)
    message = chat.add(
        from_bot=False,
        date=world.today(),
        text=caption or None,
        document=stored.document_json(),
    )
    payload = message_json(world, chat, message)
    return world.updates.push("message", payload), payload


def edit(world: World, user_id: int, message_id: int, text: str) -> tuple[int, JsonObject]:
    """The user edits a message of theirs: its text, or a file's caption ("" removes it).

    The bot gets an edited_message update carrying the whole message as it now stands.
    Return the update_id and that Message.
    """
    chat = _private_chat(world, user_id)
    if chat is None:
        raise refused(f"user {user_id} has no chat with the bot", 404)
    message = chat.messages.get(message_id)
    if message is None:
        raise refused(f"message {message_id} is not in chat {user_id}", 404)
    if message.from_bot:
        raise refused("a user can edit only their own messages")
    if chat.user.blocked:
        raise refused(f"user {user_id} has blocked the bot; unblock it first")
    new_text: str | None
    if message.document is None:
        _check_text(text)
        new_text, entities = text, command_entities(text)
    elif len(text) > MAX_USER_CAPTION:
        raise refused("caption is longer than 1024 characters")
    else:
        new_text, entities = text or None, ()
    if new_text == message.text:
        raise refused("the message is not modified")
    message.text, message.entities = new_text, entities
    message.edit_date = world.today()
    payload = message_json(world, chat, message)
    return world.updates.push("edited_message", payload), payload


def press(
    world: World,
    user_id: int,
    message_id: int,
    *,
    text: str | None,
    data: str | None,
    forge: bool,
) -> tuple[int, str]:
    """The user presses an inline button; return the update_id and the callback query id."""
    chat = _private_chat(world, user_id)
    if chat is None:
        raise refused(f"user {user_id} has no chat with the bot", 404)
    message = chat.messages.get(message_id)
    if message is None:
        raise refused(f"message {message_id} is not in chat {user_id}", 404)
    if forge:
        if data is None:
            raise refused("a forged press needs data")
        chosen = data
    else:
        chosen = _shown_button_data(message.inline_markup, message_id, text, data)
    record = world.new_callback(user_id, message_id, chosen)
    payload = {
        "id": record.id,
        "from": chat.user.as_json(),
        "message": message_json(world, chat, message),
        "chat_instance": str(8_000_000_000_000 + user_id),
        "data": chosen,
    }
    return world.updates.push("callback_query", payload), record.id


def _shown_button_data(
    markup: JsonObject | None, message_id: int, text: str | None, data: str | None
) -> str:
    if text is None and data is None:
        raise refused("say which button: text or data")
    buttons = inline_buttons(markup)
    for button in buttons:
        if (text is None or button["text"] == text) and (
            data is None or button.get("callback_data") == data
        ):
            found = button.get("callback_data")
            if not isinstance(found, str):
                raise refused(f"button {button['text']!r} has no callback_data")
            return found
    wanted = " and ".join(
        f"{name} {value!r}" for name, value in (("text", text), ("data", data)) if value
    )
    shown = [button["text"] for button in buttons]
    raise refused(f"no inline button with {wanted} on message {message_id}; shown: {shown}")


def set_blocked(world: World, user_id: int, blocked: bool) -> None:
    """The user blocks or unblocks the bot; the bot gets a my_chat_member update."""
    chat = _private_chat(world, user_id)
    if chat is None:
        raise refused(f"user {user_id} has no chat with the bot", 404)
    _change_block(world, chat, blocked)


def _change_block(world: World, chat: Chat, blocked: bool) -> None:
    if chat.user.blocked == blocked:
        return
    chat.user.blocked = blocked
    member = {"status": "member", "user": world.bot.as_json()}
    kicked = {"status": "kicked", "user": world.bot.as_json(), "until_date": 0}
    old, new = (member, kicked) if blocked else (kicked, member)
    payload = {
        "chat": chat.user.chat_json(),
        "from": chat.user.as_json(),
        "date": world.today(),
        "old_chat_member": old,
        "new_chat_member": new,
    }
    world.updates.push("my_chat_member", payload)


def _chat_of_user(world: World, user_id: int, profile: JsonObject) -> Chat:
    world.user(_user_id(user_id), profile)
    chat = world.chats[user_id]
    _change_block(world, chat, blocked=False)
    return chat


def _private_chat(world: World, user_id: int) -> Chat | None:
    chat = world.chats.get(user_id) if user_id > 0 else None
    return None if chat is None or chat.is_group else chat
