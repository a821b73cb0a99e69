"""Every answer arrives when everyone needs the bot at once, and when Telegram or the line fails.

The stories of the delivery issue, told through the emulator:

- a hundred caregivers press 🆘 at once with Telegram's limits on: every one gets one card,
  and the bot never meets a 429 (the sender keeps under the limits);
- an answer that meets a 429 anyway is sent again after the time Telegram asked for;
- the Bot API is unreachable for fifteen minutes: the card and the planner's push arrive
  afterwards, nothing is given up, and the log says when the line went and came back;
- one person flooding the bot neither delays another's card nor loses their own 🆘;
- an 🆘 handled long after it was pressed (the bot was down) says when it was pressed;
- a deactivation made from the command line counts from the person's next message.

The sender runs fast and the flood limit is off in tests (pyproject's env); the stories about
pacing and flooding set the real numbers back (``REAL_PACING``, ``REAL_FLOOD_LIMIT``) with an
indirect parametrization of ``settings``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.app import inbox_of
from bot.clock import ManualClock
from bot.processing import PerUserUpdateProcessor
from bot.render.i18n import both, t
from bot.settings import Settings
from bot.storage.employees import StaffRow
from state.invites import Redemption
from state.roles import Role
from tests.conftest import start_bot, stop_bot
from tests.harness import Harness, Person, text_of
from tests.operator import Operator
from tgemu.client import EmulatorClient
from tgemu.limits import TelegramLimits
from tgemu.server import BotApiEmulator

EMERGENCY = t("da", "button.emergency")
BEKEY_PHONE = "+45 43 30 05 05"
TICKET_NUMBER = re.compile(r"F-\d{4}")
RETRY_AFTER = re.compile(r"retry after (\d+)")
CLOCK_SLACK = 0.01
"""Seconds the emulator's wall clock and the sender's monotonic clock may disagree by."""

EMERGENCY_PUSH = "🛠 F-0001 · AKUT: Bekey virker ikke"
"""The start of the planners' push for the first emergency."""

REAL_PACING = {
    "send_rate_per_second": 28,
    "send_burst": 10,
    "send_chat_rate_per_second": 1,
    "send_chat_burst": 2,
}
"""The sender's own numbers (bot/settings.py), under Telegram's 30 a second and 1 a chat."""

REAL_FLOOD_LIMIT = {"flood_messages": 10, "flood_seconds": 10}
"""The flood limit (bot/settings.py): more than 10 messages in 10 s from one person."""

STORM = 100
"""Caregivers who press 🆘 at once."""
SLOW_API = 1.0
"""Seconds each Bot API call takes while the storm is handled, so that cards pile up.

Without it the bot here hands cards to the sender at about Telegram's pace anyway (everything
shares one event loop), and a sender that did not pace would get through unnoticed.
"""
STORM_SECONDS = 15.0
"""The storm's cards must all be out within this (200 calls at 28 a second take about 7 s)."""


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The usual test settings, changed by a test's indirect parameter (a dict), if any."""
    changes: dict[str, Any] = getattr(request, "param", {})
    return settings.model_copy(update=changes)


def processor_of(bot: Harness) -> PerUserUpdateProcessor:
    """The Application's update processor (it tells when an update is fully handled)."""
    processor = bot.app.update_processor
    assert isinstance(processor, PerUserUpdateProcessor)
    return processor


@asynccontextmanager
async def arriving_together(bot: Harness) -> AsyncIterator[None]:
    """Messages sent inside this block reach the bot together, in one ``getUpdates``.

    The bot does not fetch while the block runs (as when many phones write within one long
    poll); it fetches again at the end and gets them all at once, in the order they were sent.
    """
    inbox = inbox_of(bot.app)
    await inbox.stop()
    try:
        yield
    finally:
        inbox.start()


async def newest_message_id(person: Person) -> int:
    """The id of the newest message in the person's chat."""
    return max((m.message_id for m in await person.messages()), default=0)


async def texts_since(person: Person, message_id: int) -> list[str]:
    """The texts of the bot's messages in the person's chat newer than a message id."""
    return [text_of(m) for m in await person.bot_messages() if m.message_id > message_id]


# -- 1. A storm of 🆘 presses under Telegram's limits ----------------------------------------


async def caregivers_without_a_planner(bot: Harness, count: int) -> list[Person]:
    """``count`` caregivers of one unit, bound to their phones (invite and redeem, as /start does).

    Nobody in the unit plans or holds keys: a 🆘 sends the reporter's card and nothing else.
    """
    rows = [
        StaffRow(f"st{n:04d}", f"Omsorg {n}", Role.CAREGIVER, "Hjemmepleje Øst")
        for n in range(count)
    ]
    invited = await bot.services.staff.invite_many(
        rows, actor="cli", bot_username=bot.services.bot_username
    )
    people = []
    for invitation in invited.invitations:
        person = bot.person(invitation.employee.name)
        outcome = await bot.services.staff.redeem(invitation.token, person.telegram_id)
        assert outcome.result is Redemption.BOUND
        people.append(person)
    return people


