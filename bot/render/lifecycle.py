"""Texts and buttons for citizens' Bekey: visitation's card and search, the order to the lock
partner (as a message, and as a file for a firm without users), its reminder, the planners'
notices, and visitation's to-do.

Buttons are rows of (label, data) pairs, as in ``bot.render.smartkeys``. A lock partner's
order names the citizen's reference, address and door, never more of the register.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Final

from bot.render.callbacks import (
    OrderAction,
    citizen_data,
    order_data,
    todo_data,
)
from bot.render.i18n import Html, moment, plain, t
from bot.render.pages import NAME_MAX, cut
from bot.render.smartkeys import Rows, as_markup, fitted
from bot.settings import Settings
from bot.storage.citizen_views import CitizenCard, OrderView, TodoView
from bot.storage.citizens import Citizen
from bot.storage.lock_partners import OrderKind, TodoKind
from state.bekey_lifecycle import LifecycleState, LifecycleTrigger

__all__ = ["Rows", "as_markup"]

ADDRESS_MAX: Final = 60
DOOR_MAX: Final = 40
HISTORY_SHOWN: Final = 12
"""Steps shown on a citizen's card (the newest)."""
UNITS_SHOWN: Final = 20
"""Units offered as buttons for a move (a municipality has a handful)."""


class Notice(StrEnum):
    """What the planners are told of a citizen's Bekey (the seed's advis)."""

    ACTIVE = "active"
    REMOVED = "removed"
    DOOR_CHANGED = "door_changed"
    MOVED_HERE = "moved_here"
    MOVED_AWAY = "moved_away"


def order_topic(order_id: int) -> str:
    """The outbox topic of every copy of one order."""
    return f"order:{order_id}"


def todo_topic(todo_id: int) -> str:
    """The outbox topic of every push of one to-do (the first and the reminders)."""
    return f"todo:{todo_id}"


def order_number(order_id: int) -> str:
    """An order as people name it on the phone: ``O-0042``."""
    return f"O-{order_id:04d}"


def _citizen_name(citizen: Citizen) -> str:
    return cut(citizen.name, NAME_MAX)


def _address(citizen: Citizen) -> str:
    return cut(citizen.address, ADDRESS_MAX)


def _door(door: str) -> str:
    return cut(door, DOOR_MAX)


def state_name(language: str, state: LifecycleState) -> str:
    """A lifecycle state as staff read it."""
    return t(language, f"lifecycle.state_{state.value}")


def step_name(language: str, step: str) -> str:
    """A step of the history as staff read it (a trigger, or the order confirmed)."""
    return t(language, f"lifecycle.step_{step}")


# Visitation


def search_result(
    language: str, query: str, citizens: Sequence[Citizen], matches: int
) -> tuple[str, Rows]:
    """Visitation's search: one line per citizen with unit and status, a button to open each."""
    if not citizens:
        return t(language, "lifecycle.none", query=cut(query, NAME_MAX)), []
    lines = [t(language, "lifecycle.found", count=matches)]
    rows: Rows = []
    for citizen in citizens:
        lines.append(
            t(
                language,
                "lifecycle.found_line",
                name=_citizen_name(citizen),
                ref=citizen.ref,
                address=_address(citizen),
                unit=citizen.unit,
                state=state_name(language, citizen.lifecycle),
            )
        )
        label = f"{cut(citizen.name, 24)} ({citizen.ref})"
        rows.append([(label, citizen_data(citizen.id, citizen.version))])
    if matches > len(citizens):
        lines.append(t(language, "lifecycle.more", count=matches - len(citizens)))
    return fitted(language, lines, rows)


_STEP_BUTTONS: Final = (
    LifecycleTrigger.NOTIFY,
    LifecycleTrigger.ORDER,
    LifecycleTrigger.INSTALL,
    LifecycleTrigger.OPEN_IN_NETKEY,
    LifecycleTrigger.REQUEST_REMOVAL,
    LifecycleTrigger.ORDER_REMOVAL,
    LifecycleTrigger.REMOVE,
    LifecycleTrigger.CLOSE_IN_NETKEY,
    LifecycleTrigger.REQUEST,
    LifecycleTrigger.CHANGE_DOOR,
    LifecycleTrigger.MOVE,
    LifecycleTrigger.CANCEL,
)
"""The order of the step buttons on a card: forward first, cancelling last."""


