"""Bot API parameters: decoded per parameter by its known type, as Telegram decodes them.

python-telegram-bot sends form fields where every non-string value is JSON text ("123",
"true", '{"inline_keyboard": ...}') and plain strings raw; a JSON body carries native
values. Each known parameter is decoded by its kind; ``text`` and other strings never are.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tgemu.errors import ApiError, bad_request

JsonObject = dict[str, Any]


class Kind(Enum):
    """How a parameter's value is decoded."""

    STR = "str"
    INT = "int"
    CHAT = "chat"
    BOOL = "bool"
    JSON = "json"
    FILE = "file"


_KINDS: dict[str, Kind] = {
    **dict.fromkeys(
        (
            "message_id",
            "offset",
            "limit",
            "timeout",
            "reply_to_message_id",
            "cache_time",
            "message_thread_id",
            "user_id",
            "until_date",
        ),
        Kind.INT,
    ),
    **dict.fromkeys(("chat_id", "from_chat_id"), Kind.CHAT),
    **dict.fromkeys(
        (
            "protect_content",
            "disable_notification",
            "show_alert",
            "drop_pending_updates",
            "allow_sending_without_reply",
            "disable_web_page_preview",
            "disable_content_type_detection",
            "allow_paid_broadcast",
            "show_caption_above_media",
            "for_channels",
        ),
        Kind.BOOL,
    ),
    **dict.fromkeys(
        (
            "reply_markup",
            "commands",
            "scope",
            "entities",
            "caption_entities",
            "link_preview_options",
            "reply_parameters",
            "allowed_updates",
            "menu_button",
            "rights",
            "message_ids",
        ),
        Kind.JSON,
    ),
    **dict.fromkeys(("document", "thumbnail"), Kind.FILE),
}

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0", ""})


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    content: bytes


class Params:
    """The decoded parameters of one call, read through typed accessors."""

    def __init__(self, raw: Mapping[str, object]) -> None:
        self._values: dict[str, object] = {
            name: _decode(name, value, raw) for name, value in raw.items()
        }

    def for_log(self) -> JsonObject:
        """Return the parameters for the call log, with file bytes left out."""
        return {name: _loggable(value) for name, value in self._values.items()}

    def has(self, name: str) -> bool:
        """Tell whether the parameter was given."""
        return self._values.get(name) is not None

    def value(self, name: str) -> object:
        """Return the decoded value, or None."""
        return self._values.get(name)

    def text(self, name: str) -> str | None:
        """Return a string parameter, or None."""
        value = self._values.get(name)
        if value is None or isinstance(value, str):
            return value
        raise bad_request(f"parameter {name} must be a string")

    def integer(self, name: str) -> int | None:
        """Return an integer parameter, or None."""
        value = self._values.get(name)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        raise bad_request(f"parameter {name} must be an integer")

    def required_integer(self, name: str) -> int:
        """Return an integer parameter that must be given."""
        value = self.integer(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def flag(self, name: str) -> bool:
        """Return a boolean parameter, False when absent."""
        value = self._values.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        raise bad_request(f"parameter {name} must be a boolean")

    def chat(self, name: str = "chat_id") -> int | str:
        """Return a chat identifier: an int, or a string such as "@channel"."""
        value = self._values.get(name)
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, int | str) and not isinstance(value, bool):
            return value
        raise bad_request(f"parameter {name} must be an integer or a string")

    def obj(self, name: str) -> JsonObject | None:
        """Return a JSON object parameter, or None."""
        value = self._values.get(name)
        if value is None or isinstance(value, dict):
            return value
        raise bad_request(f"can't parse {name} JSON object")

    def array(self, name: str) -> list[Any] | None:
        """Return a JSON array parameter, or None."""
        value = self._values.get(name)
        if value is None or isinstance(value, list):
            return value
        raise bad_request(f"can't parse {name} JSON array")

    def file(self, name: str) -> UploadedFile | str | None:
        """Return an uploaded file or a file_id string, or None."""
        value = self._values.get(name)
        if value is None or isinstance(value, UploadedFile | str):
            return value
        raise bad_request(f"parameter {name} must be a file or a file_id")


def _decode(name: str, value: object, raw: Mapping[str, object]) -> object:
    kind = _KINDS.get(name, Kind.STR)
    if value is None:
        return None
    if kind is Kind.INT:
        return _decode_int(name, value)
    if kind is Kind.CHAT:
        return _decode_chat(value)
    if kind is Kind.BOOL:
        return _decode_bool(name, value)
    if kind is Kind.JSON:
        return _decode_json(name, value)
    if kind is Kind.FILE:
        return _decode_file(value, raw)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _decode_int(name: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise bad_request(f"invalid {name} specified")


def _decode_chat(value: object) -> object:
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return value
    return value


def _decode_bool(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise bad_request(f"invalid {name} specified")


def _decode_json(name: str, value: object) -> object:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        if name == "reply_markup":
            raise bad_request("can't parse reply keyboard markup JSON object") from None
        raise bad_request(f"can't parse {name} JSON object") from None


def _decode_file(value: object, raw: Mapping[str, object]) -> object:
    if isinstance(value, str) and value.startswith("attach://"):
        attached = raw.get(value.removeprefix("attach://"))
        if not isinstance(attached, UploadedFile):
            raise ApiError(400, "Bad Request: file to attach not found")
        return attached
    return value


def _loggable(value: object) -> object:
    if isinstance(value, UploadedFile):
        return {
            "file_name": value.filename,
            "mime_type": value.content_type,
            "size": len(value.content),
        }
    return value
