"""Key persons in chat: the leader appoints (``/noegleperson ab1234``), lists and removes them.

The appointee's command menu is set again at once, and their big buttons come with the
message that tells them; the leader's answer names who the unit's key persons are now.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MaybeInaccessibleMessage, Update

from bot.render.callbacks import key_person_data, parse_key_person
from bot.render.i18n import plain, t
from bot.render.pages import NAME_MAX, cut
from bot.services.appointments import Appointed, Appointment
from bot.storage.employees import Employee
from handlers.context import BekeyContext, background, pressed
from handlers.menu import install_menu, keyboard_for


async def key_persons(update: Update, context: BekeyContext) -> None:
    """Lists the unit's key persons with a remove button each; with a user-id, appoints them."""
    if context.args:
        result = await context.services.appointments.appoint(
            context.employee, context.args[0].strip(), appointed=True
        )
        await _after(context, result, context.args[0].strip())
        return
    text, markup = await _listing(context)
    await context.reply(text, markup=markup)


async def press_remove(update: Update, context: BekeyContext) -> None:
    """Removes a key person's appointment (the leader's button), authorised anew."""
    found = pressed(update, context, parse_key_person)
    if found is None:
        return
    query, user_id = found
    language = context.language
    result = await context.services.appointments.appoint(context.employee, user_id, appointed=False)
    if result.outcome is Appointed.NOT_ALLOWED:
        context.answer(query, plain(language, "keyperson.not_allowed"), alert=True)
        return
    context.answer(query)
    await _after(context, result, user_id, query.message)


async def _after(
    context: BekeyContext,
    result: Appointment,
    user_id: str,
    pressed: MaybeInaccessibleMessage | None = None,
) -> None:
    """Tell both: the leader sees the unit's key persons now; the appointee gets new buttons."""
    language = context.language
    employee = result.employee
    if result.outcome is Appointed.DONE and employee is not None:
        await _tell(context, employee)
        done = "keyperson.appointed" if employee.key_person else "keyperson.removed"
        head = t(language, done, name=employee.name, user_id=employee.user_id)
    elif result.outcome is Appointed.ALREADY and employee is not None:
        key = "keyperson.already" if employee.key_person else "keyperson.not_one"
        head = t(language, key, name=employee.name)
    elif result.outcome is Appointed.LEADER and employee is not None:
        head = t(language, "keyperson.leader", name=employee.name)
    elif result.outcome is Appointed.NOT_FOUND:
        head = t(
            language, "keyperson.not_found", user_id=cut(user_id, 32), unit=context.employee.unit
        )
    else:
        head = t(language, "keyperson.not_allowed")
    text, markup = await _listing(context)
    if pressed is not None:
        await context.edit(pressed, f"{head}\n\n{text}", markup)
    else:
        await context.reply(f"{head}\n\n{text}", markup=markup)


async def _tell(context: BekeyContext, employee: Employee) -> None:
    """The appointee's menu now, and the message with their new big buttons."""
    if employee.telegram_id is not None:
        background(
            install_menu(context.bot, employee, employee.telegram_id), "setting the commands"
        )
    keyboard = keyboard_for(employee).to_dict()
    await context.services.appointments.tell_appointee(employee, context.employee, keyboard)


async def _listing(context: BekeyContext) -> tuple[str, InlineKeyboardMarkup | None]:
    """The unit's key persons, with a remove button each, and how to appoint one."""
    language = context.language
    unit = context.employee.unit
    found = await context.services.appointments.key_persons(unit)
    if not found:
        return t(language, "keyperson.none", unit=unit), None
    lines = [t(language, "keyperson.list", unit=unit, count=len(found))]
    lines += [t(language, "keyperson.line", name=p.name, user_id=p.user_id) for p in found]
    lines += ["", t(language, "keyperson.usage")]
    rows = [
        [
            InlineKeyboardButton(
                plain(language, "keyperson.remove", name=cut(p.name, NAME_MAX)),
                callback_data=key_person_data(p.user_id),
            )
        ]
        for p in found
        if p.key_person
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None
