"""The change counter: watchers (the sandbox's page) wait for what people could see to change."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.tgemu.calls import send
from tgemu import ControlError, EmulatorClient

ANNA = 42


async def test_the_counter_grows_with_sends_and_user_actions_not_with_reads(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    start = await control.changes(timeout=0)
    await control.send_text(ANNA, "hej")
    after_user = await control.changes(start, timeout=0)
    assert after_user > start

    await send(api, "getMe")
    await send(api, "getUpdates", timeout=0)
    assert await control.changes(after_user, timeout=0) == after_user

    await send(api, "sendMessage", chat_id=ANNA, text="svar")
    assert await control.changes(after_user, timeout=0) > after_user


async def test_a_waiter_wakes_when_the_bot_sends(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    seen = await control.changes(timeout=0)

    waiting = asyncio.create_task(control.changes(seen, timeout=5))
    await asyncio.sleep(0.05)
    assert not waiting.done()
    await send(api, "sendMessage", chat_id=ANNA, text="svar")

    assert await asyncio.wait_for(waiting, 2) > seen


async def test_a_wait_with_nothing_new_ends_at_the_timeout(control: EmulatorClient) -> None:
    seen = await control.changes(timeout=0)
    assert await control.changes(seen, timeout=0.05) == seen


async def test_a_bad_wait_is_refused(control: EmulatorClient) -> None:
    with pytest.raises(ControlError, match="timeout"):
        await control.changes(0, timeout=-1)
