"""One person's updates are handled one at a time, in the order they came; people run side by side.

A caregiver with gloves on types ``/sprog en`` and at once ``/hjaelp``: the bot must have
switched her to English before it answers the help. Each story runs twice: once as the bot is
built, and once with the guarantee switched off, to show that the guarantee is what makes the
story come out right.

Timing is taken out of it by ``SlowToStart``: the bot is slow to get going on the first update of
a burst, and that update waits until the one after it has been fully handled, the worst case for
ordering. When the bot holds that later update back instead (it waits for its turn), the slow
update goes on as soon as that is plain. No clock is involved: only the order of events.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable
from contextlib import closing
from typing import Any

import pytest
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot import processing
from bot.render.i18n import t
from bot.settings import Settings
from state.roles import Role
from tests.harness import Harness, Person
from tgemu.client import ChatMessage

WAIT_LIMIT = 10.0
"""Seconds before a wait that should end at once is a failure (never a way to make time pass)."""

TURNS = 20
"""Event-loop turns the later update gets to show whether the bot has started on it."""


class SlowToStart:
    """The bot is slow to get going on the next update it receives.

    Wraps the Application's update processor (its public ``process_update``) and notes, for
    each update, when it reaches the processor, when its handling starts and when it ends. The
    slow update's handling begins only after the next update to arrive has been fully handled,
    or, if the processor does not start on that one, as soon as that is plain.
    """

    def __init__(self, processor: BaseUpdateProcessor) -> None:
        self._process = processor.process_update
        self._armed = False
        self._slow: int | None = None
        self._following: int | None = None
        self._following_arrived = asyncio.Event()
        self._done: dict[int, asyncio.Event] = {}
        self.started: set[int] = set()
        self.finished: list[int] = []

    def arm(self) -> None:
        """Make the next update to arrive the slow one."""
        self._armed = True

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Note the update's arrival and pass it on; the slow one waits for the next."""
        update_id = update.update_id if isinstance(update, Update) else -1
        slow = self._armed and self._slow is None
        if slow:
            self._slow = update_id
        elif self._slow is not None and self._following is None:
            self._following = update_id
            self._following_arrived.set()
        await self._process(update, self._handle(update_id, coroutine, slow=slow))

    async def _handle(self, update_id: int, coroutine: Awaitable[Any], *, slow: bool) -> None:
        self.started.add(update_id)
        try:
            if slow:
                await self._wait_for_the_following()
            await coroutine
        finally:
            self.finished.append(update_id)
            self._done_event(update_id).set()

    async def _wait_for_the_following(self) -> None:
        async with asyncio.timeout(WAIT_LIMIT):
            await self._following_arrived.wait()
            assert self._following is not None
            # A processor that will handle the following update now starts on it in the very
            # step it arrives; these turns only leave room for a processor that takes a few.
            for _ in range(TURNS):
                await asyncio.sleep(0)
            if self._following in self.started:
                await self._done_event(self._following).wait()
            # else: the processor holds it back until this one is done; go on at once.

    def _done_event(self, update_id: int) -> asyncio.Event:
        return self._done.setdefault(update_id, asyncio.Event())


