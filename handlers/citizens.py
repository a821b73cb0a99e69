"""Citizens in chat.

- At the door: ``/borger Else`` answers for the employee's own unit whether the citizen has
  Bekey, on which door, and (while it is being set up) "not yet".
- Visitation: ``/borger Else`` finds citizens of every unit, in any state, each a card with
  the steps visitation may take (ordering picks a firm; a move picks a unit);
  ``/borger dør B-1042 hoveddøren`` records a new door; ``/nyborger REF; NAVN; ADRESSE;
  ENHED; DØR`` adds a citizen who is to get Bekey. Every press is authorised again in the
  service, and a button from an older card is refused.
"""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.render import lifecycle as render
from bot.render.callbacks import parse_citizen
from bot.render.csvfiles import MAX_FIELD, MAX_REF
from bot.render.i18n import t
from bot.render.pages import NAME_MAX, cut
from bot.services.lifecycle import StepOutcome, StepResult
from bot.storage.citizens import CitizenRow
from handlers.context import BekeyContext, after_command, inline_markup, pressed
from state.bekey_lifecycle import LifecycleTrigger
from state.roles import Permission, may

DOOR_WORDS = frozenset({"dør", "doer", "dor", "door"})
"""The first word of ``/borger dør REF NY DØR``."""

QUERY_MIN = 2
"""The fewest letters a lookup takes (one letter would list half the unit)."""


async def look_up_citizen(update: Update, context: BekeyContext) -> None:
    """Answers who of the unit's citizens match: Bekey or not, which door, and the status."""
    language = context.language
    employee = context.employee
    query = " ".join(after_command(update).split())
    if may(employee.roles, Permission.MANAGE_CITIZENS):
        await _visitation(context, query)
        return
    if len(query) < QUERY_MIN:
        await context.reply(t(language, "citizen.usage"))
        return
    found = await context.services.citizens.look_up(employee, query)
    if found is None:
        await context.reply(t(language, "citizen.not_allowed"))
        return
    if not found.citizens:
        shown = cut(query, NAME_MAX)
        await context.reply(t(language, "citizen.none", query=shown, unit=employee.unit))
        return
    lines = [t(language, "citizen.head", count=found.matches, unit=employee.unit)]
    for citizen in found.citizens:
        key = f"citizen.{citizen.bekey_status.value}"
        lines.append(
            t(
                language,
                key,
                name=cut(citizen.name, NAME_MAX),
                address=cut(citizen.address, 60),
                door=cut(citizen.bekey_door, 40),
            )
        )
    if found.matches > len(found.citizens):
        lines.append(t(language, "citizen.more", count=found.matches - len(found.citizens)))
    await context.reply("\n".join(lines), protect=True)


async def _visitation(context: BekeyContext, query: str) -> None:
    """Visitation's /borger: a search across units, or a new door."""
    language = context.language
    words = query.split(maxsplit=2)
    if words and words[0].lower() in DOOR_WORDS:
        await _new_door(context, words[1:])
        return
    if len(query) < QUERY_MIN:
        await context.reply(t(language, "lifecycle.usage"))
        return
    services = context.services
    found = await services.lifecycle.search(context.employee, query)
    if found is None:
        await context.reply(t(language, "lifecycle.refused_not_allowed"))
        return
    if len(found.citizens) == 1:
        card = await services.lifecycle.card(context.employee, found.citizens[0].id)
        if card is not None:
            text, rows = render.citizen_card(language, services.settings, card)
            await context.reply(text, markup=inline_markup(rows), protect=True)
            return
    text, rows = render.search_result(language, query, found.citizens, found.matches)
    await context.reply(text, markup=inline_markup(rows), protect=True)


async def _new_door(context: BekeyContext, words: list[str]) -> None:
    """``/borger dør REF NY DØR``: the lock is now on another door."""
    language = context.language
    if len(words) < 2 or len(words[1]) > MAX_FIELD:
        await context.reply(t(language, "lifecycle.usage_door"))
        return
    services = context.services
    found = await services.lifecycle.search(context.employee, words[0])
    citizen = (
        next((c for c in found.citizens if c.ref.lower() == words[0].lower()), None)
        if found
        else None
    )
    if citizen is None:
        await context.reply(t(language, "lifecycle.none", query=cut(words[0], NAME_MAX)))
        return
    result = await services.lifecycle.step(
        context.employee, citizen.id, LifecycleTrigger.CHANGE_DOOR, door=words[1], typed=True
    )
    await _answer_step(context, result, None)


