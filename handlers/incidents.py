"""Outage incidents in chat: take or close one by button, see them by command, and the unit
broadcast (``/udsend TEXT``, confirmed with one tap that says how many will get it).

The incident's messages are kept in step by the service (the pressed one too); a press
only gets a short answer. Roles are checked where these are registered, and again in the
service (button data comes from the client).
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.render.callbacks import (
    BroadcastAction,
    IncidentAction,
    broadcast_data,
    parse_broadcast,
    parse_incident,
)
from bot.render.i18n import plain, t
from bot.render.incidents import broadcast_preview
from bot.services.incidents import IncidentOutcome
from handlers.context import BekeyContext, after_command, pressed
from state.incident import format_incident_number

_DONE_KEYS = {
    IncidentAction.TAKE: "incident.done_take",
    IncidentAction.RESOLVE: "incident.done_over",
    IncidentAction.CONTINUE: "incident.done_notyet",
}


async def show_incidents(update: Update, context: BekeyContext) -> None:
    """Shows each open outage affecting the employee's unit, with its buttons."""
    shown = await context.services.incidents.show_in_chat(context.employee)
    if not shown:
        await context.reply(t(context.language, "incident.none", unit=context.employee.unit))


async def press_incident(update: Update, context: BekeyContext) -> None:
    """Takes, closes, or answers "not yet" on an incident, checked anew in the service."""
    found = pressed(update, context, parse_incident)
    if found is None:
        return
    query, press = found
    language = context.language
    result = await context.services.incidents.act(
        context.employee, press.incident_id, press.action.trigger
    )
    number = format_incident_number(press.incident_id)
    if result.outcome is IncidentOutcome.DONE:
        context.answer(query, plain(language, _DONE_KEYS[press.action], number=number))
        return
    context.answer(query, plain(language, f"incident.{result.outcome.value}", number=number))


async def draft_broadcast(update: Update, context: BekeyContext) -> None:
    """Shows the broadcast as it will go out, and how many will get it, with one tap to send."""
    employee = context.employee
    language = context.language
    text = after_command(update)
    limit = context.services.settings.broadcast_max_chars
    if not text:
        await context.reply(t(language, "broadcast.usage", unit=employee.unit))
        return
    if len(text) > limit:
        await context.reply(t(language, "broadcast.too_long", max=limit))
        return
    draft = await context.services.incidents.draft_broadcast(employee, text)
    if draft.id is None:
        await context.reply(t(language, "broadcast.nobody", unit=employee.unit))
        return
    send = plain(language, "broadcast.send", count=draft.recipients)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    send, callback_data=broadcast_data(draft.id, BroadcastAction.SEND)
                )
            ],
            [
                InlineKeyboardButton(
                    t(language, "broadcast.drop"),
                    callback_data=broadcast_data(draft.id, BroadcastAction.DROP),
                )
            ],
        ]
    )
    preview = broadcast_preview(language, text, employee.unit, draft.recipients)
    await context.reply(preview, markup=markup)


async def press_broadcast(update: Update, context: BekeyContext) -> None:
    """Sends or drops the employee's broadcast draft, and says so in its message."""
    found = pressed(update, context, parse_broadcast)
    if found is None:
        return
    query, press = found
    language = context.language
    incidents = context.services.incidents
    employee = context.employee
    if press.action is BroadcastAction.SEND:
        result = await incidents.send_broadcast(employee, press.broadcast_id)
        done = t(language, "broadcast.sent", count=result.recipients, unit=employee.unit)
    else:
        result = await incidents.drop_broadcast(employee, press.broadcast_id)
        done = t(language, "broadcast.dropped")
    if result.outcome is IncidentOutcome.NOT_ALLOWED:
        context.answer(query, plain(language, "broadcast.not_yours"), alert=True)
        return
    if result.outcome is not IncidentOutcome.DONE:
        context.answer(query, plain(language, "broadcast.gone"), alert=True)
        await context.edit(query.message, t(language, "broadcast.gone"))
        return
    context.answer(query)
    await context.edit(query.message, done)
