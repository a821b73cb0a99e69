"""The emergency card: Bekey's 24-hour number and exactly what to say, one tap away."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.render.callbacks import (
    EmergencyChoice,
    emergency_choice_data,
    emergency_data,
    parse_emergency,
)
from bot.render.emergency import emergency_card, named_citizen
from bot.render.i18n import plain, t
from bot.services.emergency import EmergencyView
from handlers.context import BekeyContext
from state.ticket import format_ticket_number

MAX_SHOWN_TYPED = 30
"""How much of the typed text the "use what I typed" button repeats."""


def _card(context: BekeyContext, view: EmergencyView) -> str:
    named = named_citizen(view.citizen, view.ticket.citizen_text)
    return emergency_card(
        context.language, context.services.settings, context.employee.user_id, named
    )


def _told(context: BekeyContext, view: EmergencyView) -> str:
    """Who got the push, or that nobody did and what to do."""
    language = context.language
    number = format_ticket_number(view.ticket.model.number)
    if not view.told:
        return t(language, "emergency.told_nobody", number=number, unit=context.employee.unit)
    return t(language, "emergency.told", number=number, names=", ".join(view.told))


def _view(context: BekeyContext, view: EmergencyView) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card, what it still needs, and its buttons."""
    language = context.language
    ticket_id = view.ticket.id
    parts = [_card(context, view)]
    rows: list[list[InlineKeyboardButton]] = []
    if view.named:
        if view.repeated:
            parts.append(t(language, "emergency.still_open"))
            rows.append(
                [
                    InlineKeyboardButton(
                        t(language, "emergency.another"),
                        callback_data=emergency_choice_data(ticket_id, EmergencyChoice.ANOTHER),
                    )
                ]
            )
    else:
        search = view.ticket.citizen_search
        if search and not view.choices:
            parts.append(t(language, "emergency.no_match", query=search))
        elif view.matches > len(view.choices):
            parts.append(t(language, "emergency.more_letters", count=view.matches))
        else:
            parts.append(t(language, "emergency.choose"))
        rows += [
            [
                InlineKeyboardButton(
                    f"{c.name} · {c.address}", callback_data=emergency_data(ticket_id, c.id)
                )
            ]
            for c in view.choices
        ]
        if search:
            shown = (
                search if len(search) <= MAX_SHOWN_TYPED else search[: MAX_SHOWN_TYPED - 1] + "…"
            )
            rows.append(
                [
                    InlineKeyboardButton(
                        plain(language, "emergency.use_typed", text=shown),
                        callback_data=emergency_choice_data(ticket_id, EmergencyChoice.TYPED),
                    )
                ]
            )
    parts.append(_told(context, view))
    return "\n\n".join(parts), InlineKeyboardMarkup(rows) if rows else None


async def _reply(update: Update, context: BekeyContext, view: EmergencyView) -> None:
    message = update.effective_message
    assert message is not None
    text, markup = _view(context, view)
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=markup, protect_content=True
    )


async def show_emergency(update: Update, context: BekeyContext) -> None:
    """Shows the emergency card at once, records the emergency, and offers the unit's citizens."""
    await _reply(update, context, await context.services.emergency.press(context.employee))


async def press_emergency(update: Update, context: BekeyContext) -> None:
    """Names the emergency's citizen (listed or as typed), or starts one for another citizen."""
    query = update.callback_query
    assert query is not None
    language = context.language
    press = parse_emergency(query.data or "")
    emergency = context.services.emergency
    employee = context.employee
    view = None
    if press is not None and press.choice is EmergencyChoice.ANOTHER:
        await query.answer()
        await _reply(update, context, await emergency.press(employee, another=True))
        return
    if press is not None and press.choice is EmergencyChoice.TYPED:
        view = await emergency.use_typed(employee, press.ticket_id)
    elif press is not None and press.citizen_id is not None:
        view = await emergency.name_citizen(employee, press.ticket_id, press.citizen_id)
    if view is None:
        await query.answer(t(language, "emergency.not_yours"), show_alert=True)
        return
    number = format_ticket_number(view.ticket.model.number)
    await query.answer(t(language, "emergency.citizen_set", number=number))
    if isinstance(query.message, Message):
        text, markup = _view(context, view)
        await query.message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def take_emergency_text(update: Update, context: BekeyContext) -> bool:
    """Looks typed text up among the unit's citizens for a fresh emergency; False if none waits."""
    message = update.effective_message
    assert message is not None and message.text is not None
    emergency = context.services.emergency
    waiting = await emergency.awaiting_citizen(context.employee)
    if waiting is None:
        return False
    view = await emergency.search(context.employee, waiting.id, message.text)
    if view is None:
        return False
    await _reply(update, context, view)
    return True