async def add_citizen(update: Update, context: BekeyContext) -> None:
    """Adds a citizen who is to get Bekey: reference, name, address, unit and door."""
    language = context.language
    services = context.services
    units = ", ".join(unit.name for unit in await services.units.all())
    parts = [part.strip() for part in after_command(update).split(";")]
    if len(parts) != 5 or not all(parts):
        key = "lifecycle.usage_new" if len(parts) <= 1 else "lifecycle.bad_fields"
        text = t(language, key, units=units)
        if key != "lifecycle.usage_new":
            text += "\n\n" + t(language, "lifecycle.usage_new", units=units)
        await context.reply(text)
        return
    ref, name, address, unit, door = parts
    if len(ref) > MAX_REF or any(len(part) > MAX_FIELD for part in parts):
        await context.reply(t(language, "lifecycle.too_long", max=MAX_FIELD))
        return
    result = await services.lifecycle.create(
        context.employee, CitizenRow(ref, name, address, unit, door)
    )
    if result.outcome is StepOutcome.DONE and result.card is not None:
        created = render.created(language, result.card.citizen)
        text, rows = render.citizen_card(language, services.settings, result.card)
        await context.reply(f"{created}\n\n{text}", markup=inline_markup(rows), protect=True)
        return
    await context.reply(render.step_answer(language, result.outcome, units=units, ref=ref))


async def press_citizen(update: Update, context: BekeyContext) -> None:
    """Opens a citizen's card, takes a step on it, or records the firm's confirmation."""
    found = pressed(update, context, parse_citizen)
    if found is None:
        return
    query, press = found
    services = context.services
    actor = context.employee
    language = context.language
    if press.confirm:
        if press.choice is None:
            context.answer(query, t(language, "access.stale_button"), alert=True)
            return
        result = await services.lifecycle.confirm(actor, press.choice)
        if result.outcome is StepOutcome.DONE and result.card is None:
            context.answer(query)
            return
    elif press.step is None:
        card = await services.lifecycle.card(actor, press.citizen_id)
        if card is None:
            context.answer(query, t(language, "lifecycle.refused_not_allowed"), alert=True)
            return
        context.answer(query)
        text, rows = render.citizen_card(language, services.settings, card)
        await context.reply(text, markup=inline_markup(rows), protect=True)
        return
    elif press.step is LifecycleTrigger.CHANGE_DOOR:
        card = await services.lifecycle.card(actor, press.citizen_id)
        context.answer(query)
        if card is not None:
            await context.reply(t(language, "lifecycle.door_asked", ref=card.citizen.ref))
        return
    else:
        result = await services.lifecycle.step(
            actor,
            press.citizen_id,
            press.step,
            version=press.version,
            unit_id=press.choice if press.step is LifecycleTrigger.MOVE else None,
            firm_id=press.choice if press.step is not LifecycleTrigger.MOVE else None,
        )
    await _answer_step(context, result, query)


async def _answer_step(
    context: BekeyContext, result: StepResult, query: CallbackQuery | None
) -> None:
    """The card as it stands after a step (edited in place for a press), or why not."""
    language = context.language
    services = context.services
    refusal = None
    if result.outcome is not StepOutcome.DONE:
        units = ", ".join(unit.name for unit in await services.units.all())
        state = result.card.citizen.lifecycle if result.card else None
        refusal = render.step_answer(language, result.outcome, units=units, state=state)
    if query is not None:
        context.answer(query, refusal, alert=refusal is not None)
    if result.card is None:
        if refusal is not None and query is None:
            await context.reply(refusal)
        return
    text, rows = render.citizen_card(language, services.settings, result.card)
    if query is not None:
        await context.edit(query.message, text, inline_markup(rows))
    else:
        prefix = f"{refusal}\n\n" if refusal else ""
        await context.reply(prefix + text, markup=inline_markup(rows), protect=True)