@pytest.mark.parametrize("settings", [REAL_PACING], indirect=True, ids=["real pacing"])
async def test_a_hundred_caregivers_press_emergency_at_once_and_each_gets_one_card_without_a_429(
    bot: Harness,
) -> None:
    caregivers = await caregivers_without_a_planner(bot, STORM)
    await bot.client.enable_telegram_limits(TelegramLimits())  # 30/s per bot, 1/s per chat
    await bot.client.set_latency(SLOW_API)  # Telegram is slow as the storm breaks: cards pile up
    started = time.monotonic()

    async with arriving_together(bot):
        update_ids = await asyncio.gather(
            *(
                bot.client.send_text(c.telegram_id, EMERGENCY, first_name=c.first_name)
                for c in caregivers
            )
        )
    for update_id in update_ids:
        await processor_of(bot).wait_finished(update_id, timeout=STORM_SECONDS)
    await bot.client.set_latency(0)  # ... and quick again: what piled up may go all at once
    await bot.sender.settled(timeout=STORM_SECONDS)
    elapsed = time.monotonic() - started

    chats = [await caregiver.bot_messages() for caregiver in caregivers]
    assert [len(chat) for chat in chats] == [1] * STORM  # the instant card, completed in place
    cards = [text_of(card) for [card] in chats]
    assert all(BEKEY_PHONE in card for card in cards)
    numbers = {number for card in cards for number in TICKET_NUMBER.findall(card)}
    assert len(numbers) == STORM  # each card in its full form, naming its own emergency
    assert await bot.ticket_count() == STORM
    refused = (await bot.client.answered()).failed_by_status.get(429, {})
    assert refused.get("sendMessage", 0) == 0
    assert refused.get("editMessageText", 0) == 0
    assert elapsed < STORM_SECONDS


# -- 2. A reply that meets a 429 ------------------------------------------------------------


def retry_after(call: dict[str, Any]) -> int:
    """The seconds a 429 told the bot to wait ("Too Many Requests: retry after N")."""
    match = RETRY_AFTER.search(str(call["description"]))
    assert match is not None, call
    return int(match.group(1))


