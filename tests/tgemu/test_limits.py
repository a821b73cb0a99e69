"""Telegram's rate limits in the emulator: per private chat, per group, per bot; off by default."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import RetryAfter

from tests.tgemu.calls import send
from tests.tgemu.conftest import FakeClock
from tgemu import BotApiEmulator, EmulatorClient, TelegramLimits
from tgemu.__main__ import build_emulator, parse_args

ANNA = 42
BENT = 7
GROUP = -100555
YES_NO = {"inline_keyboard": [[{"text": "Ja", "callback_data": "yes"}]]}


async def post(api: httpx.AsyncClient, method: str, **params: Any) -> httpx.Response:
    """Call a method form-encoded, as python-telegram-bot does, and keep the HTTP status."""
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    return await api.post(f"/{method}", data=form)


async def say(api: httpx.AsyncClient, chat_id: int, text: str = "x") -> dict[str, Any]:
    return await send(api, "sendMessage", chat_id=chat_id, text=text)


def retry_after(answer: dict[str, Any]) -> int:
    """Return retry_after of a 429 answer (and check its shape)."""
    assert answer["ok"] is False
    assert answer["error_code"] == 429
    seconds: int = answer["parameters"]["retry_after"]
    assert answer["description"] == f"Too Many Requests: retry after {seconds}"
    return seconds


async def bot_texts(control: EmulatorClient, chat_id: int) -> list[str | None]:
    return [m.text for m in await control.messages(chat_id) if m.from_bot]


async def test_limits_are_off_by_default(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await control.send_group_text(GROUP, ANNA, "hej")

    assert emulator.telegram_limits is None
    assert await control.telegram_limits() is None
    for _ in range(40):
        assert (await say(api, ANNA))["ok"]
        assert (await say(api, GROUP))["ok"]


async def test_a_burst_to_one_private_chat_gets_429_after_three(
    api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    await control.send_text(ANNA, "hej")
    await control.send_text(BENT, "hej")
    assert await control.enable_telegram_limits() == TelegramLimits()

    for text in ("1", "2", "3"):
        assert (await say(api, ANNA, text))["ok"]
    flooded = await post(api, "sendMessage", chat_id=ANNA, text="4")
    assert flooded.status_code == 429
    assert flooded.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert (await say(api, BENT, "other chat"))["ok"]

    clock.advance(1.0)
    assert (await say(api, ANNA, "5"))["ok"]
    assert retry_after(await say(api, ANNA, "6")) == 1
    clock.advance(10.0)  # refills up to the burst, not beyond
    for text in ("7", "8", "9"):
        assert (await say(api, ANNA, text))["ok"]
    assert retry_after(await say(api, ANNA, "10")) == 1
    assert await bot_texts(control, ANNA) == ["1", "2", "3", "5", "7", "8", "9"]


async def test_retry_after_is_the_whole_seconds_until_the_chat_has_room(
    api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    await control.send_text(ANNA, "hej")
    await control.enable_telegram_limits(
        TelegramLimits(private_chat_rate=0.25, private_chat_burst=1)
    )

    assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 4
    clock.advance(3.5)
    assert retry_after(await say(api, ANNA)) == 1
    clock.advance(0.5)
    assert (await say(api, ANNA))["ok"]


async def test_refused_calls_take_no_token_and_the_control_clock_refills(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await control.enable_telegram_limits()
    for _ in range(3):
        assert (await say(api, ANNA))["ok"]
    for _ in range(5):
        assert retry_after(await say(api, ANNA)) == 1

    await control.advance_clock(1)
    assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 1


async def test_the_whole_bot_sends_30_a_second(
    api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    users = range(1, 32)
    for user_id in users:
        await control.send_text(user_id, "hej")
    await control.enable_telegram_limits()

    for user_id in users[:30]:
        assert (await say(api, user_id))["ok"], user_id
    assert retry_after(await say(api, 31)) == 1
    clock.advance(1.0)
    for user_id in users[:30]:
        assert (await say(api, user_id))["ok"], user_id
    assert retry_after(await say(api, 31)) == 1


async def test_a_chat_limit_tells_the_chats_wait_and_the_global_limit_the_bots(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    for user_id in (ANNA, BENT, 8):
        await control.send_text(user_id, "hej")
    await control.enable_telegram_limits(
        TelegramLimits(private_chat_rate=0.2, private_chat_burst=1, global_rate=0.5, global_burst=2)
    )

    assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 5  # the chat is full, the bot is not
    assert (await say(api, BENT))["ok"]
    assert retry_after(await say(api, 8)) == 2  # the chat has room, the bot has not
    assert retry_after(await say(api, ANNA)) == 5  # both are full: the longer wait


async def test_a_group_takes_20_a_minute(
    api: httpx.AsyncClient, control: EmulatorClient, clock: FakeClock
) -> None:
    await control.send_group_text(GROUP, ANNA, "hej")
    await control.send_text(ANNA, "hej")
    await control.enable_telegram_limits()

    for n in range(20):
        assert (await say(api, GROUP, str(n)))["ok"], n
    assert retry_after(await say(api, GROUP)) == 3
    assert (await say(api, ANNA))["ok"]  # a private chat is not the group
    clock.advance(3.0)
    assert (await say(api, GROUP, "after 3 s"))["ok"]
    assert retry_after(await say(api, GROUP)) == 3
    clock.advance(60.0)
    for n in range(20):
        assert (await say(api, GROUP, str(n)))["ok"], n
    assert retry_after(await say(api, GROUP)) == 3


async def _chat_with_messages(api: httpx.AsyncClient, control: EmulatorClient) -> None:
    """Anna's chat: 1 her "hej", 2 a bot message with a keyboard, 3 a bot document."""
    await control.send_text(ANNA, "hej")
    assert (await send(api, "sendMessage", chat_id=ANNA, text="Ja?", reply_markup=YES_NO))["ok"]
    uploaded = await api.post(
        "/sendDocument",
        data={"chat_id": str(ANNA), "caption": "fil"},
        files={"document": ("a.txt", b"abc", "text/plain")},
    )
    assert uploaded.json()["ok"]


