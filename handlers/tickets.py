"""Tickets in chat: planners take, mark contacted and resolve by button; lists by command.

Both lists (``/sager``, ``/mine``) show a page at a time with ◀ ▶ buttons that edit the
list in place. A page button carries the page and how long the list was when drawn: a
button from before the list changed shows the nearest page that still exists; a button
the bot never drew (not on the message, or a page its list could not have had) changes
nothing and gets a short answer.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.render.callbacks import (
    TicketAction,
    TicketList,
    page_data,
    parse_page,
    parse_ticket,
    ticket_data,
    ticket_on_page_data,
)
from bot.render.cards import status_line, ticket_label, ticket_summary
from bot.render.i18n import plain, t
from bot.render.pages import UNIT_MAX, cut
from bot.services.tickets import Outcome, TicketPage
from handlers.context import BekeyContext
from state.ticket import TicketStatus, format_ticket_number

Markup = InlineKeyboardMarkup | None
View = tuple[TicketPage, str, Markup]


async def press_ticket(update: Update, context: BekeyContext) -> None:
    """Acts on a ticket button after checking role, unit and the ticket's current state."""
    query = update.callback_query
    assert query is not None
    language = context.language
    press = parse_ticket(query.data or "")
    if press is None:
        context.answer(query, t(language, "access.stale_button"), alert=True)
        return
    services = context.services
    trigger = press.action.trigger
    if trigger is None:
        shown = await services.tickets.show_in_chat(context.employee, press.ticket_id)
        context.answer(query, None if shown else t(language, "ticket.not_allowed"))
        return
    result = await services.tickets.act(context.employee, press.ticket_id, trigger)
    ticket = result.ticket
    if result.outcome is Outcome.NOT_FOUND or ticket is None:
        context.answer(query, t(language, "ticket.not_found"), alert=True)
        return
    number = format_ticket_number(ticket.model.number)
    if result.outcome is Outcome.NOT_ALLOWED:
        context.answer(query, t(language, "ticket.not_allowed"), alert=True)
        return
    if result.outcome is Outcome.ALREADY:
        # An alert is plain text: the status line is HTML (a card's), so it is read back first.
        status = html.unescape(
            status_line(language, services.settings, ticket, result.taker, result.lock_partner)
        )
        context.answer(
            query, plain(language, "ticket.already", number=number, status=status), alert=True
        )
        return
    context.answer(query, t(language, f"ticket.done_{press.action.value}", number=number))
    if press.action is TicketAction.CANCEL and isinstance(query.message, Message):
        # The withdraw button stood on a page of /mine: show that page again, without it.
        _, text, markup = await _mine_view(context, press.page or 1)
        await context.edit(query.message, text, markup)


async def list_unit_tickets(update: Update, context: BekeyContext) -> None:
    """Lists the open tickets of the planner's unit, emergencies first, a page at a time."""
    _, text, markup = await _unit_view(context, 1)
    await context.reply(text, markup=markup, protect=True)


async def list_my_tickets(update: Update, context: BekeyContext) -> None:
    """Lists the employee's own open tickets, with a way to withdraw those still untaken."""
    _, text, markup = await _mine_view(context, 1)
    await context.reply(text, markup=markup, protect=True)


async def turn_unit_page(update: Update, context: BekeyContext) -> None:
    """Shows another page of the unit's open tickets in place of the one shown."""
    await _turn_page(update, context, TicketList.UNIT, _unit_view)


async def turn_my_page(update: Update, context: BekeyContext) -> None:
    """Shows another page of the employee's own open tickets in place of the one shown."""
    await _turn_page(update, context, TicketList.MINE, _mine_view)


async def _turn_page(
    update: Update,
    context: BekeyContext,
    kind: TicketList,
    view: Callable[[BekeyContext, int], Awaitable[View]],
) -> None:
    query = update.callback_query
    assert query is not None
    language = context.language
    data = query.data or ""
    press = parse_page(data)
    message = query.message
    if (
        press is None
        or press.kind is not kind
        or not isinstance(message, Message)
        or not _shows_button(message, data)
    ):
        context.answer(query, t(language, "access.stale_button"))
        return
    page, text, markup = await view(context, press.page)
    context.answer(query, t(language, "pages.changed") if page.total != press.count else None)
    if press.new:  # from the morning summary: it stays, the list comes below it
        await context.reply(text, markup=markup)
        return
    await context.edit(message, text, markup)


def _shows_button(message: Message, data: str) -> bool:
    """Whether the message really shows a button with this data (the bot drew it)."""
    markup = message.reply_markup
    if markup is None:
        return False
    return any(button.callback_data == data for row in markup.inline_keyboard for button in row)


async def _unit_view(context: BekeyContext, asked: int) -> View:
    employee = context.employee
    language = employee.language
    services = context.services
    unit = cut(employee.unit, UNIT_MAX)
    page = await services.tickets.open_for_unit(employee.unit, asked)
    if not page.total:
        return page, t(language, "tickets.none", unit=unit), None
    now = services.clock.now()
    lines = [t(language, "tickets.list", unit=unit, count=page.total)]
    if page.emergencies:
        lines.append(t(language, "tickets.emergencies_first", count=page.emergencies))
    rows = []
    for listed in page.tickets:
        ticket = listed.ticket
        lines.append(ticket_summary(language, ticket, listed.citizen, now))
        label = ticket_label(language, ticket, listed.citizen, listed.taker)
        rows.append(
            [InlineKeyboardButton(label, callback_data=ticket_data(ticket.id, TicketAction.SHOW))]
        )
    return page, _with_footer(language, lines, page), _markup(language, rows, TicketList.UNIT, page)


async def _mine_view(context: BekeyContext, asked: int) -> View:
    employee = context.employee
    language = employee.language
    services = context.services
    page = await services.tickets.open_reported_by(employee.user_id, asked)
    if not page.total:
        return page, t(language, "mine.none"), None
    now = services.clock.now()
    lines = [t(language, "mine.list", count=page.total)]
    rows = []
    for listed in page.tickets:
        ticket = listed.ticket
        lines.append(ticket_summary(language, ticket, listed.citizen, now))
        if ticket.model.state == TicketStatus.OPEN:
            number = format_ticket_number(ticket.model.number)
            data = ticket_on_page_data(ticket.id, TicketAction.CANCEL, page.number)
            rows.append(
                [
                    InlineKeyboardButton(
                        plain(language, "mine.cancel", number=number), callback_data=data
                    )
                ]
            )
    return page, _with_footer(language, lines, page), _markup(language, rows, TicketList.MINE, page)


def _with_footer(language: str, lines: list[str], page: TicketPage) -> str:
    """The page's lines, and which page this is when there is more than one."""
    if page.pages > 1:
        lines = [*lines, t(language, "pages.of", page=page.number, pages=page.pages)]
    return "\n".join(lines)


def _markup(
    language: str, rows: list[list[InlineKeyboardButton]], kind: TicketList, page: TicketPage
) -> Markup:
    """The page's buttons, then ◀ ▶ to the pages before and after it (if there are any)."""
    turn = []
    if page.number > 1:
        data = page_data(kind, page.number - 1, page.total)
        turn.append(InlineKeyboardButton(t(language, "pages.previous"), callback_data=data))
    if page.number < page.pages:
        data = page_data(kind, page.number + 1, page.total)
        turn.append(InlineKeyboardButton(t(language, "pages.next"), callback_data=data))
    if turn:
        rows = [*rows, turn]
    return InlineKeyboardMarkup(rows) if rows else None