def citizen_card(language: str, settings: Settings, card: CitizenCard) -> tuple[str, Rows]:
    """A citizen as visitation sees them, with a button for each step they may take now
    (ordering picks a firm; a move picks a unit; a new door is typed)."""
    citizen = card.citizen
    lines = [
        t(
            language,
            "lifecycle.card",
            name=_citizen_name(citizen),
            ref=citizen.ref,
            address=_address(citizen),
            unit=citizen.unit,
            state=state_name(language, citizen.lifecycle),
            door=_door(citizen.bekey_door) or "–",
        )
    ]
    if card.order is not None:
        lines.append(_order_line(language, settings, card.order.id, card))
    for todo in card.todos:
        lines.append(
            t(language, "lifecycle.card_todo", text=Html(todo_text(language, todo.kind, todo.door)))
        )
    if card.history:
        lines.append(t(language, "lifecycle.history"))
        for event in card.history[-HISTORY_SHOWN:]:
            lines.append(
                t(
                    language,
                    "lifecycle.history_line",
                    when=moment(language, event.at, settings.zone),
                    step=step_name(language, event.step),
                    who=cut(card.names.get(event.actor, event.actor), NAME_MAX),
                    detail=cut(event.detail, DOOR_MAX),
                ).replace(" ()", "")
            )
    return fitted(language, lines, _card_rows(language, card))


def _order_line(language: str, settings: Settings, order_id: int, card: CitizenCard) -> str:
    order = card.order
    assert order is not None
    firm = card.firm.name if card.firm else "?"
    key = "lifecycle.order_confirmed" if order.confirmed_at else "lifecycle.order_waiting"
    return t(
        language,
        key,
        number=order_number(order_id),
        kind=t(language, f"lifecycle.kind_{order.kind.value}"),
        firm=cut(firm, NAME_MAX),
        when=moment(language, order.ordered_at, settings.zone),
    )


def _card_rows(language: str, card: CitizenCard) -> Rows:
    citizen = card.citizen
    rows: Rows = []
    for step in _STEP_BUTTONS:
        if step not in card.steps:
            continue
        label = plain(language, f"lifecycle.button_{step.value}", door=_door(_next_door(card)))
        if step in (LifecycleTrigger.ORDER, LifecycleTrigger.ORDER_REMOVAL):
            for firm in card.firms:
                rows.append(
                    [
                        (
                            plain(
                                language,
                                "lifecycle.button_order_from",
                                step=label,
                                firm=cut(firm.name, 24),
                            ),
                            citizen_data(citizen.id, citizen.version, step, firm.id),
                        )
                    ]
                )
            continue
        if step is LifecycleTrigger.MOVE:
            pairs = [
                (
                    plain(language, "lifecycle.button_move_to", unit=cut(name, 24)),
                    citizen_data(citizen.id, citizen.version, step, unit_id),
                )
                for unit_id, name in card.units[:UNITS_SHOWN]
            ]
            rows += [pairs[i : i + 2] for i in range(0, len(pairs), 2)]
            continue
        rows.append([(label, citizen_data(citizen.id, citizen.version, step))])
    if card.order is not None and card.order.confirmed_at is None:
        rows.insert(
            0,
            [
                (
                    plain(language, "lifecycle.button_confirm"),
                    citizen_data(citizen.id, citizen.version, confirm=True, choice=card.order.id),
                )
            ],
        )
    return rows


def _next_door(card: CitizenCard) -> str:
    """The door an installation records: the order's, else the one asked for."""
    return card.order.door if card.order and card.order.door else card.citizen.bekey_door


def step_answer(
    language: str,
    outcome: str,
    *,
    units: str = "",
    ref: str = "",
    state: LifecycleState | None = None,
) -> str:
    """The short answer to a refused step (the units there are, the reference typed, where
    the citizen's Bekey stands)."""
    shown = state_name(language, state) if state else "–"
    return t(language, f"lifecycle.refused_{outcome}", units=units, ref=ref, state=shown)


def created(language: str, citizen: Citizen) -> str:
    """The answer to a new citizen."""
    return t(
        language,
        "lifecycle.created",
        name=_citizen_name(citizen),
        ref=citizen.ref,
        unit=citizen.unit,
    )


