"""Orders to the lock partner, and visitation's to-dos, in chat.

- ``/ordrer`` (📋 Ordrer): a lock partner sees their firm's open orders, each with the one
  button that is next; visitation sees every open order and its open to-dos.
- An order's button (confirm, installed, opened in Netkey, removed, closed in Netkey) is
  pressed by a lock partner of the order's firm, or by visitation on their word; a lock
  partner of another firm is refused. The message it stood on shows the order as it stands.
- A to-do's "✅ Skrevet" marks it done; every copy says who did it, and the list it was
  pressed on (``/ordrer``) shows the to-dos still open.

Every press is authorised again in the service (button data comes from the client).
"""

from __future__ import annotations

from telegram import CallbackQuery, Update

from bot.render import lifecycle as render
from bot.render.callbacks import OrderAction, parse_order, parse_todo
from bot.render.i18n import all_variants, t
from bot.services.lifecycle import StepOutcome
from handlers.context import BekeyContext, inline_markup, pressed
from state.roles import Permission, Role, may


async def show_orders(update: Update, context: BekeyContext) -> None:
    """Lists the open orders the employee may see (and visitation's to-dos)."""
    services = context.services
    actor = context.employee
    language = context.language
    views = await services.lifecycle.orders(actor)
    if views is None:
        await context.reply(t(language, "lifecycle.refused_not_allowed"))
        return
    for_firm = actor.role is Role.LOCK_PARTNER
    text, rows = render.orders_list(language, services.settings, views, for_firm=for_firm)
    await context.reply(text, markup=inline_markup(rows), protect=True)
    if may(actor.roles, Permission.MANAGE_CITIZENS):
        todos = await services.lifecycle.todos(actor) or []
        text, rows = render.todos_list(language, todos)
        await context.reply(text, markup=inline_markup(rows), protect=True)


async def press_order(update: Update, context: BekeyContext) -> None:
    """Records the firm's confirmation or the lock partner's step pressed on an order."""
    found = pressed(update, context, parse_order)
    if found is None:
        return
    query, press = found
    services = context.services
    actor = context.employee
    language = context.language
    if press.action is OrderAction.CONFIRM:
        result = await services.lifecycle.confirm(actor, press.order_id)
    else:
        step = render.ORDER_ACTION_STEPS[press.action]
        result = await services.lifecycle.order_step(actor, press.order_id, step)
    for_firm = actor.role is Role.LOCK_PARTNER
    if result.outcome is StepOutcome.DONE:
        context.answer(query)
    elif result.outcome is StepOutcome.ALREADY and result.order is not None:
        key = "lifecycle.order_already" if result.order.order.open else "lifecycle.order_closed"
        context.answer(query, t(language, key), alert=True)
    else:
        context.answer(query, render.step_answer(language, result.outcome), alert=True)
    if result.order is None:
        return
    text, rows = render.order_push(language, services.settings, result.order, for_firm=for_firm)
    if query.message is not None and getattr(query.message, "document", None) is not None:
        await context.reply(text, markup=inline_markup(rows), protect=True)
        return
    await context.edit(query.message, text, inline_markup(rows))


async def press_todo(update: Update, context: BekeyContext) -> None:
    """Marks visitation's to-do done (every copy of it says who did it)."""
    found = pressed(update, context, parse_todo)
    if found is None:
        return
    query, todo_id = found
    language = context.language
    view = await context.services.lifecycle.todo_done(context.employee, todo_id)
    if view is None:
        context.answer(query, t(language, "lifecycle.refused_not_allowed"), alert=True)
        return
    context.answer(query)
    if _pressed_on_list(query):  # the list stays a list, with the to-dos still open
        todos = await context.services.lifecycle.todos(context.employee) or []
        text, rows = render.todos_list(language, todos)
        await context.edit(query.message, text, inline_markup(rows))
        return
    text, _ = render.todo_push(language, view, reminder=False)
    await context.edit(query.message, text)


def _pressed_on_list(query: CallbackQuery) -> bool:
    """Whether the press came from the list of to-dos (its buttons name the citizen) rather
    than from one to-do's own message (its button says it is written)."""
    message = query.message
    markup = getattr(message, "reply_markup", None) if message is not None else None
    if markup is None:
        return False
    labels = [
        b.text for row in markup.inline_keyboard for b in row if b.callback_data == query.data
    ]
    return bool(labels) and labels[0] not in all_variants("lifecycle.button_todo_done")
