"""Smartkeys in chat: the cabinet at a glance and hand-out for keepers (pick key, pick person,
next), one's own keys, take and return, ask for a key, lost and found, the weekly update,
and registering cabinets and keys (``/skab``, ``/nynoegle``).

Every press is authorised again in the service (button data comes from the client); a
press edits the message it stood on, so the chat shows the key as it stands.
"""

from __future__ import annotations

from telegram import MaybeInaccessibleMessage, Update

from bot.render import smartkeys as render
from bot.render.callbacks import (
    KeyAction,
    KeyView,
    RequestAction,
    hand_to_data,
    key_data,
    opens_new,
    parse_cabinet_updated,
    parse_hand_to,
    parse_key,
    parse_key_view,
    parse_request,
    request_data,
)
from bot.render.i18n import Html, plain, t
from bot.render.pages import cut
from bot.render.phones import dialable
from bot.services.smartkeys import KeyOutcome, KeyResult
from bot.storage.smartkeys import KeyHistory, KeyLine
from handlers.context import BekeyContext, after_command, inline_markup, pressed
from state.roles import Permission, may
from state.smartkey import SmartkeyState
from state.smartkey_request import RequestState
from state.ticket import format_ticket_number

LABEL_MAX = 24


def _keeper(context: BekeyContext) -> bool:
    return may(context.employee.roles, Permission.SEE_UNIT_SMARTKEYS)


async def show_keys(update: Update, context: BekeyContext) -> None:
    """Shows the cabinet at a glance to keepers and one's own keys to everyone; with a label
    or a user-id after the command, that key's card or that colleague's history."""
    if context.args:
        await _lookup(context, " ".join(context.args).strip())
        return
    text, rows = await _main_view(context)
    await context.reply(text, markup=inline_markup(rows), protect=True)


async def _main_view(context: BekeyContext) -> tuple[str, render.Rows]:
    """The keeper's cabinet view (with their own keys, if they hold any), or one's own keys."""
    services = context.services
    employee = context.employee
    language = context.language
    now = services.clock.now()
    own = await services.smartkeys.held_by(employee)
    if not _keeper(context):
        waiting = await services.smartkeys.waiting_request(employee)
        return render.own_view(language, services.settings, own, waiting, now)
    cabinets = await services.smartkeys.cabinets(employee.unit)
    takes = await services.smartkeys.recent_takes(employee)
    text, rows = render.overview(language, services.settings, employee.unit, cabinets, now, takes)
    if own:
        mine, _ = render.own_view(language, services.settings, own, None, now)
        text = f"{text}\n\n{mine}"
    return text, rows


async def _lookup(context: BekeyContext, text: str) -> None:
    """A key's card by its label, or an employee's history by their user-id."""
    services = context.services
    employee = context.employee
    language = context.language
    line = await services.smartkeys.find_key(employee, text)
    if line is not None:
        await _send_card(context, line)
        return
    history = await services.smartkeys.employee_history(employee, text)
    if history is None:
        await context.reply(t(language, "smartkey.unknown", text=cut(text, LABEL_MAX)))
        return
    name = history.names.get(text, text)
    await context.reply(
        render.history_text(language, services.settings, name, history, services.clock.now()),
        protect=True,
    )


async def _card(context: BekeyContext, line: KeyLine) -> tuple[str, render.Rows]:
    services = context.services
    history = await services.smartkeys.key_history(context.employee, line.key.id or 0)
    if history is None:  # it left their sight meanwhile (returned by its holder, say)
        history = KeyHistory([], {})
    return render.key_card(
        context.language,
        services.settings,
        line,
        history,
        services.clock.now(),
        keeper=_keeper(context) and context.employee.unit == line.key.unit,
    )


async def _send_card(context: BekeyContext, line: KeyLine) -> None:
    text, rows = await _card(context, line)
    await context.reply(text, markup=inline_markup(rows), protect=True)


