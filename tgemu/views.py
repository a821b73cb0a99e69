"""How stored state is shown: as Telegram objects to the bot, as plain JSON to the control API."""

from __future__ import annotations

from typing import Any

from tgemu.world import Chat, StoredMessage, World

JsonObject = dict[str, Any]


def message_json(
    world: World, chat: Chat, message: StoredMessage, *, nested: bool = False
) -> JsonObject:
    """Return a stored message as a full Telegram Message object."""
    author = message.author
    sender = world.bot.as_json() if message.from_bot or author is None else author.as_json()
    body: JsonObject = {
        "message_id": message.message_id,
        "from": sender,
        "chat": chat.as_json(),
        "date": message.date,
    }
    text_key, entities_key = (
        ("caption", "caption_entities") if message.document else ("text", "entities")
    )
    if message.document is not None:
        body["document"] = dict(message.document)
    if message.text is not None:
        body[text_key] = message.text
    if message.entities:
        body[entities_key] = [dict(entity) for entity in message.entities]
    if message.inline_markup is not None:
        body["reply_markup"] = message.inline_markup
    if message.protect_content:
        body["has_protected_content"] = True
    if message.edit_date is not None:
        body["edit_date"] = message.edit_date
    replied = chat.messages.get(message.reply_to) if message.reply_to is not None else None
    if replied is not None and not nested:
        body["reply_to_message"] = message_json(world, chat, replied, nested=True)
    return body


def control_message(message: StoredMessage) -> JsonObject:
    """Return a stored message as the control API shows it."""
    return {
        "message_id": message.message_id,
        "from_bot": message.from_bot,
        "from_user_id": None if message.author is None else message.author.id,
        "text": message.text,
        "html": message.raw if message.parse_mode == "HTML" else None,
        "parse_mode": message.parse_mode,
        "entities": [dict(entity) for entity in message.entities],
        "reply_markup": message.inline_markup,
        "reply_keyboard": message.reply_keyboard,
        "protect_content": message.protect_content,
        "pinned": message.pinned_at is not None,
        "edited": message.edit_date is not None,
        "document": message.document,
        "reply_to_message_id": message.reply_to,
        "date": message.date,
    }
