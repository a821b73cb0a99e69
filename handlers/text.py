"""Free text: the CPR guard first, then whatever is waiting for words (a triage, an emergency)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.render.i18n import t
from handlers.context import BekeyContext
from handlers.emergency import take_emergency_text
from handlers.menu import answer_unknown
from handlers.triage import take_triage_text
from state.cpr import contains_cpr

log = logging.getLogger(__name__)


async def guard_cpr(update: Update, context: BekeyContext) -> None:
    """Refuses any message that looks like it holds a CPR number; nothing of it goes further."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or message.caption or ""
    if not contains_cpr(text):
        return
    await context.services.access.record_cpr_refusal(context.employee_or_none)
    log.info("update %s refused: looks like a CPR number", update.update_id)
    await message.reply_text(t(context.language, "cpr.refused"))
    try:
        await message.delete()
    except TelegramError as exc:
        log.info("could not delete the refused message: %s", type(exc).__name__)
    raise ApplicationHandlerStop


async def route_text(update: Update, context: BekeyContext) -> None:
    """Gives typed text to what waits for it, newest first; otherwise points to the buttons."""
    services = context.services
    emergency = await services.emergency.awaiting_citizen(context.employee)
    triage = await services.triage.active(context.employee)
    takers = [take_emergency_text, take_triage_text]
    if emergency is not None and triage is not None and triage.updated_at > emergency.updated_at:
        takers.reverse()  # the fault report was touched after the emergency card
    for take in takers:
        if await take(update, context):
            return
    await answer_unknown(update, context)
