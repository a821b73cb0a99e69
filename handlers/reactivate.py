"""A leader reopens a deactivated colleague's access: ``/genaktiver BRUGER-ID``."""

from __future__ import annotations

from telegram import Update

from bot.render.i18n import t
from bot.services.staff import Reactivation
from handlers.context import BekeyContext
from state.invites import valid_user_id


async def reactivate_employee(update: Update, context: BekeyContext) -> None:
    """Reactivates a deactivated employee of the leader's unit; a new invite binds a phone."""
    leader = context.employee
    language = leader.language
    args = context.args or []
    if len(args) != 1 or not valid_user_id(args[0]):
        await context.reply(t(language, "reactivate.usage"))
        return
    user_id = args[0]
    outcome = await context.services.staff.reactivate(user_id, actor=leader.user_id, leader=leader)
    key = {
        Reactivation.DONE: "reactivate.done",
        Reactivation.NOT_FOUND: "reactivate.not_found",
        Reactivation.NOT_DEACTIVATED: "reactivate.not_deactivated",
        Reactivation.NOT_ALLOWED: "reactivate.not_allowed",
    }[outcome]
    await context.reply(t(language, key, user_id=user_id))
