"""Tickets in chat: planners take, mark contacted and resolve by button; lists by command."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.render.callbacks import TicketAction, parse_ticket, ticket_data
from bot.render.cards import status_line, ticket_summary
from bot.render.i18n import Html, t
from bot.services.tickets import Outcome
from handlers.context import BekeyContext
from state.ticket import TicketStatus, format_ticket_number

MAX_LISTED = 30


async def press_ticket(update: Update, context: BekeyContext) -> None:
    """Acts on a ticket button after checking role, unit and the ticket's current state."""
    query = update.callback_query
    assert query is not None
    language = context.language
    press = parse_ticket(query.data or "")
    if press is None:
        await query.answer(t(language, "access.stale_button"), show_alert=True)
        return
    services = context.services
    trigger = press.action.trigger
    if trigger is None:
        shown = await services.tickets.show_in_chat(context.employee, press.ticket_id)
        await query.answer(None if shown else t(language, "ticket.not_allowed"))
        return
    result = await services.tickets.act(context.employee, press.ticket_id, trigger)
    ticket = result.ticket
    if result.outcome is Outcome.NOT_FOUND or ticket is None:
        await query.answer(t(language, "ticket.not_found"), show_alert=True)
        return
    number = format_ticket_number(ticket.model.number)
    if result.outcome is Outcome.NOT_ALLOWED:
        await query.answer(t(language, "ticket.not_allowed"), show_alert=True)
        return
    if result.outcome is Outcome.ALREADY:
        status = status_line(language, services.settings, ticket, result.taker)
        await query.answer(
            t(language, "ticket.already", number=number, status=Html(status)), show_alert=True
        )
        return
    await query.answer(t(language, f"ticket.done_{press.action.value}", number=number))
    if press.action is TicketAction.CANCEL:
        await _redraw_mine(update, context)


async def list_unit_tickets(update: Update, context: BekeyContext) -> None:
    """Lists the open tickets of the planner's unit, oldest first, each a button to open."""
    message = update.effective_message
    assert message is not None
    employee = context.employee
    language = employee.language
    services = context.services
    tickets = await services.tickets.open_for_unit(employee.unit)
    if not tickets:
        await message.reply_text(t(language, "tickets.none", unit=employee.unit))
        return
    now = services.clock.now()
    rows = []
    for listed in tickets[:MAX_LISTED]:
        ticket, citizen = listed.ticket, listed.citizen
        rows.append(
            [
                InlineKeyboardButton(
                    _fit(ticket_summary(language, ticket, citizen, now)),
                    callback_data=ticket_data(ticket.id, TicketAction.SHOW),
                )
            ]
        )
    await message.reply_text(
        t(language, "tickets.list", unit=employee.unit, count=len(tickets)),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows),
        protect_content=True,
    )


def _fit(label: str, limit: int = 60) -> str:
    """Keep a button label short enough to read on a phone."""
    return label if len(label) <= limit else label[: limit - 1] + "…"


async def _mine_view(context: BekeyContext) -> tuple[str, InlineKeyboardMarkup | None]:
    employee = context.employee
    language = employee.language
    services = context.services
    tickets = await services.tickets.open_reported_by(employee.user_id)
    if not tickets:
        return t(language, "mine.none"), None
    now = services.clock.now()
    lines = [t(language, "mine.list", count=len(tickets))]
    rows = []
    for listed in tickets[:MAX_LISTED]:
        ticket, citizen = listed.ticket, listed.citizen
        lines.append(ticket_summary(language, ticket, citizen, now))
        if ticket.model.state == TicketStatus.OPEN:
            number = format_ticket_number(ticket.model.number)
            rows.append(
                [
                    InlineKeyboardButton(
                        t(language, "mine.cancel", number=number),
                        callback_data=ticket_data(ticket.id, TicketAction.CANCEL),
                    )
                ]
            )
    return "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None


async def list_my_tickets(update: Update, context: BekeyContext) -> None:
    """Lists the employee's own open tickets, with a way to withdraw those still untaken."""
    message = update.effective_message
    assert message is not None
    text, markup = await _mine_view(context)
    await message.reply_text(
        text, parse_mode=ParseMode.HTML, reply_markup=markup, protect_content=True
    )


async def _redraw_mine(update: Update, context: BekeyContext) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    text, markup = await _mine_view(context)
    await context.bot.edit_message_text(
        text,
        chat_id=query.message.chat.id,
        message_id=query.message.message_id,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
    )
