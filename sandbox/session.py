"""One run of the demo: the emulator, the real bot against it, its own database and clock.

``Session.start`` starts the Bot API emulator on a free loopback port, builds the bot with
``bot.app.build_application`` (the function production uses) over a database of its own in
the sandbox's folder, opens and starts it as ``bot.app.serve`` does, and makes the demo
municipality. A reset starts a new session and stops the old one. The clock is the system
clock plus an offset; ``advance`` moves it, the emulator's clock with it, and runs what is
due (the bot's periodic scan also runs every few seconds). Started in the evening, at night
or on a weekend, the clocks first move to the planners' next working morning.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from pathlib import Path

from bot.app import BekeyApp, build_application, close_resources, inbox_of, open_resources
from bot.clock import OffsetClock
from bot.jobs import run_due_work, sender_of, services_of
from bot.processing import PerUserUpdateProcessor
from bot.services import Services
from bot.settings import Settings
from sandbox.demo import FIRM, create_demo
from state.duty import DEFAULT_PLANNER_HOURS, in_planner_hours, next_planner_start
from tgemu.client import EmulatorClient
from tgemu.server import BotApiEmulator

log = logging.getLogger(__name__)

TOKEN = "700000001:SANDBOXdemoTOKENnotSECRETnotTELEGRAM1"  # noqa: S105 (not a secret)
"""The sandbox bot's token: only the local emulator knows it; Telegram never sees it."""
BOT_USERNAME = "bekey_sandkasse_bot"
HANDLED_SECONDS = 10.0
DEMO_HOUR = timedelta(hours=2)
"""Outside planner hours the demo starts this long after the planners' next start (09:00)."""


def sandbox_settings(base_url: str, database: Path) -> Settings:
    """The bot's settings in the sandbox: the emulator, its own database, no ``.env``."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        telegram_bot_token=TOKEN,
        telegram_api_base_url=base_url,
        telegram_bot_username=BOT_USERNAME,
        database_path=database,
        it_helpdesk_name="IT-hotline",
        it_helpdesk_phone="56 20 30 00",
        lock_partner_name=FIRM,
        lock_partner_phone="56 20 40 00",
        scan_interval_seconds=2,
        # People tap by hand here: the bot answers at once (the emulator sets no limits).
        send_rate_per_second=1000,
        send_burst=1000,
        send_chat_rate_per_second=100,
        send_chat_burst=100,
        edit_every_seconds=0,
        flood_messages=100,
    )


class Session:
    """The emulator and the bot of one demo run."""

    def __init__(self, folder: Path, number: int) -> None:
        self.folder = folder
        self.number = number
        self.database = folder / f"sandkasse-{number}.sqlite3"
        self.clock = OffsetClock()
        self.start_offset = timedelta()
        """How far the clock was moved at the start (to the planners' day), not by a user."""
        self.emulator = BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME)
        self._client: EmulatorClient | None = None
        self._app: BekeyApp | None = None

    @property
    def app(self) -> BekeyApp:
        """Return the running bot."""
        if self._app is None:
            raise RuntimeError("the session is not running")
        return self._app

    @property
    def client(self) -> EmulatorClient:
        """Return the emulator's control client."""
        if self._client is None:
            raise RuntimeError("the session is not running")
        return self._client

    @property
    def services(self) -> Services:
        """Return the bot's services (for the exercises' checks)."""
        return services_of(self.app)

    async def start(self) -> None:
        """Start the emulator and the bot, and make the demo municipality."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_database()
        await self.emulator.start()
        self._client = EmulatorClient(self.emulator.base_url)
        settings = sandbox_settings(self.emulator.base_url, self.database)
        await self._to_planner_hours(settings)
        app = build_application(settings, clock=self.clock)
        await app.initialize()
        self._app = app
        await open_resources(app)
        await app.start()
        await create_demo(app, self.client)

    async def stop(self) -> None:
        """Stop the bot, then the emulator, and remove the database."""
        app, self._app = self._app, None
        if app is not None:
            await inbox_of(app).stop()
            if app.running:
                await app.stop()
            await app.shutdown()
            await close_resources(app)
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
        await self.emulator.stop()
        self._remove_database()

    async def _to_planner_hours(self, settings: Settings) -> None:
        """Start the demo well within the planners' working day (the next one, if it is late
        afternoon, evening, night or weekend now): a fault reaches the planner at once."""
        now, zone = self.clock.now(), settings.zone
        if all(in_planner_hours(DEFAULT_PLANNER_HOURS, t, zone) for t in (now, now + DEMO_HOUR)):
            return  # well inside the day: "+15 min" shows an escalation
        start = next_planner_start(DEFAULT_PLANNER_HOURS, now, zone)
        if start is None:
            return
        delta = start + DEMO_HOUR - now
        self.clock.advance(delta)
        await self.client.advance_clock(delta.total_seconds())
        self.start_offset = self.clock.offset

    @property
    def moved(self) -> timedelta:
        """How far the clock was moved on by the clock buttons."""
        return self.clock.offset - self.start_offset

    def _remove_database(self) -> None:
        for end in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                self.database.with_name(self.database.name + end).unlink()

    def now(self) -> datetime:
        """Return the session's time (the bot's and the emulator's)."""
        return self.clock.now()

    async def advance(self, delta: timedelta) -> None:
        """Move the bot's and the emulator's clocks forward, then do what is due."""
        self.clock.advance(delta)
        await self.client.advance_clock(delta.total_seconds())
        await run_due_work(self.app)

    async def handled(self, update_id: int) -> bool:
        """Wait until the bot has handled an update; False if it took too long."""
        processor = self.app.update_processor
        assert isinstance(processor, PerUserUpdateProcessor)
        try:
            await processor.wait_finished(update_id, timeout=HANDLED_SECONDS)
        except TimeoutError:
            return False
        await sender_of(self.app).settled(timeout=HANDLED_SECONDS)
        return True