async def press_view(update: Update, context: BekeyContext) -> None:
    """Opens a view: the cabinet, the keys to hand out or to take, or asks for a key."""
    found = pressed(update, context, parse_key_view)
    if found is None:
        return
    query, view = found
    language = context.language
    services = context.services
    employee = context.employee
    now = services.clock.now()
    if view is KeyView.REQUEST:
        await _ask_for_key(context, query.message)
        context.answer(query)
        return
    if view is KeyView.HAND_OUT and not may(employee.roles, Permission.HAND_OUT_SMARTKEY):
        context.answer(query, t(language, "smartkey.not_allowed"), alert=True)
        return
    context.answer(query)
    if view in {KeyView.HAND_OUT, KeyView.TAKE}:
        lines = await services.smartkeys.available(employee.unit)
        text, rows = render.pick_key(language, services.settings, lines, now, view=view)
    else:
        text, rows = await _main_view(context)
    if opens_new(query.data or ""):  # from the morning summary: it stays
        await context.reply(text, markup=inline_markup(rows))
        return
    await context.edit(query.message, text, inline_markup(rows))


async def _ask_for_key(context: BekeyContext, message: MaybeInaccessibleMessage | None) -> None:
    """Sends the employee's request for a key to the unit's keepers, and says so."""
    services = context.services
    employee = context.employee
    language = context.language
    result = await services.smartkeys.request_key(employee)
    if result.outcome is KeyOutcome.ALREADY:
        await context.reply(t(language, "smartkey.request_already"))
        return
    if result.outcome is not KeyOutcome.DONE:
        await context.reply(t(language, "smartkey.not_allowed"))
        return
    if result.recipients == 0:
        phone = dialable(services.settings.bekey_support_phone)
        text = t(language, "smartkey.request_nobody", unit=employee.unit, phone=phone)
    else:
        text = t(language, "smartkey.request_sent", count=result.recipients)
    await context.edit(message, text)


async def press_key(update: Update, context: BekeyContext) -> None:
    """Acts on one key: show, confirm, return, lost, found, re-enable, retire, updated, take,
    or pick whom to hand it to (authorised again in the service)."""
    found = pressed(update, context, parse_key)
    if found is None:
        return
    query, press = found
    language = context.language
    services = context.services
    ledger = services.smartkeys
    employee = context.employee
    key_id, action = press.key_id, press.action
    line = await ledger.line(employee, key_id)
    if line is None and action not in {KeyAction.TAKE, KeyAction.TAKE_DESPITE_STALE}:
        context.answer(query, t(language, "smartkey.not_found"), alert=True)
        return
    if action is KeyAction.SHOW and line is not None:
        context.answer(query)
        await _send_card(context, line)
        return
    if action is KeyAction.GIVE and line is not None:
        await _pick_person(context, query.message, line, press.page)
        context.answer(query)
        return
    if action in {KeyAction.LOST, KeyAction.RETIRE} and line is not None:
        context.answer(query)
        await _ask_sure(context, query.message, line, action)
        return
    result = await _act(context, key_id, action)
    await _show_result(context, query.message, result, action)
    context.answer(query, _short(language, result))


async def _act(context: BekeyContext, key_id: int, action: KeyAction) -> KeyResult:
    """Do what the button says, authorised again in the service."""
    ledger = context.services.smartkeys
    employee = context.employee
    if action is KeyAction.CONFIRM:
        return await ledger.confirm(employee, key_id)
    if action is KeyAction.GIVE_BACK:
        return await ledger.give_back(employee, key_id)
    if action is KeyAction.LOST_SURE:
        return await ledger.report_lost(employee, key_id)
    if action is KeyAction.FOUND:
        return await ledger.find(employee, key_id)
    if action is KeyAction.RE_ENABLE:
        return await ledger.re_enable(employee, key_id)
    if action is KeyAction.RETIRE_SURE:
        return await ledger.retire(employee, key_id)
    if action in {KeyAction.UPDATED, KeyAction.UPDATED_IN_LIST}:
        return await ledger.mark_updated(employee, key_id)
    if action in {KeyAction.TAKE, KeyAction.TAKE_DESPITE_STALE}:
        despite = action is KeyAction.TAKE_DESPITE_STALE
        return await ledger.take(employee, key_id, despite_stale=despite)
    return KeyResult(KeyOutcome.NOT_FOUND)


