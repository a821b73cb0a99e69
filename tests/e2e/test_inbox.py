"""A crash between receiving and handling loses nothing: the inbox hands it on after the restart."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import inbox_of
from bot.clock import ManualClock
from bot.inbox import UpdateInbox
from bot.settings import Settings
from tests.conftest import start_bot, stop_bot
from tests.harness import Harness, Person, text_of


async def _received_but_never_handled(bot: Harness, person: Person, text: str) -> int:
    """The person writes; the bot stores it and dies before handing it on (kill -9)."""
    fetched: asyncio.Queue[Any] = asyncio.Queue()
    queue = bot.app.update_queue
    setattr(queue, "put", fetched.put)  # noqa: B010 - what the inbox hands on goes nowhere
    try:
        update_id = await bot.client.send_text(person.telegram_id, text)
        async with asyncio.timeout(10):
            await fetched.get()  # fetched (and stored, if the inbox stores)
            # Wait until Telegram is told it arrived: the crash comes right after. (The
            # emulator is another server: there is no event to wait on, only its state.)
            while not await _confirmed(bot, update_id):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
    finally:
        delattr(queue, "put")
    return update_id


async def _confirmed(bot: Harness, update_id: int) -> bool:
    """Whether Telegram has been told the update arrived (a getUpdates past it)."""
    return all(u["update_id"] != update_id for u in await bot.client.pending_updates())


async def test_an_emergency_received_just_before_a_crash_is_answered_after_the_restart(
    bot: Harness, unit: dict[str, Person], settings: Settings, clock: ManualClock
) -> None:
    anna = unit["anna"]
    update_id = await _received_but_never_handled(bot, anna, "/akut")
    await stop_bot(bot)

    again = await start_bot(settings, clock)
    try:
        await again.handled(update_id)
        card = (await again.person("Anna", telegram_id=anna.telegram_id).bot_messages())[-1]
        assert text_of(card).startswith("🆘 Bekey virker ikke")
        assert await again.ticket_count() == 1
        async with again.services.db.read() as tx:
            assert await tx.inbox.is_handled(update_id)
            assert await tx.inbox.unhandled() == []
    finally:
        await stop_bot(again)


async def test_without_the_inbox_an_update_received_before_a_crash_is_lost(
    bot: Harness,
    unit: dict[str, Person],
    settings: Settings,
    clock: ManualClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The guarantee switched off: nothing is stored, so the restart has nothing to hand on."""

    async def keep_nothing(self: UpdateInbox, updates: tuple[Any, ...]) -> list[Any]:
        return list(updates)

    monkeypatch.setattr(UpdateInbox, "_store", keep_nothing)
    anna = unit["anna"]
    update_id = await _received_but_never_handled(bot, anna, "/akut")
    await stop_bot(bot)

    again = await start_bot(settings, clock)
    try:
        await asyncio.sleep(0.5)
        assert await again.ticket_count() == 0
        assert update_id > 0
    finally:
        await stop_bot(again)


async def test_a_handled_update_is_not_handled_again_after_a_restart(
    bot: Harness, unit: dict[str, Person], settings: Settings, clock: ManualClock
) -> None:
    anna = unit["anna"]
    await anna.say("/akut")
    await stop_bot(bot)

    again = await start_bot(settings, clock)
    try:
        assert await inbox_of(again.app).replay() == 0
        assert await again.ticket_count() == 1
    finally:
        await stop_bot(again)