# The lock partner's order


def _order_text(language: str, settings: Settings, view: OrderView) -> list[str]:
    order, citizen = view.order, view.citizen
    return [
        t(
            language,
            f"lifecycle.order_{order.kind.value}",
            number=order_number(order.id),
            ref=citizen.ref,
            address=_address(citizen),
            door=_door(order.door) or "–",
            date=moment(language, order.ordered_at, settings.zone),
            firm=cut(view.firm.name, NAME_MAX),
            visitator=cut(view.ordered_by, NAME_MAX),
        )
    ]


def order_push(
    language: str, settings: Settings, view: OrderView, *, for_firm: bool
) -> tuple[str, Rows]:
    """An order as it stands: its text, where it has got to, and the one button that is next
    (the firm's user presses it; visitation records it on the firm's word)."""
    lines = _order_text(language, settings, view)
    order, citizen = view.order, view.citizen
    if not for_firm and order.sent_as_file_at is not None and order.open:
        phone = view.firm.phone or "–"
        email = view.firm.email or "–"
        lines.append(
            t(
                language,
                "lifecycle.order_send_on",
                firm=cut(view.firm.name, NAME_MAX),
                phone=phone,
                email=email,
            )
        )
    lines.append(_order_progress(language, view))
    text = "\n".join(lines)
    if not order.open:
        return text, []
    action = _next_action(order.confirmed_at is not None, order.kind, citizen.lifecycle)
    if action is None:
        return text, []
    label = plain(language, f"lifecycle.order_button_{action.name.lower()}", door=_door(order.door))
    return text, [[(label, order_data(order.id, action))]]


def _order_progress(language: str, view: OrderView) -> str:
    order, citizen = view.order, view.citizen
    if not order.open:
        if citizen.lifecycle is LifecycleState.CANCELLED:
            return t(language, "lifecycle.order_cancelled")
        return t(language, "lifecycle.order_done")
    if order.confirmed_at is None:
        return t(language, "lifecycle.order_not_confirmed")
    return t(language, "lifecycle.order_at", state=state_name(language, citizen.lifecycle))


def _next_action(confirmed: bool, kind: OrderKind, state: LifecycleState) -> OrderAction | None:
    """The lock partner's next button on an order."""
    if not confirmed:
        return OrderAction.CONFIRM
    steps = {
        (OrderKind.INSTALL, LifecycleState.ORDERED): OrderAction.INSTALLED,
        (OrderKind.INSTALL, LifecycleState.INSTALLED): OrderAction.OPENED,
        (OrderKind.REMOVE, LifecycleState.REMOVAL_ORDERED): OrderAction.REMOVED,
        (OrderKind.REMOVE, LifecycleState.REMOVED): OrderAction.CLOSED,
    }
    return steps.get((kind, state))


ORDER_ACTION_STEPS: Final = {
    OrderAction.INSTALLED: LifecycleTrigger.INSTALL,
    OrderAction.OPENED: LifecycleTrigger.OPEN_IN_NETKEY,
    OrderAction.REMOVED: LifecycleTrigger.REMOVE,
    OrderAction.CLOSED: LifecycleTrigger.CLOSE_IN_NETKEY,
}
"""The step each order button records (confirming is not a step of the machine)."""


def order_filename(language: str, view: OrderView) -> str:
    """The order file's name: the order's number and kind, no name of the citizen."""
    kind = plain(language, f"lifecycle.kind_{view.order.kind.value}")
    return f"{order_number(view.order.id)}-{kind}.txt".replace(" ", "-").lower()


def order_file(language: str, settings: Settings, view: OrderView) -> bytes:
    """The order as a plain text file, to send on by the firm's own channel."""
    order, citizen = view.order, view.citizen
    text = plain(
        language,
        f"lifecycle.file_{order.kind.value}",
        number=order_number(order.id),
        ref=citizen.ref,
        address=citizen.address,
        door=order.door or "–",
        date=moment(language, order.ordered_at, settings.zone),
        firm=view.firm.name,
        visitator=view.ordered_by,
    )
    return (text.strip() + "\n").encode("utf-8")


