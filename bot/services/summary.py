"""The planners' morning summary, a heartbeat: each working day, once, one message to each of
a unit's planners (none bound: its leaders) on what came in since they went home, open
incidents, the tickets waiting longest, Smartkeys and training; or that nothing happened.

When it is due, and since when it reports, are rules in ``state.summary`` (over the unit's
planner hours in ``state.duty``). The messages and the day's mark are one transaction: a
restart never sends it twice, and a bot down at the summary's time sends it when it is back
the same day.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from bot.render import summary as render
from bot.render.smartkeys import as_markup
from bot.render.summary import KeyCounts, MorningFacts
from bot.services.base import Service
from bot.storage.database import Tx
from bot.storage.employees import Employee
from state.roles import Permission, Role, may
from state.smartkey import SmartkeyState, is_stale, overdue_level_due
from state.summary import quiet_since, summary_due
from state.ticket import TicketStatus
from state.training import untrained_past

PLANNERS: Final = frozenset({Role.PLANNER})
LEADERS: Final = frozenset({Role.LEADER})
"""Who gets the summary in a unit with no planner bound to the bot."""

WAITING_SHOWN: Final = 3
"""The open tickets named as waiting longest."""


class SummaryService(Service):
    """The morning summary."""

    async def run_due(self) -> int:
        """Send every unit's summary that is due; return how many messages were queued."""
        async with self.db.read() as tx:  # a read first: most scans find nothing due
            due = [unit.name for unit in await tx.units.all() if await self._due(tx, unit.name)]
        sent = 0
        for unit in due:
            sent += await self._send(unit)
        return sent

    async def _due(self, tx: Tx, unit: str) -> date | None:
        """The local day whose summary the unit is due now, if any."""
        return summary_due(
            await tx.duty.hours(unit),
            self.clock.now(),
            self.settings.zone,
            self.settings.morning_summary_at,
            await tx.duty.summary_sent_on(unit),
        )

    async def _send(self, unit: str) -> int:
        """Queue one unit's summary to each recipient and mark the day, in one transaction."""
        async with self.db.transaction() as tx:
            day = await self._due(tx, unit)
            if day is None:
                return 0  # sent meanwhile
            await tx.duty.mark_summary_sent(unit, day)
            now = self.clock.now()
            facts = await self._facts(tx, unit, day, now)
            recipients = await tx.employees.in_unit(unit, PLANNERS)
            recipients = recipients or await tx.employees.in_unit(unit, LEADERS)
            for person in recipients:
                await self._queue(tx, person, facts, now)
            await tx.audit.record(
                now, "system", "morning_summary", unit, "quiet" if facts.quiet else "busy"
            )
            return len(recipients)

    async def _queue(self, tx: Tx, person: Employee, facts: MorningFacts, now: datetime) -> None:
        """Queue one recipient's summary, in their language, protected."""
        assert person.telegram_id is not None  # in_unit returns bound employees only
        text, rows = render.morning_summary(
            person.language,
            self.settings,
            facts,
            now,
            may_train=may(person.roles, Permission.RECORD_TRAINING),
        )
        await tx.outbox.enqueue(
            now, person.telegram_id, text, reply_markup=as_markup(rows), protect_content=True
        )

    async def _facts(self, tx: Tx, unit: str, day: date, now: datetime) -> MorningFacts:
        """What the unit's summary tells, read in the transaction that sends it."""
        settings = self.settings
        since = quiet_since(await tx.duty.hours(unit), day, settings.zone)
        open_tickets = await tx.tickets.open_in_unit(unit)  # oldest first; the sort keeps that
        waiting = sorted(open_tickets, key=lambda ticket: ticket.model.state != TicketStatus.OPEN)
        keys = await tx.smartkeys.in_unit(unit)
        out = [key for key in keys if key.state == SmartkeyState.HANDED_OUT]
        staff = await tx.training.staff(unit)
        return MorningFacts(
            unit=unit,
            since=since,
            new=await tx.tickets.created_in_unit_since(unit, since),
            incidents=await tx.incidents.open_in_unit(unit),
            open_tickets=len(open_tickets),
            waiting=waiting[:WAITING_SHOWN],
            keys=KeyCounts(
                out=len(out),
                overdue=sum(
                    overdue_level_due(key, now, settings.smartkey_overdue_alert) > 0 for key in keys
                ),
                unconfirmed=sum(key.confirmed_at is None for key in out),
                stale=sum(is_stale(key, now, settings.smartkey_stale) for key in keys),
            ),
            untrained=sum(
                untrained_past(t.record, t.joined, now, settings.training_late) for t in staff
            ),
        )
