"""The HTTP server: the Bot API at /bot{token}/{method}, files, and the control API.

Listens on loopback only. No access log: request paths carry the bot token.

A Bot API call first waits out the latency (``tgemu.network``), then is checked against the
token and the stop rule, then runs (Telegram's limits are checked in ``call_method``), and
is logged and counted as it is answered.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import traceback
from collections.abc import Awaitable, Callable
from types import TracebackType

from aiohttp import web

from tgemu.botapi import call_method, canonical_method
from tgemu.changes import is_read
from tgemu.control import ControlApi
from tgemu.errors import ApiError, bad_request, unauthorized
from tgemu.limits import TelegramLimits
from tgemu.network import Latency
from tgemu.params import Params, UploadedFile
from tgemu.updates import client_connected
from tgemu.world import BotIdentity, World

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 60 * 1024 * 1024
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def is_loopback(host: str) -> bool:
    """Tell whether host names this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@web.middleware
async def _only_this_machine(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Answer only programs on this machine: a browser's request (it names its page's
    Origin) and a request addressed by another name (a page that rebinds its DNS name to
    127.0.0.1) are refused, so no web page can play the emulator's users or its bot."""
    host = request.host.rsplit(":", 1)[0].strip("[]")
    if "Origin" in request.headers or not is_loopback(host):
        return web.json_response(
            {"ok": False, "error_code": 403, "description": "Forbidden: local programs only"},
            status=403,
        )
    return await handler(request)


