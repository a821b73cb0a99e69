"""Joining: /start with an invite token binds this Telegram account to a SmartCare user-id."""

from __future__ import annotations

import logging

from telegram import BotCommandScopeChat, ReplyKeyboardRemove, Update

from bot.render.i18n import both, t
from bot.storage.outbox import Priority
from handlers.context import BekeyContext, background
from handlers.menu import employee_role_name, show_menu, where
from state.invites import Redemption, looks_like_token
from state.roles import Permission, may

log = logging.getLogger(__name__)

_REFUSALS = {
    Redemption.EXPIRED: "join.expired",
    Redemption.ACCOUNT_TAKEN: "join.account_taken",
    Redemption.INACTIVE: "access.stranger",
}


async def start(update: Update, context: BekeyContext) -> None:
    """Binds the account when /start carries an invite token; otherwise greets the employee."""
    user = update.effective_user
    assert user is not None
    token = context.args[0] if context.args else ""
    if not token:
        await _greet(update, context)
        return
    if not looks_like_token(token):
        await context.reply(both("join.used"))
        return
    outcome = await context.services.staff.redeem(token, user.id)
    if outcome.result is not Redemption.BOUND or outcome.employee is None:
        log.info("invite redemption by account %s: %s", user.id, outcome.result)
        if context.employee_or_none is not None and outcome.result is Redemption.USED:
            await _greet(update, context)  # a bound employee opening their own link again
            return
        await context.reply(both(_REFUSALS.get(outcome.result, "join.used")))
        return
    employee = outcome.employee
    context.employee_or_none = employee
    log.info("account %s bound to an employee", user.id)
    if outcome.previous_telegram_id is not None:
        await _tell_old_account(context, outcome.previous_telegram_id, employee.language)
    language = employee.language
    await show_menu(
        update,
        context,
        t(
            language,
            "join.welcome",
            name=employee.name,
            user_id=employee.user_id,
            role=employee_role_name(language, employee),
            unit=await where(context, employee),
        )
        + "\n\n"
        + t(language, "join.menu_ready"),
    )
    if may(employee.roles, Permission.EMERGENCY):  # not a lock partner's fitter
        await context.services.emergency.pin_card(employee, user.id)


async def _greet(update: Update, context: BekeyContext) -> None:
    employee = context.employee
    language = employee.language
    await show_menu(
        update,
        context,
        t(
            language,
            "join.welcome_back",
            name=employee.name,
            user_id=employee.user_id,
            role=employee_role_name(language, employee),
            unit=await where(context, employee),
        ),
    )


async def _tell_old_account(context: BekeyContext, telegram_id: int, language: str) -> None:
    """Tell the account that lost the binding, and take its menu away."""
    background(
        context.bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id)),
        "taking the old account's commands away",
    )
    await context.services.replies.say(
        telegram_id,
        t(language, "join.moved"),
        reply_markup=ReplyKeyboardRemove().to_dict(),
        priority=Priority.PUSH,
    )