async def test_an_answer_refused_with_429_arrives_after_the_wait_telegram_asked_for(
    bot: Harness,
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    await bot.client.enable_telegram_limits(TelegramLimits(private_chat_burst=1))
    await bot.client.clear_calls()
    before = (await anna.last()).message_id

    asked = [
        await bot.client.send_text(anna.telegram_id, text, first_name=anna.first_name)
        for text in ("/hjaelp", "hvad nu")
    ]  # two quick messages; Telegram takes one answer a second in her chat, not two at once
    for update_id in asked:
        await bot.handled(update_id)
    await bot.tick(seconds=1)  # a second later (the bot's clock stands still in tests)

    answers = [text_of(m) for m in await anna.bot_messages() if m.message_id > before]
    assert len(answers) == 2, answers  # both answers, in order
    assert t("da", "help.emergency_note") in answers[0]
    assert answers[1] == t("da", "access.not_understood")
    calls = [
        c
        for c in await bot.client.calls("sendMessage")
        if c["params"]["chat_id"] == anna.telegram_id
    ]
    assert [c["error_code"] for c in calls] == [None, 429, None]  # waited as told: one 429
    refused, again = calls[1:]
    assert again["params"]["text"] == refused["params"]["text"]
    assert again["at"] - refused["at"] >= retry_after(refused) - CLOCK_SLACK


# -- 3. The Bot API unreachable for fifteen minutes ------------------------------------------


async def logged(caplog: pytest.LogCaptureFixture, level: int, words: str) -> list[str]:
    """Wait (up to ten seconds) until the log has a line of this level with these words."""
    async with asyncio.timeout(10):
        while not lines_saying(caplog, level, words):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return lines_saying(caplog, level, words)


async def sends_lost(bot: Harness) -> int:
    """How many messages and edits the bot tried to send that never reached the Bot API."""
    stopped = (await bot.client.answered()).stopped
    return stopped.get("sendMessage", 0) + stopped.get("editMessageText", 0)


def lines_saying(caplog: pytest.LogCaptureFixture, level: int, words: str) -> list[str]:
    """The captured log lines of one level that hold the words."""
    return [
        r.getMessage() for r in caplog.records if r.levelno == level and words in r.getMessage()
    ]


@pytest.mark.parametrize(
    "settings", [{"send_retry_max_seconds": 1}], indirect=True, ids=["retry every second"]
)
async def test_after_fifteen_minutes_without_the_bot_api_the_card_and_the_push_arrive(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    caplog.set_level(logging.INFO)
    before = (await anna.last()).message_id
    polls = (await bot.client.answered()).ok.get("getUpdates", 0)
    # The Bot API goes away right after the poll that brings Anna's 🆘: nothing sent arrives.
    await bot.client.stop_after("getUpdates", polls + 1, mode="drop")

    pressed = await bot.client.send_text(anna.telegram_id, EMERGENCY, first_name=anna.first_name)
    await processor_of(bot).wait_finished(pressed)
    [outage_began] = await logged(caplog, logging.WARNING, "Bot API cannot be reached")
    tries = await sends_lost(bot)
    bot.clock.advance(timedelta(minutes=15))  # a quarter of an hour passes, still unreachable
    await bot.client.advance_clock(15 * 60)
    async with asyncio.timeout(10):  # the bot keeps trying; it gives nothing up
        while await sends_lost(bot) == tries:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    await bot.client.clear_stop()  # the Bot API is back
    await bot.sender.settled()

    [card] = [m for m in await anna.bot_messages() if m.message_id > before]
    assert BEKEY_PHONE in text_of(card)
    assert "F-0001" in text_of(card)  # the full card, completed in place
    pushes = [text for text in await per.bot_texts() if text.startswith(EMERGENCY_PUSH)]
    assert len(pushes) == 1
    assert await bot.pending_pushes() == 0
    assert await bot.audit("push_failed") == []
    assert lines_saying(caplog, logging.WARNING, "cannot be reached") == [outage_began]
    assert lines_saying(caplog, logging.INFO, "Bot API reachable again") != []


# -- 4. One person flooding the bot ----------------------------------------------------------


@pytest.mark.parametrize("settings", [REAL_FLOOD_LIMIT], indirect=True, ids=["10 in 10 s"])
async def test_one_person_flooding_the_bot_does_not_delay_anothers_card(
    bot: Harness, settings: Settings
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    bo = await bot.employee("bo5678", Role.CAREGIVER, name="Bo Berg")
    before = {who.telegram_id: await newest_message_id(who) for who in (anna, bo)}
    await bot.client.clear_calls()
    flood = ["Døren går ikke op!"] * 14 + [EMERGENCY] + ["Døren går ikke op!"] * 15

    async with arriving_together(bot):  # Bo's thirty messages, then Anna's 🆘, in one batch
        flooded = [await bot.client.send_text(bo.telegram_id, text) for text in flood]
        pressed = await bot.client.send_text(anna.telegram_id, EMERGENCY)
    for update_id in [*flooded, pressed]:
        await processor_of(bot).wait_finished(update_id)
    await bot.sender.settled()

    slow_down = t("da", "access.slow_down")
    sent = [
        (c["params"]["chat_id"], c["params"]["text"])
        for c in await bot.client.calls("sendMessage")
        if c["ok"]
    ]
    annas_card = next(i for i, (chat, _) in enumerate(sent) if chat == anna.telegram_id)
    assert annas_card < sent.index((bo.telegram_id, slow_down))  # before Bo's 11th was read
    [annas] = await texts_since(anna, before[anna.telegram_id])
    assert BEKEY_PHONE in annas
    bos = await texts_since(bo, before[bo.telegram_id])
    assert bos.count(t("da", "access.not_understood")) == settings.flood_messages
    assert bos.count(slow_down) == 1  # told once; the rest of the flood is dropped
    assert len([text for text in bos if BEKEY_PHONE in text]) == 1  # his own 🆘 got through
    assert await bot.ticket_count() == 2


# -- 5. An 🆘 handled late -------------------------------------------------------------------


async def test_an_emergency_pressed_while_the_bot_was_down_says_when_it_was_pressed(
    bot: Harness, settings: Settings, clock: ManualClock, emulator: BotApiEmulator
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    before = (await anna.last()).message_id
    await stop_bot(bot)
    async with EmulatorClient(emulator.base_url) as phone:  # Anna presses while the bot is down
        pressed = await phone.send_text(anna.telegram_id, EMERGENCY, first_name=anna.first_name)
        sent = datetime.fromtimestamp((await phone.messages(anna.telegram_id))[-1].date, UTC)
    clock.advance(sent + timedelta(minutes=10) - clock.now())  # the bot is back 10 minutes later

    again = await start_bot(settings, clock)
    try:
        await again.handled(pressed)
        anna = again.person("Anna Jensen", telegram_id=anna.telegram_id)
        [card] = [m for m in await anna.bot_messages() if m.message_id > before]
    finally:
        await stop_bot(again)
    pressed_at = sent.astimezone(settings.zone).strftime("%H:%M")
    assert text_of(card).startswith(t("da", "late.emergency", time=pressed_at))
    assert BEKEY_PHONE in text_of(card)


# -- 6. A deactivation from the command line -------------------------------------------------


async def test_an_employee_deactivated_from_the_command_line_is_refused_at_the_next_message(
    bot: Harness, operator: Operator
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    assert BEKEY_PHONE in text_of((await anna.say(EMERGENCY))[0])  # the gate knows her

    run = await operator.run("deactivate", "--user-id", "ab1234")  # the bot keeps running
    replies = await anna.say("/hjaelp")

    assert run.code == 0, run
    assert [text_of(m) for m in replies] == [both("access.stranger")]
    assert [e.outcome for e in await bot.audit("access")] == ["refused"]
