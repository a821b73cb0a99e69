"""The shared resources a handler may use, opened once and kept in ``bot_data``."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.sender import Outbox
from bot.services.staff import StaffService
from bot.services.tickets import TicketService
from bot.services.triage import TriageService
from bot.settings import Settings
from bot.storage.audit import Audit
from bot.storage.citizens import Citizens
from bot.storage.database import Database
from bot.storage.employees import Employees
from bot.storage.migrations import migrate
from bot.storage.outbox import OutboxStore
from bot.storage.updates import ProcessedUpdates


@dataclass
class Services:
    """Repositories and services, injected into handlers through the context."""

    settings: Settings
    clock: Clock
    db: Database
    employees: Employees
    citizens: Citizens
    audit: Audit
    updates: ProcessedUpdates
    outbox: Outbox
    staff: StaffService
    tickets: TicketService
    triage: TriageService
    bot_username: str = field(default="")

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Services:
        """Build the services over the configured database (not yet opened)."""
        clock = clock or Clock()
        db = Database(settings.database_path)
        tickets = TicketService(db, clock, settings)
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            employees=Employees(db),
            citizens=Citizens(db),
            audit=Audit(db),
            updates=ProcessedUpdates(db),
            outbox=Outbox(OutboxStore(db), clock),
            staff=StaffService(db, clock, settings),
            tickets=tickets,
            triage=TriageService(db, clock, settings, tickets),
        )

    async def open(self) -> None:
        """Open the database and bring its schema up to date."""
        await self.db.open()
        await migrate(self.db, self.clock)

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()
