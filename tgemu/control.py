"""The control API under /control/: play people and inspect what the bot did (JSON, no token).

    POST   /control/users/{user_id}/messages    {"text", "first_name"?, "last_name"?,
                                                 "username"?, "language_code"?}
    POST   /control/users/{user_id}/documents   {"file_name", "content_base64", "caption"?,
                                                 "mime_type"?}
    POST   /control/users/{user_id}/edits       {"message_id", "text"}  the user edits their
                                                 message's text (or a file's caption)
    POST   /control/users/{user_id}/press       {"message_id", "text"?, "data"?, "forge"?}
    POST   /control/users/{user_id}/block       {"blocked": true|false}
    POST   /control/groups/{chat_id}/messages   {"user_id", "text", "first_name"?, "last_name"?,
                                                 "username"?, "language_code"?, "title"?}
                                                 a user writes in a group (chat_id < 0); the
                                                 first message creates it, named by its title
    GET    /control/chats/{chat_id}/messages    the chat (private or group) as it stands
    GET    /control/chats/{chat_id}/keyboard    the reply keyboard shown now, or null
    GET    /control/chats/{chat_id}/pinned      the pinned messages
    GET    /control/callback_answers/{id}       {"answered", "text", "show_alert", ...}
    GET    /control/files/{file_id}             {"file_name", "mime_type", "content_base64"}
    GET    /control/commands?scope=<json>&language_code=xx    exactly the stored list
    GET    /control/commands/effective?chat_id=N&language_code=xx    as the user sees it
    GET    /control/calls?after=SEQ, DELETE /control/calls    the Bot API call log: each call's
                                                 "seq", "at" (emulated unix time of the answer),
                                                 "method", "params", "ok", "error_code",
                                                 "description"; after: only seq above it
    GET    /control/updates/pending             updates the bot has not confirmed
    POST   /control/flood                       {"limit_per_chat": 1.0 | null}  the simple
                                                 per-chat limit (messages a second)
    POST   /control/clock                       {"advance_seconds": 3600}
    GET    /control/limits                      Telegram's limits in force: {"enabled", numbers}
    POST   /control/limits                      {"enabled"?: true, "private_chat_rate"?: 1.0,
                                                 "private_chat_burst"?: 3, "group_per_minute"?:
                                                 20, "group_burst"?: 20, "global_rate"?: 30,
                                                 "global_burst"?: 30}  numbers left out are
                                                 Telegram's; {"enabled": false} switches off
    GET    /control/latency, POST /control/latency   {"seconds": 0.15, "jitter"?: 0.05,
                                                 "seed"?: 7}  before every Bot API call
    GET    /control/stop_after                  {"stop_after": rule | null, "stopped": bool}
    POST   /control/stop_after                  {"method": "sendMessage", "count": N,
                                                 "mode"?: "drop" | "error", "status"?: 502}
    DELETE /control/stop_after                  clear the rule: calls are served again
    GET    /control/answered                    {"ok": {method: n}, "failed": {...},
                                                 "stopped": {...}, "failed_by_status":
                                                 {"429": {method: n}}}  calls answered so far
    DELETE /control/answered                    count from zero again
    GET    /control/wait?method=M&count=N&timeout=10   answer once N calls of M were
                                                 answered ok, or at the timeout:
                                                 {"method", "count", "answered", "reached"}
    GET    /control/changes?after=N&timeout=25  answer {"version"} once the change counter
                                                 is above N, or at the timeout: it grows with
                                                 each Bot API call answered ok that is not a
                                                 get*, and each POST here (``tgemu.changes``)

Posting a message or an edit answers {"update_id", "message"} (the Message the bot gets).
Limits, latency and the stop rule are described in ``tgemu.limits`` and ``tgemu.network``;
control routes are never delayed, limited or stopped.
Refusals answer {"ok": false, "error_code": N, "description": "..."} with status N.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from tgemu import people
from tgemu.botapi import canonical_method, known_method
from tgemu.commands import scope_key
from tgemu.errors import ApiError
from tgemu.limits import TelegramLimits
from tgemu.network import Latency, StopRule
from tgemu.views import control_message
from tgemu.world import World

JsonObject = dict[str, Any]
Route = Callable[[web.Request], Awaitable[object]]

log = logging.getLogger(__name__)

DEFAULT_WAIT_SECONDS = 10.0
MAX_WAIT_SECONDS = 600.0


class ControlApi:
    """Route handlers over one World."""

    def __init__(self, world: World) -> None:
        self.world = world

    def routes(self) -> list[web.RouteDef]:
        """Return the control API's routes."""
        table: list[tuple[str, str, Route]] = [
            ("POST", "/control/users/{user_id}/messages", self.user_message),
            ("POST", "/control/users/{user_id}/documents", self.user_document),
            ("POST", "/control/users/{user_id}/edits", self.user_edit),
            ("POST", "/control/users/{user_id}/press", self.user_press),
            ("POST", "/control/users/{user_id}/block", self.user_block),
            ("POST", "/control/groups/{chat_id}/messages", self.group_message),
            ("GET", "/control/chats/{chat_id}/messages", self.chat_messages),
            ("GET", "/control/chats/{chat_id}/keyboard", self.chat_keyboard),
            ("GET", "/control/files/{file_id}", self.file),
            ("GET", "/control/chats/{chat_id}/pinned", self.chat_pinned),
            ("GET", "/control/callback_answers/{query_id}", self.callback_answer),
            ("GET", "/control/commands", self.commands),
            ("GET", "/control/commands/effective", self.effective_commands),
            ("GET", "/control/calls", self.calls),
            ("DELETE", "/control/calls", self.clear_calls),
            ("GET", "/control/updates/pending", self.pending_updates),
            ("POST", "/control/flood", self.flood),
            ("POST", "/control/clock", self.clock),
            ("GET", "/control/limits", self.limits),
            ("POST", "/control/limits", self.set_limits),
            ("GET", "/control/latency", self.latency),
            ("POST", "/control/latency", self.set_latency),
            ("GET", "/control/stop_after", self.stop_after),
            ("POST", "/control/stop_after", self.set_stop_after),
            ("DELETE", "/control/stop_after", self.clear_stop_after),
            ("GET", "/control/answered", self.answered),
            ("DELETE", "/control/answered", self.reset_answered),
            ("GET", "/control/wait", self.wait),
            ("GET", "/control/changes", self.changes),
        ]
        return [
            web.route(method, path, _as_json(handler, self.world, counts=method != "GET"))
            for method, path, handler in table
        ]

    async def user_message(self, request: web.Request) -> object:
        """A user writes to the bot."""
        body = await _body(request)
        update_id, message = people.write(
            self.world, _path_int(request, "user_id"), _required_str(body, "text"), body
        )
        return {"update_id": update_id, "message": message}

    async def user_document(self, request: web.Request) -> object:
        """A user sends the bot a file."""
        body = await _body(request)
        try:
            content = base64.b64decode(_required_str(body, "content_base64"), validate=True)
        except binascii.Error:
            raise people.refused("content_base64 is not base64") from None
        update_id, message = people.send_document(
            self.world,
            _path_int(request, "user_id"),
            file_name=_required_str(body, "file_name"),
            content=content,
            caption=_optional_str(body, "caption"),
            mime_type=_optional_str(body, "mime_type"),
            profile=body,
        )
        return {"update_id": update_id, "message": message}

    async def user_edit(self, request: web.Request) -> object:
        """A user edits a message they sent (its text, or a file's caption)."""
        body = await _body(request)
        message_id = body.get("message_id")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise people.refused("message_id must be an integer")
        update_id, message = people.edit(
            self.world, _path_int(request, "user_id"), message_id, _required_str(body, "text")
        )
        return {"update_id": update_id, "message": message}

    async def user_press(self, request: web.Request) -> object:
        """A user presses an inline button (or forges a press)."""
        body = await _body(request)
        message_id = body.get("message_id")
        if not isinstance(message_id, int):
            raise people.refused("message_id must be an integer")
        update_id, query_id = people.press(
            self.world,
            _path_int(request, "user_id"),
            message_id,
            text=_optional_str(body, "text"),
            data=_optional_str(body, "data"),
            forge=body.get("forge") is True,
        )
        return {"update_id": update_id, "callback_query_id": query_id}

    async def user_block(self, request: web.Request) -> object:
        """A user blocks or unblocks the bot."""
        body = await _body(request)
        blocked = body.get("blocked", True)
        if not isinstance(blocked, bool):
            raise people.refused("blocked must be true or false")
        user_id = _path_int(request, "user_id")
        people.set_blocked(self.world, user_id, blocked)
        return {"user_id": user_id, "blocked": blocked}

    async def group_message(self, request: web.Request) -> object:
        """A user writes in a group the bot is a member of."""
        body = await _body(request)
        user_id = body.get("user_id")
        if not isinstance(user_id, int) or isinstance(user_id, bool):
            raise people.refused("user_id must be an integer")
        update_id, message = people.write_in_group(
            self.world,
            _path_int(request, "chat_id"),
            user_id,
            _required_str(body, "text"),
            title=_optional_str(body, "title"),
            profile=body,
        )
        return {"update_id": update_id, "message": message}

    async def chat_messages(self, request: web.Request) -> object:
        """The chat as it stands, oldest first; deleted messages are absent."""
        chat = self.world.chats.get(_path_int(request, "chat_id"))
        return [control_message(m) for m in chat.messages.values()] if chat else []

    async def chat_keyboard(self, request: web.Request) -> object:
        """The reply keyboard shown to the user now, or null."""
        chat = self.world.chats.get(_path_int(request, "chat_id"))
        return chat.keyboard if chat else None

    async def chat_pinned(self, request: web.Request) -> object:
        """The pinned messages, the most recently pinned last."""
        chat = self.world.chats.get(_path_int(request, "chat_id"))
        return [control_message(m) for m in chat.pinned()] if chat else []

    async def file(self, request: web.Request) -> object:
        """A file the bot or a user sent, with its content."""
        stored = self.world.files.by_id(request.match_info["file_id"])
        if stored is None:
            raise people.refused("unknown file_id", 404)
        return {
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "content_base64": base64.b64encode(stored.content).decode("ascii"),
        }

    async def callback_answer(self, request: web.Request) -> object:
        """How the bot answered a callback query."""
        record = self.world.callbacks.get(request.match_info["query_id"])
        if record is None:
            raise people.refused("unknown callback_query_id", 404)
        return record.as_json()

    async def commands(self, request: web.Request) -> object:
        """Exactly the commands stored for a scope and language."""
        raw_scope = request.query.get("scope")
        try:
            scope = json.loads(raw_scope) if raw_scope else None
        except ValueError:
            raise people.refused("scope is not JSON") from None
        if scope is not None and not isinstance(scope, dict):
            raise people.refused("scope must be a JSON object")
        language = request.query.get("language_code", "")
        return self.world.commands.get(scope_key(scope), language)

    async def effective_commands(self, request: web.Request) -> object:
        """The commands a chat's user sees, resolved as Telegram resolves them."""
        try:
            chat_id = int(request.query.get("chat_id", ""))
        except ValueError:
            raise people.refused("chat_id must be an integer") from None
        return self.world.commands.effective(chat_id, request.query.get("language_code", ""))

    async def calls(self, request: web.Request) -> object:
        """The Bot API call log; with ?after=SEQ only the calls numbered above SEQ."""
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            raise people.refused("after must be an integer") from None
        return self.world.calls.all(after)

    async def clear_calls(self, request: web.Request) -> object:
        """Empty the call log."""
        self.world.calls.clear()
        return {"cleared": True}

    async def pending_updates(self, request: web.Request) -> object:
        """Updates the bot has not confirmed yet."""
        return self.world.updates.pending()

    async def flood(self, request: web.Request) -> object:
        """Switch the per-chat flood limit (messages per second; null for none)."""
        limit = (await _body(request)).get("limit_per_chat")
        if limit is not None and (not isinstance(limit, int | float) or isinstance(limit, bool)):
            raise people.refused("limit_per_chat must be a number or null")
        self.world.flood_limit_per_chat = None if limit is None else float(limit)
        return {"limit_per_chat": self.world.flood_limit_per_chat}

    async def clock(self, request: web.Request) -> object:
        """Move the emulated clock forward."""
        seconds = (await _body(request)).get("advance_seconds", 0)
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise people.refused("advance_seconds must be a number >= 0")
        self.world.clock_offset += float(seconds)
        return {"now": self.world.now()}

    async def limits(self, request: web.Request) -> object:
        """Telegram's limits in force."""
        return _limits_json(self.world.limits.limits)

    async def set_limits(self, request: web.Request) -> object:
        """Switch Telegram's limits on (numbers left out are Telegram's) or off."""
        body = await _body(request)
        enabled = body.pop("enabled", True)
        if not isinstance(enabled, bool):
            raise people.refused("enabled must be true or false")
        try:
            limits = TelegramLimits.from_json(body) if enabled else None
        except (TypeError, ValueError) as error:
            raise people.refused(str(error)) from None
        self.world.limits.configure(limits)
        return _limits_json(limits)

    async def latency(self, request: web.Request) -> object:
        """The delay before each Bot API call."""
        return self.world.network.latency.as_json()

    async def set_latency(self, request: web.Request) -> object:
        """Set the delay before each Bot API call (seconds 0: none)."""
        body = await _body(request)
        unknown = sorted(set(body) - {"seconds", "jitter", "seed"})
        if unknown:
            raise people.refused(f"unknown field {unknown[0]!r}")
        try:
            latency = Latency(
                seconds=body.get("seconds", 0.0),
                jitter=body.get("jitter", 0.0),
                seed=body.get("seed"),
            )
        except ValueError as error:
            raise people.refused(str(error)) from None
        self.world.network.set_latency(latency)
        return latency.as_json()

    async def stop_after(self, request: web.Request) -> object:
        """The stop rule and whether it is stopping calls now."""
        return self._stop_json()

    async def set_stop_after(self, request: web.Request) -> object:
        """Stop every Bot API call once count calls of method were answered ok."""
        body = await _body(request)
        method = _required_str(body, "method")
        if not known_method(method):
            raise people.refused(f"unknown Bot API method {method!r}")
        count = body.get("count")
        if not isinstance(count, int) or isinstance(count, bool):
            raise people.refused("count must be an integer >= 0")
        try:
            rule = StopRule(
                method=canonical_method(method),
                count=count,
                mode=body.get("mode", "drop"),
                status=body.get("status", 502),
            )
        except ValueError as error:
            raise people.refused(str(error)) from None
        self.world.network.set_stop(rule)
        return self._stop_json()

    async def clear_stop_after(self, request: web.Request) -> object:
        """Clear the stop rule: calls are served again."""
        self.world.network.set_stop(None)
        return self._stop_json()

    def _stop_json(self) -> JsonObject:
        network = self.world.network
        rule = network.stop_rule
        return {
            "stop_after": None if rule is None else rule.as_json(),
            "stopped": network.stopped is not None,
        }

    async def answered(self, request: web.Request) -> object:
        """How many calls of each method were answered: ok, failed, stopped."""
        return self.world.network.counts_json()

    async def reset_answered(self, request: web.Request) -> object:
        """Count answered calls from zero again."""
        self.world.network.reset_counts()
        return self.world.network.counts_json()

    async def wait(self, request: web.Request) -> object:
        """Wait until count calls of method were answered ok, or until the timeout."""
        method = request.query.get("method", "")
        if not known_method(method):
            raise people.refused(f"unknown Bot API method {method!r}")
        method = canonical_method(method)
        try:
            count = int(request.query.get("count", "1"))
            timeout = float(request.query.get("timeout", str(DEFAULT_WAIT_SECONDS)))
        except ValueError:
            raise people.refused("count must be an integer and timeout a number") from None
        if count < 0 or not 0 <= timeout <= MAX_WAIT_SECONDS:
            raise people.refused(f"count must be >= 0 and timeout from 0 to {MAX_WAIT_SECONDS}")
        reached = await self.world.network.wait(method, count, timeout)
        return {
            "method": method,
            "count": count,
            "answered": self.world.network.answered(method),
            "reached": reached,
        }

    async def changes(self, request: web.Request) -> object:
        """Wait until the change counter is above ``after``, or until the timeout."""
        try:
            after = int(request.query.get("after", "0"))
            timeout = float(request.query.get("timeout", str(DEFAULT_WAIT_SECONDS)))
        except ValueError:
            raise people.refused("after must be an integer and timeout a number") from None
        if not 0 <= timeout <= MAX_WAIT_SECONDS:
            raise people.refused(f"timeout must be from 0 to {MAX_WAIT_SECONDS}")
        return {"version": await self.world.changes.wait(after, timeout)}


def _limits_json(limits: TelegramLimits | None) -> JsonObject:
    numbers = (limits or TelegramLimits()).as_json()
    return {"enabled": limits is not None, **numbers}


def _as_json(
    handler: Route, world: World, *, counts: bool
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """Answer a route's result as JSON; a change (``counts``) that went through is counted."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            result = await handler(request)
        except ApiError as error:
            log.info("control %s refused: %s", request.path, error.status)
            return web.json_response(error.payload(), status=error.status)
        if counts:
            world.changes.bump()
        return web.json_response(result)

    return wrapped


async def _body(request: web.Request) -> JsonObject:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise people.refused("the body must be JSON") from None
    if not isinstance(body, dict):
        raise people.refused("the body must be a JSON object")
    return body


def _path_int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise people.refused(f"{name} must be an integer") from None


def _required_str(body: JsonObject, name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str):
        raise people.refused(f"{name} must be a string")
    return value


def _optional_str(body: JsonObject, name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise people.refused(f"{name} must be a string")
    return value
