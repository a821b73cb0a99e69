"""What every service holds: the database, the clock and the settings."""

from __future__ import annotations

from bot.clock import Clock
from bot.settings import Settings
from bot.storage.database import Database


class Service:
    """A capability of the bot: opens transactions, steps machines, queues pushes."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
