"""reply_markup: checked as Telegram checks it and sorted into inline, reply, remove."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tgemu.errors import BUTTON_DATA_INVALID, bad_request

JsonObject = dict[str, Any]

MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_BUTTONS = 100
"""Buttons one inline keyboard may have; Telegram refuses more ("reply markup is too long")."""

_INLINE_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)


@dataclass(frozen=True)
class Markup:
    """What a reply_markup asks for: an inline keyboard, a reply keyboard, or its removal."""

    inline: JsonObject | None = None
    reply_keyboard: JsonObject | None = None
    remove_keyboard: bool = False


def parse_markup(value: object) -> Markup:
    """Check a decoded reply_markup and classify it; raise a 400 where Telegram would."""
    if value is None:
        return Markup()
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        rows = _inline_rows(value["inline_keyboard"])
        return Markup(inline={"inline_keyboard": rows} if rows else None)
    if "keyboard" in value:
        _check_reply_rows(value["keyboard"])
        return Markup(reply_keyboard=dict(value))
    if value.get("remove_keyboard") is True:
        return Markup(remove_keyboard=True)
    if value.get("force_reply") is True:
        return Markup()
    raise bad_request("can't parse reply keyboard markup JSON object")


def inline_buttons(markup: JsonObject | None) -> list[JsonObject]:
    """Return the buttons of an inline keyboard, row by row."""
    if markup is None:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]


def reply_texts(markup: JsonObject) -> list[list[str]]:
    """Return the button texts of a reply keyboard, row by row."""
    return [[_reply_text(button) for button in row] for row in markup["keyboard"]]


def _inline_rows(rows: object) -> list[list[JsonObject]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse inline keyboard: rows must be arrays of buttons")
    checked: list[list[JsonObject]] = []
    for row in rows:
        checked_row = [_inline_button(button) for button in row]
        if checked_row:
            checked.append(checked_row)
    if sum(len(row) for row in checked) > MAX_INLINE_BUTTONS:
        raise bad_request("reply markup is too long")
    return checked


def _inline_button(button: object) -> JsonObject:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = _INLINE_ACTIONS.intersection(button)
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request(BUTTON_DATA_INVALID)
    if "url" in button and (not isinstance(button["url"], str) or not button["url"]):
        raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def _check_reply_rows(rows: object) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not isinstance(button, str) and not (
                isinstance(button, dict) and isinstance(button.get("text"), str)
            ):
                raise bad_request(
                    'can\'t parse keyboard button: Field "text" must be of type String'
                )


def _reply_text(button: object) -> str:
    if isinstance(button, str):
        return button
    assert isinstance(button, dict)
    text = button["text"]
    assert isinstance(text, str)
    return text