def _short(language: str, result: KeyResult) -> str | None:
    """The press's short answer: only a refusal needs one (the message shows the rest)."""
    if result.outcome is KeyOutcome.NOT_ALLOWED:
        return plain(language, "smartkey.not_allowed")
    if result.outcome is KeyOutcome.NOT_FOUND:
        return plain(language, "smartkey.not_found")
    return None


_DONE_KEYS = {
    KeyAction.GIVE_BACK: "smartkey.given_back",
    KeyAction.FOUND: "smartkey.found_done",
    KeyAction.RE_ENABLE: "smartkey.re_enabled",
    KeyAction.RETIRE_SURE: "smartkey.retired",
    KeyAction.UPDATED: "smartkey.updated_done",
}


async def _show_result(
    context: BekeyContext,
    message: MaybeInaccessibleMessage | None,
    result: KeyResult,
    action: KeyAction,
) -> None:
    """Edit the pressed message into what the action did (or why it did not)."""
    services = context.services
    language = context.language
    now = services.clock.now()
    line = result.line
    if result.outcome in {KeyOutcome.NOT_ALLOWED, KeyOutcome.NOT_FOUND} or line is None:
        return
    label = render.label(line.key)
    if result.outcome is KeyOutcome.ALREADY:
        await context.edit(message, _already(context, line))
        return
    if result.outcome is KeyOutcome.STALE:
        go_on = key_data(line.key.id or 0, KeyAction.TAKE_DESPITE_STALE)
        text, rows = render.stale_warning(language, line, now, go_on)
        await context.edit(message, text, inline_markup(rows))
        return
    if action is KeyAction.UPDATED_IN_LIST:  # the weekly list again, without this key
        cabinets = await services.smartkeys.cabinets(line.key.unit)
        text, rows = render.weekly_reminder(language, services.settings, cabinets, now)
        await context.edit(message, text, inline_markup(rows))
    elif action is KeyAction.CONFIRM:
        await context.edit(message, render.confirmed(language, line))
    elif action in {KeyAction.TAKE, KeyAction.TAKE_DESPITE_STALE}:
        await context.edit(message, render.taken(language, services.settings, line, now))
    elif action is KeyAction.LOST_SURE:
        number = format_ticket_number(result.ticket_number or 0)
        await context.edit(message, t(language, "smartkey.lost_done", label=label, number=number))
    elif action in _DONE_KEYS:
        done = t(language, _DONE_KEYS[action], label=label, cabinet=line.cabinet.name)
        if _keeper(context):
            text, rows = await _card(context, line)
            await context.edit(message, f"{done}\n\n{text}", inline_markup(rows))
        else:
            await context.edit(message, done)


def _already(context: BekeyContext, line: KeyLine) -> str:
    """Someone acted first: how the key stands now."""
    services = context.services
    status = render.status_line(context.language, services.settings, line, services.clock.now())
    return t(context.language, "smartkey.already", status=Html(status))


async def _ask_sure(
    context: BekeyContext,
    message: MaybeInaccessibleMessage | None,
    line: KeyLine,
    action: KeyAction,
) -> None:
    """Lost and retired are not undone by a slip of a gloved finger: a second tap."""
    language = context.language
    kid = line.key.id or 0
    label = render.label(line.key)
    if action is KeyAction.LOST:
        text = t(language, "smartkey.lost_sure", label=label)
        yes = (plain(language, "smartkey.lost_yes"), key_data(kid, KeyAction.LOST_SURE))
    else:
        text = t(language, "smartkey.retire_sure", label=label)
        yes = (plain(language, "smartkey.retire_yes"), key_data(kid, KeyAction.RETIRE_SURE))
    no = (plain(language, "smartkey.cancel"), key_data(kid, KeyAction.SHOW))
    await context.edit(message, text, inline_markup([[yes], [no]]))