class BotApiEmulator:
    """A local Telegram Bot API server with a control API to play the bot's users."""

    def __init__(
        self,
        *,
        token: str,
        bot_username: str = "bekey_test_bot",
        bot_id: int = 7000000001,
        host: str = "127.0.0.1",
        port: int = 0,
        now: Callable[[], float] | None = None,
        bot_first_name: str = "Bekey",
        flood_limit_per_chat: float | None = None,
        conflict_on_concurrent_polls: bool = True,
        telegram_limits: TelegramLimits | None = None,
        latency: Latency | None = None,
    ) -> None:
        """Make an emulator for one bot token; ``start`` (or ``async with``) runs it.

        ``now`` is the clock (unix seconds; default ``time.time``) behind message dates and
        Telegram's limits. ``flood_limit_per_chat`` switches on the simple per-chat limit
        (messages a second), ``telegram_limits`` Telegram's limits (``TelegramLimits()``
        for Telegram's numbers), ``latency`` a delay before every Bot API call.
        """
        if not is_loopback(host):
            raise ValueError("the emulator listens on loopback addresses only")
        if not token:
            raise ValueError("a token is required")
        self._token = token
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.world = World(
            BotIdentity(id=bot_id, first_name=bot_first_name, username=bot_username),
            now=now,
            flood_limit_per_chat=flood_limit_per_chat,
            conflict_on_concurrent_polls=conflict_on_concurrent_polls,
            telegram_limits=telegram_limits,
            latency=latency,
        )

    @property
    def base_url(self) -> str:
        """Return the server root, e.g. "http://127.0.0.1:43117"."""
        if self._runner is None:
            raise RuntimeError("the emulator is not running")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}"

    @property
    def flood_limit_per_chat(self) -> float | None:
        """Return the per-chat limit in messages per second (None: no limit)."""
        return self.world.flood_limit_per_chat

    @flood_limit_per_chat.setter
    def flood_limit_per_chat(self, limit: float | None) -> None:
        self.world.flood_limit_per_chat = limit

    @property
    def telegram_limits(self) -> TelegramLimits | None:
        """Return the numbers of Telegram's limits in force (None: off)."""
        return self.world.limits.limits

    @telegram_limits.setter
    def telegram_limits(self, limits: TelegramLimits | None) -> None:
        self.world.limits.configure(limits)

    @property
    def latency(self) -> Latency:
        """Return the delay before each Bot API call."""
        return self.world.network.latency

    @latency.setter
    def latency(self, latency: Latency) -> None:
        self.world.network.set_latency(latency)

    async def start(self) -> None:
        """Start listening; port 0 picks a free port."""
        if self._runner is not None:
            return
        self.world.updates.reopen()
        self.world.network.reopen()
        runner = web.AppRunner(
            self._app(), access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        self._port = int(runner.addresses[0][1])
        self._runner = runner
        log.info("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        """Answer waiting long polls and stop listening."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self.world.updates.close()
        self.world.network.close()
        await runner.cleanup()
        log.info("Bot API emulator stopped")

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_REQUEST_BYTES, middlewares=[_only_this_machine])
        app.router.add_route("*", "/bot{token}/{method}", self._bot_api)
        app.router.add_get("/file/bot{token}/{file_path:.+}", self._file)
        app.router.add_routes(ControlApi(self.world).routes())
        return app

    def _token_ok(self, token: str) -> bool:
        return hmac.compare_digest(token.encode(), self._token.encode())

    async def _bot_api(self, request: web.Request) -> web.Response:
        method = canonical_method(request.match_info["method"])
        network = self.world.network
        delay = network.delay()
        if delay > 0:
            await asyncio.sleep(delay)
        token_ok = self._token_ok(request.match_info["token"])
        params: Params | None = None
        try:
            raw = await _read_params(request)
            if not token_ok:
                raise unauthorized()
            params = Params(raw)
        except ApiError as error:
            if token_ok and network.stopped:
                return self._stopped(request, method, params)
            return self._failed(method, params, error)
        if network.stopped:
            return self._stopped(request, method, params)
        try:
            client_connected.set(lambda: _connected(request))
            result = await call_method(self.world, method, params)
        except ApiError as error:
            if network.stopped:
                return self._stopped(request, method, params)
            return self._failed(method, params, error)
        except Exception as crash:  # an emulator bug: answer as Telegram's 500 would
            log.error("Bot API %s crashed: %s at %s", method, type(crash).__name__, _where(crash))
            internal = ApiError(500, f"Internal Server Error: {type(crash).__name__}")
            return self._failed(method, params, internal)
        if network.stopped:
            return self._stopped(request, method, params)
        self._record(method, params, None)
        return web.json_response({"ok": True, "result": result})

    def _failed(self, method: str, params: Params | None, error: ApiError) -> web.Response:
        self._record(method, params, error)
        return web.json_response(error.payload(), status=error.status)

    def _stopped(self, request: web.Request, method: str, params: Params | None) -> web.Response:
        """Answer a call the stop rule stops: drop the connection, or a 5xx."""
        rule = self.world.network.stopped
        assert rule is not None
        logged = params.for_log() if params is not None else {}
        self.world.network.count(method, "stopped")
        if rule.mode == "drop":
            self.world.calls.record(method, logged, (None, "connection dropped"))
            log.info("Bot API %s stopped: connection dropped", method)
            return _drop(request)
        error = ApiError(rule.status, rule.description)
        self.world.calls.record(method, logged, (error.status, error.description))
        log.info("Bot API %s stopped with %s", method, error.status)
        return web.json_response(error.payload(), status=error.status)

    def _record(self, method: str, params: Params | None, error: ApiError | None) -> None:
        logged = params.for_log() if params is not None else {}
        outcome = None if error is None else (error.status, error.description)
        self.world.calls.record(method, logged, outcome)
        if error is None:
            self.world.network.count(method, "ok")
            if not is_read(method):
                self.world.changes.bump()
        else:
            self.world.network.count(method, "failed", error.status)
        if error is not None:
            log.info("Bot API %s failed with %s", method, error.status)
        else:
            log.debug("Bot API %s ok", method)

    async def _file(self, request: web.Request) -> web.Response:
        if not self._token_ok(request.match_info["token"]):
            return web.json_response(unauthorized().payload(), status=401)
        rule = self.world.network.stopped
        if rule is not None and rule.mode == "drop":
            return _drop(request)
        if rule is not None:
            error = ApiError(rule.status, rule.description)
            return web.json_response(error.payload(), status=error.status)
        stored = self.world.files.by_path(request.match_info["file_path"])
        if stored is None:
            error = ApiError(404, "Not Found: file not found")
            return web.json_response(error.payload(), status=404)
        mime_type = stored.mime_type.split(";")[0].strip() or "application/octet-stream"
        return web.Response(body=stored.content, content_type=mime_type)


def _drop(request: web.Request) -> web.Response:
    """Close the caller's connection without an answer (the response is never written)."""
    transport = request.transport
    if transport is not None:
        transport.close()
    return web.Response(status=503)


def _connected(request: web.Request) -> bool:
    """Tell whether the caller's connection is still open."""
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _where(crash: BaseException) -> str:
    """Name the file and line an exception came from (not its message, which may hold text)."""
    frames = traceback.extract_tb(crash.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


async def _read_params(request: web.Request) -> dict[str, object]:
    """Gather parameters from the query string and a form, multipart or JSON body."""
    raw: dict[str, object] = dict(request.query)
    if not request.can_read_body:
        return raw
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise bad_request("the request body must be a JSON object")
        raw.update(body)
    elif request.content_type in _FORM_TYPES:
        form = await request.post()
        for name, value in form.items():
            raw[name] = _form_value(value)
    return raw


def _form_value(value: object) -> object:
    if isinstance(value, web.FileField):
        return UploadedFile(
            filename=value.filename, content_type=value.content_type, content=value.file.read()
        )
    if isinstance(value, bytes):
        return value.decode()
    return value
