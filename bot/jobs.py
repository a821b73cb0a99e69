"""The periodic scan: what is due (pushes, expiries, escalations) is found in the database.

JobQueue jobs live in memory; the scan only re-reads due times stored in SQLite, so a
restart loses nothing. Tests call ``run_due_work`` after moving the clock.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application

from bot.services import Services
from handlers.context import BekeyContext

log = logging.getLogger(__name__)

SCAN_JOB = "scan"


async def run_due_work(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Do everything that is due now."""
    services: Services = application.bot_data["services"]
    now = services.clock.now()
    await services.updates.forget_before(services.updates.horizon(now))
    await services.triage.expire_idle()
    await services.tickets.escalate_due()
    await services.outbox.flush(application.bot)


async def scan(context: BekeyContext) -> None:
    """Runs the due work on schedule; a failure is logged and the next round tries again."""
    try:
        await run_due_work(context.application)
    except Exception:
        log.exception("scan failed")


def schedule_scan(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Start the repeating scan (once)."""
    queue = application.job_queue
    if queue is None or queue.get_jobs_by_name(SCAN_JOB):
        return
    services: Services = application.bot_data["services"]
    queue.run_repeating(
        scan, interval=services.settings.scan_interval_seconds, first=1, name=SCAN_JOB
    )