COUNTED: dict[str, dict[str, Any]] = {
    "sendMessage": {"text": "x"},
    "editMessageText": {"message_id": 2, "text": "Nej?"},
    "editMessageCaption": {"message_id": 3, "caption": "ny"},
    "editMessageReplyMarkup": {"message_id": 2},
    "deleteMessage": {"message_id": 2},
    "pinChatMessage": {"message_id": 2},
    "unpinChatMessage": {"message_id": 2},
    "unpinAllChatMessages": {},
}


@pytest.mark.parametrize("method", [*COUNTED, "sendDocument"])
async def test_sends_edits_deletions_and_pins_count(
    api: httpx.AsyncClient, control: EmulatorClient, method: str
) -> None:
    await _chat_with_messages(api, control)
    await control.enable_telegram_limits(TelegramLimits(private_chat_burst=1))
    assert (await say(api, ANNA))["ok"]

    if method == "sendDocument":
        response = await api.post(
            "/sendDocument",
            data={"chat_id": str(ANNA)},
            files={"document": ("b.txt", b"b", "text/plain")},
        )
        answer = response.json()
    else:
        answer = await send(api, method, chat_id=ANNA, **COUNTED[method])
    assert retry_after(answer) == 1


async def test_answers_updates_and_reads_are_never_limited(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await _chat_with_messages(api, control)
    file_id = (await control.messages(ANNA))[2].document["file_id"]  # type: ignore[index]
    await control.enable_telegram_limits(
        TelegramLimits(private_chat_burst=1, global_burst=1, global_rate=0.01)
    )
    assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 100

    for _ in range(10):
        _, query_id = await control.press(ANNA, 2, text="Ja")
        assert (await send(api, "answerCallbackQuery", callback_query_id=query_id))["ok"]
    commands = [{"command": "start", "description": "Start"}]
    for method, params in (
        ("getUpdates", {}),
        ("getMe", {}),
        ("setMyCommands", {"commands": commands}),
        ("getFile", {"file_id": file_id}),
        ("sendChatAction", {"chat_id": ANNA, "action": "typing"}),
        ("getChat", {"chat_id": ANNA}),
    ):
        for _ in range(5):
            assert (await send(api, method, **params))["ok"], method
    assert retry_after(await say(api, ANNA)) == 100


async def test_a_call_to_a_chat_that_does_not_exist_is_not_counted(
    api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await control.enable_telegram_limits(TelegramLimits(global_burst=1))
    for _ in range(3):
        missing = await say(api, 999)
        assert missing["error_code"] == 400
    assert (await say(api, ANNA))["ok"]


async def test_numbers_come_from_the_control_call_and_are_checked(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    async with httpx.AsyncClient(base_url=f"{emulator.base_url}/control", trust_env=False) as raw:
        set_some = await raw.post("/limits", json={"group_per_minute": 6, "group_burst": 1})
        assert set_some.json() == {
            "enabled": True,
            **TelegramLimits(group_per_minute=6, group_burst=1).as_json(),
        }
        assert (await raw.get("/limits")).json()["group_per_minute"] == 6
        for bad in (
            {"private_chat_rate": 0},
            {"global_rate": "fast"},
            {"private_chat_burst": 1.5},
            {"group_burst": True},
            {"per_chat": 1},
            {"enabled": "yes"},
        ):
            refused = await raw.post("/limits", json=bad)
            assert refused.status_code == 400, bad
    assert emulator.telegram_limits == TelegramLimits(group_per_minute=6, group_burst=1)

    await control.send_group_text(GROUP, ANNA, "hej")
    assert (await say(api, GROUP))["ok"]
    assert retry_after(await say(api, GROUP)) == 10

    await control.disable_telegram_limits()
    assert await control.telegram_limits() is None
    for _ in range(25):
        assert (await say(api, GROUP))["ok"]
    with pytest.raises(ValueError, match="group_burst"):
        TelegramLimits(group_burst=0)


async def test_switching_on_again_starts_with_full_buckets(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    emulator.telegram_limits = TelegramLimits()
    for _ in range(3):
        assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 1

    emulator.telegram_limits = TelegramLimits()
    for _ in range(3):
        assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 1


async def test_limits_given_to_the_constructor(clock: FakeClock) -> None:
    limits = TelegramLimits(private_chat_burst=2)
    async with (
        BotApiEmulator(token="1:limits", now=clock, telegram_limits=limits) as emu,
        EmulatorClient(emu.base_url) as control,
        httpx.AsyncClient(base_url=f"{emu.base_url}/bot1:limits", trust_env=False) as api,
    ):
        await control.send_text(ANNA, "hej")
        assert await control.telegram_limits() == limits
        assert (await say(api, ANNA))["ok"]
        assert (await say(api, ANNA))["ok"]
        assert retry_after(await say(api, ANNA)) == 1


async def test_the_simple_flood_switch_still_works_beside_them(
    emulator: BotApiEmulator, api: httpx.AsyncClient, control: EmulatorClient
) -> None:
    await control.send_text(ANNA, "hej")
    await control.enable_telegram_limits()
    await control.set_flood_limit(1)

    assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 1
    await control.set_flood_limit(None)
    assert (await say(api, ANNA))["ok"]
    assert retry_after(await say(api, ANNA)) == 1  # the third token was taken above


async def test_python_telegram_bot_raises_retry_after(
    bot: Bot, control: EmulatorClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    await control.send_text(ANNA, "hej")
    await control.send_group_text(GROUP, ANNA, "hej")
    await control.enable_telegram_limits(TelegramLimits(private_chat_rate=0.5, group_burst=1))

    for n in range(3):
        await bot.send_message(ANNA, f"push {n}")
    with pytest.raises(RetryAfter) as private:
        await bot.send_message(ANNA, "one too many")
    assert private.value.retry_after == dt.timedelta(seconds=2)

    await bot.send_message(GROUP, "to the group")
    with pytest.raises(RetryAfter) as group:
        await bot.send_message(GROUP, "one too many")
    assert group.value.retry_after == dt.timedelta(seconds=3)


def test_the_command_line_switches_the_limits_on() -> None:
    assert build_emulator(parse_args(["--token", "1:x"])).telegram_limits is None
    switched = build_emulator(parse_args(["--token", "1:x", "--telegram-limits"]))
    assert switched.telegram_limits == TelegramLimits()
