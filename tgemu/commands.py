"""Bot commands stored per (scope, language_code) and resolved for a chat as Telegram does."""

from __future__ import annotations

import re
from typing import Any

from tgemu.errors import bad_request

JsonObject = dict[str, Any]

MAX_COMMANDS = 100
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SCOPES_WITH_CHAT = frozenset({"chat", "chat_administrators", "chat_member"})
_SCOPES = frozenset(
    {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
    | _SCOPES_WITH_CHAT
)


def scope_key(scope: JsonObject | None) -> str:
    """Return a stable key for a BotCommandScope object (None is the default scope)."""
    if scope is None:
        return "default"
    kind = scope.get("type")
    if kind not in _SCOPES:
        raise bad_request("can't parse BotCommandScope: unknown type")
    if kind not in _SCOPES_WITH_CHAT:
        return str(kind)
    chat_id = _as_int(scope.get("chat_id"))
    if chat_id is None:
        raise bad_request("chat not found")
    if kind == "chat_member":
        user_id = _as_int(scope.get("user_id"))
        if user_id is None:
            raise bad_request("user not found")
        return f"chat_member:{chat_id}:{user_id}"
    return f"{kind}:{chat_id}"


def check_commands(commands: list[Any]) -> list[JsonObject]:
    """Check a setMyCommands list as Telegram does and return it as stored."""
    if len(commands) > MAX_COMMANDS:
        raise bad_request("too many commands specified")
    checked: list[JsonObject] = []
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND.fullmatch(name.lstrip("/").lower()):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name.lstrip("/").lower(), "description": description})
    return checked


class CommandStore:
    """The command lists, keyed by scope key and language code ("" for none)."""

    def __init__(self) -> None:
        self._lists: dict[tuple[str, str], list[JsonObject]] = {}

    def set(self, key: str, language_code: str, commands: list[JsonObject]) -> None:
        """Store a list; an empty list deletes it."""
        if commands:
            self._lists[(key, language_code)] = list(commands)
        else:
            self._lists.pop((key, language_code), None)

    def get(self, key: str, language_code: str) -> list[JsonObject]:
        """Return exactly the list stored for this scope and language (no fallback)."""
        return list(self._lists.get((key, language_code), []))

    def delete(self, key: str, language_code: str) -> None:
        """Forget the list for this scope and language."""
        self._lists.pop((key, language_code), None)

    def effective(self, chat_id: int, language_code: str) -> list[JsonObject]:
        """Resolve what a chat's user sees: chat, all private (or group) chats, then default.

        A group (negative chat_id) is resolved as for a member who is no administrator;
        the chat_member scope is not looked at.
        """
        all_chats = "all_group_chats" if chat_id < 0 else "all_private_chats"
        for key in (f"chat:{chat_id}", all_chats, "default"):
            for language in dict.fromkeys((language_code, "")):
                found = self._lists.get((key, language))
                if found:
                    return list(found)
        return []


def _as_int(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None
