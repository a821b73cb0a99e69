"""A planner's pushes arrive in the order they happened, even when Telegram holds the chat back.

The sender keeps a chat's order through a 429: a push that waits for its retry time holds
the chat's later pushes behind it, across delivery rounds (``Outbox.heads``).
"""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import to_db
from bot.storage.outbox import Outbox, Push, PushStatus
from state.roles import Role
from tests.harness import Harness, Person, register_citizens


async def _two_emergencies_while_the_planners_chat_is_held_back(bot: Harness) -> Person:
    """Anna's emergency reaches Per's full chat (429); Bo's comes once the chat is free again."""
    await register_citizens(bot)
    per = await bot.employee("pl01", Role.PLANNER, name="Per Planner")
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    bo = await bot.employee("bo5678", Role.CAREGIVER, name="Bo Berg")
    await bot.client.advance_clock(60)
    await bot.client.set_flood_limit(1.0)

    await per.say("/hjaelp")  # Per's chat has had its one message this second
    await anna.say("/akut")  # F-0001: Per's card is refused with 429 and waits its turn
    refused = [c for c in await bot.client.calls("sendMessage") if c["error_code"] == 429]
    assert [c["params"]["chat_id"] for c in refused] == [per.telegram_id]

    await bot.client.advance_clock(5)  # Telegram would take a message again; the bot's
    await bo.say("/akut")  # F-0002       clock has not reached F-0001's retry time yet

    await bot.client.set_flood_limit(None)
    await bot.tick(seconds=5)
    assert await bot.pending_pushes() == 0
    return per


async def _cards_in_chat(per: Person) -> list[str]:
    cards = [m.text or "" for m in await per.bot_messages() if "AKUT" in (m.text or "")]
    return [card.split()[1] for card in cards]


async def test_a_planner_gets_two_emergencies_in_the_order_they_happened_despite_a_429(
    bot: Harness,
) -> None:
    per = await _two_emergencies_while_the_planners_chat_is_held_back(bot)

    assert await _cards_in_chat(per) == ["F-0001", "F-0002"]


async def _heads_without_holding_a_chat_back(self: Outbox, now: datetime, limit: int) -> list[Push]:
    """Outbox.heads without the hold: any push whose time has come, whatever waits before it."""
    rows = await self.s.fetchall(
        "SELECT * FROM outbox WHERE status = ? AND not_before <= ? ORDER BY id LIMIT ?",
        (PushStatus.PENDING.value, to_db(now), limit),
    )
    return [Push.from_row(r) for r in rows]


async def test_without_the_hold_the_second_emergency_overtakes_the_first(
    bot: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The guarantee switched off: the same story puts F-0002 above F-0001 in Per's chat."""
    monkeypatch.setattr(Outbox, "heads", _heads_without_holding_a_chat_back)

    per = await _two_emergencies_while_the_planners_chat_is_held_back(bot)

    assert await _cards_in_chat(per) == ["F-0002", "F-0001"]
