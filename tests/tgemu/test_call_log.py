"""What a benchmark needs of the emulator: when each call was answered, the 429s counted, and
a control client that keeps many connections open for many people acting at once."""

from __future__ import annotations

import asyncio

import httpx

from tests.tgemu.calls import send
from tests.tgemu.conftest import START, FakeClock
from tgemu import BotApiEmulator, EmulatorClient

ANNA = 42
BENT = 7


async def test_each_logged_call_says_when_it_was_answered_on_the_emulated_clock(
    api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    await control.send_text(ANNA, "hej")
    assert (await send(api, "sendMessage", chat_id=ANNA, text="1"))["ok"]
    clock.advance(2.5)
    await control.advance_clock(10)
    assert (await send(api, "sendMessage", chat_id=ANNA, text="2"))["ok"]

    first, second = await control.calls("sendMessage")
    assert first["at"] == START
    assert second["at"] == START + 12.5


async def test_the_call_log_can_be_followed_from_a_sequence_number(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    for text in ("1", "2", "3"):
        await send(api, "sendMessage", chat_id=ANNA, text=text)
    every = await control.calls()
    seen = every[0]["seq"]

    newer = await control.calls(after=seen)
    assert [c["params"]["text"] for c in newer] == ["2", "3"]
    assert await control.calls(after=every[-1]["seq"]) == []
    assert await control.calls(after=0) == every
    async with httpx.AsyncClient(base_url=emulator.base_url, trust_env=False) as http:
        refused = await http.get("/control/calls", params={"after": "x"})
    assert refused.status_code == 400
    assert refused.json()["description"] == "after must be an integer"


async def test_failed_calls_are_counted_by_status(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await send(api, "sendMessage", chat_id=ANNA, text="")  # 400: empty
    await send(api, "sendMessage", chat_id=BENT, text="x")  # 400: chat not found
    await control.enable_telegram_limits()
    for _ in range(5):  # three pass (the burst), two get 429
        await send(api, "sendMessage", chat_id=ANNA, text="x")

    counts = await control.answered()
    assert counts.failed == {"sendMessage": 4}
    assert counts.failed_by_status == {400: {"sendMessage": 2}, 429: {"sendMessage": 2}}
    assert counts.failed_with(429) == 2
    assert counts.failed_with(409) == 0

    await control.reset_answered()
    assert (await control.answered()).failed_by_status == {}


async def test_a_client_for_many_people_at_once_keeps_as_many_connections(
    emulator: BotApiEmulator,
) -> None:
    async with EmulatorClient(emulator.base_url, connections=5) as crowd:
        update_ids = await asyncio.gather(
            *(crowd.send_text(user_id, "🆘") for user_id in range(1, 41))
        )
        assert len(set(update_ids)) == 40
        for user_id in (1, 40):
            assert [m.text for m in await crowd.messages(user_id)] == ["🆘"]
