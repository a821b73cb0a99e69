"""Latency per Bot API call, and stopping the bot at a chosen call for crash tests."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from pathlib import Path

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError

from tests.tgemu.calls import send
from tests.tgemu.conftest import TOKEN
from tgemu import BotApiEmulator, EmulatorClient, Latency, StopRule, StopStatus
from tgemu.__main__ import build_emulator, main, parse_args

ROOT = Path(__file__).resolve().parents[2]
ANNA = 42

# A bot that sends pushes one after another, trying again after a network error, until killed.
PUSHER = """
import asyncio, sys
from telegram import Bot
from telegram.error import NetworkError

async def run(base_url: str, token: str, chat_id: int) -> None:
    async with Bot(token, base_url=f"{base_url}/bot") as bot:
        n = 1
        while True:
            try:
                await bot.send_message(chat_id, f"push {n}")
            except NetworkError:
                await asyncio.sleep(0.01)
            else:
                n += 1

asyncio.run(run(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def elapsed(call: Awaitable[object]) -> float:
    """Return the seconds an awaitable takes."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    await call
    return loop.time() - start


async def bot_texts(control: EmulatorClient, chat_id: int) -> list[str | None]:
    return [m.text for m in await control.messages(chat_id) if m.from_bot]


async def test_a_call_takes_at_least_the_latency_and_control_routes_none(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    assert await control.latency() == Latency()
    assert await control.set_latency(0.5) == Latency(seconds=0.5)

    assert await elapsed(api.get("/getMe")) >= 0.5
    assert await elapsed(control.messages(ANNA)) < 0.5
    together = await elapsed(asyncio.gather(*(api.get("/getMe") for _ in range(4))))
    assert 0.5 <= together < 1.5  # each call waits on its own, not in a queue

    await control.set_latency(0)
    assert await elapsed(api.get("/getMe")) < 0.5


async def test_jitter_is_drawn_from_the_seed(
    emulator: BotApiEmulator, control: EmulatorClient
) -> None:
    network = emulator.world.network
    await control.set_latency(0.1, jitter=0.2, seed=7)
    first = [network.delay() for _ in range(5)]
    await control.set_latency(0.1, jitter=0.2, seed=7)
    again = [network.delay() for _ in range(5)]
    emulator.latency = Latency(seconds=0.1, jitter=0.2, seed=8)
    other = [network.delay() for _ in range(5)]

    assert first == again != other
    assert all(0.1 <= delay <= 0.3 for delay in first + other)
    assert len(set(first)) == 5
    assert (await control.latency()).seed == 8


async def test_latency_is_checked(emulator: BotApiEmulator, control: EmulatorClient) -> None:
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}/control", trust_env=False) as raw:
        for bad in ({"seconds": -1}, {"seconds": "slow"}, {"jitter": 601}, {"seed": 1.5}, {"s": 1}):
            assert (await raw.post("/latency", json=bad)).status_code == 400, bad
    assert await control.latency() == Latency()


async def test_stop_after_drops_every_later_call_until_cleared(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    status = await control.stop_after("sendMessage", 2)
    assert status == StopStatus(rule=StopRule("sendMessage", 2), stopped=False)

    assert (await send(api, "sendMessage", chat_id=ANNA, text="1"))["ok"]
    assert (await send(api, "getMe"))["ok"]
    assert (await send(api, "sendMessage", chat_id=ANNA, text="2"))["ok"]
    with pytest.raises(httpx.RemoteProtocolError):
        await api.post("/sendMessage", data={"chat_id": str(ANNA), "text": "3"})
    with pytest.raises(httpx.RemoteProtocolError):
        await api.get("/getMe")

    assert await bot_texts(control, ANNA) == ["1", "2"]
    assert (await control.stop_status()).stopped
    counts = await control.answered()
    assert counts.ok == {"getMe": 1, "sendMessage": 2}
    assert counts.stopped == {"getMe": 1, "sendMessage": 1}
    assert counts.failed == {}
    last = (await control.calls())[-2:]
    assert [(c["method"], c["ok"], c["error_code"], c["description"]) for c in last] == [
        ("sendMessage", False, None, "connection dropped"),
        ("getMe", False, None, "connection dropped"),
    ]

    await control.clear_stop()
    assert await control.stop_status() == StopStatus(rule=None, stopped=False)
    assert (await send(api, "sendMessage", chat_id=ANNA, text="4"))["ok"]
    assert await bot_texts(control, ANNA) == ["1", "2", "4"]


async def test_stop_after_with_a_5xx(
    api: httpx.AsyncClient, bot: Bot, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await control.stop_after("sendmessage", 1, mode="error", status=503)

    await bot.send_message(ANNA, "1")
    answer = await api.post("/getMe")
    assert answer.status_code == 503
    assert answer.json() == {"ok": False, "error_code": 503, "description": "Service Unavailable"}
    with pytest.raises(NetworkError):
        await bot.send_message(ANNA, "2")
    assert await bot_texts(control, ANNA) == ["1"]
    assert (await control.stop_status()).rule == StopRule("sendMessage", 1, "error", 503)


async def test_a_count_already_reached_stops_at_once(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    assert (await send(api, "getMe"))["ok"]
    assert (await control.stop_after("getMe", 1, mode="error")).stopped
    assert (await api.get("/getWebhookInfo")).status_code == 502
    await control.clear_stop()

    assert (await control.stop_after("sendMessage", 0, mode="error")).stopped
    assert (await api.get("/getMe")).json()["description"] == "Bad Gateway"


async def test_the_stop_leaves_other_tokens_and_the_control_api_alone(
    emulator: BotApiEmulator, control: EmulatorClient
) -> None:
    await control.stop_after("getMe", 0, mode="error")
    async with httpx.AsyncClient(trust_env=False) as client:
        wrong = await client.get(f"{emulator.base_url}/bot1:wrong/getMe")
    assert wrong.status_code == 401
    assert await control.pending_updates() == []


async def test_file_downloads_are_stopped_too(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_document(ANNA, "a.txt", b"abc")
    file_id = (await control.messages(ANNA))[0].document["file_id"]  # type: ignore[index]
    await control.stop_after("getFile", 1, mode="error", status=500)

    file_path = (await send(api, "getFile", file_id=file_id))["result"]["file_path"]
    async with httpx.AsyncClient(trust_env=False) as client:
        download = await client.get(f"{emulator.base_url}/file/bot{TOKEN}/{file_path}")
    assert download.status_code == 500
    await control.stop_after("getFile", 1, mode="drop")
    with pytest.raises(httpx.RemoteProtocolError):
        async with httpx.AsyncClient(trust_env=False) as client:
            await client.get(f"{emulator.base_url}/file/bot{TOKEN}/{file_path}")


async def test_a_long_poll_running_when_the_stop_comes_is_stopped(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    poll = asyncio.create_task(api.post("/getUpdates", data={"timeout": "5"}))
    await asyncio.sleep(0.1)
    await control.stop_after("getMe", 0)
    await control.send_text(ANNA, "hej")

    with pytest.raises(httpx.RemoteProtocolError):
        await asyncio.wait_for(poll, 5)
    assert len(await control.pending_updates()) == 1


async def test_stop_after_is_checked(emulator: BotApiEmulator, control: EmulatorClient) -> None:
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}/control", trust_env=False) as raw:
        for bad in (
            {"method": "sendTelegram", "count": 1},
            {"count": 1},
            {"method": "sendMessage"},
            {"method": "sendMessage", "count": -1},
            {"method": "sendMessage", "count": "3"},
            {"method": "sendMessage", "count": 1, "mode": "explode"},
            {"method": "sendMessage", "count": 1, "mode": "error", "status": 404},
        ):
            assert (await raw.post("/stop_after", json=bad)).status_code == 400, bad
        for query in ({"method": "nope"}, {"method": "getMe", "count": "x"}, {"timeout": "-1"}):
            assert (await raw.get("/wait", params=query)).status_code == 400, query
    assert (await control.stop_status()).rule is None


async def test_wait_answers_once_the_count_is_reached(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    waiter = asyncio.create_task(control.wait_answered("sendMessage", 3, timeout=10))
    await asyncio.sleep(0.1)
    assert (await send(api, "sendMessage", chat_id=999, text="no such chat"))["ok"] is False
    for n in range(2):
        assert (await send(api, "sendMessage", chat_id=ANNA, text=str(n)))["ok"]
    await asyncio.sleep(0.1)
    assert not waiter.done()  # a failed call is not an answered one

    assert (await send(api, "sendMessage", chat_id=ANNA, text="2"))["ok"]
    assert await asyncio.wait_for(waiter, 5) == 3
    assert await control.wait_answered("sendMessage", 2, timeout=0) == 3
    assert (await control.answered()).failed == {"sendMessage": 1}


async def test_wait_times_out_and_counts_reset(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    assert (await send(api, "getMe"))["ok"]
    with pytest.raises(TimeoutError, match="getMe was answered ok 1 times"):
        await control.wait_answered("getme", 2, timeout=0.2)

    await control.reset_answered()
    assert (await control.answered()).ok == {}
    with pytest.raises(TimeoutError):
        await control.wait_answered("getMe", 1, timeout=0)


async def test_a_crash_test_kills_the_bot_right_after_the_nth_send(
    emulator: BotApiEmulator, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await control.stop_after("sendMessage", 3)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PUSHER,
        emulator.base_url,
        TOKEN,
        str(ANNA),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert await control.wait_answered("sendMessage", 3, timeout=30) == 3
        process.kill()
        assert await asyncio.wait_for(process.wait(), timeout=10) == -9
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert await bot_texts(control, ANNA) == ["push 1", "push 2", "push 3"]
    assert (await control.answered()).ok["sendMessage"] == 3


def test_the_command_line_sets_the_latency(capsys: pytest.CaptureFixture[str]) -> None:
    assert build_emulator(parse_args(["--token", "1:x"])).latency == Latency()
    args = ["--token", "1:x", "--latency", "0.15", "--jitter", "0.05", "--seed", "3"]
    assert build_emulator(parse_args(args)).latency == Latency(0.15, 0.05, 3)
    assert main(["--token", "1:x", "--latency", "-1"]) == 2
    assert "bad latency" in capsys.readouterr().err
