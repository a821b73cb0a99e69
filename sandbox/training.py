"""The sandbox as the page sees it: the running session, the phones, the clock, the exercises.

``Sandbox`` owns the current ``Session`` and swaps it for a new one on reset. A watcher task
follows the emulator's change counter; after every change it checks the exercises not yet
done and wakes the page's event streams (``changes``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.render.i18n import t
from sandbox.demo import STAFF, DemoPerson, person
from sandbox.exercises import EXERCISES, Facts
from sandbox.session import Session
from tgemu.changes import ChangeFeed
from tgemu.client import ChatMessage

log = logging.getLogger(__name__)

JsonObject = dict[str, Any]

WATCH_SECONDS = 20.0
SETTLE_SECONDS = 0.05
"""A change seldom comes alone: wait this long, then check and tell the page once."""
MAX_TEXT = 4096


class NotAPerson(LookupError):
    """No demo person has that Telegram account."""


class Offline(RuntimeError):
    """The phone's network is switched off: nothing reaches the bot."""


@dataclass
class Progress:
    """What the page told the sandbox, and the exercises done, in the current session."""

    facts: Facts = field(default_factory=lambda: Facts(pinned_opened_offline=set()))
    done: set[str] = field(default_factory=set)
    offline: set[int] = field(default_factory=set)


