"""A Python client for the emulator's control API, for tests and the training sandbox.

Besides playing users and reading chats it switches what the line to the emulator does:
Telegram's limits (``enable_telegram_limits``), latency (``set_latency``), a stop at a chosen
call (``stop_after``, ``wait_answered``) for crash tests; see ``tgemu.limits`` and
``tgemu.network``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

from tgemu.limits import TelegramLimits
from tgemu.network import Latency, StopMode, StopRule

JsonObject = dict[str, Any]

POLL_INTERVAL = 0.02


class ControlError(RuntimeError):
    """The control API refused a request."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat as it stands (the control API's view)."""

    message_id: int
    from_bot: bool
    text: str | None
    html: str | None
    parse_mode: str | None
    reply_markup: JsonObject | None
    reply_keyboard: JsonObject | None
    protect_content: bool
    pinned: bool
    edited: bool
    document: JsonObject | None
    date: int
    entities: tuple[JsonObject, ...] = field(default=())
    reply_to_message_id: int | None = None
    from_user_id: int | None = None

    @classmethod
    def from_json(cls, data: JsonObject) -> ChatMessage:
        """Build from a control API message object."""
        return cls(
            message_id=data["message_id"],
            from_bot=data["from_bot"],
            text=data.get("text"),
            html=data.get("html"),
            parse_mode=data.get("parse_mode"),
            reply_markup=data.get("reply_markup"),
            reply_keyboard=data.get("reply_keyboard"),
            protect_content=bool(data.get("protect_content")),
            pinned=bool(data.get("pinned")),
            edited=bool(data.get("edited")),
            document=data.get("document"),
            date=data["date"],
            entities=tuple(data.get("entities") or ()),
            reply_to_message_id=data.get("reply_to_message_id"),
            from_user_id=data.get("from_user_id"),
        )

    @property
    def button_rows(self) -> list[list[str]]:
        """Return the inline button texts, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    @property
    def buttons(self) -> list[str]:
        """Return the inline button texts in order."""
        return [text for row in self.button_rows for text in row]

    def button_data(self, text: str) -> str:
        """Return the callback_data of the inline button with this text (KeyError if none)."""
        for row in (self.reply_markup or {}).get("inline_keyboard", []):
            for button in row:
                if button["text"] == text and isinstance(button.get("callback_data"), str):
                    return str(button["callback_data"])
        raise KeyError(f"no inline button {text!r} with callback_data; shown: {self.buttons}")


@dataclass(frozen=True)
class AnswerCounts:
    """Bot API calls answered so far, per method: ok, failed (a Telegram error), stopped.

    ``failed_by_status`` splits the failed ones by status: {429: {"sendMessage": 12}}.
    """

    ok: dict[str, int]
    failed: dict[str, int]
    stopped: dict[str, int]
    failed_by_status: dict[int, dict[str, int]] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: JsonObject) -> AnswerCounts:
        """Build from the control API's {"ok": {...}, "failed": {...}, "stopped": {...}, ...}."""
        by_status = data.get("failed_by_status") or {}
        return cls(
            ok=dict(data.get("ok") or {}),
            failed=dict(data.get("failed") or {}),
            stopped=dict(data.get("stopped") or {}),
            failed_by_status={int(status): dict(counts) for status, counts in by_status.items()},
        )

    def failed_with(self, status: int) -> int:
        """Return how many calls of any method failed with this status (429: rate limited)."""
        return sum(self.failed_by_status.get(status, {}).values())


@dataclass(frozen=True)
class StopStatus:
    """The stop rule set (or None) and whether it is stopping calls now."""

    rule: StopRule | None
    stopped: bool

    @classmethod
    def from_json(cls, data: JsonObject) -> StopStatus:
        """Build from the control API's {"stop_after": rule | null, "stopped": bool}."""
        rule = data.get("stop_after")
        return cls(rule=None if rule is None else StopRule(**rule), stopped=bool(data["stopped"]))


