"""The gate every update passes first: private chats only, once per update, known staff only.

Role rules are attached where a handler is registered (``for_roles``), and checked again
when a button is pressed, since button data comes from the client.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.render.i18n import both, t
from handlers.context import BekeyContext
from handlers.menu import redraw_after_role_change
from state.roles import Role

log = logging.getLogger(__name__)

Callback = Callable[[Update, BekeyContext], Coroutine[Any, Any, None]]


async def admit_employee(update: Update, context: BekeyContext) -> None:
    """Lets a known, active employee's update through once; answers anyone else and stops."""
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or chat.type != ChatType.PRIVATE:
        raise ApplicationHandlerStop  # groups and channels: silent for now
    services = context.services
    if not await services.updates.first_time(update.update_id, services.clock.now()):
        log.info("update %s delivered again; skipped", update.update_id)
        raise ApplicationHandlerStop
    employee = await services.employees.by_telegram_id(user.id)
    if employee is not None and employee.active:
        context.employee_or_none = employee
        if update.effective_message is not None:
            await redraw_after_role_change(update, context)
        return
    if _is_start_with_payload(update):
        return  # /start TOKEN: binding is how a stranger becomes staff
    await services.audit.record(services.clock.now(), f"tg:{user.id}", "access", None, "refused")
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


def for_roles(roles: Iterable[Role], callback: Callback) -> Callback:
    """Wrap a handler so that only the given roles reach it; others get a short answer."""
    allowed = frozenset(roles)

    async def gated(update: Update, context: BekeyContext) -> None:
        employee = context.employee
        if employee.role in allowed:
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
