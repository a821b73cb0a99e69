"""In-chat invites: ``/inviter BRUGER-ID ROLLE NAVN``, or a staff spreadsheet for many at once."""

from __future__ import annotations

import csv
import io

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot.render.csvfiles import STAFF_HEADER, parse_staff
from bot.render.i18n import moment, t
from bot.render.safe_csv import csv_cell
from bot.render.spreadsheets import MAX_BYTES, Refusal, Unreadable
from bot.services.staff import InviteRefusal, InviteRefused
from bot.storage.employees import StaffRow
from handlers.context import BekeyContext
from handlers.menu import role_name
from state.cpr import contains_cpr
from state.invites import valid_name, valid_user_id
from state.roles import Role, grantable_roles, parse_role

MAX_SHOWN_ERRORS = 25


def _roles_text(language: str, inviter: Role) -> str:
    """The roles an inviter may give, by the names they can type back, in the procedure's order."""
    allowed = grantable_roles(inviter)
    return ", ".join(role_name(language, role) for role in Role if role in allowed)


async def invite_employee(update: Update, context: BekeyContext) -> None:
    """Creates an invite link for a colleague in the inviter's own unit."""
    inviter = context.employee
    language = inviter.language
    args = context.args or []
    roles = _roles_text(language, inviter.acts_as)
    if len(args) < 3:
        usage = t(language, "invite.usage", roles=roles, unit=inviter.unit)
        if Role.LOCK_PARTNER in grantable_roles(inviter.acts_as):
            usage += "\n\n" + t(language, "invite.lock_partner")
        await context.reply(usage)
        return
    user_id, role_text, name = args[0], args[1], " ".join(args[2:])
    if contains_cpr(" ".join(args)):
        await context.reply(t(language, "invite.cpr"))
        return
    role = parse_role(role_text)
    if not valid_user_id(user_id):
        await context.reply(t(language, "invite.bad_user_id"))
        return
    if role is None:
        await context.reply(t(language, "invite.bad_role", roles=roles))
        return
    services = context.services
    unit, firm_id = inviter.unit, None
    if role is Role.LOCK_PARTNER:  # "NAVN; FIRMA": a lock partner belongs to a firm
        name, _, firm_name = name.partition(";")
        firms = services.lock_partners
        if firm_name.strip():
            firm = await firms.find(firm_name)
        else:
            firm = await firms.default()
        if firm is None:
            names = ", ".join(known.name for known in await firms.firms()) or "–"
            await context.reply(t(language, "invite.no_firm", firms=names))
            return
        unit, firm_id = firm.name, firm.id
    if not valid_name(name):
        await context.reply(t(language, "invite.bad_name"))
        return
    try:
        invitation = await services.staff.invite(
            StaffRow(user_id, name.strip(), role, "" if firm_id else unit, firm_id),
            actor=inviter.user_id,
            bot_username=services.bot_username,
            inviter=inviter,
        )
    except InviteRefused as refused:
        if refused.reason is InviteRefusal.DEACTIVATED:
            await context.reply(t(language, "invite.deactivated", user_id=user_id))
            return
        await context.reply(
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
    if invitation.new_phone:
        await context.reply(
            t(
                language,
                "invite.new_phone",
                name=employee.name,
                user_id=employee.user_id,
                role=role_name(language, employee.role),
            )
        )
    expires = moment(
        language, services.clock.now() + services.settings.invite_ttl, services.settings.zone
    )
    await context.reply(
        t(
            language,
            "invite.created",
            name=employee.name,
            user_id=employee.user_id,
            role=role_name(language, employee.role),
            unit=employee.unit or unit,
            expires=expires,
            link=invitation.link,
        )
    )


async def import_staff_file(update: Update, context: BekeyContext) -> None:
    """Invites everyone in a staff spreadsheet, or names each bad line and invites nobody."""
    inviter = context.employee
    language = inviter.language
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    name = document.file_name or ""
    try:
        if (document.file_size or 0) > MAX_BYTES:  # refused before it is downloaded
            raise Unreadable(Refusal.TOO_BIG, STAFF_HEADER)
        file = await context.bot.get_file(document.file_id)
        parsed = parse_staff(bytes(await file.download_as_bytearray()), name)
    except Unreadable as unreadable:
        await context.reply(unreadable.text(language))
        return
    rights = await context.services.staff.rights_errors(inviter, parsed.rows, parsed.lines)
    errors = list(parsed.errors) + rights
    if errors:
        errors.sort(key=lambda e: e.line)
        shown = "\n".join(e.text(language) for e in errors[:MAX_SHOWN_ERRORS])
        more = len(errors) - MAX_SHOWN_ERRORS
        tail = "\n" + t(language, "import.more", count=more) if more > 0 else ""
        await context.reply(t(language, "import.refused", count=len(errors)) + "\n" + shown + tail)
        return
    if not parsed.rows:
        await context.reply(t(language, "import.empty"))
        return
    services = context.services
    try:
        invited = await services.staff.invite_many(
            parsed.rows, actor=inviter.user_id, bot_username=services.bot_username, inviter=inviter
        )
    except InviteRefused:  # someone changed a role meanwhile; the whole file is refused
        await context.reply(t(language, "import.refused", count=1))
        return
    invitations = invited.invitations
    if invited.deactivated:  # people who left: not invited, and said so
        names = ", ".join(invited.deactivated)
        skipped = t(language, "import.deactivated", count=len(invited.deactivated), ids=names)
        await context.reply(skipped)
    if not invitations:
        return
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["user_id", "name", "role", "link"])
    for invitation in invitations:
        employee = invitation.employee
        cells = (employee.user_id, employee.name, employee.role.value, invitation.link)
        writer.writerow([csv_cell(cell) for cell in cells])  # a name is never run as a formula
    expires = moment(
        language, services.clock.now() + services.settings.invite_ttl, services.settings.zone
    )
    await message.reply_document(
        InputFile(out.getvalue().encode("utf-8"), filename="invitationer.csv"),
        caption=t(
            language, "import.done", count=len(invitations), unit=inviter.unit, expires=expires
        ),
        parse_mode=ParseMode.HTML,
    )
