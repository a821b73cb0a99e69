"""The last resort: log the failure by id and type, tell the person briefly."""

from __future__ import annotations

import logging

from telegram import Update

from bot.render.i18n import t
from bot.render.phones import dialable
from handlers.context import BekeyContext

log = logging.getLogger(__name__)


async def report_error(update: object, context: BekeyContext) -> None:
    """Logs an unhandled error without message text and answers the person who hit it."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error(
        "update %s failed: %s",
        update_id,
        type(error).__name__,
        exc_info=(type(error), error, error.__traceback__) if error else None,
    )
    if not isinstance(update, Update):
        return
    services = context.services
    phone = dialable(services.settings.bekey_support_phone)
    text = t(context.language, "access.error", phone=phone)
    if update.callback_query is not None:
        context.answer(update.callback_query, text[:200], alert=True)
    elif context.chat is not None:
        context.express(text)  # not through the database: it may be what failed
