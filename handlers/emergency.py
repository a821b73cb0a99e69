"""The emergency card: Bekey's 24-hour number and exactly what to say, one tap away."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.render.callbacks import emergency_data, parse_emergency
from bot.render.i18n import Html, t
from bot.settings import Settings
from bot.storage.citizens import Citizen
from bot.storage.employees import Employee
from bot.storage.outbox import OutboxStore
from bot.storage.tickets import StoredTicket
from handlers.context import BekeyContext
from state.ticket import format_ticket_number

CITIZEN_BUTTONS = 8
MAX_TYPED_CITIZEN = 120


def dialable(phone: str) -> str:
    """Return a Danish number in the +45 form that phones offer to dial."""
    digits = phone.replace(" ", "")
    if digits.startswith("+") or not digits.isdigit() or len(digits) != 8:
        return phone
    return f"+45 {phone}"


def emergency_card(
    language: str, settings: Settings, user_id: str, citizen: str | None = None
) -> str:
    """Return the card: the number, what to say (citizen as safe HTML), the Smartkey fallback."""
    return t(
        language,
        "emergency.card",
        support=settings.bekey_support_name,
        phone=dialable(settings.bekey_support_phone),
        user_id=user_id,
        citizen=Html(t(language, "emergency.citizen_unknown") if citizen is None else citizen),
    )


async def pin_emergency_card(context: BekeyContext, employee: Employee, chat_id: int) -> None:
    """Queue the emergency card to be sent and pinned, so it is there when the network is not."""
    services = context.services
    text = emergency_card(employee.language, services.settings, employee.user_id)
    async with services.db.transaction() as s:
        await OutboxStore.enqueue_in(
            s, services.clock.now(), chat_id, text, pin=True, topic=f"card:{employee.user_id}"
        )
    await services.outbox.flush(context.bot)


def _card_for(context: BekeyContext, ticket: StoredTicket, citizen: Citizen | None) -> str:
    language = context.language
    named = None
    if citizen is not None:
        named = f"{citizen.name}, {citizen.address} ({citizen.bekey_door})"
    elif ticket.citizen_text:
        named = ticket.citizen_text
    return emergency_card(
        language,
        context.services.settings,
        context.employee.user_id,
        html.escape(named) if named else None,
    )


async def show_emergency(update: Update, context: BekeyContext) -> None:
    """Shows the emergency card at once, records the emergency, and offers the unit's citizens."""
    message = update.effective_message
    assert message is not None
    services = context.services
    employee = context.employee
    language = employee.language
    ticket, _ = await services.tickets.emergency(employee)
    citizen = await services.citizens.get(ticket.citizen_id) if ticket.citizen_id else None
    text = _card_for(context, ticket, citizen)
    markup = None
    if citizen is None and not ticket.citizen_text:
        citizens = await services.citizens.with_bekey(employee.unit)
        rows = [
            [
                InlineKeyboardButton(
                    f"{c.name} · {c.address}", callback_data=emergency_data(ticket.id, c.id)
                )
            ]
            for c in citizens[:CITIZEN_BUTTONS]
        ]
        markup = InlineKeyboardMarkup(rows) if rows else None
        text += "\n\n" + t(
            language, "emergency.choose", number=format_ticket_number(ticket.model.number)
        )
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=markup, protect_content=True
    )
    await services.outbox.flush(context.bot)


async def choose_emergency_citizen(update: Update, context: BekeyContext) -> None:
    """Fills the chosen citizen into the emergency card and the planners' copies."""
    query = update.callback_query
    assert query is not None
    language = context.language
    press = parse_emergency(query.data or "")
    ticket = None
    if press is not None:
        ticket = await context.services.tickets.name_emergency_citizen(
            context.employee, press.ticket_id, citizen_id=press.citizen_id
        )
    if ticket is None:
        await query.answer(t(language, "emergency.not_yours"), show_alert=True)
        return
    await query.answer(
        t(language, "emergency.citizen_set", number=format_ticket_number(ticket.model.number))
    )
    citizen = await context.services.citizens.get(ticket.citizen_id) if ticket.citizen_id else None
    if isinstance(query.message, Message):
        await query.message.edit_text(
            _card_for(context, ticket, citizen), parse_mode=ParseMode.HTML
        )
    await context.services.outbox.flush(context.bot)


async def take_emergency_text(update: Update, context: BekeyContext) -> bool:
    """Uses typed text as the citizen of a fresh emergency; False if none is waiting for one."""
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    waiting = await services.tickets.awaiting_citizen(context.employee)
    if waiting is None:
        return False
    typed = message.text.strip()[:MAX_TYPED_CITIZEN]
    ticket = await services.tickets.name_emergency_citizen(
        context.employee, waiting.id, typed=typed
    )
    if ticket is None:
        return False
    language = context.language
    await message.reply_text(
        _card_for(context, ticket, None)
        + "\n\n"
        + t(language, "emergency.citizen_set", number=format_ticket_number(ticket.model.number)),
        parse_mode=ParseMode.HTML,
        protect_content=True,
    )
    await services.outbox.flush(context.bot)
    return True
