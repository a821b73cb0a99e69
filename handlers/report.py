"""The leader's monthly report in chat: ``/rapport`` (``/report``) ``[YYYY-MM]``.

Without a month it is last month, in ``TIMEZONE``. The leader gets three messages, all
protected (the figures stay in the app): their unit's figures in short, with a last line for
the whole municipality; the unit's chart as a PNG file; and the whole report, every unit and
category, as a workbook. The figures are counted from the stored events
(``bot.services.reports``), so a month reported again gives the same figures. A word that is
not a month gets the one-line usage.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, tzinfo

from telegram import Update

from bot.render.i18n import t
from bot.render.report_chart import chart_png, chart_words
from bot.render.report_sheet import xlsx_bytes
from bot.render.report_text import leader_summary
from bot.storage.outbox import Document
from handlers.context import BekeyContext
from handlers.menu import command_for
from state.report import Month, parse_month
from state.roles import Action


def last_month(now: datetime, zone: tzinfo) -> Month:
    """The month before the one it is now, in the local time zone."""
    day_before = now.astimezone(zone).date().replace(day=1) - timedelta(days=1)
    return Month(day_before.year, day_before.month)


def asked_month(words: list[str], now: datetime, zone: tzinfo) -> Month | None:
    """The month the command names (none: last month); None if its words are not one month."""
    if not words:
        return last_month(now, zone)
    if len(words) > 1:
        return None
    try:
        return parse_month(words[0])
    except ValueError:
        return None


async def show_report(update: Update, context: BekeyContext) -> None:
    """Sends the leader the month's figures in short, the unit's chart and the workbook."""
    services = context.services
    language = context.language
    month = asked_month(list(context.args or []), services.clock.now(), services.settings.zone)
    if month is None:
        command = f"/{command_for(Action.REPORT, language)}"
        await context.reply(t(language, "report.usage", command=command))
        return
    unit = context.employee.unit
    report = await services.reports.tickets(month, also=[unit])  # a line even when all is 0
    # Drawing and writing the files take a moment of CPU: off the event loop.
    chart = await asyncio.to_thread(chart_png, report, chart_words(language), unit)
    workbook = await asyncio.to_thread(xlsx_bytes, report)
    name = t(language, "report.file", month=month)
    await context.reply(leader_summary(report, language, unit), protect=True)
    await context.reply(
        t(language, "report.chart_caption", unit=unit, month=month),
        protect=True,
        document=Document(f"{name}.png", chart),
    )
    await context.reply(
        t(language, "report.sheet_caption", month=month),
        protect=True,
        document=Document(f"{name}.xlsx", workbook),
    )
