"""The fault triage workflow: start or resume, step by button or text, submit as a ticket.

Each step is one transaction: load the triage at its stored state, check the press is the
owner's and not stale (the version in the button), fire the shared machine, persist, and
on submit create the ticket in the same transaction (one triage makes at most one ticket).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.render.i18n import t
from bot.services.base import Service
from bot.services.ticket_pushes import Opened, open_ticket
from bot.storage.citizens import Citizen
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.outbox import Priority
from bot.storage.session import StaleVersion
from bot.storage.tickets import NewTicket, StoredTicket
from bot.storage.triages import StoredTriage
from state.citizens import CitizenStatus
from state.incident import IncidentNote
from state.triage import TriageCategory, TriageState, TriageTrigger, fire, new_triage

TICKET_ENDINGS = frozenset({TriageState.SUBMITTED, TriageState.NETWORK_DOWN})
"""Triage endings that make a ticket: a report sent, or the network down (an emergency)."""

CITIZEN_CHOICES = 8
"""How many matching citizens the citizen step shows as buttons."""


class StepOutcome(StrEnum):
    """How a step ended."""

    MOVED = "moved"
    STALE = "stale"
    REFUSED = "refused"


@dataclass(frozen=True)
class Step:
    """A step's outcome, the triage as it now stands, and a ticket if one was made.

    ``incident``: the outage the new ticket is part of (its reporter is told so).
    """

    outcome: StepOutcome
    triage: StoredTriage | None
    ticket: StoredTicket | None = None
    recipients: int = 0
    incident: IncidentNote | None = None
    on_call: tuple[str, ...] = ()
    """Outside planner hours: the on-call people who got the ticket."""
    waits_until: datetime | None = None
    """Outside planner hours: when the planners are back."""


@dataclass(frozen=True)
class TriageView:
    """What the triage's message shows: the triage, its citizen, and the citizens to pick."""

    triage: StoredTriage
    citizen: Citizen | None
    choices: list[Citizen]
    matches: int
    unit_has_citizens: bool


def triage_topic(triage_id: int) -> str:
    """The outbox topic of a triage's step messages (the latest is edited when it expires)."""
    return f"triage:{triage_id}"


