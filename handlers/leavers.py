"""Employees who leave, in chat: ``/deaktiver BRUGER-ID`` asks once ("Deaktiver Anna Jensen
(ab1234)?") and the confirming tap deactivates; ``/deaktiver`` alone lists the unit's open
Bekey tasks; the task's "✅ Lukket i Bekey" marks it done (asking first about a Smartkey
the leaver still holds).

Roles are checked where these are registered; every press is authorised again in the
service (button data comes from the client), and edits the message it stood on.
"""

from __future__ import annotations

from telegram import Update

from bot.render import leavers as render
from bot.render.callbacks import (
    LeaverAction,
    TaskAction,
    parse_leaver,
    parse_leaver_task,
)
from bot.render.i18n import t
from bot.services.leavers import Deactivation, DeactivationResult, TaskOutcome
from handlers.context import BekeyContext, inline_markup, pressed
from state.invites import valid_user_id


def _refusal(context: BekeyContext, user_id: str, result: DeactivationResult) -> str:
    """Why the employee was not (or is no longer to be) deactivated, in a line."""
    language = context.language
    actor = context.employee
    target = result.target
    if result.outcome is Deactivation.NOT_ALLOWED and target is not None:
        return render.not_allowed(language, actor, target)
    if result.outcome is Deactivation.SELF:
        return t(language, "leaver.self")
    if result.outcome is Deactivation.ALREADY:
        return render.about(language, "leaver.already", target, user_id)
    return render.not_found(language, user_id, actor.unit)


async def ask_deactivate(update: Update, context: BekeyContext) -> None:
    """Asks to confirm deactivating the named employee; with no user-id, lists the unit's
    open Bekey tasks."""
    services = context.services
    actor = context.employee
    language = context.language
    args = context.args or []
    if not args:
        views = await services.leavers.open_tasks(actor)
        text, rows = render.task_list(language, services.settings, actor.unit, views)
        await context.reply(f"{t(language, 'leaver.usage')}\n\n{text}", markup=inline_markup(rows))
        return
    if len(args) != 1 or not valid_user_id(args[0]):
        await context.reply(t(language, "leaver.usage"))
        return
    result = await services.leavers.ask(actor, args[0])
    if result.outcome is not Deactivation.ASK or result.target is None:
        await context.reply(_refusal(context, args[0], result))
        return
    text, rows = render.ask(language, result.target)
    await context.reply(text, markup=inline_markup(rows))


async def press_deactivate(update: Update, context: BekeyContext) -> None:
    """Deactivates on the confirming tap (authorised again), or leaves things as they are."""
    found = pressed(update, context, parse_leaver)
    if found is None:
        return
    query, press = found
    language = context.language
    services = context.services
    actor = context.employee
    if press.action is LeaverAction.CANCEL:
        context.answer(query)
        asked = await services.leavers.ask(actor, press.user_id)  # named only if theirs to ask
        target = asked.target if asked.outcome is Deactivation.ASK else None
        await context.edit(
            query.message, render.about(language, "leaver.cancelled", target, press.user_id)
        )
        return
    result = await services.leavers.deactivate(actor, press.user_id)
    closed = result.closed
    if result.outcome is not Deactivation.DONE or closed is None or result.target is None:
        refusal = _refusal(context, press.user_id, result)
        context.answer(query, refusal, alert=True)
        if result.outcome is not Deactivation.ALREADY:  # a double tap keeps what it said
            await context.edit(query.message, refusal)
        return
    context.answer(query)
    await context.edit(
        query.message,
        render.done(
            language,
            result.target,
            closed.released,
            closed.told,
            no_key_person=closed.no_key_person,
        ),
    )


async def press_task(update: Update, context: BekeyContext) -> None:
    """Marks a leaver closed in Bekey (authorised again); asks first about a Smartkey still
    handed out to them, and records it back in the cabinet when it is."""
    found = pressed(update, context, parse_leaver_task)
    if found is None:
        return
    query, press = found
    language = context.language
    services = context.services
    actor = context.employee
    if press.action is TaskAction.NOT_YET:
        views = [v for v in await services.leavers.open_tasks(actor) if v.task.id == press.task_id]
        context.answer(query)
        if views:
            text, rows = render.still_open(
                language, services.settings, views[0], services.clock.now()
            )
            await context.edit(query.message, text, inline_markup(rows))
        return
    key_back = press.action is TaskAction.KEY_BACK
    result = await services.leavers.close_task(actor, press.task_id, key_back=key_back)
    view = result.view
    if result.outcome is TaskOutcome.NOT_ALLOWED:
        context.answer(query, t(language, "leaver.task_not_allowed"), alert=True)
        return
    if result.outcome is TaskOutcome.NOT_FOUND or view is None:
        context.answer(query, t(language, "leaver.task_not_found"), alert=True)
        return
    if result.outcome is TaskOutcome.ALREADY:
        context.answer(query, t(language, "leaver.task_already"), alert=True)
        return
    context.answer(query)
    if result.outcome is TaskOutcome.KEY_HELD:
        text, rows = render.key_question(language, view)
        await context.edit(query.message, text, inline_markup(rows))
        return
    # Done: the service edits every copy of the task; this message may be a list, not a copy.
    done = render.task_done(language, services.settings, view, actor.name, result.keys_back)
    await context.edit(query.message, done)
