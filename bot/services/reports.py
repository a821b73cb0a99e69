"""The leader's monthly report: the month's figures, read in one go from the stored events.

``ReportService.tickets(month)`` counts, for a calendar month in ``TIMEZONE``, per unit and
category: the reports (tickets created), those a caregiver's own check solved, the median
and 90th-percentile time to take and to resolve, escalation steps, incidents and their size,
and per unit the Smartkeys and the training register (what each means: ``state.report``).
Everything is read in one read of the database, so the lines agree with each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.services.base import Service
from state.report import Month, MonthReport, build_report, month_bounds


class ReportService(Service):
    """Counts the leader's monthly report."""

    async def tickets(self, month: Month, also: Iterable[str] = ()) -> MonthReport:
        """The month's fault, incident, Smartkey and training figures, every unit (and the
        units ``also`` names, with lines of their own even where nothing was counted)."""
        zone = self.settings.zone
        start, end = month_bounds(month, zone)
        async with self.db.read() as tx:
            reports = tx.reports
            units = [*await reports.unit_names(), *also]
            tickets = await reports.tickets_created(start, end)
            solved = await reports.self_solved(start, end)
            incidents = await reports.incidents_opened(start, end)
            keys = await reports.key_figures(start, end)
            training = await reports.training_at(end)
        return build_report(
            month,
            zone,
            units=units,
            tickets=tickets,
            solved=solved,
            incidents=incidents,
            keys=keys,
            training=training,
        )