async def _pick_person(
    context: BekeyContext,
    message: MaybeInaccessibleMessage | None,
    line: KeyLine,
    page: int,
) -> None:
    """Whom to hand the key to: the unit's staff, substitutes and night guards first."""
    language = context.language
    if line.key.state != SmartkeyState.IN_CABINET:
        await context.edit(message, _already(context, line))
        return
    staff = await context.services.smartkeys.candidates(context.employee)
    text, rows = render.pick_person(language, line, staff, page)
    await context.edit(message, text, inline_markup(rows))


async def press_hand_to(update: Update, context: BekeyContext) -> None:
    """Hands a key to the person pressed (a stale key asks for a second tap first)."""
    found = pressed(update, context, parse_hand_to)
    if found is None:
        return
    query, press = found
    language = context.language
    services = context.services
    result = await services.smartkeys.hand_out(
        context.employee, press.key_id, press.user_id, despite_stale=press.despite_stale
    )
    go_on = hand_to_data(press.key_id, press.user_id, despite_stale=True)
    await _after_hand_out(context, query.message, result, go_on)
    context.answer(query, _short(language, result))


async def _after_hand_out(
    context: BekeyContext,
    message: MaybeInaccessibleMessage | None,
    result: KeyResult,
    go_on: str,
) -> None:
    """The keeper's message after a hand-out: done with "next", a stale warning, or why not."""
    services = context.services
    language = context.language
    now = services.clock.now()
    line = result.line
    if line is None:
        return
    if result.outcome is KeyOutcome.STALE:
        text, rows = render.stale_warning(language, line, now, go_on)
    elif result.outcome is KeyOutcome.DONE:
        text, rows = render.handed_out(language, services.settings, line, now)
    else:
        text, rows = _already(context, line), []
    await context.edit(message, text, inline_markup(rows))


async def press_request(update: Update, context: BekeyContext) -> None:
    """Answers a request for a key: pick the key to hand, hand it, decline; or withdraw it."""
    found = pressed(update, context, parse_request)
    if found is None:
        return
    query, press = found
    language = context.language
    services = context.services
    ledger = services.smartkeys
    employee = context.employee
    request = await ledger.request(employee, press.request_id)
    if request is None or request.id is None:
        context.answer(query, t(language, "smartkey.not_allowed"), alert=True)
        return
    if press.action is RequestAction.WITHDRAW:
        withdrawn = await ledger.withdraw(employee, request.id)
        done = "smartkey.request_withdrawn_you"
        context.answer(query)
        key = done if withdrawn.outcome is KeyOutcome.DONE else "smartkey.request_gone"
        await context.edit(query.message, t(language, key))
        return
    if not may(employee.roles, Permission.ANSWER_SMARTKEY_REQUEST):
        context.answer(query, t(language, "smartkey.not_allowed"), alert=True)
        return
    if request.state != RequestState.WAITING:
        # A copy or list still shown after someone else answered (its edit says how it ended).
        context.answer(query, t(language, "smartkey.request_gone"), alert=True)
        return
    if press.action is RequestAction.DECLINE:
        answered = await ledger.decline(employee, request.id)
        context.answer(query)
        if answered.outcome is not KeyOutcome.DONE:
            await context.edit(query.message, t(language, "smartkey.request_gone"))
        return  # the service rewrote every copy, this one too
    if press.action is RequestAction.PICK:
        context.answer(query)
        lines = await ledger.available(employee.unit)
        requester = await services.staff.get(request.requester)
        text, rows = render.pick_key(
            language,
            services.settings,
            lines,
            services.clock.now(),
            view=KeyView.REQUEST,
            request_id=request.id,
            requester=requester.name if requester else request.requester,
        )
        await context.edit(query.message, text, inline_markup(rows))
        return
    assert press.key_id is not None
    result = await ledger.hand_out(
        employee,
        press.key_id,
        request.requester,
        despite_stale=press.despite_stale,
        request_id=request.id,
    )
    go_on = request_data(request.id, RequestAction.HAND, press.key_id, despite_stale=True)
    await _after_hand_out(context, query.message, result, go_on)
    context.answer(query, _short(language, result))


