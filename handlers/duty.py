"""Duty in chat, for the unit's leader: ``/vagt`` shows the planner hours and the on-call
people (each with a button to end it); ``/vagt timer man-fre 07:00-15:30`` sets the hours;
``/vagt BRUGER-ID tirsdag`` or ``/vagt BRUGER-ID 24.12-26.12 [22-07]`` appoints someone of
the unit on call. The role is checked where this is registered, and again in the service.
"""

from __future__ import annotations

from telegram import Update

from bot.render import duty as render
from bot.render.callbacks import parse_on_call
from bot.render.i18n import t
from bot.services.duty import DutyOutcome
from handlers.context import BekeyContext, after_command, inline_markup, pressed
from state.duty import InvalidHours, parse_on_call_rule, parse_planner_hours

HOURS_WORDS = frozenset({"timer", "tider", "hours"})
"""The first word of ``/vagt timer ...``."""


async def set_duty(update: Update, context: BekeyContext) -> None:
    """Shows the unit's planner hours and on-call people; sets the hours or appoints one."""
    services = context.services
    actor = context.employee
    language = context.language
    words = after_command(update).split(maxsplit=1)
    if words and words[0].lower() in HOURS_WORDS:
        try:
            hours = parse_planner_hours(words[1] if len(words) > 1 else "")
        except InvalidHours as invalid:
            await context.reply(render.hours_refused(language, invalid.reason, invalid.part))
            return
        if not await services.duty.set_hours(actor, actor.unit, hours):
            await context.reply(t(language, "duty.unknown_unit", unit=actor.unit))
            return
    elif words:
        if len(words) < 2:
            await context.reply(t(language, "duty.usage"))
            return
        try:
            rule = parse_on_call_rule(words[1], services.duty.today())
        except InvalidHours as invalid:
            await context.reply(render.hours_refused(language, invalid.reason, invalid.part))
            return
        outcome = await services.duty.appoint(actor, words[0], rule)
        if outcome is not DutyOutcome.DONE:
            await context.reply(t(language, f"duty.{outcome.value}", user_id=words[0]))
            return
    text, rows = render.duty_view(language, await services.duty.view(actor.unit))
    await context.reply(text, markup=inline_markup(rows))


async def press_end(update: Update, context: BekeyContext) -> None:
    """Ends an on-call appointment (the unit's leader), and shows the unit's duty again."""
    found = pressed(update, context, parse_on_call)
    if found is None:
        return
    query, on_call_id = found
    language = context.language
    outcome = await context.services.duty.end(context.employee, on_call_id)
    if outcome is DutyOutcome.NOT_ALLOWED:
        context.answer(query, t(language, "duty.not_allowed"), alert=True)
        return
    context.answer(query)
    view = await context.services.duty.view(context.employee.unit)
    text, rows = render.duty_view(language, view)
    await context.edit(query.message, text, inline_markup(rows))
