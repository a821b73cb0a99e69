"""A ticket nobody takes: after 15 minutes again to planners and key persons, then the leader."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.settings import Settings
from tests.conftest import start_bot, stop_bot
from tests.e2e.conftest import report
from tests.harness import Harness, Person, text_of

NOTE_1 = "⏰ Ikke taget efter 15 min."
NOTE_2 = "Sendt videre til lederen."


async def test_an_untaken_ticket_escalates_on_the_clock_and_survives_a_restart(
    bot: Harness,
    unit: dict[str, Person],
    settings: Settings,
    clock: ManualClock,
) -> None:
    await report(unit["anna"], ["Ja", "Ja", "Nej"])

    await bot.tick(minutes=14, seconds=59)
    for person in unit.values():
        assert not any(NOTE_1 in text for text in await person.bot_texts())

    await bot.tick(seconds=1)
    for who in ("per", "pia", "kim"):
        assert NOTE_1 in await unit[who].last_text()
        assert "F-0001" in await unit[who].last_text()
    assert not any("F-0001" in text for text in await unit["lis"].bot_texts())
    assert not any("F-0001" in text for text in await unit["syd"].bot_texts())

    await bot.tick(minutes=10)  # nothing new between the two steps
    assert sum(NOTE_1 in text for text in await unit["per"].bot_texts()) == 1

    await stop_bot(bot)
    again = await start_bot(settings, clock)
    try:
        await again.tick(minutes=20)
        lis = again.person("Lis", telegram_id=unit["lis"].telegram_id)
        last = await lis.last()
        assert NOTE_2 in text_of(last) and "F-0001" in text_of(last)
        assert last.buttons[0] == "✋ Tag sagen"
        ticket = await again.ticket(1)
        assert ticket is not None and ticket.escalation_level == 2
        escalations = [e.outcome for e in await again.audit("ticket_escalated")]
        assert escalations == ["1", "2"]

        await again.tick(hours=5)  # no third round
        assert sum(NOTE_2 in text for text in await lis.bot_texts()) == 1
    finally:
        await stop_bot(again)


async def test_a_taken_ticket_does_not_escalate(bot: Harness, unit: dict[str, Person]) -> None:
    await report(unit["anna"], ["Nej"])
    await unit["per"].press("✋ Tag sagen", await unit["per"].last())

    await bot.tick(hours=2)

    assert not any(NOTE_1 in text for text in await unit["kim"].bot_texts())
    assert not any("F-0001" in text for text in await unit["lis"].bot_texts())