class EmulatorClient:
    """Async client for /control/ on a running emulator.

    ``connections`` keeps that many connections open (by default httpx keeps 20): a benchmark
    playing many people at once needs more, or each request past 20 opens a new connection.
    """

    def __init__(
        self, base_url: str, *, timeout: float = 10.0, connections: int | None = None
    ) -> None:
        limits = (
            httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
            if connections is not None
            else httpx.Limits(max_connections=100, max_keepalive_connections=20)
        )
        self._http = httpx.AsyncClient(
            base_url=f"{base_url.rstrip('/')}/control",
            timeout=timeout,
            trust_env=False,
            limits=limits,
        )

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                description = str(response.json().get("description", response.text))
            except (ValueError, AttributeError):
                description = response.text
            raise ControlError(response.status_code, description)
        return response.json()

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        language_code: str = "da",
        last_name: str | None = None,
        username: str | None = None,
    ) -> int:
        """The user writes text to the bot; return the update_id."""
        body = _profile(first_name, language_code, last_name, username) | {"text": text}
        result = await self._request("POST", f"/users/{user_id}/messages", json=body)
        return int(result["update_id"])

    async def send_group_text(
        self,
        chat_id: int,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        title: str = "Gruppe",
        language_code: str = "da",
    ) -> int:
        """The user writes text in a group; return the update_id.

        The group (chat_id < 0; "supergroup" if it starts with -100) is created by its first
        message and named by that message's title; later titles are ignored.
        """
        body = _profile(first_name, language_code, None, None) | {
            "user_id": user_id,
            "text": text,
            "title": title,
        }
        result = await self._request("POST", f"/groups/{chat_id}/messages", json=body)
        return int(result["update_id"])

    async def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes,
        caption: str | None = None,
        *,
        mime_type: str | None = None,
        first_name: str = "Test",
        language_code: str = "da",
    ) -> int:
        """The user sends the bot a file; return the update_id."""
        body: JsonObject = _profile(first_name, language_code, None, None) | {
            "file_name": file_name,
            "content_base64": base64.b64encode(content).decode("ascii"),
        }
        if caption is not None:
            body["caption"] = caption
        if mime_type is not None:
            body["mime_type"] = mime_type
        result = await self._request("POST", f"/users/{user_id}/documents", json=body)
        return int(result["update_id"])

    async def edit(self, user_id: int, message_id: int, text: str) -> int:
        """The user edits a message they sent: its text, or a file's caption; return the update_id.

        The bot gets an edited_message update with the whole message as it now stands.
        """
        body = {"message_id": message_id, "text": text}
        result = await self._request("POST", f"/users/{user_id}/edits", json=body)
        return int(result["update_id"])

    async def press(
        self,
        user_id: int,
        message_id: int,
        *,
        text: str | None = None,
        data: str | None = None,
        forge: bool = False,
    ) -> tuple[int, str]:
        """The user presses an inline button; return (update_id, callback_query_id)."""
        body: JsonObject = {"message_id": message_id, "forge": forge}
        if text is not None:
            body["text"] = text
        if data is not None:
            body["data"] = data
        result = await self._request("POST", f"/users/{user_id}/press", json=body)
        return int(result["update_id"]), str(result["callback_query_id"])

    async def set_blocked(self, user_id: int, blocked: bool = True) -> None:
        """The user blocks (or unblocks) the bot."""
        await self._request("POST", f"/users/{user_id}/block", json={"blocked": blocked})

    async def messages(self, chat_id: int) -> list[ChatMessage]:
        """Return the chat (private or group) as it stands, oldest first."""
        result = await self._request("GET", f"/chats/{chat_id}/messages")
        return [ChatMessage.from_json(item) for item in result]

    async def keyboard_markup(self, chat_id: int) -> JsonObject | None:
        """Return the ReplyKeyboardMarkup shown now, as sent, or None."""
        result = await self._request("GET", f"/chats/{chat_id}/keyboard")
        return result if isinstance(result, dict) else None

    async def keyboard(self, chat_id: int) -> list[list[str]] | None:
        """Return the button texts of the reply keyboard shown now, or None."""
        markup = await self.keyboard_markup(chat_id)
        if markup is None:
            return None
        return [
            [button if isinstance(button, str) else button["text"] for button in row]
            for row in markup["keyboard"]
        ]

    async def pinned(self, chat_id: int) -> list[ChatMessage]:
        """Return the pinned messages, the most recently pinned last."""
        result = await self._request("GET", f"/chats/{chat_id}/pinned")
        return [ChatMessage.from_json(item) for item in result]

    async def file_content(self, file_id: str) -> bytes:
        """The content of a file the bot or a user sent."""
        data = await self._request("GET", f"/files/{file_id}")
        return base64.b64decode(data["content_base64"])

    async def file(self, file_id: str) -> tuple[str, str, bytes]:
        """Return a file the bot or a user sent: its name, MIME type and content."""
        data = await self._request("GET", f"/files/{file_id}")
        return (
            str(data["file_name"]),
            str(data["mime_type"]),
            base64.b64decode(data["content_base64"]),
        )

    async def document_text(self, message: ChatMessage) -> str:
        """The text of a document message's file (UTF-8)."""
        if message.document is None:
            raise ValueError("that message has no document")
        return (await self.file_content(str(message.document["file_id"]))).decode("utf-8")

    async def callback_answer(self, callback_query_id: str) -> JsonObject:
        """Return {"answered", "text", "show_alert", "url", "cache_time"} for a query."""
        result: JsonObject = await self._request("GET", f"/callback_answers/{callback_query_id}")
        return result

    async def commands(
        self, scope: JsonObject | None = None, language_code: str = ""
    ) -> list[JsonObject]:
        """Return exactly the commands stored for a scope (None: default) and language."""
        query = {"language_code": language_code}
        if scope is not None:
            query["scope"] = json.dumps(scope)
        result: list[JsonObject] = await self._request("GET", "/commands", params=query)
        return result

    async def effective_commands(self, chat_id: int, language_code: str = "") -> list[JsonObject]:
        """Return the commands the chat's user sees, resolved as Telegram does."""
        query = {"chat_id": str(chat_id), "language_code": language_code}
        result: list[JsonObject] = await self._request("GET", "/commands/effective", params=query)
        return result

    async def calls(self, method: str | None = None, *, after: int = 0) -> list[JsonObject]:
        """Return the Bot API call log, optionally only one method's calls.

        Each call has "seq", "at" (emulated unix time of the answer), "method", "params",
        "ok", "error_code" and "description". ``after``: only the calls with a higher seq
        (to follow the log without reading it all again).
        """
        params = {"after": str(after)} if after else None
        result: list[JsonObject] = await self._request("GET", "/calls", params=params)
        if method is None:
            return result
        return [call for call in result if call["method"].lower() == method.lower()]

    async def clear_calls(self) -> None:
        """Empty the call log."""
        await self._request("DELETE", "/calls")

    async def pending_updates(self) -> list[JsonObject]:
        """Return the updates the bot has not confirmed yet."""
        result: list[JsonObject] = await self._request("GET", "/updates/pending")
        return result

    async def set_flood_limit(self, limit_per_chat: float | None) -> None:
        """Switch the per-chat flood limit (messages per second; None for none)."""
        await self._request("POST", "/flood", json={"limit_per_chat": limit_per_chat})

    async def advance_clock(self, seconds: float) -> float:
        """Move the emulated clock forward; return the new unix time.

        Telegram's limits refill by this clock too.
        """
        result = await self._request("POST", "/clock", json={"advance_seconds": seconds})
        return float(result["now"])

    async def enable_telegram_limits(self, limits: TelegramLimits | None = None) -> TelegramLimits:
        """Switch Telegram's limits on (None: Telegram's numbers); the buckets start full.

        Sends, edits, deletions and pins then get 429 with retry_after when a private chat
        (3 at once, 1 a second), a group (20 a minute) or the bot (30 a second) is over its
        limit. Return the numbers in force.
        """
        body = (limits or TelegramLimits()).as_json() | {"enabled": True}
        result = await self._request("POST", "/limits", json=body)
        return _limits_of(result) or TelegramLimits()

    async def disable_telegram_limits(self) -> None:
        """Switch Telegram's limits off (the default)."""
        await self._request("POST", "/limits", json={"enabled": False})

    async def telegram_limits(self) -> TelegramLimits | None:
        """Return the numbers of Telegram's limits in force, or None when they are off."""
        return _limits_of(await self._request("GET", "/limits"))

    async def set_latency(
        self, seconds: float, *, jitter: float = 0.0, seed: int | None = None
    ) -> Latency:
        """Delay every Bot API call by seconds plus up to jitter more (seeded); 0 for none."""
        body = {"seconds": seconds, "jitter": jitter, "seed": seed}
        return Latency(**(await self._request("POST", "/latency", json=body)))

    async def latency(self) -> Latency:
        """Return the delay before each Bot API call."""
        return Latency(**(await self._request("GET", "/latency")))

    async def stop_after(
        self, method: str, count: int, *, mode: StopMode = "drop", status: int = 502
    ) -> StopStatus:
        """Stop every Bot API call once count calls of method have been answered ok.

        count is the ok total since the start or ``reset_answered`` (``answered()`` tells it
        now); the call that reaches it is answered normally, every later call on the token
        (any method, and file downloads) gets a dropped connection ("drop") or status
        ("error") until ``clear_stop``. A count already reached stops at once.
        """
        body = {"method": method, "count": count, "mode": mode, "status": status}
        return StopStatus.from_json(await self._request("POST", "/stop_after", json=body))

    async def clear_stop(self) -> None:
        """Clear the stop rule: calls are served again."""
        await self._request("DELETE", "/stop_after")

    async def stop_status(self) -> StopStatus:
        """Return the stop rule and whether it is stopping calls now."""
        return StopStatus.from_json(await self._request("GET", "/stop_after"))

    async def answered(self) -> AnswerCounts:
        """Return how many Bot API calls of each method were answered: ok, failed, stopped."""
        return AnswerCounts.from_json(await self._request("GET", "/answered"))

    async def reset_answered(self) -> None:
        """Count answered calls from zero again (a stop that has happened stays)."""
        await self._request("DELETE", "/answered")

    async def wait_answered(self, method: str, count: int, *, timeout: float = 10.0) -> int:
        """Wait until count calls of method were answered ok; return the ok count.

        The emulator holds the request until then (no polling). Raise TimeoutError when the
        count is not reached within timeout seconds.
        """
        query = {"method": method, "count": str(count), "timeout": str(timeout)}
        result = await self._request(
            "GET", "/wait", params=query, timeout=httpx.Timeout(timeout + 10.0)
        )
        if not result["reached"]:
            raise TimeoutError(
                f"{result['method']} was answered ok {result['answered']} times within "
                f"{timeout}s, not {count}"
            )
        return int(result["answered"])

    async def changes(self, after: int = 0, *, timeout: float = 25.0) -> int:
        """Return the change counter once it is above ``after``, or at the timeout.

        It grows with each Bot API call answered ok that is not a read, and each control
        action: a watcher refreshes what it shows when it grows.
        """
        query = {"after": str(after), "timeout": str(timeout)}
        result = await self._request(
            "GET", "/changes", params=query, timeout=httpx.Timeout(timeout + 10.0)
        )
        return int(result["version"])

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[ChatMessage], bool] | None = None,
        *,
        after_message_id: int = 0,
        timeout: float = 5.0,
    ) -> ChatMessage:
        """Wait for a bot message newer than after_message_id that matches predicate."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            current = await self.messages(chat_id)
            for message in current:
                newer = message.from_bot and message.message_id > after_message_id
                if newer and (predicate is None or predicate(message)):
                    return message
            if loop.time() >= deadline:
                texts = [(m.message_id, "bot" if m.from_bot else "user", m.text) for m in current]
                raise TimeoutError(
                    f"no matching bot message in chat {chat_id} after message "
                    f"{after_message_id} within {timeout}s; chat now: {texts}"
                )
            await asyncio.sleep(POLL_INTERVAL)


def _limits_of(data: JsonObject) -> TelegramLimits | None:
    if not data.get("enabled"):
        return None
    return TelegramLimits.from_json({k: v for k, v in data.items() if k != "enabled"})


def _profile(
    first_name: str, language_code: str, last_name: str | None, username: str | None
) -> JsonObject:
    profile: JsonObject = {"first_name": first_name, "language_code": language_code}
    if last_name is not None:
        profile["last_name"] = last_name
    if username is not None:
        profile["username"] = username
    return profile
