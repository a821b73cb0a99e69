"""Fault triage in chat: which citizen, the seed's check (phone, Bekey, door), describe, send.

One message shows the triage and is edited at each tap; typed text (a search, a
description) gets a fresh message below it. Every press is checked against the stored
triage: the owner's, still going, and the version the button was drawn for.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.render.callbacks import TRIGGER_OF, TriageStep, parse_triage, triage_data
from bot.render.cards import answers_line, citizen_line
from bot.render.emergency import emergency_card, named_citizen
from bot.render.i18n import moment, plain, t
from bot.render.incidents import reporter_answer
from bot.render.pages import cut
from bot.services.triage import Step, StepOutcome, TriageView, triage_topic
from bot.storage.citizens import Citizen
from bot.storage.triages import StoredTriage
from handlers.context import BekeyContext
from state.ticket import format_ticket_number
from state.triage import CHECK_STEPS, TriageState, TriageTrigger

MAX_DESCRIPTION = 300
MAX_SEARCH = 60
MAX_SHOWN_TYPED = 30

Markup = InlineKeyboardMarkup | None


def _button(
    language: str, name: str, stored: StoredTriage, step: TriageStep
) -> InlineKeyboardButton:
    assert stored.model.id is not None
    return InlineKeyboardButton(
        t(language, f"triage.button.{name}"),
        callback_data=triage_data(stored.model.id, stored.model.version, step),
    )


async def render(context: BekeyContext, stored: StoredTriage) -> tuple[str, Markup]:
    """Return the text and buttons for the triage's current step."""
    view = await context.services.triage.view(context.employee, stored)
    language = context.language
    model = stored.model
    state = TriageState(model.state)
    citizen = view.citizen
    head = [t(language, "triage.title")]
    if citizen is not None or model.citizen_text:
        head.append(citizen_line(language, citizen, model.citizen_text))
    nav = [
        _button(language, "back", stored, TriageStep.BACK),
        _button(language, "cancel", stored, TriageStep.CANCEL),
    ]
    if state is TriageState.CHOOSING_CITIZEN:
        return _render_citizens(context, view, head, nav[1:])
    if state in CHECK_STEPS:
        number = CHECK_STEPS.index(state) + 1
        text = [
            *head,
            "",
            f"<b>{t(language, 'triage.step', n=number)}</b>",
            t(language, f"triage.question.{state.value}"),
            t(language, f"triage.hint.{state.value}"),
        ]
        rows = [
            [
                _button(language, "yes", stored, TriageStep.YES),
                _button(language, "no", stored, TriageStep.NO),
            ]
        ]
        if state is TriageState.CHECKING_PHONE:
            rows.append([_button(language, "network_down", stored, TriageStep.NETWORK_DOWN)])
        rows += [[_button(language, "works_now", stored, TriageStep.WORKS_NOW)], nav]
        return "\n".join(text), InlineKeyboardMarkup(rows)
    if state is TriageState.DESCRIBING:
        text = [
            *head,
            "",
            t(
                language,
                "triage.describe",
                category=t(language, f"category.{model.category}"),
                max=MAX_DESCRIPTION,
            ),
        ]
        rows = [[_button(language, "send_now", stored, TriageStep.SEND_NOW)], nav]
        return "\n".join(text), InlineKeyboardMarkup(rows)
    if state is TriageState.CONFIRMING:
        text = [
            t(language, "triage.confirm"),
            citizen_line(language, citizen, model.citizen_text),
            t(
                language,
                "ticket.head",
                number="…",
                category=t(language, f"category.{model.category}"),
            ),
            answers_line(language, model.answers),
        ]
        if model.description:
            text.append(t(language, "ticket.description", text=model.description))
        rows = [[_button(language, "confirm", stored, TriageStep.CONFIRM)], nav]
        return "\n".join(text), InlineKeyboardMarkup(rows)
    return _render_ended(context, stored, citizen), None


def _render_citizens(
    context: BekeyContext, view: TriageView, head: list[str], nav: list[InlineKeyboardButton]
) -> tuple[str, Markup]:
    language = context.language
    stored = view.triage
    text = [*head, t(language, "triage.choose_citizen")]
    if not view.unit_has_citizens:
        text = [*head, t(language, "triage.no_citizens", unit=context.employee.unit)]
    elif not view.choices:
        text.append(t(language, "triage.no_match", query=stored.search or ""))
    elif view.matches > len(view.choices):
        text.append(t(language, "triage.more", total=view.matches))
    rows = [
        [
            InlineKeyboardButton(
                f"{c.name} · {c.address}",
                callback_data=triage_data(
                    stored.id, stored.model.version, TriageStep.CITIZEN, c.id
                ),
            )
        ]
        for c in view.choices
    ]
    if stored.search:  # a citizen not in the register: what was typed, with one tap
        shown = cut(stored.search, MAX_SHOWN_TYPED)
        label = plain(language, "triage.button.use_typed", text=shown)
        data = triage_data(stored.id, stored.model.version, TriageStep.TYPED)
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    rows.append(nav)
    return "\n".join(text), InlineKeyboardMarkup(rows)