class Sandbox:
    """The training sandbox: one demo session at a time, and the page's view of it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.changes = ChangeFeed()
        self._serial = 0
        self._session: Session | None = None
        self._watcher: asyncio.Task[None] | None = None
        self._progress = Progress()
        self._lock = asyncio.Lock()

    @property
    def session(self) -> Session:
        """Return the running session."""
        if self._session is None:
            raise RuntimeError("the sandbox is not running")
        return self._session

    async def start(self) -> None:
        """Start the first session with the demo data."""
        async with self._lock:
            await self._begin()

    async def stop(self) -> None:
        """Stop the watcher and the session."""
        async with self._lock:
            await self._stop_watcher()
            session, self._session = self._session, None
            if session is not None:
                await session.stop()

    async def reset(self) -> None:
        """Start a fresh session with the demo data, then stop the old one."""
        async with self._lock:
            old = self._session
            await self._stop_watcher()
            await self._begin()
            if old is not None:
                await old.stop()
        self.changes.bump()

    async def _begin(self) -> None:
        self._serial += 1
        session = Session(self.folder, self._serial)
        try:
            await session.start()
        except BaseException:
            await session.stop()
            raise
        self._session = session
        self._progress = Progress()
        self._watcher = asyncio.create_task(self._watch(session), name="sandbox-watcher")

    async def _stop_watcher(self) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch(self, session: Session) -> None:
        """Follow the emulator's changes: check the exercises, then wake the page."""
        seen = 0
        while True:
            try:
                version = await session.client.changes(seen, timeout=WATCH_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("watching the emulator failed; trying again")
                await asyncio.sleep(1)
                continue
            if version == seen:
                continue
            seen = version
            await asyncio.sleep(SETTLE_SECONDS)
            await self.check_exercises()
            self.changes.bump()

    async def check_exercises(self) -> None:
        """Mark the exercises whose goal has been reached."""
        session, progress = self.session, self._progress
        for exercise in EXERCISES:
            if exercise.key in progress.done:
                continue
            try:
                reached = await exercise.check(session, progress.facts)
            except Exception:
                log.exception("checking exercise %s failed", exercise.key)
                continue
            if reached:
                progress.done.add(exercise.key)
                log.info("exercise %s done", exercise.key)

    # What the page shows.

    def state(self) -> JsonObject:
        """Return the clock, the demo people, the exercises and the phones without network."""
        session, progress = self.session, self._progress
        zone = session.services.settings.zone
        now = session.now().astimezone(zone)
        return {
            "session": session.number,
            "version": self.changes.version,
            "clock": {
                "iso": now.isoformat(timespec="seconds"),
                "text": now.strftime("%d.%m.%Y %H:%M"),
                "ahead_minutes": int(session.moved.total_seconds() // 60),
            },
            "people": [_person_json(p) for p in STAFF],
            "exercises": [e.as_json(e.key in progress.done) for e in EXERCISES],
            "offline": sorted(progress.offline),
        }

    async def phone(self, telegram_id: int) -> JsonObject:
        """Return one phone's screen: the chat, the pinned message, the keyboard, the menu."""
        demo = _demo(telegram_id)
        session = self.session
        client = session.client
        messages, keyboard, commands = await asyncio.gather(
            client.messages(telegram_id),
            client.keyboard_markup(telegram_id),
            client.effective_commands(telegram_id, "da"),
        )
        zone = session.services.settings.zone
        pinned = [m.message_id for m in messages if m.pinned]
        return {
            "telegram_id": demo.telegram_id,
            "name": demo.name,
            "messages": [_message_json(m, zone) for m in messages],
            "pinned": pinned[-1] if pinned else None,
            "keyboard": _keyboard_rows(keyboard),
            "commands": [
                {"command": c["command"], "description": c["description"]} for c in commands
            ],
        }

    # What people do on their phones.

    async def write(self, telegram_id: int, text: str) -> None:
        """The person writes text to the bot."""
        demo = self._online(telegram_id)
        text = text.strip()
        if not text or len(text) > MAX_TEXT:
            raise ValueError("the text must have 1 to 4096 characters")
        await self.session.client.send_text(
            telegram_id, text, first_name=demo.first_name, last_name=demo.last_name
        )

    async def press(self, telegram_id: int, message_id: int, data: str) -> str | None:
        """The person presses an inline button; return the bot's short answer, if any."""
        self._online(telegram_id)
        session = self.session
        update_id, query_id = await session.client.press(telegram_id, message_id, data=data)
        if not await session.handled(update_id):
            return None
        answer = await session.client.callback_answer(query_id)
        text = answer.get("text")
        return text if isinstance(text, str) else None

    def set_online(self, telegram_id: int, online: bool) -> None:
        """Switch a phone's network on or off."""
        _demo(telegram_id)
        (self._progress.offline.discard if online else self._progress.offline.add)(telegram_id)
        self.changes.bump()

    async def pinned_opened(self, telegram_id: int) -> None:
        """The person opened their pinned message (offline, that is an exercise's goal)."""
        _demo(telegram_id)
        if telegram_id in self._progress.offline:
            self._progress.facts.pinned_opened_offline.add(telegram_id)
            await self.check_exercises()
            self.changes.bump()

    async def advance(self, minutes: int) -> None:
        """Move the clock forward; what falls due happens at once."""
        if not 0 < minutes <= 60 * 24 * 7:
            raise ValueError("minutes must be from 1 to a week")
        async with self._lock:
            await self.session.advance(timedelta(minutes=minutes))
        self.changes.bump()

    async def file(self, file_id: str) -> tuple[str, str, bytes]:
        """Return a file shown in a chat: its name, MIME type and content."""
        return await self.session.client.file(file_id)

    def _online(self, telegram_id: int) -> DemoPerson:
        demo = _demo(telegram_id)
        if telegram_id in self._progress.offline:
            raise Offline(str(telegram_id))
        return demo


def _demo(telegram_id: int) -> DemoPerson:
    demo = person(telegram_id)
    if demo is None:
        raise NotAPerson(str(telegram_id))
    return demo


def _person_json(demo: DemoPerson) -> JsonObject:
    return {
        "telegram_id": demo.telegram_id,
        "user_id": demo.user_id,
        "name": demo.name,
        "role": {
            "da": t("da", f"role.{demo.role.value}"),
            "en": t("en", f"role.{demo.role.value}"),
        },
        "unit": demo.place,
    }


def _message_json(message: ChatMessage, zone: Any) -> JsonObject:
    text = message.text
    entities = list(message.entities)
    if not message.from_bot and text is not None and text.startswith("/start "):
        text, entities = "/start", []  # Telegram shows a deep link as a bare /start
    document = message.document
    return {
        "id": message.message_id,
        "from_bot": message.from_bot,
        "text": text,
        "entities": entities,
        "buttons": _inline_rows(message.reply_markup),
        "edited": message.edited,
        "pinned": message.pinned,
        "protected": message.protect_content,
        "time": datetime.fromtimestamp(message.date, zone).strftime("%H:%M"),
        "document": None
        if document is None
        else {
            "file_id": document.get("file_id"),
            "file_name": document.get("file_name") or "fil",
            "size": document.get("file_size"),
        },
    }


def _inline_rows(markup: JsonObject | None) -> list[list[JsonObject]]:
    rows = (markup or {}).get("inline_keyboard") or []
    return [
        [
            {
                key: button[key]
                for key in ("text", "callback_data", "url")
                if isinstance(button.get(key), str)
            }
            for button in row
        ]
        for row in rows
    ]


def _keyboard_rows(markup: JsonObject | None) -> list[list[str]] | None:
    if markup is None:
        return None
    return [
        [button if isinstance(button, str) else str(button.get("text", "")) for button in row]
        for row in markup.get("keyboard") or []
    ]
