"""What the bot does, one module per capability; no telegram objects in or out.

- ``access``: each update once, only bound and active staff
- ``staff``: invites, bindings, languages, deactivation
- ``citizens``: the citizen register
- ``triage``: the fault report, step by step
- ``ticket_pushes``: a ticket's cards and notices, inside the caller's transaction
- ``tickets``: acting on tickets, and the lists
- ``emergency``: the emergency card's ticket and its citizen
- ``escalation``: untaken tickets sent on
- ``incident_pushes``, ``incidents``: outage incidents (many reports, one message) and
  the unit broadcast
- ``units``: the units the bot knows, each under one spelling
- ``retention``: what is anonymised once it has been closed longer than the period
- ``records``: what the bot holds about one person, and the audit trail
- ``replies``: answers to the person who acted, in the update's transaction
- ``smartkeys``: the Smartkey ledger: cabinets, hand-out and return, lost keys, requests
- ``leavers``: deactivating a leaver, and the planners' task of closing them in Bekey
- ``appointments``: key persons, appointed by the unit's leader on top of a role
- ``training``: the Bekey training register: who is trained, gaps, coverage, reminders
- ``duty``: planner hours and on-call people (``duty_now``: who is on duty at a moment)
- ``lifecycle``: citizens' Bekey: visitation's steps, the lock partner's orders, notices
- ``reports``: the leader's monthly report, counted from the stored events
- ``lock_partners``: the lock partner firms (the settings' one the default), kept by leaders
- ``summary``: the planners' morning summary, each working day (a heartbeat)

``Services`` holds one of each, over one database, and is kept in ``bot_data``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.clock import Clock
from bot.services.access import AccessService
from bot.services.appointments import AppointmentService
from bot.services.citizens import CitizenService
from bot.services.duty import DutyService
from bot.services.emergency import EmergencyService
from bot.services.escalation import EscalationService
from bot.services.incidents import IncidentService
from bot.services.leavers import LeaverService
from bot.services.lifecycle import LifecycleService
from bot.services.lock_partners import LockPartnerService
from bot.services.records import RecordsService
from bot.services.replies import ReplyService
from bot.services.reports import ReportService
from bot.services.retention import RetentionService
from bot.services.smartkeys import SmartkeyService
from bot.services.staff import StaffService
from bot.services.summary import SummaryService
from bot.services.tickets import TicketService
from bot.services.training import TrainingService
from bot.services.triage import TriageService
from bot.services.units import UnitService
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.migrations import migrate


@dataclass
class Services:
    """The services, injected into handlers through the context."""

    settings: Settings
    clock: Clock
    db: Database
    access: AccessService
    staff: StaffService
    citizens: CitizenService
    triage: TriageService
    tickets: TicketService
    emergency: EmergencyService
    escalation: EscalationService
    incidents: IncidentService
    units: UnitService
    retention: RetentionService
    records: RecordsService
    replies: ReplyService
    smartkeys: SmartkeyService
    duty: DutyService
    lifecycle: LifecycleService
    leavers: LeaverService
    appointments: AppointmentService
    training: TrainingService
    reports: ReportService
    lock_partners: LockPartnerService
    summary: SummaryService
    bot_username: str = field(default="")

    @classmethod
    def create(cls, settings: Settings, clock: Clock | None = None) -> Services:
        """Build the services over the configured database (not yet opened)."""
        clock = clock or Clock()
        db = Database(settings.database_path)
        parts = (db, clock, settings)
        return cls(
            settings=settings,
            clock=clock,
            db=db,
            access=AccessService(*parts),
            staff=StaffService(*parts),
            citizens=CitizenService(*parts),
            triage=TriageService(*parts),
            tickets=TicketService(*parts),
            emergency=EmergencyService(*parts),
            escalation=EscalationService(*parts),
            incidents=IncidentService(*parts),
            units=UnitService(*parts),
            retention=RetentionService(*parts),
            records=RecordsService(*parts),
            replies=ReplyService(*parts),
            smartkeys=SmartkeyService(*parts),
            duty=DutyService(*parts),
            lifecycle=LifecycleService(*parts),
            leavers=LeaverService(*parts),
            appointments=AppointmentService(*parts),
            training=TrainingService(*parts),
            reports=ReportService(*parts),
            lock_partners=LockPartnerService(*parts),
            summary=SummaryService(*parts),
        )

    async def open(self) -> None:
        """Open the database, bring its schema up to date, and make sure it can be written."""
        await self.db.open()
        await migrate(self.db, self.clock)
        await self.db.check_writable()
        await self.lock_partners.ensure_default()  # the LOCK_PARTNER_* settings' firm

    async def close(self) -> None:
        """Close the database."""
        await self.db.close()
