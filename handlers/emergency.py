"""The emergency card: Bekey's 24-hour number and exactly what to say, one tap away."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.render.callbacks import emergency_data, parse_emergency
from bot.render.emergency import emergency_card, named_citizen
from bot.render.i18n import t
from bot.services.emergency import EmergencyView
from handlers.context import BekeyContext
from state.ticket import format_ticket_number


def _card(context: BekeyContext, view: EmergencyView) -> str:
    named = named_citizen(view.citizen, view.ticket.citizen_text)
    return emergency_card(
        context.language, context.services.settings, context.employee.user_id, named
    )


async def show_emergency(update: Update, context: BekeyContext) -> None:
    """Shows the emergency card at once, records the emergency, and offers the unit's citizens."""
    message = update.effective_message
    assert message is not None
    language = context.language
    view = await context.services.emergency.press(context.employee)
    text = _card(context, view)
    markup = None
    if view.citizen is None and not view.ticket.citizen_text:
        rows = [
            [
                InlineKeyboardButton(
                    f"{c.name} · {c.address}", callback_data=emergency_data(view.ticket.id, c.id)
                )
            ]
            for c in view.choices
        ]
        markup = InlineKeyboardMarkup(rows) if rows else None
        number = format_ticket_number(view.ticket.model.number)
        text += "\n\n" + t(language, "emergency.choose", number=number)
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=markup, protect_content=True
    )


async def choose_emergency_citizen(update: Update, context: BekeyContext) -> None:
    """Fills the chosen citizen into the emergency card and the planners' copies."""
    query = update.callback_query
    assert query is not None
    language = context.language
    press = parse_emergency(query.data or "")
    view = None
    if press is not None:
        view = await context.services.emergency.name_citizen(
            context.employee, press.ticket_id, citizen_id=press.citizen_id
        )
    if view is None:
        await query.answer(t(language, "emergency.not_yours"), show_alert=True)
        return
    number = format_ticket_number(view.ticket.model.number)
    await query.answer(t(language, "emergency.citizen_set", number=number))
    if isinstance(query.message, Message):
        await query.message.edit_text(_card(context, view), parse_mode=ParseMode.HTML)


async def take_emergency_text(update: Update, context: BekeyContext) -> bool:
    """Uses typed text as the citizen of a fresh emergency; False if none is waiting for one."""
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    waiting = await services.emergency.awaiting_citizen(context.employee)
    if waiting is None:
        return False
    view = await services.emergency.name_citizen(
        context.employee, waiting.id, typed=message.text.strip()
    )
    if view is None:
        return False
    number = format_ticket_number(view.ticket.model.number)
    await message.reply_text(
        _card(context, view) + "\n\n" + t(context.language, "emergency.citizen_set", number=number),
        parse_mode=ParseMode.HTML,
        protect_content=True,
    )
    return True
