"""The page's server: static files, a small JSON API, and a stream of server-sent events.

    GET  /                          the page (static/index.html); /static/* its files
    GET  /api/state                 clock, demo people, exercises, phones without network
    GET  /api/phones/{id}           one phone's screen (chat, pinned, keyboard, menu)
    POST /api/phones/{id}/messages  {"text"}  the person writes
    POST /api/phones/{id}/press     {"message_id", "data"}  the person presses a button;
                                    answers {"answer"}: the bot's short answer, or null
    POST /api/phones/{id}/network   {"online": true|false}
    POST /api/phones/{id}/pinned    the person opened the pinned message
    POST /api/clock                 {"minutes": 15}
    POST /api/reset                 back to the demo state
    GET  /api/files/{file_id}       a file from a chat, as a download
    GET  /api/events                server-sent events: "change" after every change

Every file the page uses is served from here; nothing comes from the internet. A POST from
another site (an Origin that is not this server) is refused.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiohttp import web

from sandbox.training import NotAPerson, Offline, Sandbox

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
STATIC_FILES = {
    "app.js": "text/javascript",
    "app.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
KEEPALIVE_SECONDS = 15.0
LOCAL_NAMES = frozenset({"127.0.0.1", "localhost", "[::1]"})
"""The names this machine's browser uses for the sandbox (the Host header it sends)."""
SANDBOX_KEY = web.AppKey("sandbox", Sandbox)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error(status: int, da: str, en: str) -> web.Response:
    """Answer a refusal the page can show, in Danish and English."""
    return web.json_response({"error": {"da": da, "en": en}}, status=status)


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse other sites' POSTs, and any request not addressed to this machine by its own
    name (a page that rebinds its DNS name to 127.0.0.1 gets nothing); turn the sandbox's
    refusals into JSON the page shows."""
    if request.host.rsplit(":", 1)[0] not in LOCAL_NAMES:
        return error(403, "Kun fra denne maskine.", "Only from this machine.")
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin is not None and origin != f"http://{request.host}":
        return error(403, "Kun fra sandkassens egen side.", "Only from the sandbox's own page.")
    try:
        return await handler(request)
    except NotAPerson:
        return error(404, "Ingen sådan person i sandkassen.", "No such person in the sandbox.")
    except Offline:
        return error(
            409, "Telefonen har intet net: slå nettet til igen.", "The phone has no network."
        )
    except ValueError as exc:
        log.info("sandbox refused %s: %s", request.path, exc)
        return error(400, "Det kan sandkassen ikke.", "The sandbox cannot do that.")


def build_web_app(sandbox: Sandbox) -> web.Application:
    """Return the page's aiohttp application over a running sandbox."""
    app = web.Application(middlewares=[guard], client_max_size=64 * 1024)
    app[SANDBOX_KEY] = sandbox
    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/phones/{telegram_id}", phone)
    app.router.add_post("/api/phones/{telegram_id}/messages", write)
    app.router.add_post("/api/phones/{telegram_id}/press", press)
    app.router.add_post("/api/phones/{telegram_id}/network", network)
    app.router.add_post("/api/phones/{telegram_id}/pinned", pinned)
    app.router.add_post("/api/clock", clock)
    app.router.add_post("/api/reset", reset)
    app.router.add_get("/api/files/{file_id}", download)
    app.router.add_get("/api/events", events)
    return app


def _sandbox(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


def _telegram_id(request: web.Request) -> int:
    try:
        return int(request.match_info["telegram_id"])
    except ValueError:
        raise NotAPerson(request.match_info["telegram_id"]) from None


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except json.JSONDecodeError:
        raise ValueError("the body must be JSON") from None
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


def _no_store(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


async def index(request: web.Request) -> web.StreamResponse:
    """Serve the page."""
    return _no_store(
        web.Response(
            body=(STATIC / "index.html").read_bytes(), content_type="text/html", charset="utf-8"
        )
    )


async def static(request: web.Request) -> web.StreamResponse:
    """Serve one of the page's own files (by name, from a fixed list)."""
    name = request.match_info["name"]
    content_type = STATIC_FILES.get(name)
    if content_type is None:
        raise web.HTTPNotFound()
    body = (STATIC / name).read_bytes()
    charset = None if content_type.startswith("image/") else "utf-8"
    return _no_store(web.Response(body=body, content_type=content_type, charset=charset))


async def state(request: web.Request) -> web.StreamResponse:
    """The clock, the demo people, the exercises and the phones without network."""
    return _no_store(web.json_response(_sandbox(request).state()))


async def phone(request: web.Request) -> web.StreamResponse:
    """One phone's screen."""
    return _no_store(web.json_response(await _sandbox(request).phone(_telegram_id(request))))


async def write(request: web.Request) -> web.StreamResponse:
    """The person writes to the bot."""
    text = (await _body(request)).get("text")
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    await _sandbox(request).write(_telegram_id(request), text)
    return web.json_response({"ok": True})


async def press(request: web.Request) -> web.StreamResponse:
    """The person presses an inline button."""
    body = await _body(request)
    message_id, data = body.get("message_id"), body.get("data")
    if not isinstance(message_id, int) or not isinstance(data, str):
        raise ValueError("message_id must be a number and data a string")
    answer = await _sandbox(request).press(_telegram_id(request), message_id, data)
    return web.json_response({"answer": answer})


async def network(request: web.Request) -> web.StreamResponse:
    """Switch a phone's network on or off."""
    online = (await _body(request)).get("online")
    if not isinstance(online, bool):
        raise ValueError("online must be true or false")
    _sandbox(request).set_online(_telegram_id(request), online)
    return web.json_response({"online": online})


async def pinned(request: web.Request) -> web.StreamResponse:
    """The person opened the pinned message."""
    await _sandbox(request).pinned_opened(_telegram_id(request))
    return web.json_response({"ok": True})


async def clock(request: web.Request) -> web.StreamResponse:
    """Move the clock forward."""
    minutes = (await _body(request)).get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        raise ValueError("minutes must be a whole number")
    sandbox = _sandbox(request)
    await sandbox.advance(minutes)
    return web.json_response(sandbox.state())


async def reset(request: web.Request) -> web.StreamResponse:
    """Go back to the demo state."""
    sandbox = _sandbox(request)
    await sandbox.reset()
    return web.json_response(sandbox.state())


async def download(request: web.Request) -> web.StreamResponse:
    """A file from a chat, as a download."""
    try:
        name, mime_type, content = await _sandbox(request).file(request.match_info["file_id"])
    except Exception:
        raise web.HTTPNotFound() from None
    response = web.Response(body=content, content_type=mime_type)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return _no_store(response)


async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: "change" with the change counter after every change."""
    sandbox = _sandbox(request)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
    )
    await response.prepare(request)
    seen = -1
    with contextlib.suppress(ConnectionResetError):
        while True:
            version = await sandbox.changes.wait(seen, KEEPALIVE_SECONDS)
            if version == seen:
                await response.write(b": still here\n\n")
                continue
            seen = version
            await response.write(
                f"event: change\ndata: {json.dumps({'version': version})}\n\n".encode()
            )
    return response
