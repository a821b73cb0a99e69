"""Free text: the CPR guard first, then whatever is waiting for words (a triage, an emergency).

The guard reads everything a person can write into a message: its text or caption (a
command's arguments too), a quote, a file's name, a poll, a checklist, a contact, a venue.
A message or an edit that looks like it holds a CPR number is deleted, refused with an
explanation and audited (never its text); nothing of it goes further. Every other edit is
ignored: an edit is never new input.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.render.i18n import t
from handlers.context import BekeyContext
from handlers.emergency import take_emergency_text
from handlers.menu import answer_unknown
from handlers.triage import take_triage_text
from state.cpr import contains_cpr

log = logging.getLogger(__name__)


def typed_texts(message: Message) -> Iterator[str]:
    """Yield each piece of a message a person wrote (text, caption, names in what they sent)."""
    candidates: list[str | None] = [message.text, message.caption]
    if message.quote is not None:  # a part of another message, quoted in a reply
        candidates.append(message.quote.text)
    for attachment in (message.document, message.audio, message.video, message.animation):
        if attachment is not None:
            candidates.append(attachment.file_name)
    if message.poll is not None:
        candidates += [message.poll.question, message.poll.description]
        candidates += [option.text for option in message.poll.options]
    if message.checklist is not None:
        candidates.append(message.checklist.title)
        candidates += [task.text for task in message.checklist.tasks]
    if message.contact is not None:
        contact = message.contact
        candidates += [contact.first_name, contact.last_name, contact.vcard]
    if message.venue is not None:
        candidates += [message.venue.title, message.venue.address]
    yield from (text for text in candidates if text)


def holds_cpr(message: Message) -> bool:
    """Tell whether anything a person wrote into the message looks like a CPR number."""
    return any(contains_cpr(text) for text in typed_texts(message))


async def guard_cpr(update: Update, context: BekeyContext) -> None:
    """Refuses any message that looks like it holds a CPR number; nothing of it goes further."""
    message = update.effective_message
    if message is None or not holds_cpr(message):
        return
    await _refuse(update, context, message)
    raise ApplicationHandlerStop


async def guard_edit(update: Update, context: BekeyContext) -> None:
    """Refuses an edit that looks like it holds a CPR number, and ignores every other edit."""
    message = update.effective_message
    if message is not None and holds_cpr(message):
        await _refuse(update, context, message)
    else:
        log.info("update %s is an edit; ignored", update.update_id)
    raise ApplicationHandlerStop


async def _refuse(update: Update, context: BekeyContext, message: Message) -> None:
    """Delete the message, audit the refusal, and say so (or ask the person to delete it).

    The deletion is the one call made here, before the update's transaction opens: the
    answer depends on whether it worked.
    """
    key = "cpr.refused"
    try:
        await message.delete()
    except TelegramError as exc:
        log.info("could not delete the refused message: %s", type(exc).__name__)
        key = "cpr.refused_kept"
    await context.services.access.record_cpr_refusal(context.employee_or_none)
    log.info("update %s refused: looks like a CPR number", update.update_id)
    await context.reply(t(context.language, key))


async def route_text(update: Update, context: BekeyContext) -> None:
    """Gives typed text to what waits for it, newest first; otherwise points to the buttons."""
    services = context.services
    emergency = await services.emergency.awaiting_citizen(context.employee)
    triage = await services.triage.active(context.employee)
    takers = [take_emergency_text, take_triage_text]
    if emergency is not None and triage is not None and triage.updated_at > emergency.updated_at:
        takers.reverse()  # the fault report was touched after the emergency card
    for take in takers:
        if await take(update, context):
            return
    await answer_unknown(update, context)
