"""Bot API methods that send, edit, delete and pin messages, and serve files."""

from __future__ import annotations

from typing import Any

from tgemu.errors import (
    CAPTION_TOO_LONG,
    DELETE_NOT_FOUND,
    DELETE_TOO_OLD,
    EDIT_NOT_FOUND,
    NOT_MODIFIED,
    TEXT_EMPTY,
    TEXT_TOO_LONG,
    bad_request,
)
from tgemu.html import FormattedText, HtmlParseError, parse_html, trim
from tgemu.markup import Markup, parse_markup
from tgemu.params import Params, UploadedFile
from tgemu.views import message_json
from tgemu.world import Chat, StoredFile, StoredMessage, World

JsonObject = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
DELETE_WINDOW_SECONDS = 48 * 3600

_PARSE_MODES = {"html": "HTML", "markdownv2": "MarkdownV2", "markdown": "Markdown"}


def parse_mode_of(value: str | None) -> str | None:
    """Return the canonical parse mode ("HTML", ...), None for none; refuse unknown ones."""
    if not value:
        return None
    mode = _PARSE_MODES.get(value.lower())
    if mode is None:
        raise bad_request("unsupported parse_mode")
    return mode


def format_text(raw: str, mode: str | None, entities: list[Any] | None) -> FormattedText:
    """Return what the user sees of raw text under a parse mode (Markdown is shown as sent)."""
    if mode == "HTML":
        try:
            return parse_html(raw)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error.reason}") from None
    given = tuple(e for e in entities or [] if isinstance(e, dict)) if mode is None else ()
    return trim(raw, given)


def message_text(p: Params) -> tuple[FormattedText, str | None]:
    """Check and format the text of sendMessage or editMessageText."""
    raw = p.text("text")
    mode = parse_mode_of(p.text("parse_mode"))
    if not raw or not raw.strip():
        raise bad_request(TEXT_EMPTY)
    formatted = format_text(raw, mode, p.array("entities"))
    if not formatted.text:
        raise bad_request(TEXT_EMPTY)
    if len(formatted.text) > MAX_TEXT:
        raise bad_request(TEXT_TOO_LONG)
    return formatted, mode


def caption_text(p: Params) -> tuple[FormattedText | None, str | None]:
    """Check and format an optional caption."""
    raw = p.text("caption")
    mode = parse_mode_of(p.text("parse_mode"))
    if not raw or not raw.strip():
        return None, mode
    formatted = format_text(raw, mode, p.array("caption_entities"))
    if len(formatted.text) > MAX_CAPTION:
        raise bad_request(CAPTION_TOO_LONG)
    return (formatted if formatted.text else None), mode


def reply_target(chat: Chat, p: Params) -> int | None:
    """Return the message this one replies to, checking that it exists."""
    parameters = p.obj("reply_parameters") or {}
    target = parameters.get("message_id", p.integer("reply_to_message_id"))
    if target is None:
        return None
    allow = bool(parameters.get("allow_sending_without_reply")) or p.flag(
        "allow_sending_without_reply"
    )
    if isinstance(target, int) and target in chat.messages:
        return target
    if allow:
        return None
    raise bad_request("message to be replied not found")


def apply_keyboard(chat: Chat, markup: Markup) -> None:
    """Show or remove the chat's reply keyboard as the markup asks."""
    if markup.reply_keyboard is not None:
        chat.keyboard = markup.reply_keyboard
    elif markup.remove_keyboard:
        chat.keyboard = None


async def send_message(world: World, p: Params) -> object:
    """sendMessage."""
    chat = world.chat_to_message(p.chat())
    formatted, mode = message_text(p)
    markup = parse_markup(p.value("reply_markup"))
    reply_to = reply_target(chat, p)
    world.check_flood(chat)
    message = chat.add(
        from_bot=True,
        date=world.today(),
        text=formatted.text,
        entities=formatted.entities,
        raw=p.text("text"),
        parse_mode=mode,
        inline_markup=markup.inline,
        reply_keyboard=markup.reply_keyboard,
        protect_content=p.flag("protect_content"),
        reply_to=reply_to,
    )
    apply_keyboard(chat, markup)
    return message_json(world, chat, message)


async def send_document(world: World, p: Params) -> object:
    """sendDocument, with an uploaded file or a known file_id."""
    chat = world.chat_to_message(p.chat())
    stored = _document(world, p.file("document"))
    caption, mode = caption_text(p)
    markup = parse_markup(p.value("reply_markup"))
    reply_to = reply_target(chat, p)
    world.check_flood(chat)
    message = chat.add(
        from_bot=True,
        date=world.today(),
        text=caption.text if caption else None,
        entities=caption.entities if caption else (),
        raw=p.text("caption") if caption else None,
        parse_mode=mode if caption else None,
        inline_markup=markup.inline,
        reply_keyboard=markup.reply_keyboard,
        protect_content=p.flag("protect_content"),
        document=stored.document_json(),
        reply_to=reply_to,
    )
    apply_keyboard(chat, markup)
    return message_json(world, chat, message)


