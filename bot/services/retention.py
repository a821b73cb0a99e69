"""Retention: what has been closed longer than ``RETENTION_MONTHS`` is anonymised.

``purge`` anonymises (or, as a dry run, counts) every kind in one transaction, audits one
line of counts, then empties the write-ahead log so the removed text does not linger in
it. The purge is idempotent and cheap, so the periodic scan calls ``purge_if_due``, which
runs it at most once an hour (remembered in memory: after a restart it runs at once, which
does no harm). What each kind loses and keeps is in ``bot.storage.retention``.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.access import INBOX_MEMORY
from bot.services.base import Service
from bot.settings import Settings
from bot.storage.database import Database

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=1)
"""How often the scan runs the purge."""

TICKET_TOPICS = ("ticket:", "reporter:")
"""The outbox topics of a ticket's pushes, each followed by the ticket's id: its cards
(``bot.services.ticket_pushes.topic``) and the reporter's notices (``tell_reporter``)."""

TRIAGE_TOPICS = ("triage:",)
"""The outbox topic of a triage's messages, followed by the triage's id."""

AUDIT_ACTION = "retention_purge"


def months_before(moment: datetime, months: int) -> datetime:
    """The same moment ``months`` calendar months earlier (the 31st becomes the month's last)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month0 = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


@dataclass(frozen=True)
class PurgeReport:
    """How many rows of each kind were anonymised (or, in a dry run, would be)."""

    cutoff: datetime
    """Closed (ended, deactivated, created) before this moment counts as old enough."""
    dry_run: bool
    tickets: int
    ticket_events: int
    triages: int
    outbox: int
    audit: int
    invites: int
    employees: int
    inbox: int = 0
    """Handled updates older than a day (they hold what people typed)."""
    incidents: int = 0
    broadcasts: int = 0
    smartkey_events: int = 0
    smartkey_requests: int = 0
    log_emptied: bool = True
    """Whether the write-ahead log was emptied afterwards (always True for a dry run)."""

    def counts(self) -> dict[str, int]:
        """The counts by kind, in a fixed order."""
        return {
            key: value
            for key, value in asdict(self).items()
            if key not in {"cutoff", "dry_run", "log_emptied"}
        }

    @property
    def total(self) -> int:
        """How many rows in all."""
        return sum(self.counts().values())

    def code(self) -> str:
        """The counts as one short code for the audit line: ``tickets=1,ticket_events=3,...``."""
        return ",".join(f"{key}={value}" for key, value in self.counts().items())


class RetentionService(Service):
    """Anonymises what is past the retention period."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        super().__init__(db, clock, settings)
        self._last_run: datetime | None = None
        self._log_in_use = False  # the last checkpoint could not empty the log

    def cutoff(self, now: datetime) -> datetime:
        """What was closed before this moment is old enough to anonymise."""
        return months_before(now, self.settings.retention_months)

    async def purge(self, dry_run: bool, *, actor: str = "cli") -> PurgeReport:
        """Anonymise what is past the period (audited), or with ``dry_run`` only count it."""
        return await self._purge(dry_run=dry_run, actor=actor, audit_nothing=True)

    async def purge_if_due(self) -> PurgeReport | None:
        """Run the purge if the last one ran an hour ago or more (the scan's entry point).

        Audited only when it changed something, so the trail does not fill with zeros.
        """
        now = self.clock.now()
        if self._last_run is not None and now - self._last_run < PURGE_EVERY:
            return None
        self._last_run = now
        report = await self._purge(dry_run=False, actor="system", audit_nothing=False)
        if report.total:
            log.info("retention purge: %s", report.code())
        return report

    async def _purge(self, *, dry_run: bool, actor: str, audit_nothing: bool) -> PurgeReport:
        now = self.clock.now()
        cutoff = self.cutoff(now)
        async with self.db.transaction() as tx:
            r = tx.retention
            # The outbox and the events are found through their ticket or triage, whose
            # expiry (state and times) the anonymising leaves as it is: order does not matter.
            report = PurgeReport(
                cutoff=cutoff,
                dry_run=dry_run,
                tickets=await r.tickets(cutoff, now, dry_run=dry_run),
                ticket_events=await r.ticket_events(cutoff, dry_run=dry_run),
                triages=await r.triages(cutoff, now, dry_run=dry_run),
                outbox=await r.outbox(
                    cutoff,
                    ticket_topics=TICKET_TOPICS,
                    triage_topics=TRIAGE_TOPICS,
                    dry_run=dry_run,
                ),
                audit=await r.audit(cutoff, dry_run=dry_run),
                invites=await r.invites(cutoff, dry_run=dry_run),
                employees=await r.employees(
                    cutoff, now, self.settings.default_language, dry_run=dry_run
                ),
                inbox=await r.inbox(now - INBOX_MEMORY, dry_run=dry_run),
                incidents=await r.incidents(cutoff, now, dry_run=dry_run),
                broadcasts=await r.broadcasts(cutoff, now, dry_run=dry_run),
                smartkey_events=await r.smartkey_events(cutoff, dry_run=dry_run),
                smartkey_requests=await r.smartkey_requests(cutoff, now, dry_run=dry_run),
            )
            if not dry_run and (report.total or audit_nothing):
                await tx.audit.record(now, actor, AUDIT_ACTION, None, report.code())
        if dry_run or not (report.total or self._log_in_use):
            return report
        async with self.db.read() as tx:
            emptied = await tx.retention.checkpoint()
        self._log_in_use = not emptied
        if not emptied:
            log.warning("retention purge: the write-ahead log is in use; emptied at a later run")
        return replace(report, log_emptied=emptied)