def _render_ended(context: BekeyContext, stored: StoredTriage, citizen: Citizen | None) -> str:
    language = context.language
    state = TriageState(stored.model.state)
    if state is TriageState.NETWORK_DOWN:
        settings = context.services.settings
        named = named_citizen(citizen, stored.model.citizen_text)
        return (
            t(language, "triage.network_down")
            + "\n\n"
            + emergency_card(language, settings, context.employee.user_id, named)
        )
    if state is TriageState.SOLVED_BY_CAREGIVER:
        return t(language, "triage.solved")
    if state is TriageState.EXPIRED:
        minutes = int(context.services.settings.triage_idle.total_seconds() // 60)
        return t(language, "triage.expired", minutes=minutes)
    return t(language, "triage.cancelled")


async def _send_step(
    context: BekeyContext, stored: StoredTriage, prefix: str | None = None
) -> None:
    """Send the current step as a new message (the triage's message from now on)."""
    text, markup = await render(context, stored)
    if prefix:
        text = f"{prefix}\n\n{text}"
    await context.reply(text, markup=markup, protect=True, topic=triage_topic(stored.id))


async def start_triage(update: Update, context: BekeyContext) -> None:
    """Starts a fault report (or shows the one in progress) at its current step."""
    chat = update.effective_chat
    assert chat is not None
    stored, resumed = await context.services.triage.start(context.employee, chat.id)
    prefix = t(context.language, "triage.resumed") if resumed else None
    await _send_step(context, stored, prefix)


async def press_triage(update: Update, context: BekeyContext) -> None:
    """Moves the triage one step for a button press, if the press is current and the owner's."""
    query = update.callback_query
    assert query is not None
    language = context.language
    press = parse_triage(query.data or "")
    if press is None:
        context.answer(query, t(language, "access.stale_button"), alert=True)
        return
    kwargs: dict[str, object] = {}
    if press.step is TriageStep.CITIZEN:
        kwargs["citizen_id"] = press.citizen_id
    step = await context.services.triage.step(
        context.employee, press.triage_id, press.version, TRIGGER_OF[press.step], **kwargs
    )
    if step.outcome is StepOutcome.REFUSED and press.step is TriageStep.CITIZEN:
        context.answer(query, t(language, "access.stale_button"), alert=True)
        return
    if step.outcome is not StepOutcome.MOVED or step.triage is None:
        context.answer(query, t(language, "triage.stale"))
        if step.triage is not None and not step.triage.ended:
            # A double tap, or an edit that never arrived: show where the triage really is.
            text, markup = await render(context, step.triage)
            await context.edit(query.message, text, markup)
        return
    context.answer(query)
    text, markup = await _after_step(context, step)
    await context.edit(query.message, text, markup)


async def _after_step(context: BekeyContext, step: Step) -> tuple[str, Markup]:
    """Return what the triage message shows after a step (the submit note on a new ticket,
    and, if it is part of a known outage, that note with what to do now)."""
    text, markup = await _step_shown(context, step)
    if step.incident is not None:
        services = context.services
        cabinets = await services.smartkeys.cabinet_counts(context.employee.unit)
        answer = reporter_answer(context.language, services.settings, step.incident, cabinets)
        text = f"{text}\n\n{answer}"
    return text, markup


async def _step_shown(context: BekeyContext, step: Step) -> tuple[str, Markup]:
    assert step.triage is not None
    if step.ticket is None or step.triage.model.state == TriageState.NETWORK_DOWN:
        return await render(context, step.triage)
    language = context.language
    number = format_ticket_number(step.ticket.model.number)
    if step.incident is not None:  # the outage's message told them; its end is told
        return t(language, "incident.submitted", number=number), None
    settings = context.services.settings
    if step.waits_until is not None or step.on_call:
        back = moment(language, step.waits_until, settings.zone) if step.waits_until else "–"
        if step.on_call:
            names = ", ".join(step.on_call)
            return t(language, "triage.on_call", number=number, names=names, back=back), None
        text = t(
            language, "triage.waits", number=number, back=back, phone=settings.bekey_support_phone
        )
        return text, None
    if step.recipients == 0:
        return t(language, "triage.nobody", number=number, unit=step.ticket.unit), None
    return t(language, "triage.submitted", number=number), None


async def take_triage_text(update: Update, context: BekeyContext) -> bool:
    """Uses typed text for the triage in progress (a citizen search or the description).

    Returns False when no triage is waiting for text.
    """
    message = update.effective_message
    assert message is not None and message.text is not None
    services = context.services
    language = context.language
    stored = await services.triage.active(context.employee)
    if stored is None:
        return False
    text = message.text.strip()
    if stored.model.state == TriageState.CHOOSING_CITIZEN:
        searched = await services.triage.search(context.employee, text[:MAX_SEARCH])
        await _send_step(context, searched or stored)
        return True
    if stored.model.state == TriageState.DESCRIBING:
        if len(text) > MAX_DESCRIPTION:
            await context.reply(t(language, "triage.too_long", max=MAX_DESCRIPTION))
            return True
        step = await services.triage.step(
            context.employee,
            stored.model.id,
            stored.model.version,
            TriageTrigger.DESCRIBE,
            text=text,
        )
        await _send_step(context, step.triage or stored)
        return True
    await _send_step(context, stored, t(language, "triage.use_buttons"))
    return True


async def cancel_triage(update: Update, context: BekeyContext) -> None:
    """Cancels the fault report in progress."""
    step = await context.services.triage.step(context.employee, None, None, TriageTrigger.CANCEL)
    key = "triage.cancelled" if step.outcome is StepOutcome.MOVED else "triage.nothing_to_cancel"
    await context.reply(t(context.language, key))
