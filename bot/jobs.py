"""The periodic scan: what is due (expiries, escalations, retention, pushes) is found in SQLite.

JobQueue jobs live in memory; the scan only re-reads due times stored in SQLite, so a
restart loses nothing. Tests call ``run_due_work`` after moving the clock.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.ext import Application, CallbackContext

from bot.sender import Sender
from bot.services import Services

log = logging.getLogger(__name__)

SCAN_JOB = "scan"

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def services_of(application: AnyApp) -> Services:
    """The services kept in bot_data."""
    services: Services = application.bot_data["services"]
    return services


def sender_of(application: AnyApp) -> Sender:
    """The sender kept in bot_data."""
    sender: Sender = application.bot_data["sender"]
    return sender


async def run_due_work(application: AnyApp) -> None:
    """Do everything that is due now, then wake the sender for what it queued."""
    services = services_of(application)
    await services.access.forget_handled_updates()
    await services.triage.expire_idle()
    await services.escalation.escalate_due()
    await services.incidents.run_due()
    await services.smartkeys.run_due()
    await services.training.run_due()
    await services.leavers.run_due()
    await services.lifecycle.run_due()
    await services.summary.run_due()
    await services.retention.purge_if_due()
    sender_of(application).wake()


async def scan(context: CallbackContext[Any, Any, Any, Any]) -> None:
    """Runs the due work on schedule; a failure is logged and the next round tries again."""
    try:
        await run_due_work(context.application)
    except Exception:
        log.exception("scan failed")


def schedule_scan(application: AnyApp) -> None:
    """Start the repeating scan (once)."""
    queue = application.job_queue
    if queue is None or queue.get_jobs_by_name(SCAN_JOB):
        return
    interval = services_of(application).settings.scan_interval_seconds
    queue.run_repeating(scan, interval=interval, first=1, name=SCAN_JOB)
