"""The fault triage workflow: start or resume, step by button or text, submit as a ticket.

Each step is one transaction: load the triage at its stored state, check the press is the
owner's and not stale (the version in the button), fire the shared machine, persist, and
on submit create the ticket in the same transaction (one triage makes at most one ticket).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.clock import Clock
from bot.render.i18n import t
from bot.services.tickets import TicketService
from bot.settings import Settings
from bot.storage.audit import Audit
from bot.storage.citizens import Citizens
from bot.storage.database import Database, Session
from bot.storage.employees import Employee, Employees
from bot.storage.outbox import OutboxStore
from bot.storage.tickets import NewTicket, StoredTicket
from bot.storage.triages import StoredTriage, Triages
from state.triage import TriageCategory, TriageState, fire, new_triage

TICKET_ENDINGS = frozenset({TriageState.SUBMITTED, TriageState.NETWORK_DOWN})
"""Triage endings that make a ticket: a report sent, or the network down (an emergency)."""


class StepOutcome(StrEnum):
    """How a step ended."""

    MOVED = "moved"
    STALE = "stale"
    REFUSED = "refused"


@dataclass(frozen=True)
class Step:
    """A step's outcome, the triage as it now stands, and a ticket if one was made."""

    outcome: StepOutcome
    triage: StoredTriage | None
    ticket: StoredTicket | None = None
    recipients: int = 0


class TriageService:
    """Starts and steps triages."""

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, tickets: TicketService
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.tickets = tickets
        self.triages = Triages(db)

    async def start(self, employee: Employee, chat_id: int) -> tuple[StoredTriage, bool]:
        """Return the employee's triage in progress, or start one; True if it is resumed."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            active = await Triages.active_for_in(s, employee.user_id)
            if active is not None:
                return active, True
            stored = await Triages.start_in(s, new_triage(employee.user_id), chat_id, now)
            await Audit.record_in(s, now, employee.user_id, "triage_started", str(stored.model.id))
        return stored, False

    async def active(self, employee: Employee) -> StoredTriage | None:
        """Return the employee's triage in progress, if any."""
        async with self.db.read() as s:
            return await Triages.active_for_in(s, employee.user_id)

    async def step(
        self,
        employee: Employee,
        triage_id: int | None,
        version: int | None,
        trigger: str,
        **kwargs: object,
    ) -> Step:
        """Fire a trigger on the employee's active triage (id and version None: whatever is on)."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            stored = await Triages.active_for_in(s, employee.user_id)
            if stored is None or (triage_id is not None and stored.model.id != triage_id):
                return Step(StepOutcome.STALE, stored)
            if version is not None and stored.model.version != version:
                return Step(StepOutcome.STALE, stored)
            before = stored.model.version
            if not fire(stored.model, trigger, **kwargs):
                return Step(StepOutcome.REFUSED, stored)
            if trigger == "choose_citizen" or trigger == "back":
                stored.search = None
            ticket: StoredTicket | None = None
            recipients = 0
            if stored.model.state in TICKET_ENDINGS:
                assert stored.model.id is not None
                category = stored.model.category or TriageCategory.EMERGENCY.value
                if stored.model.state == TriageState.NETWORK_DOWN:
                    category = TriageCategory.EMERGENCY.value  # the card's emergency, recorded
                new = NewTicket(
                    reporter=employee.user_id,
                    unit=await self._unit_of_citizen_in(s, stored, employee),
                    category=category,
                    citizen_id=stored.model.citizen_id,
                    answers=dict(stored.model.answers),
                    description=stored.model.description,
                    triage_id=stored.model.id,
                )
                ticket, recipients = await self.tickets.create_in(s, new, now)
                stored.ticket_id = ticket.id
            if not await Triages.save_in(s, stored, before, now):
                raise RuntimeError("triage moved during its own transaction")
            if stored.ended:
                await Audit.record_in(
                    s,
                    now,
                    employee.user_id,
                    "triage_ended",
                    str(stored.model.id),
                    stored.model.state,
                )
        return Step(StepOutcome.MOVED, stored, ticket, recipients)

    @staticmethod
    async def _unit_of_citizen_in(s: Session, stored: StoredTriage, employee: Employee) -> str:
        """The ticket goes to the citizen's unit (the reporter's, if the citizen is unknown)."""
        if stored.model.citizen_id is None:
            return employee.unit
        citizen = await Citizens.get_in(s, stored.model.citizen_id)
        return citizen.unit if citizen else employee.unit

    async def _language_in(self, s: Session, user_id: str) -> str:
        employee = await Employees.get_in(s, user_id)
        return employee.language if employee else self.settings.default_language

    async def search(self, employee: Employee, query: str) -> StoredTriage | None:
        """Store what the employee typed to narrow the citizen list."""
        now = self.clock.now()
        async with self.db.transaction() as s:
            stored = await Triages.active_for_in(s, employee.user_id)
            if stored is None or stored.model.state != TriageState.CHOOSING_CITIZEN:
                return None
            stored.search = query
            await Triages.save_in(s, stored, stored.model.version, now)
        return stored

    async def set_message(self, stored: StoredTriage, message_id: int) -> None:
        """Remember the message that shows the triage now."""
        assert stored.model.id is not None
        await self.triages.set_message(stored.model.id, message_id)
        stored.message_id = message_id

    async def expire_idle(self) -> int:
        """End triages idle longer than allowed, telling each caregiver; return how many."""
        now = self.clock.now()
        ended = 0
        async with self.db.transaction() as s:
            for stored in await Triages.idle_in(s, now - self.settings.triage_idle):
                before = stored.model.version
                if not fire(stored.model, "expire"):
                    continue
                await Triages.save_in(s, stored, before, now)
                employee_language = await self._language_in(s, stored.model.user_id)
                minutes = int(self.settings.triage_idle.total_seconds() // 60)
                await OutboxStore.enqueue_in(
                    s,
                    now,
                    stored.chat_id,
                    t(employee_language, "triage.expired", minutes=minutes),
                    topic=f"triage:{stored.model.id}",
                )
                await Audit.record_in(
                    s, now, "system", "triage_ended", str(stored.model.id), "expired"
                )
                ended += 1
        return ended
