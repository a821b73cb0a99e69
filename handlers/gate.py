"""The gate every update passes first: private chats only, known staff only.

Each update reaches the handlers once: the inbox (``bot.inbox``) stores it once and hands
on only what is not yet handled.

Role rules are attached where a handler is registered (``requires``), and checked again
when a button is pressed, since button data comes from the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.render.emergency import emergency_card
from bot.render.i18n import both, t
from bot.render.phones import dialable
from handlers.context import BekeyContext
from handlers.menu import employee_role_name, is_emergency, redraw_after_role_change
from handlers.text import holds_cpr
from state.flood import FloodWatch, Verdict
from state.roles import Permission, may

log = logging.getLogger(__name__)

Callback = Callable[[Update, BekeyContext], Coroutine[Any, Any, None]]


async def admit_employee(update: Update, context: BekeyContext) -> None:
    """Lets a known, active employee's update through once; answers anyone else and stops.

    The gate fails closed: if it cannot decide (the database fails), the update stops here.
    """
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop  # groups and channels: silent for now
    context.chat = chat.id
    context.update_id = update.update_id
    if update.message is not None:
        context.sent_at = update.message.date
    try:
        await _admit(update, context, user.id)
    except ApplicationHandlerStop:
        raise
    except Exception as exc:
        log.error(
            "gate failed on update %s (%s); update stopped", update.update_id, type(exc).__name__
        )
        _cannot_identify(update, context)
        raise ApplicationHandlerStop from exc


def _hold_back_a_flood(update: Update, context: BekeyContext) -> None:
    """Drop a person's messages beyond the flood limit (one "slow down"); never a press or 🆘."""
    if update.message is None or is_emergency(update) or holds_cpr(update.message):
        return  # what looks like a CPR number is for the guard to delete, flood or not
    watch = flood_watch(context)
    verdict = watch.judge(update.message.chat.id, context.services.clock.now())
    if verdict is Verdict.LET_THROUGH:
        return
    log.info(
        "update %s dropped: more than %s messages in %s",
        update.update_id,
        watch.limit,
        watch.window,
    )
    if verdict is Verdict.WARN:
        context.express(t(context.language, "access.slow_down"))
    raise ApplicationHandlerStop


def flood_watch(context: BekeyContext) -> FloodWatch:
    """The one flood watch of this bot (kept in bot_data)."""
    watch = context.bot_data.get("flood")
    if not isinstance(watch, FloodWatch):
        settings = context.services.settings
        watch = FloodWatch(settings.flood_messages, settings.flood_window)
        context.bot_data["flood"] = watch
    return watch


def _cannot_identify(update: Update, context: BekeyContext) -> None:
    """The database failed: one line with Bekey's number (and the card, for 🆘), not stored."""
    settings = context.services.settings
    phone = dialable(settings.bekey_support_phone)
    if update.callback_query is not None:
        context.answer(
            update.callback_query,
            t(settings.default_language, "access.db_down_short", phone=phone),
            alert=True,
        )
        return
    if is_emergency(update):
        language = settings.default_language
        card = emergency_card(language, settings, t(language, "emergency.user_id_yours"))
        context.express(card, protect=True)
        return
    context.express(both("access.db_down", phone=phone))


async def _admit(update: Update, context: BekeyContext, telegram_id: int) -> None:
    access = context.services.access
    employee = await access.admit(telegram_id)
    if employee is not None:
        context.employee_or_none = employee  # first: "slow down" comes in their language
        _hold_back_a_flood(update, context)
        if update.effective_message is not None:
            await redraw_after_role_change(update, context)
        return
    if _is_start_with_payload(update):
        return  # /start TOKEN: binding is how a stranger becomes staff
    log.info("refused update %s from unbound account", update.update_id)
    if await access.refuse(telegram_id):
        refuse(update, context)
    raise ApplicationHandlerStop


def refuse(update: Update, context: BekeyContext) -> None:
    """Tell a stranger, in Danish then English, to ask for an invite. Nothing more."""
    if update.callback_query is not None:
        context.answer(
            update.callback_query,
            f"{t('da', 'access.stranger_short')} / {t('en', 'access.stranger_short')}",
            alert=True,
        )
    elif update.effective_message is not None:
        context.express(both("access.stranger"))


def _is_start_with_payload(update: Update) -> bool:
    message = update.message
    if message is None or message.text is None:
        return False
    parts = message.text.split()
    return len(parts) == 2 and parts[0].split("@")[0] == "/start"


def requires(permission: Permission, callback: Callback) -> Callback:
    """Wrap a handler so that only roles with the permission reach it; others get a short answer."""

    async def gated(update: Update, context: BekeyContext) -> None:
        employee = context.employee
        if may(employee.roles, permission):
            await callback(update, context)
            return
        text = t(
            employee.language,
            "access.wrong_role",
            role=employee_role_name(employee.language, employee),
        )
        if update.callback_query is not None:
            context.answer(update.callback_query, text, alert=True)
        elif update.effective_message is not None:
            await context.reply(text)

    gated.__doc__ = callback.__doc__
    gated.__name__ = callback.__name__
    return gated
