"""A leaver's Bekey task as the planners see it: loaded with what it needs, every copy kept
in step, and closed by itself once nothing is left of it (the leaver is closed in Bekey and
their last Smartkey is back, whoever recorded the return).

Functions here run inside the caller's transaction. ``leavers`` makes and closes tasks;
``smartkeys`` calls ``close_if_keys_back`` when a key comes back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from bot.render import leavers as render
from bot.settings import Settings
from bot.storage.database import Tx
from bot.storage.leavers import LeaverTaskView

TASK_DONE: Final = "leaver_task_done"
"""Audit: a leaver's Bekey task done."""


def task_topic(task_id: int) -> str:
    """The outbox topic of every push of one task (the first and the reminders)."""
    return f"leaver:{task_id}"


async def task_view(tx: Tx, task_id: int) -> LeaverTaskView | None:
    """Load a task with its leaver, who made it, and the Smartkeys the leaver still holds."""
    task = await tx.leavers.get(task_id)
    if task is None:
        return None
    leaver = await tx.employees.get(task.user_id)
    creator = await tx.employees.get(task.created_by)
    closer = await tx.employees.get(task.done_by) if task.done_by else None
    keys = await tx.smartkeys.held_by(task.user_id) if task.open else []
    return LeaverTaskView(
        task,
        leaver,
        creator.name if creator else task.created_by,
        keys,
        closer.name if closer else task.done_by,
    )


async def refresh_task_copies(
    tx: Tx, settings: Settings, view: LeaverTaskView, now: datetime
) -> None:
    """Every push of an open task shows it as it stands now (its button with it)."""
    for push in await tx.outbox.sends_for_topic(task_topic(view.task.id)):
        holder = await tx.employees.by_telegram_id(push.chat_id)
        language = holder.language if holder else settings.default_language
        text, rows = render.task_push(language, settings, view, now, reminder=False)
        await tx.outbox.enqueue_edit(now, push.id, text, render.as_markup(rows))


async def settle_task_copies(
    tx: Tx,
    settings: Settings,
    view: LeaverTaskView,
    by: str,
    now: datetime,
    keys_back: list[str],
    *,
    withdrawn: bool = False,
) -> None:
    """Every push of the task (the first and the reminders) says how it ended; no buttons."""
    for push in await tx.outbox.sends_for_topic(task_topic(view.task.id)):
        holder = await tx.employees.by_telegram_id(push.chat_id)
        language = holder.language if holder else settings.default_language
        if withdrawn:
            text = render.task_withdrawn(language, view, by)
        else:
            text = render.task_done(language, settings, view, by, keys_back)
        await tx.outbox.enqueue_edit(now, push.id, text, None)


async def close_if_keys_back(
    tx: Tx,
    settings: Settings,
    user_id: str,
    actor: str,
    actor_name: str,
    now: datetime,
    returned: list[str],
) -> bool:
    """Close a leaver's open task once they are closed in Bekey and hold no Smartkey any more
    (``returned``: the labels just recorded back); every copy says so."""
    task = await tx.leavers.open_for(user_id)
    if task is None or task.bekey_closed_at is None:
        return False
    if await tx.smartkeys.held_by(user_id):
        return False
    if not await tx.leavers.close(task.id, actor, now):
        return False
    await tx.audit.record(now, actor, TASK_DONE, user_id, "key_back")
    view = await task_view(tx, task.id)
    assert view is not None
    await settle_task_copies(tx, settings, view, actor_name, now, returned)
    return True
