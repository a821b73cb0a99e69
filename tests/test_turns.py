"""Whose turn on the one connection: the inbox and the sender go before updates' work."""

from __future__ import annotations

import asyncio

from bot.storage.turns import RANK, URGENT, WORK, Turns


async def _take(turns: Turns, rank: int, name: str, order: list[str]) -> None:
    RANK.set(rank)
    async with turns.turn():
        order.append(name)
        await asyncio.sleep(0)


async def test_an_urgent_write_goes_before_updates_that_waited_longer() -> None:
    turns = Turns()
    order: list[str] = []
    await turns.acquire()  # an update's unit of work holds the connection
    waiting = [asyncio.create_task(_take(turns, WORK, f"update {n}", order)) for n in range(3)]
    await asyncio.sleep(0)
    inbox = asyncio.create_task(_take(turns, URGENT, "inbox", order))
    await asyncio.sleep(0)

    turns.release()
    await asyncio.gather(*waiting, inbox)

    assert order == ["inbox", "update 0", "update 1", "update 2"]
    assert not turns.locked()


async def test_a_waiter_cancelled_before_its_turn_does_not_keep_the_turn() -> None:
    turns = Turns()
    order: list[str] = []
    await turns.acquire()
    gone = asyncio.create_task(_take(turns, WORK, "gone", order))
    after = asyncio.create_task(_take(turns, WORK, "after", order))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.sleep(0)

    turns.release()
    await after

    assert order == ["after"]
    assert not turns.locked()
