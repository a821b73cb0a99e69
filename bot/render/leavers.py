"""Texts and buttons for employees who leave: the confirming question, its outcome, the
planners' task "close <user-id> in Bekey" (with a Smartkey to get back), its reminder, its
end, and the notice of tickets untaken again.

Buttons are rows of (label, data) pairs, as in ``bot.render.smartkeys``; ``as_markup``
makes the Bot API's inline keyboard of them. Names are cut.
"""

from __future__ import annotations

from datetime import datetime

from bot.render.callbacks import (
    LeaverAction,
    TaskAction,
    TicketAction,
    leaver_data,
    leaver_task_data,
    ticket_data,
)
from bot.render.i18n import Html, moment, plain, t
from bot.render.pages import NAME_MAX, cut
from bot.render.smartkeys import Rows, as_markup, fitted
from bot.settings import Settings
from bot.storage.employees import Employee
from bot.storage.leavers import LeaverTaskView
from bot.storage.tickets import StoredTicket
from state.roles import Role
from state.ticket import format_ticket_number

__all__ = ["Rows", "as_markup"]

MAX_TICKET_BUTTONS = 10
"""Released tickets shown as buttons in one notice (the rest are named in its text)."""


def _name(person: Employee | None, fallback: str) -> str:
    """A person's name as shown (cut), or the fallback (a user-id) if unknown."""
    return cut(person.name if person else fallback, NAME_MAX)


def role_words(language: str, employee: Employee) -> str:
    """What an employee is, in words: their role, and key person if appointed."""
    name = t(language, f"role.{employee.role.value}")
    if employee.key_person and employee.role is not Role.KEY_PERSON:
        return t(language, "appointment.with_key_person", role=name)
    return name


def keys_text(language: str, labels: list[str]) -> str:
    """Name Smartkeys: "Smartkey K-07, Smartkey K-09"."""
    return ", ".join(plain(language, "leaver.key_label", label=label) for label in labels)


def title(language: str, view: LeaverTaskView) -> str:
    """The task in one line: close the user-id in Bekey (and get the keys back)."""
    user_id = view.task.user_id
    if view.keys:
        keys = keys_text(language, view.labels)
        if view.task.bekey_closed_at is not None:  # only the key is left to get back
            return t(language, "leaver.task_title_key_only", user_id=user_id, keys=keys)
        return t(language, "leaver.task_title_key", user_id=user_id, keys=keys)
    return t(language, "leaver.task_title", user_id=user_id)


def ask(language: str, target: Employee) -> tuple[str, Rows]:
    """The confirming question before a deactivation, and its two buttons."""
    name = _name(target, target.user_id)
    key = "leaver.ask_fitter" if target.role is Role.LOCK_PARTNER else "leaver.ask"
    text = t(language, key, name=name, user_id=target.user_id)
    rows = [
        [
            (
                plain(language, "leaver.confirm"),
                leaver_data(target.user_id, LeaverAction.DEACTIVATE),
            ),
            (plain(language, "leaver.cancel"), leaver_data(target.user_id, LeaverAction.CANCEL)),
        ]
    ]
    return text, rows


def not_found(language: str, user_id: str, unit: str) -> str:
    """No such employee in the actor's unit."""
    return t(language, "leaver.not_found", user_id=user_id, unit=unit)


def not_allowed(language: str, actor: Employee, target: Employee) -> str:
    """The actor's role may not deactivate the target's: ask the leader."""
    return t(
        language,
        "leaver.not_allowed",
        role=role_words(language, actor),
        name=_name(target, target.user_id),
        target=role_words(language, target),
        unit=target.unit,
    )


def about(language: str, key: str, target: Employee | None, user_id: str) -> str:
    """A short text about the employee: ``leaver.already``, ``leaver.cancelled``, ..."""
    return t(language, key, name=_name(target, user_id), user_id=user_id)


def done(
    language: str,
    target: Employee,
    released: list[StoredTicket],
    told: list[Employee],
    *,
    no_key_person: bool = False,
) -> str:
    """What the deactivation did, for the one who confirmed it (and that the unit now has no
    key person, if it was the last)."""
    name = _name(target, target.user_id)
    lines = [t(language, "leaver.done", name=name, user_id=target.user_id)]
    if released:
        numbers = ", ".join(format_ticket_number(ticket.model.number) for ticket in released)
        lines.append(
            t(language, "leaver.done_released", count=len(released), name=name, numbers=numbers)
        )
    if target.role is Role.LOCK_PARTNER:
        lines.append(t(language, "leaver.fitter"))
    elif told:
        names = ", ".join(_name(person, person.user_id) for person in told)
        lines.append(t(language, "leaver.told", user_id=target.user_id, names=names))
    else:
        lines.append(t(language, "leaver.nobody", unit=target.unit, user_id=target.user_id))
    if no_key_person:
        lines.append(t(language, "leaver.no_key_person", unit=target.unit))
    return "\n\n".join(lines)


