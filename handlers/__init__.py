"""The Telegram face: one module per feature, all wired here, in order.

Order matters: the gate (group -1) runs first for every update; within group 0 the first
matching handler wins, so commands and buttons stand before the catch-all answers.
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.i18n import all_variants
from handlers import errors, gate, invite, menu, start
from state.roles import INVITERS, Action

GATE_GROUP = -1


def _button(action: Action) -> filters.BaseFilter:
    """Match a big keyboard button's text, in any language."""
    return filters.ChatType.PRIVATE & filters.Text(sorted(all_variants(f"button.{action.value}")))


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add every handler to the application."""
    add = application.add_handler
    # 1. Every update passes the gate first: private only, once, known staff only.
    add(TypeHandler(Update, gate.admit_employee), group=GATE_GROUP)

    # 2. Joining and menus.
    add(CommandHandler("start", start.start))
    add(CommandHandler(menu.command_names(Action.HELP), menu.show_help))
    add(MessageHandler(_button(Action.HELP), menu.show_help))
    add(CommandHandler(menu.command_names(Action.LANGUAGE), menu.ask_language))
    add(CallbackQueryHandler(menu.choose_language, pattern=f"^{menu.LANGUAGE_DATA}"))

    # 3. Admin: invites (role checked here, at registration).
    add(
        CommandHandler(
            menu.command_names(Action.INVITE), gate.for_roles(INVITERS, invite.invite_employee)
        )
    )

    # 4. Catch-alls, last: unknown buttons and anything not understood.
    add(CallbackQueryHandler(menu.answer_stale_button))
    add(MessageHandler(filters.ChatType.PRIVATE, menu.answer_unknown))

    application.add_error_handler(errors.report_error)
