"""The Bekey training register in chat: ``/oplaering`` (``/training``) for key persons and
leaders, ``/status`` for the unit's gaps and coverage.

``/oplaering`` shows the unit's staff not yet fully recorded, a page at a time: tap names to
pick several, then what they have had (trained today, Bekey installed, can update it, all
three); the page is drawn again with the same people still picked, for the next mark.
``/oplaering ab1234 cd5678`` records "trained today" for those typed (a word before them
picks another mark: ``installeret``, ``opdaterer``, ``alt``, ``nulstil``).

Every press is authorised again in the service; a page's buttons carry the print of its
people, so a press on a page drawn before the list changed records nothing.

```mermaid
flowchart LR
    open["/oplaering"] --> page["page: names to tap"]
    page -- "tap a name / pick all" --> page
    page -- "previous / next" --> page
    page -- "a mark" --> recorded["recorded, page drawn again"]
    recorded --> page
    typed["/oplaering ab1234 cd5678"] --> done["recorded: who, who already, refused"]
```
"""

from __future__ import annotations

from telegram import Update

from bot.render import training as render
from bot.render.callbacks import parse_training
from bot.render.i18n import t
from bot.render.pages import cut, nearest_page
from bot.services.training import TrainingOutcome
from handlers.context import BekeyContext, inline_markup, pressed
from state.invites import valid_user_id
from state.roles import Permission, Role, may
from state.training import Mark, parse_mark

MAX_TYPED = 60
"""User-ids one ``/oplaering`` may name (a training session's worth)."""

ID_SHOWN = 32
"""A typed word shown back, at most."""


async def record_training(update: Update, context: BekeyContext) -> None:
    """Shows the unit's staff to pick from, or records a mark for the user-ids typed."""
    words = list(context.args or [])
    if not words:
        await _show_page(context)
        return
    language = context.language
    mark = parse_mark(words[0]) or Mark.TRAINED
    user_ids = words[1:] if parse_mark(words[0]) else words
    if not user_ids or not all(valid_user_id(word) for word in user_ids):
        await context.reply(t(language, "training.usage"))
        return
    if len(user_ids) > MAX_TYPED:
        await context.reply(t(language, "training.too_many", max=MAX_TYPED))
        return
    done = await context.services.training.record(context.employee, user_ids, mark)
    if done.outcome is not TrainingOutcome.DONE:
        await context.reply(t(language, "training.not_allowed"))
        return
    refused = [cut(user_id, ID_SHOWN) for user_id in done.refused]
    await context.reply(render.recorded(language, mark, done.changed, done.already, refused))


async def _show_page(context: BekeyContext, page: int = 1) -> None:
    """Sends the first page of the unit's staff not yet fully recorded."""
    language = context.language
    trainees = await context.services.training.to_record(context.employee)
    if trainees is None:
        await context.reply(t(language, "training.not_allowed"))
        return
    page = nearest_page(page, len(trainees), render.PAGE_SIZE)
    text, rows = render.picker(language, context.employee.unit, trainees, page, frozenset())
    await context.reply(text, markup=inline_markup(rows))


async def press_training(update: Update, context: BekeyContext) -> None:
    """Turns a page, picks or unpicks names, or records a mark for those picked."""
    found = pressed(update, context, parse_training)
    if found is None:
        return
    query, press = found
    language = context.language
    services = context.services
    employee = context.employee
    trainees = await services.training.to_record(employee)
    if trainees is None:
        context.answer(query, t(language, "training.not_allowed"), alert=True)
        return
    page = nearest_page(press.page, len(trainees), render.PAGE_SIZE)
    shown = [trainee.employee.user_id for trainee in render.page_of(trainees, page)]
    if press.picked == 0 and press.mark is None:  # open or turn a page: nothing to guess
        context.answer(query)
        text, rows = render.picker(language, employee.unit, trainees, page, frozenset())
        if press.fingerprint == render.OPEN_PRINT:  # from a reminder or the status: kept
            await context.reply(text, markup=inline_markup(rows))
        else:
            await context.edit(query.message, text, inline_markup(rows))
        return
    if press.picked >> len(shown):  # a name beyond the page: never drawn so
        context.answer(query, t(language, "access.stale_button"), alert=True)
        return
    if page != press.page or render.fingerprint(shown) != press.fingerprint:
        context.answer(query, t(language, "training.changed_list"), alert=True)
        text, rows = render.picker(language, employee.unit, trainees, page, frozenset())
        await context.edit(query.message, text, inline_markup(rows))
        return
    picked = [user_id for index, user_id in enumerate(shown) if press.picked >> index & 1]
    if press.mark is None:
        context.answer(query)
        text, rows = render.picker(language, employee.unit, trainees, page, frozenset(picked))
        await context.edit(query.message, text, inline_markup(rows))
        return
    if not picked:
        context.answer(query, t(language, "training.pick_first"), alert=True)
        return
    done = await services.training.record(employee, picked, press.mark)
    if done.outcome is not TrainingOutcome.DONE:
        context.answer(query, t(language, "training.not_allowed"), alert=True)
        return
    context.answer(query)
    note = render.recorded(language, press.mark, done.changed, done.already, done.refused)
    after = await services.training.to_record(employee) or []
    page = nearest_page(page, len(after), render.PAGE_SIZE)
    text, rows = render.picker(language, employee.unit, after, page, frozenset(picked), note)
    await context.edit(query.message, text, inline_markup(rows))


async def show_status(update: Update, context: BekeyContext) -> None:
    """Shows the unit's training gaps (key person) and coverage (leader), or one employee's
    line (``/status ab1234``)."""
    services = context.services
    employee = context.employee
    language = context.language
    words = list(context.args or [])
    if words:
        card = await services.training.card(employee, words[0])
        if card is None:
            await context.reply(t(language, "training.unknown", user_id=cut(words[0], ID_SHOWN)))
            return
        await context.reply(
            render.card_text(language, services.settings, card.trainee, card.trainer)
        )
        return
    status = await services.training.unit_status(employee)
    if status is None:
        await context.reply(t(language, "training.not_allowed"))
        return
    parts = []
    if Role.LEADER in employee.roles:
        parts.append(
            render.coverage_text(language, status.unit, status.coverage, status.key_persons)
        )
    if Role.KEY_PERSON in employee.roles or not parts:
        parts.append(render.gaps_text(language, status.unit, status.staff, status.gaps))
    rows = render.open_rows(language) if may(employee.roles, Permission.RECORD_TRAINING) else []
    await context.reply("\n\n".join(parts), markup=inline_markup(rows))
