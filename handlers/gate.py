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

from bot.render.i18n import both, t
from handlers.context import BekeyContext
from handlers.menu import redraw_after_role_change
from state.roles import Permission, may

log = logging.getLogger(__name__)

Callback = Callable[[Update, BekeyContext], Coroutine[Any, Any, None]]


async def admit_employee(update: Update, context: BekeyContext) -> None:
    """Lets a known, active employee's update through once; answers anyone else and stops.

    The gate fails closed: if it cannot decide (the database fails), the update stops here.
    """
    try:
        await _admit(update, context)
    except ApplicationHandlerStop:
        raise
    except Exception as exc:
        log.error(
            "gate failed on update %s (%s); update stopped", update.update_id, type(exc).__name__
        )
        raise ApplicationHandlerStop from exc


async def _admit(update: Update, context: BekeyContext) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop  # groups and channels: silent for now
    access = context.services.access
    employee = await access.admit(user.id)
    if employee is not None:
        context.employee_or_none = employee
        if update.effective_message is not None:
            await redraw_after_role_change(update, context)
        return
    if _is_start_with_payload(update):
        return  # /start TOKEN: binding is how a stranger becomes staff
    await access.refuse(user.id)
    log.info("refused update %s from unbound account", update.update_id)
    await refuse(update)
    raise ApplicationHandlerStop


async def refuse(update: Update) -> None:
    """Tell a stranger, in Danish then English, to ask for an invite. Nothing more."""
    if update.callback_query is not None:
        await update.callback_query.answer(
            f"{t('da', 'access.stranger_short')} / {t('en', 'access.stranger_short')}",
            show_alert=True,
        )
    elif update.effective_message is not None:
        await update.effective_message.reply_text(both("access.stranger"))


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
        if may(employee.role, permission):
            await callback(update, context)
            return
        text = t(
            employee.language,
            "access.wrong_role",
            role=t(employee.language, f"role.{employee.role.value}"),
        )
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(text)

    gated.__doc__ = callback.__doc__
    gated.__name__ = callback.__name__
    return gated