def order_reminder(language: str, settings: Settings, view: OrderView) -> tuple[str, Rows]:
    """Visitation's reminder of an order not confirmed within five working days."""
    text = t(
        language,
        "lifecycle.order_reminder",
        number=order_number(view.order.id),
        firm=cut(view.firm.name, NAME_MAX),
        phone=view.firm.phone or "–",
        ref=view.citizen.ref,
        address=_address(view.citizen),
        date=moment(language, view.order.ordered_at, settings.zone),
    )
    button = plain(language, "lifecycle.button_confirm")
    data = citizen_data(view.citizen.id, view.citizen.version, confirm=True, choice=view.order.id)
    return text, [[(button, data)]]


def orders_list(
    language: str, settings: Settings, views: Sequence[OrderView], *, for_firm: bool
) -> tuple[str, Rows]:
    """The open orders, one line each, with a button to open each (oldest first)."""
    if not views:
        return t(language, "lifecycle.no_orders"), []
    lines = [t(language, "lifecycle.orders_head", count=len(views))]
    rows: Rows = []
    for view in views:
        lines.append(
            t(
                language,
                "lifecycle.orders_line",
                number=order_number(view.order.id),
                kind=t(language, f"lifecycle.kind_{view.order.kind.value}"),
                address=_address(view.citizen),
                progress=_order_progress(language, view),
                firm=cut(view.firm.name, NAME_MAX),
            )
        )
        if for_firm:
            action = _next_action(
                view.order.confirmed_at is not None, view.order.kind, view.citizen.lifecycle
            )
            if action is not None:
                label = plain(
                    language,
                    f"lifecycle.order_button_{action.name.lower()}",
                    door=_door(view.order.door),
                )
                rows.append(
                    [(f"{order_number(view.order.id)}: {label}", order_data(view.order.id, action))]
                )
        else:
            label = f"{order_number(view.order.id)} {cut(view.citizen.name, 20)}"
            rows.append([(label, citizen_data(view.citizen.id, view.citizen.version))])
    return fitted(language, lines, rows)


# Planners and visitation's to-do


def planner_notice(language: str, notice: Notice, citizen: Citizen) -> str:
    """The planners' notice of a citizen's Bekey (protected: it names the citizen)."""
    return t(
        language,
        f"lifecycle.notice_{notice.value}",
        name=_citizen_name(citizen),
        address=_address(citizen),
        door=_door(citizen.bekey_door) or "–",
        unit=citizen.unit,
    )


def todo_text(language: str, kind: TodoKind, door: str) -> str:
    """What to write in the entry conditions: "Bekey, bagdøren"."""
    return t(language, f"lifecycle.todo_{kind.value}", door=_door(door) or "–")


def todo_push(language: str, view: TodoView, *, reminder: bool) -> tuple[str, Rows]:
    """Visitation's to-do (or its reminder) with a done button; done, it says who did it."""
    citizen = view.citizen
    text = t(
        language,
        "lifecycle.todo_reminder" if reminder else "lifecycle.todo",
        name=_citizen_name(citizen),
        ref=citizen.ref,
        unit=citizen.unit,
        text=Html(todo_text(language, view.todo.kind, view.todo.door)),
    )
    if view.todo.done_at is not None:
        return text + "\n" + t(language, "lifecycle.todo_done", who=cut(view.done_by, NAME_MAX)), []
    return text, [[(plain(language, "lifecycle.button_todo_done"), todo_data(view.todo.id))]]


def todos_list(language: str, views: Sequence[TodoView]) -> tuple[str, Rows]:
    """Visitation's open to-dos, each with its done button."""
    if not views:
        return t(language, "lifecycle.no_todos"), []
    lines = [t(language, "lifecycle.todos_head", count=len(views))]
    rows: Rows = []
    for view in views:
        lines.append(
            t(
                language,
                "lifecycle.todos_line",
                name=_citizen_name(view.citizen),
                ref=view.citizen.ref,
                text=Html(todo_text(language, view.todo.kind, view.todo.door)),
            )
        )
        rows.append(
            [
                (
                    f"✅ {cut(view.citizen.name, 20)} ({view.citizen.ref})",
                    todo_data(view.todo.id),
                )
            ]
        )
    return fitted(language, lines, rows)