def _document(world: World, document: UploadedFile | str | None) -> StoredFile:
    if document is None or document == "":
        raise bad_request("there is no document in the request")
    if isinstance(document, str):
        known = world.files.by_id(document)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return known
    if not document.content:
        raise bad_request("file must be non-empty")
    return world.files.add(document.content, document.filename or "document", None)


def editable(world: World, p: Params) -> tuple[Chat, StoredMessage]:
    """Return the bot message an edit names by chat_id and message_id."""
    if p.has("inline_message_id"):
        raise bad_request("inline messages are not emulated")
    chat = world.chat_for_bot(p.chat())
    message = chat.messages.get(p.required_integer("message_id"))
    if message is None:
        raise bad_request(EDIT_NOT_FOUND)
    if not message.from_bot:
        raise bad_request("message can't be edited")
    return chat, message


def _inline_markup(p: Params) -> JsonObject | None:
    markup = parse_markup(p.value("reply_markup"))
    if markup.reply_keyboard is not None or markup.remove_keyboard:
        raise bad_request("inline keyboard expected")
    return markup.inline


async def edit_message_text(world: World, p: Params) -> object:
    """editMessageText; leaving out reply_markup removes the inline keyboard, as in Telegram."""
    chat, message = editable(world, p)
    if message.document is not None:
        raise bad_request("there is no text in the message to edit")
    formatted, mode = message_text(p)
    inline = _inline_markup(p)
    _check_modified(message, formatted, inline)
    world.check_flood(chat)
    message.text, message.entities = formatted.text, formatted.entities
    message.raw, message.parse_mode = p.text("text"), mode
    message.inline_markup = inline
    message.edit_date = world.today()
    return message_json(world, chat, message)


async def edit_message_caption(world: World, p: Params) -> object:
    """editMessageCaption of a document the bot sent."""
    chat, message = editable(world, p)
    if message.document is None:
        raise bad_request("there is no caption in the message to edit")
    caption, mode = caption_text(p)
    formatted = caption or FormattedText("")
    inline = _inline_markup(p)
    _check_modified(message, formatted, inline, current_text=message.text or "")
    world.check_flood(chat)
    message.text, message.entities = (caption.text, caption.entities) if caption else (None, ())
    message.raw, message.parse_mode = (p.text("caption"), mode) if caption else (None, None)
    message.inline_markup = inline
    message.edit_date = world.today()
    return message_json(world, chat, message)


async def edit_message_reply_markup(world: World, p: Params) -> object:
    """editMessageReplyMarkup; no reply_markup removes the inline keyboard."""
    chat, message = editable(world, p)
    inline = _inline_markup(p)
    if inline == message.inline_markup:
        raise bad_request(NOT_MODIFIED)
    world.check_flood(chat)
    message.inline_markup = inline
    message.edit_date = world.today()
    return message_json(world, chat, message)


def _check_modified(
    message: StoredMessage,
    formatted: FormattedText,
    inline: JsonObject | None,
    *,
    current_text: str | None = None,
) -> None:
    text = message.text if current_text is None else current_text
    if (
        formatted.text == text
        and formatted.entities == message.entities
        and inline == message.inline_markup
    ):
        raise bad_request(NOT_MODIFIED)


async def delete_message(world: World, p: Params) -> object:
    """deleteMessage: any message of the chat younger than 48 hours (in a group, as an admin)."""
    chat = world.chat_for_bot(p.chat())
    message_id = p.required_integer("message_id")
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request(DELETE_NOT_FOUND)
    if world.now() - message.date > DELETE_WINDOW_SECONDS:
        raise bad_request(DELETE_TOO_OLD)
    del chat.messages[message_id]
    return True


async def pin_chat_message(world: World, p: Params) -> object:
    """pinChatMessage."""
    chat = world.chat_for_bot(p.chat())
    message = chat.messages.get(p.required_integer("message_id"))
    if message is None:
        raise bad_request("message to pin not found")
    message.pinned_at = next(chat.pin_order)
    return True


async def unpin_chat_message(world: World, p: Params) -> object:
    """unpinChatMessage: the given message, or the most recently pinned one."""
    chat = world.chat_for_bot(p.chat())
    message_id = p.integer("message_id")
    if message_id is None:
        pinned = chat.pinned()
        if pinned:
            pinned[-1].pinned_at = None
        return True
    message = chat.messages.get(message_id)
    if message is None:
        raise bad_request("message to unpin not found")
    message.pinned_at = None
    return True


async def unpin_all_chat_messages(world: World, p: Params) -> object:
    """unpinAllChatMessages."""
    chat = world.chat_for_bot(p.chat())
    for message in chat.pinned():
        message.pinned_at = None
    return True


async def get_file(world: World, p: Params) -> object:
    """getFile: the file_path to download a file from."""
    stored = world.files.by_id(p.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.file_json()
