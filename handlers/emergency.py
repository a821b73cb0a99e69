"""The emergency card: Bekey's 24-hour number and exactly what to say, one tap away."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.render.callbacks import (
    EmergencyChoice,
    emergency_choice_data,
    emergency_data,
    parse_emergency,
)
from bot.render.emergency import emergency_card, named_citizen
from bot.render.i18n import plain, t
from bot.render.incidents import outage_note
from bot.render.smartkeys import emergency_note
from bot.services import Services
from bot.services.emergency import EmergencyView
from bot.storage.employees import Employee
from handlers.context import BekeyContext, late
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
    keys = emergency_note(language, view.cabinets)
    if keys:  # where the unit's Smartkeys are, and how many are in the cabinet now
        parts.append(keys)
    if view.incident is not None:  # a known outage: say so, with the count
        parts.append(outage_note(language, view.incident))
    if view.no_network:
        parts.append(t(language, "emergency.no_network_noted"))
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
    if not view.no_network:  # alone on the last row: the easiest to hit with gloves on
        no_network = emergency_choice_data(ticket_id, EmergencyChoice.NO_NETWORK)
        rows.append(
            [InlineKeyboardButton(t(language, "emergency.no_network"), callback_data=no_network)]
        )
    parts.append(_told(context, view))
    return "\n\n".join(parts), InlineKeyboardMarkup(rows) if rows else None


async def _reply(
    context: BekeyContext, view: EmergencyView, *, completes_card: bool = False
) -> None:
    text, markup = _view(context, view)
    await context.reply(text, markup=markup, protect=True, completes_card=completes_card)


def instant_card(services: Services, employee: Employee, sent_at: datetime | None) -> str:
    """The card's first form: it needs only the settings and who pressed (no database write)."""
    card = emergency_card(employee.language, services.settings, employee.user_id)
    return late(services, employee.language, "late.emergency", sent_at, card)


async def show_emergency(update: Update, context: BekeyContext) -> None:
    """Sends the card at once, then records the emergency and completes the card in place.

    The inbox usually sent the card already, as the update arrived; then this is a no-op.
    """
    context.late_key = "late.emergency"
    if not await context.answered_before_a_restart():
        card = instant_card(context.services, context.employee, context.sent_at)
        context.express(card, protect=True, instant_card=True)
    view = await context.services.emergency.press(context.employee)
    await _reply(context, view, completes_card=True)


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
        context.answer(query)
        await _reply(context, await emergency.press(employee, another=True))
        return
    if press is not None and press.choice is EmergencyChoice.NO_NETWORK:
        view = await emergency.no_network(employee, press.ticket_id)
        if view is not None:
            number = format_ticket_number(view.ticket.model.number)
            context.answer(query, plain(language, "emergency.no_network_set", number=number))
            text, markup = _view(context, view)
            await context.edit(query.message, text, markup)
            return
    elif press is not None and press.choice is EmergencyChoice.TYPED:
        view = await emergency.use_typed(employee, press.ticket_id)
    elif press is not None and press.citizen_id is not None:
        view = await emergency.name_citizen(employee, press.ticket_id, press.citizen_id)
    if view is None:
        context.answer(query, t(language, "emergency.not_yours"), alert=True)
        return
    number = format_ticket_number(view.ticket.model.number)
    context.answer(query, t(language, "emergency.citizen_set", number=number))
    text, markup = _view(context, view)
    await context.edit(query.message, text, markup)


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
    await _reply(context, view)
    return True