class TriageService(Service):
    """Starts and steps triages."""

    async def start(self, employee: Employee, chat_id: int) -> tuple[StoredTriage, bool]:
        """Return the employee's triage in progress, or start one; True if it is resumed."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            active = await tx.triages.active_for(employee.user_id)
            if active is not None:
                return active, True
            stored = await tx.triages.start(new_triage(employee.user_id), chat_id, now)
            await tx.audit.record(now, employee.user_id, "triage_started", str(stored.id))
        return stored, False

    async def active(self, employee: Employee) -> StoredTriage | None:
        """Return the employee's triage in progress, if any."""
        async with self.db.read() as tx:
            return await tx.triages.active_for(employee.user_id)

    async def view(self, employee: Employee, stored: StoredTriage) -> TriageView:
        """Load what the triage's current step shows."""
        model = stored.model
        async with self.db.read() as tx:
            citizen = await tx.citizens.get(model.citizen_id) if model.citizen_id else None
            found: list[Citizen] = []
            anyone = True
            if model.state == TriageState.CHOOSING_CITIZEN:
                found = await tx.citizens.with_bekey(employee.unit, stored.search or "")
                anyone = bool(found) or bool(await tx.citizens.with_bekey(employee.unit))
        return TriageView(stored, citizen, found[:CITIZEN_CHOICES], len(found), anyone)

    async def step(
        self,
        employee: Employee,
        triage_id: int | None,
        version: int | None,
        trigger: TriageTrigger,
        **kwargs: object,
    ) -> Step:
        """Fire a trigger on the employee's active triage (id and version None: whatever is on)."""
        try:
            async with self.db.transaction() as tx:
                return await self._step(tx, employee, triage_id, version, trigger, kwargs)
        except StaleVersion:
            return Step(StepOutcome.STALE, await self.active(employee))

    async def _step(
        self,
        tx: Tx,
        employee: Employee,
        triage_id: int | None,
        version: int | None,
        trigger: TriageTrigger,
        kwargs: dict[str, object],
    ) -> Step:
        now = self.clock.now()
        stored = await tx.triages.active_for(employee.user_id)
        if stored is None or (triage_id is not None and stored.model.id != triage_id):
            return Step(StepOutcome.STALE, stored)
        if version is not None and stored.model.version != version:
            return Step(StepOutcome.STALE, stored)
        if trigger is TriageTrigger.CHOOSE_CITIZEN and not await self._may_choose(
            tx, employee, kwargs.get("citizen_id")
        ):
            return Step(StepOutcome.REFUSED, stored)
        if trigger is TriageTrigger.NAME_CITIZEN:  # what the caregiver typed, as typed
            kwargs = {"text": stored.search or ""}
        before = stored.model.version
        if not fire(stored.model, trigger, **kwargs):
            return Step(StepOutcome.REFUSED, stored)
        if trigger in {
            TriageTrigger.CHOOSE_CITIZEN,
            TriageTrigger.NAME_CITIZEN,
            TriageTrigger.BACK,
        }:
            stored.search = None
        opened: Opened | None = None
        if stored.model.state in TICKET_ENDINGS:
            opened = await self._submit(tx, stored, employee)
            stored.ticket_id = opened.ticket.id
        await tx.triages.save(stored, before, now)
        if stored.ended:
            await tx.audit.record(
                now, employee.user_id, "triage_ended", str(stored.id), stored.model.state
            )
        if opened is None:
            return Step(StepOutcome.MOVED, stored)
        return Step(
            StepOutcome.MOVED,
            stored,
            opened.ticket,
            opened.recipients,
            opened.incident,
            opened.on_call,
            opened.waits_until,
        )

    @staticmethod
    async def _may_choose(tx: Tx, employee: Employee, citizen_id: object) -> bool:
        """A citizen may be chosen if they are an active Bekey citizen of the employee's unit."""
        citizen = await tx.citizens.get(citizen_id) if isinstance(citizen_id, int) else None
        return (
            citizen is not None
            and citizen.unit == employee.unit
            and citizen.bekey_status is CitizenStatus.ACTIVE
        )

    async def _submit(self, tx: Tx, stored: StoredTriage, employee: Employee) -> Opened:
        """Make the triage's ticket; it goes to the citizen's unit (else the reporter's).

        The network down is recorded as an emergency, noted "no mobile network"; like every
        emergency, it may be part of an outage.
        """
        model = stored.model
        category = model.category or TriageCategory.EMERGENCY
        network_down = model.state == TriageState.NETWORK_DOWN
        if network_down:
            category = TriageCategory.EMERGENCY  # the card's emergency, recorded
        citizen = await tx.citizens.get(model.citizen_id) if model.citizen_id else None
        new = NewTicket(
            reporter=employee.user_id,
            unit=citizen.unit if citizen else employee.unit,
            category=category,
            citizen_id=model.citizen_id,
            answers=dict(model.answers),
            description=model.description,
            triage_id=model.id,
            citizen_text=model.citizen_text,
        )
        return await open_ticket(tx, self.settings, new, self.clock.now(), no_network=network_down)

    async def search(self, employee: Employee, query: str) -> StoredTriage | None:
        """Store what the employee typed to narrow the citizen list."""
        try:
            async with self.db.transaction() as tx:
                stored = await tx.triages.active_for(employee.user_id)
                if stored is None or stored.model.state != TriageState.CHOOSING_CITIZEN:
                    return None
                stored.search = query
                await tx.triages.save(stored, stored.model.version, self.clock.now())
                return stored
        except StaleVersion:
            return None

    async def set_message(self, stored: StoredTriage, message_id: int) -> None:
        """Remember the message that shows the triage now."""
        async with self.db.transaction() as tx:
            await tx.triages.set_message(stored.id, message_id)
        stored.message_id = message_id

    async def expire_idle(self) -> int:
        """End triages idle longer than allowed, telling each caregiver; return how many."""
        now = self.clock.now()
        async with self.db.read() as tx:
            idle = await tx.triages.idle(now - self.settings.triage_idle)
        ended = 0
        for stored in idle:
            try:
                async with self.db.transaction() as tx:
                    ended += await self._expire(tx, stored)
            except StaleVersion:
                continue  # the caregiver moved it meanwhile: not idle after all
        return ended

    async def _expire(self, tx: Tx, stored: StoredTriage) -> int:
        now = self.clock.now()
        before = stored.model.version
        if not fire(stored.model, TriageTrigger.EXPIRE):
            return 0
        await tx.triages.save(stored, before, now)
        owner = await tx.employees.get(stored.model.user_id)
        language = owner.language if owner else self.settings.default_language
        minutes = int(self.settings.triage_idle.total_seconds() // 60)
        text = t(language, "triage.expired", minutes=minutes)
        topic = triage_topic(stored.id)
        steps = await tx.outbox.sends_for_topic(topic)
        if steps:  # the latest step's buttons go; the message says why
            await tx.outbox.enqueue_edit(now, steps[-1].id, text, None, priority=Priority.PUSH)
        elif stored.message_id is not None:  # a step sent before answers were stored
            await tx.outbox.enqueue_edit_of_message(
                now, stored.chat_id, stored.message_id, text, topic=topic
            )
        else:
            await tx.outbox.enqueue(now, stored.chat_id, text, topic=topic)
        await tx.audit.record(now, "system", "triage_ended", str(stored.id), "expired")
        return 1
