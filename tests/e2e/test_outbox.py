"""Pushes survive Telegram's flood limit and a restart: queued in SQLite, sent when allowed."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.settings import Settings
from state.roles import Role
from tests.conftest import start_bot, stop_bot
from tests.harness import Harness, Person


async def test_pushes_held_back_by_429_are_delivered_later_and_none_is_lost(
    bot: Harness,
    unit: dict[str, Person],
    settings: Settings,
    clock: ManualClock,
) -> None:
    per = unit["per"]
    caregivers = [unit["anna"], await bot.employee("cg02", Role.CAREGIVER)]
    await bot.client.advance_clock(60)
    await bot.client.set_flood_limit(1.0)

    for caregiver in caregivers:  # two emergencies in the same second (a third: an incident)
        await caregiver.say("/akut")

    assert await bot.pending_pushes() > 0, "the planners' chats are full"
    assert any(c["error_code"] == 429 for c in await bot.client.calls("sendMessage"))

    await stop_bot(bot)  # a restart while pushes wait
    again = await start_bot(settings, clock)
    try:
        await again.client.set_flood_limit(None)
        await again.tick(minutes=1)
        assert await again.pending_pushes() == 0
        per_again = again.person("Per", telegram_id=per.telegram_id)
        cards = [text for text in await per_again.bot_texts() if "AKUT" in text]
        assert [c.split()[1] for c in cards] == ["F-0001", "F-0002"]
    finally:
        await stop_bot(again)


async def test_a_push_that_can_never_be_delivered_is_audited(
    bot: Harness, unit: dict[str, Person]
) -> None:
    per = unit["per"]
    await bot.client.set_blocked(per.telegram_id)  # Per blocked the bot on his phone

    await unit["anna"].say("/akut")

    failed = [e for e in await bot.audit("push_failed")]
    assert len(failed) == 1
    assert failed[0].actor == "system" and failed[0].outcome == "Forbidden"
    assert f"chat:{per.telegram_id}" in (failed[0].target or "")
    assert await bot.pending_pushes() == 0  # given up for good, not retried forever
