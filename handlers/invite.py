"""In-chat invites: ``/inviter BRUGER-ID ROLLE NAVN`` by leaders, key persons and planners."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.context import BekeyContext
from bot.i18n import moment, t
from bot.staff import InviteRefused
from bot.storage.employees import StaffRow
from handlers.menu import role_name
from state.cpr import contains_cpr
from state.invites import valid_name, valid_user_id
from state.roles import Role, grantable_roles, parse_role


def _roles_text(language: str, inviter: Role) -> str:
    return ", ".join(role_name(language, r) for r in sorted(grantable_roles(inviter)))


async def invite_employee(update: Update, context: BekeyContext) -> None:
    """Creates an invite link for a colleague in the inviter's own unit."""
    inviter = context.employee
    language = inviter.language
    message = update.effective_message
    assert message is not None
    args = context.args or []
    roles = _roles_text(language, inviter.role)
    if len(args) < 3:
        await message.reply_text(
            t(language, "invite.usage", roles=roles, unit=inviter.unit), parse_mode=ParseMode.HTML
        )
        return
    user_id, role_text, name = args[0], args[1], " ".join(args[2:])
    if contains_cpr(" ".join(args)):
        await message.reply_text(t(language, "invite.cpr"))
        return
    role = parse_role(role_text)
    if not valid_user_id(user_id):
        await message.reply_text(t(language, "invite.bad_user_id"))
        return
    if role is None:
        await message.reply_text(t(language, "invite.bad_role", roles=roles))
        return
    if not valid_name(name):
        await message.reply_text(t(language, "invite.bad_name"))
        return
    services = context.services
    try:
        invitation = await services.staff.invite(
            StaffRow(user_id, name.strip(), role, inviter.unit),
            actor=inviter.user_id,
            bot_username=services.bot_username,
            inviter=inviter,
        )
    except InviteRefused:
        await message.reply_text(
            t(
                language,
                "invite.refused",
                user_id=user_id,
                role=role_name(language, role),
                roles=roles,
            )
        )
        return
    employee = invitation.employee
    expires = moment(
        language, services.clock.now() + services.settings.invite_ttl, services.settings.zone
    )
    await message.reply_text(
        t(
            language,
            "invite.created",
            name=employee.name,
            user_id=employee.user_id,
            role=role_name(language, employee.role),
            unit=employee.unit,
            expires=expires,
            link=invitation.link,
        ),
        parse_mode=ParseMode.HTML,
    )
