"""Lock partner firms in chat: the leader lists them (``/laasepartner``), adds or changes one
(``/laasepartner NAVN; TELEFON; E-MAIL``) and takes one off the list by its button.

The default firm (⭐) comes from the settings and has no remove button. Every change is
authorised anew in the service (a button's data comes from the client) and audited there.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, MaybeInaccessibleMessage, Update

from bot.render.callbacks import lock_partner_data, parse_lock_partner
from bot.render.i18n import Html, plain, t
from bot.render.pages import NAME_MAX, cut
from bot.render.phones import dialable
from bot.services.lock_partners import FirmChange, FirmOutcome
from bot.storage.lock_partners import Firm
from handlers.context import BekeyContext, after_command, inline_markup, pressed


async def lock_partners(update: Update, context: BekeyContext) -> None:
    """Lists the lock partner firms; with NAME; PHONE; E-MAIL, adds or updates one."""
    typed = after_command(update)
    if not typed:
        text, markup = await _listing(context)
        await context.reply(text, markup=markup)
        return
    parts = [part.strip() for part in typed.split(";")]
    if len(parts) not in (2, 3):
        await context.reply(t(context.language, "firm.usage"))
        return
    name, phone = parts[0], parts[1]
    email = parts[2] if len(parts) == 3 else ""
    result = await context.services.lock_partners.save(context.employee, name, phone, email)
    await _after(context, result)


async def press_retire(update: Update, context: BekeyContext) -> None:
    """Takes a lock partner firm off the list (the leader's button), authorised anew."""
    found = pressed(update, context, parse_lock_partner)
    if found is None:
        return
    query, firm_id = found
    result = await context.services.lock_partners.retire(context.employee, firm_id)
    if result.outcome is FirmOutcome.NOT_ALLOWED:
        context.answer(query, plain(context.language, "firm.not_allowed"), alert=True)
        return
    context.answer(query)
    await _after(context, result, query.message)


async def _after(
    context: BekeyContext, result: FirmChange, pressed: MaybeInaccessibleMessage | None = None
) -> None:
    """Say how it went, above the list as it stands now."""
    language = context.language
    firm = result.firm
    if result.outcome is FirmOutcome.INVALID and result.problem is not None:
        await context.reply(
            t(language, f"firm.problem.{result.problem.value}") + "\n\n" + t(language, "firm.usage")
        )
        return
    if result.outcome is FirmOutcome.NOT_ALLOWED:
        head = t(language, "firm.not_allowed")
    elif result.outcome is FirmOutcome.NOT_FOUND or firm is None:
        head = t(language, "firm.not_found")
    else:
        head = t(language, f"firm.{result.outcome.value}", name=firm.name)
    text, markup = await _listing(context)
    if pressed is not None:
        await context.edit(pressed, f"{head}\n\n{text}", markup)
    else:
        await context.reply(f"{head}\n\n{text}", markup=markup)


def _line(language: str, firm: Firm) -> str:
    """One firm: ⭐ for the default, its name, number and e-mail."""
    name: str | Html = firm.name
    if firm.is_default:
        name = Html(t(language, "firm.default_name", name=firm.name))
    phone = dialable(firm.phone) or Html(t(language, "firm.no_phone"))
    if firm.email:
        return t(language, "firm.line_email", name=name, phone=phone, email=firm.email)
    return t(language, "firm.line", name=name, phone=phone)


async def _listing(context: BekeyContext) -> tuple[str, InlineKeyboardMarkup | None]:
    """The firms, a remove button under each but the default, and how to add one."""
    language = context.language
    firms = await context.services.lock_partners.firms()
    if not firms:
        return t(language, "firm.none") + "\n\n" + t(language, "firm.usage"), None
    lines = [t(language, "firm.list", count=len(firms))]
    lines += [_line(language, firm) for firm in firms]
    lines += ["", t(language, "firm.usage")]
    rows = [
        [
            (
                plain(language, "firm.remove", name=cut(firm.name, NAME_MAX)),
                lock_partner_data(firm.id),
            )
        ]
        for firm in firms
        if not firm.is_default
    ]
    return "\n".join(lines), inline_markup(rows)
