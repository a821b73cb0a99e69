"""The bot was down while a ticket waited: after the restart nobody is skipped."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from bot.settings import Settings
from tests.conftest import start_bot, stop_bot
from tests.e2e.conftest import report
from tests.harness import Harness, Person

REMINDER = "⏰ Ikke taget efter"
TO_LEADER = "Sendt videre til lederen."


async def _texts(person: Person) -> list[str]:
    return [m.text or "" for m in await person.bot_messages()]


async def test_after_downtime_the_planners_are_reminded_before_the_leader_hears_of_it(
    bot: Harness, unit: dict[str, Person], settings: Settings, clock: ManualClock
) -> None:
    await report(unit["anna"], ["Ja", "Ja", "Nej"])
    await stop_bot(bot)  # down for fifty minutes: both escalations fall due meanwhile

    clock.advance(timedelta(minutes=50))
    again = await start_bot(settings, clock)
    try:
        await again.tick()

        for who in ("per", "pia", "kim"):
            person = again.person(who, telegram_id=unit[who].telegram_id)
            reminders = [t for t in await _texts(person) if REMINDER in t and "F-0001" in t]
            assert len(reminders) == 1, who
        lis = again.person("Lis", telegram_id=unit["lis"].telegram_id)
        assert [t for t in await _texts(lis) if TO_LEADER in t and "F-0001" in t] != []
        escalations = [(e.target, e.outcome) for e in await again.audit("ticket_escalated")]
        assert escalations == [("F-0001", "1"), ("F-0001", "2")]
        events = [e.detail for e in await again.ticket_events(1) if e.actor == "system"]
        assert events == ["escalated:1", "escalated:2"]
        assert (await again.ticket(1)).escalation_level == 2
    finally:
        await stop_bot(again)