def task_push(
    language: str, settings: Settings, view: LeaverTaskView, now: datetime, *, reminder: bool
) -> tuple[str, Rows]:
    """The task (or its daily reminder) as a planner gets it, with its one button."""
    task = view.task
    lines = [t(language, "leaver.reminder")] if reminder else []
    lines.append(t(language, "leaver.task_head", title=Html(title(language, view))))
    lines.append(
        t(
            language,
            "leaver.task_by",
            name=cut(view.name, NAME_MAX),
            user_id=task.user_id,
            by=cut(view.created_by, NAME_MAX),
            at=moment(language, task.created_at, settings.zone),
        )
    )
    if view.keys:
        keys = keys_text(language, view.labels)
        lines.append(t(language, "leaver.key_held", name=cut(view.name, NAME_MAX), keys=keys))
    if task.bekey_closed_at is not None and view.keys:
        lines.append(
            t(
                language,
                "leaver.bekey_closed",
                user_id=task.user_id,
                by=task.bekey_closed_by or "?",
                at=moment(language, task.bekey_closed_at, settings.zone),
            )
        )
        back = plain(language, "leaver.key_returned", keys=keys_text(language, view.labels))
        return "\n".join(lines), [[(back, leaver_task_data(task.id, TaskAction.KEY_BACK))]]
    rows = [[(plain(language, "leaver.closed"), leaver_task_data(task.id, TaskAction.DONE))]]
    return "\n".join(lines), rows


def still_open(
    language: str, settings: Settings, view: LeaverTaskView, now: datetime
) -> tuple[str, Rows]:
    """The task again after "not yet": still open, and how to report a key that is lost."""
    text, rows = task_push(language, settings, view, now, reminder=False)
    if view.keys:
        label = view.labels[0]
        text = f"{text}\n\n{t(language, 'leaver.still_open', label=label)}"
    return text, rows


def key_question(language: str, view: LeaverTaskView) -> tuple[str, Rows]:
    """Asked when the task is marked done while a Smartkey is still handed out to the leaver."""
    keys = keys_text(language, view.labels)
    if len(view.keys) == 1:
        text = t(language, "leaver.key_question", keys=keys)
    else:
        text = t(language, "leaver.key_question_many", keys=keys, count=len(view.keys))
    task_id = view.task.id
    rows = [
        [(plain(language, "leaver.key_back"), leaver_task_data(task_id, TaskAction.KEY_BACK))],
        [(plain(language, "leaver.not_yet"), leaver_task_data(task_id, TaskAction.NOT_YET))],
    ]
    return text, rows


def task_done(
    language: str, settings: Settings, view: LeaverTaskView, by: str, keys_back: list[str]
) -> str:
    """A task's every copy once it is done: who recorded it, and when (and the keys back)."""
    task = view.task
    when = task.done_at or task.created_at
    text = t(
        language,
        "leaver.done_task",
        user_id=task.user_id,
        name=cut(view.name, NAME_MAX),
        by=cut(by, NAME_MAX),
        at=moment(language, when, settings.zone),
    )
    if keys_back:
        text = f"{text}\n{t(language, 'leaver.keys_returned', keys=keys_text(language, keys_back))}"
    return text


def task_withdrawn(language: str, view: LeaverTaskView, by: str) -> str:
    """A task's every copy once the leaver is reactivated: do not close them in Bekey."""
    return t(
        language,
        "leaver.withdrawn",
        name=cut(view.name, NAME_MAX),
        user_id=view.task.user_id,
        by=cut(by, NAME_MAX),
    )


def released_push(language: str, leaver: Employee, tickets: list[StoredTicket]) -> tuple[str, Rows]:
    """Tell a planner that a leaver's tickets are untaken again, each a tap from its card."""
    numbers = [format_ticket_number(ticket.model.number) for ticket in tickets]
    text = t(
        language,
        "leaver.released",
        count=len(tickets),
        name=_name(leaver, leaver.user_id),
        user_id=leaver.user_id,
        numbers=", ".join(numbers),
    )
    rows = [
        [
            (
                plain(language, "leaver.show_ticket", number=number),
                ticket_data(ticket.id, TicketAction.SHOW),
            )
        ]
        for ticket, number in zip(tickets, numbers, strict=True)
    ][:MAX_TICKET_BUTTONS]
    return text, rows


def task_list(
    language: str, settings: Settings, unit: str, views: list[LeaverTaskView]
) -> tuple[str, Rows]:
    """The unit's open tasks, each with its "closed in Bekey" button."""
    if not views:
        return t(language, "leaver.list_none", unit=unit), []
    lines = [t(language, "leaver.list_head", count=len(views), unit=unit)]
    rows: Rows = []
    for view in views:
        since = moment(language, view.task.created_at, settings.zone)
        lines.append(
            t(language, "leaver.list_line", title=Html(title(language, view)), since=since)
        )
        button = plain(language, "leaver.list_button", user_id=view.task.user_id)
        rows.append([(button, leaver_task_data(view.task.id, TaskAction.DONE))])
    return fitted(language, lines, rows, "leaver.more_tasks")  # after the summer: many at once
