"""Builds the Application the same way for production and tests, and opens its resources.

``build_application`` wires settings, services, the sender, the handlers and the periodic
scan; ``open_resources`` and ``close_resources`` are the post-init and post-shutdown hooks,
which tests call by hand.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TimedOut
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from bot.clock import Clock
from bot.inbox import LONG_POLL_SECONDS, UpdateInbox
from bot.jobs import schedule_scan, sender_of, services_of
from bot.logs import hide_token
from bot.processing import PerUserUpdateProcessor
from bot.sender import Pacing, Sender
from bot.services import Services
from bot.settings import Settings, SettingsError
from bot.storage.inbox import Handling
from handlers import register
from handlers.context import BekeyContext

log = logging.getLogger(__name__)

RETRY_FIRST_SECONDS = 2.0
RETRY_MAX_SECONDS = 60.0
CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a connection to the Bot API (the long poll's read waits longer)."""

BekeyApp = Application[Any, BekeyContext, Any, Any, Any, Any]


def build_application(settings: Settings, *, clock: Clock | None = None) -> BekeyApp:
    """Build the bot: the Bot API root from settings, our context, handlers and jobs."""
    token = settings.require_token()
    root = settings.telegram_api_base_url
    services = Services.create(settings, clock)
    sender = Sender(services.db, services.clock, Pacing.of(settings))
    db = services.db

    async def finish(handling: Handling) -> None:
        await db.finish(handling, services.clock.now())

    application: BekeyApp = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .context_types(ContextTypes(context=BekeyContext))
        .concurrent_updates(
            PerUserUpdateProcessor(finish, db.abandon, after_each=sender.after_update)
        )
        .connect_timeout(CONNECT_TIMEOUT)  # an unreachable API is noticed within seconds
        .get_updates_connect_timeout(CONNECT_TIMEOUT)
        .get_updates_read_timeout(LONG_POLL_SECONDS + 10)
        .updater(None)  # the inbox fetches: an update is stored before Telegram is told
        .post_init(open_resources)
        .post_shutdown(close_resources)
        .build()
    )
    application.bot_data["services"] = services
    application.bot_data["sender"] = sender
    application.bot_data["inbox"] = UpdateInbox(
        application, services.db, services.clock, sender.reachability
    )
    register(application)
    return application


async def open_resources(application: BekeyApp) -> None:
    """Open the database, learn the bot's username, start the sender and the periodic scan."""
    services = services_of(application)
    await services.open()
    services.bot_username = application.bot.username
    sender_of(application).start(application.bot)
    inbox_of(application).start()
    schedule_scan(application)
    log.info("resources open; database at schema head")


async def close_resources(application: BekeyApp) -> None:
    """Stop fetching, stop the sender and close the database."""
    await inbox_of(application).stop()
    await sender_of(application).stop()
    await services_of(application).close()


def inbox_of(application: BekeyApp) -> UpdateInbox:
    """The inbox kept in bot_data."""
    inbox: UpdateInbox = application.bot_data["inbox"]
    return inbox


async def wait_for_bot_api(bot: Bot, root: str) -> None:
    """Ask the Bot API who the bot is until it answers; say so at once when it cannot be reached.

    A token the Bot API rejects is a configuration error (SettingsError: one line, exit 2);
    an API that cannot be reached is not: the bot keeps trying, and says so.
    """
    wait = RETRY_FIRST_SECONDS
    while True:
        try:
            async with bot:
                log.info("Bot API at %s answers; starting", root)
                return
        except InvalidToken:
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN was rejected by the Bot API: check the token from @BotFather"
            ) from None
        except (NetworkError, TimedOut) as exc:
            log.warning(
                "Bot API at %s cannot be reached (%s); trying again in %.0f s",
                root,
                type(exc).__name__,
                wait,
            )
        await asyncio.sleep(wait)
        wait = min(RETRY_MAX_SECONDS, wait * 2)


async def serve(application: BekeyApp) -> None:
    """Run the bot until SIGINT or SIGTERM: the inbox fetches, the Application handles.

    On the way down the inbox stops fetching first, the updates already handed on are
    handled, then the sender and the database close. What was stored and not handled is
    handled at the next start.
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await application.initialize()
    try:
        await open_resources(application)
        await application.start()  # python-telegram-bot logs "Application started"
        await stop.wait()
        log.info("stopping: no more fetching; handling what was handed on")
        await inbox_of(application).stop()
        await application.stop()
    finally:
        await application.shutdown()
        await close_resources(application)


def run(settings: Settings) -> None:
    """Check the settings, files and Bot API, then run the bot with long polling until interrupted.

    From here on the token is hidden in every log line and traceback, and whatever fails on
    the way up is one line without it (SettingsError: exit 2).
    """
    hiding = hide_token(settings.require_token())
    for name in settings.unset_numbers():
        log.warning("%s is not set: cards will say the number is not set (ask your leader)", name)
    # The database, its -wal and -shm, their folder and .env hold citizens and the token. The
    # bot makes them owner-only; one made wider (by hand, or before) is named, never read.
    database = settings.database_path
    private = [(Path(".env"), 0o600)]
    if str(database) != ":memory:":
        private.append((database.parent, 0o700))
        private += [
            (database.with_name(database.name + end), 0o600) for end in ("", "-wal", "-shm")
        ]
    for path, wanted in private:
        try:
            mode = path.stat().st_mode & 0o777
        except OSError:
            continue  # not there yet: made owner-only when it is made
        if mode & 0o077:
            log.warning(
                "%s is open to other users (mode %04o; should be %04o)",
                path.absolute(),
                mode,
                wanted,
            )

    def reason(exc: Exception) -> str:
        return hiding.hide(" ".join(f"{type(exc).__name__}: {exc}".split()))[:300]

    try:
        application = build_application(settings)
        asyncio.run(wait_for_bot_api(application.bot, settings.telegram_api_base_url))
    except SettingsError:
        raise
    except Exception as exc:
        raise SettingsError(f"the bot could not start ({reason(exc)})") from None
    try:
        asyncio.run(serve(application))
    except InvalidToken:  # rejected after all, when the Application itself asked
        raise SettingsError(
            "TELEGRAM_BOT_TOKEN was rejected by the Bot API: check the token from @BotFather"
        ) from None
    except Exception as exc:  # only the start (or the shutdown) of polling raises out of it
        raise SettingsError(f"the bot stopped ({reason(exc)})") from None