async def press_cabinet_updated(update: Update, context: BekeyContext) -> None:
    """Marks every key in a cabinet updated now, and says how many."""
    found = pressed(update, context, parse_cabinet_updated)
    if found is None:
        return
    query, cabinet_id = found
    language = context.language
    count = await context.services.smartkeys.mark_cabinet_updated(context.employee, cabinet_id)
    if count is None:
        context.answer(query, t(language, "smartkey.not_allowed"), alert=True)
        return
    context.answer(query)
    text, rows = await _main_view(context)
    cabinets = await context.services.smartkeys.cabinets(context.employee.unit)
    name = next((c.cabinet.name for c in cabinets if c.cabinet.id == cabinet_id), "?")
    done = t(language, "smartkey.cabinet_updated", count=count, cabinet=name)
    await context.edit(query.message, f"{done}\n\n{text}", inline_markup(rows))


async def register_cabinet(update: Update, context: BekeyContext) -> None:
    """Adds a cabinet to the keeper's unit, or moves one: ``/skab NAVN; PLACERING``."""
    language = context.language
    name, _, location = after_command(update).partition(";")
    name, location = " ".join(name.split()), " ".join(location.split())
    if not name or len(name) > 60 or len(location) > 120:
        await context.reply(t(language, "smartkey.cabinet_usage"))
        return
    done = await context.services.smartkeys.register_cabinet(context.employee, name, location)
    cabinet = done.cabinet
    if done.outcome is not KeyOutcome.DONE or cabinet is None:
        await context.reply(t(language, "smartkey.not_allowed"))
        return
    key = "smartkey.cabinet_added" if done.created else "smartkey.cabinet_changed"
    where = cabinet.location or "?"
    await context.reply(
        t(language, key, name=cabinet.name, location=where, unit=context.employee.unit)
    )


async def register_key(update: Update, context: BekeyContext) -> None:
    """Registers a key in a cabinet of the keeper's unit: ``/nynoegle K-07 Kontoret``."""
    language = context.language
    parts = after_command(update).split(maxsplit=1)
    if len(parts) != 2:
        await context.reply(t(language, "smartkey.newkey_usage"))
        return
    label, cabinet_name = parts[0], " ".join(parts[1].split())
    if len(label) > LABEL_MAX or not label.isprintable():
        await context.reply(t(language, "smartkey.label_bad"))
        return
    services = context.services
    employee = context.employee
    done = await services.smartkeys.register_key(employee, label, cabinet_name)
    if done.outcome is KeyOutcome.NOT_FOUND:
        cabinets = await services.smartkeys.cabinets(employee.unit)
        known = ", ".join(c.cabinet.name for c in cabinets) or "-"
        await context.reply(
            t(
                language,
                "smartkey.newkey_no_cabinet",
                cabinet=cut(cabinet_name, 60),
                unit=employee.unit,
                known=known,
            )
        )
        return
    if done.outcome is not KeyOutcome.DONE or done.cabinet is None:
        await context.reply(t(language, "smartkey.not_allowed"))
        return
    if done.placed is None:
        key = "smartkey.newkey_same"
    else:
        key = "smartkey.newkey_added" if done.placed else "smartkey.newkey_moved"
    await context.reply(t(language, key, label=label, cabinet=done.cabinet.name))