@pytest.fixture
def slow_start(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> SlowToStart:
    """The running bot, slow to start on the next update once armed."""
    processor = bot.app.update_processor
    slow = SlowToStart(processor)
    monkeypatch.setattr(processor, "process_update", slow.process_update)
    return slow


def each_update_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the guarantee off: no update waits for another of the same person.

    The processor keys its lock by the update's own id, as if every update came from a
    different person.
    """

    def own_key(update: object) -> int:
        return update.update_id if isinstance(update, Update) else 0

    monkeypatch.setattr(processing, "_person_of", own_key)


def everyone_in_one_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch the concurrency off: every update waits for the one before it, whoever sent it."""

    def one_key(update: object) -> int:
        return 0

    monkeypatch.setattr(processing, "_person_of", one_key)


async def send_at_once(person: Person, *texts: str) -> list[int]:
    """Write several messages without waiting in between; return their update ids."""
    client = person.client
    return [
        await client.send_text(person.telegram_id, text, first_name=person.first_name)
        for text in texts
    ]


async def all_handled(bot: Harness, update_ids: list[int]) -> None:
    """Wait until the bot has fully handled every one of the updates."""
    for update_id in update_ids:
        await bot.handled(update_id)


async def newest_message_id(person: Person) -> int:
    """The id of the newest message in the person's chat."""
    return max((m.message_id for m in await person.messages()), default=0)


async def bot_messages_since(person: Person, message_id: int) -> list[ChatMessage]:
    """The bot's answers in the chat, as they stand, newer than a message id.

    The emergency card, pinned anew after a change of language, is not an answer.
    """
    return [
        m
        for m in await person.bot_messages()
        if m.message_id > message_id and not (m.text or "").startswith("🆘")
    ]


async def answered_chats(bot: Harness) -> list[int]:
    """The chats the bot answered, in the order it sent (the pinned card left out)."""
    return [
        int(c["params"]["chat_id"])
        for c in await bot.client.calls("sendMessage")
        if not str(c["params"].get("text", "")).startswith("🆘")
    ]


def stored(settings: Settings, sql: str, *params: object) -> list[tuple[Any, ...]]:
    """Rows from the bot's database file, read the way an operator would."""
    with closing(sqlite3.connect(settings.database_path)) as db:
        return db.execute(sql, params).fetchall()


def text_of(message: ChatMessage) -> str:
    """A message's text (it has one)."""
    assert message.text is not None
    return message.text


@pytest.fixture
async def anna(bot: Harness) -> Person:
    """A caregiver who has joined and uses the bot in Danish."""
    return await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")


async def test_a_caregiver_who_switches_to_english_and_at_once_asks_for_help_gets_it_in_english(
    bot: Harness, anna: Person, slow_start: SlowToStart, settings: Settings
) -> None:
    before = await newest_message_id(anna)
    slow_start.arm()

    update_ids = await send_at_once(anna, "/sprog en", "/hjaelp")
    await all_handled(bot, update_ids)

    switched, help_message = await bot_messages_since(anna, before)
    assert switched.text == t("en", "language.changed")
    assert t("en", "help.emergency_note") in text_of(help_message)
    assert await anna.keyboard() == [
        [t("en", "button.emergency")],
        [t("en", "button.report_fault"), t("en", "button.my_tickets")],
        [t("en", "button.smartkeys"), t("en", "button.help")],
    ]
    assert stored(settings, "SELECT language FROM employees WHERE user_id = 'ab1234'") == [("en",)]
    assert stored(
        settings, "SELECT actor, target, outcome FROM audit WHERE action = 'language'"
    ) == [("ab1234", "en", "ok")]
    handled_ids = stored(
        settings,
        "SELECT update_id FROM inbox WHERE update_id IN (?, ?) AND handled_at IS NOT NULL"
        " ORDER BY update_id",
        *update_ids,
    )
    assert handled_ids == [(update_id,) for update_id in update_ids]
    assert slow_start.finished == update_ids
    assert help_message.text == (await anna.say("/help"))[0].text  # the help, as asked in English


async def test_without_one_at_a_time_per_person_the_help_comes_in_danish_before_the_switch(
    bot: Harness,
    anna: Person,
    slow_start: SlowToStart,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    each_update_on_its_own(monkeypatch)
    before = await newest_message_id(anna)
    slow_start.arm()

    update_ids = await send_at_once(anna, "/sprog en", "/hjaelp")
    await all_handled(bot, update_ids)

    help_message, switched = await bot_messages_since(anna, before)
    assert t("da", "help.emergency_note") in text_of(help_message)
    assert switched.text == t("en", "language.changed")
    assert stored(settings, "SELECT language FROM employees WHERE user_id = 'ab1234'") == [("en",)]
    assert slow_start.finished == list(reversed(update_ids))


async def test_a_planner_is_not_kept_waiting_while_the_bot_is_slow_on_a_caregivers_message(
    bot: Harness, anna: Person, slow_start: SlowToStart
) -> None:
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    await bot.client.clear_calls()
    slow_start.arm()

    annas = await send_at_once(anna, "/sprog en")
    pers = await send_at_once(per, "/hjaelp")
    await all_handled(bot, annas + pers)

    assert await answered_chats(bot) == [per.telegram_id, anna.telegram_id]
    assert t("da", "help.emergency_note") in text_of(await per.last())
    assert (await bot_messages_since(anna, 0))[-1].text == t("en", "language.changed")


async def test_with_everyone_in_one_queue_the_planner_waits_for_the_caregivers_slow_message(
    bot: Harness, anna: Person, slow_start: SlowToStart, monkeypatch: pytest.MonkeyPatch
) -> None:
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    everyone_in_one_queue(monkeypatch)
    await bot.client.clear_calls()
    slow_start.arm()

    annas = await send_at_once(anna, "/sprog en")
    pers = await send_at_once(per, "/hjaelp")
    await all_handled(bot, annas + pers)

    assert await answered_chats(bot) == [anna.telegram_id, per.telegram_id]
