"""The planners' morning summary, on the emulator's clock: each working day at the start of
planner hours (or MORNING_SUMMARY_TIME), once, protected, to every planner of the unit; the
quiet text on a quiet morning, and on a busy one what came in overnight, the open incident,
the tickets waiting longest, the Smartkeys and the untrained; nothing on a Saturday or a
public holiday; a unit's own hours; and never twice, through a restart or a bot that was
down at 07:00. (The clock starts on Friday 27 November 2026, 09:00 in Copenhagen.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from state.duty import parse_planner_hours
from state.roles import Role
from tests.conftest import start_bot, stop_bot
from tests.e2e.conftest import ELSE
from tests.e2e.test_incidents import JENS, report_login
from tests.e2e.test_smartkeys import hand_out, move_to_local, stock_cabinet
from tests.harness import Harness, Person, text_of
from tgemu.client import ChatMessage

QUIET = "☀️ Godmorgen. Intet nyt siden i går: ingen sager, ingen hændelser."
BUSY = "☀️ Godmorgen, Hjemmepleje Nord"
NORD = "Hjemmepleje Nord"
SYD = "Hjemmepleje Syd"
MONDAY = datetime(2026, 11, 30, 7, 0)


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The usual test settings, changed by a test's indirect parameter (a dict), if any."""
    changes: dict[str, Any] = getattr(request, "param", {})
    return settings.model_copy(update=changes)


@pytest.fixture(autouse=True)
async def known_units(bot: Harness) -> None:
    """The units the bot knows, added the way the command line adds them; then a scan, so
    Friday's summary is done before anyone has joined (the repeating scan runs on its own
    too, on the real clock: this takes the race out)."""
    for name in (NORD, SYD):
        await bot.services.units.add(name, actor="cli")
    await bot.tick()


async def summaries(person: Person) -> list[ChatMessage]:
    """The morning summaries in the person's chat (of any unit), oldest first."""
    return [m for m in await person.bot_messages() if "Godmorgen" in (m.text or "")]


async def move_to(bot: Harness, when: datetime) -> None:
    """Move the clock to a local time (never back) and run what is due."""
    await move_to_local(bot, when)


async def test_a_quiet_monday_brings_every_planner_the_quiet_text_once(
    bot: Harness, unit: dict[str, Person], settings: Settings, clock: ManualClock
) -> None:
    """Nothing happened over the weekend: at 07:00 Per and Pia (and Syd's planner, for
    Syd) get the quiet text, protected; not a minute earlier, nobody else, and never again
    that day: not on the next scan, not after a restart."""
    await move_to(bot, datetime(2026, 11, 30, 6, 59))
    for person in unit.values():
        assert await summaries(person) == []

    await move_to(bot, MONDAY)

    for who in ("per", "pia", "syd"):
        [summary] = await summaries(unit[who])
        assert text_of(summary) == QUIET
        assert summary.protect_content
        assert summary.buttons == []
    for who in ("anna", "kim", "lis"):
        assert await summaries(unit[who]) == [], who
    assert [(e.at[:10], e.target, e.outcome) for e in await bot.audit("morning_summary")] == [
        ("2026-11-27", NORD, "quiet"),  # Friday, before anyone had joined: to nobody
        ("2026-11-27", SYD, "quiet"),
        ("2026-11-30", NORD, "quiet"),
        ("2026-11-30", SYD, "quiet"),
    ]

    await bot.tick(minutes=1)
    await bot.tick(hours=8)
    await stop_bot(bot)
    again = await start_bot(settings, clock)
    try:
        await again.tick(minutes=30)
        for who in ("per", "pia", "syd"):
            person = again.person(who, telegram_id=unit[who].telegram_id)
            assert len(await summaries(person)) == 1, who
    finally:
        await stop_bot(again)


async def test_a_bot_down_at_seven_sends_the_summary_when_it_is_back_the_same_day(
    bot: Harness, unit: dict[str, Person], settings: Settings, clock: ManualClock
) -> None:
    """Down from Monday 06:00 to 10:00: the summary comes at 10:00, once."""
    await move_to(bot, datetime(2026, 11, 30, 6, 0))
    await stop_bot(bot)
    await move_to_clock(clock, settings, datetime(2026, 11, 30, 10, 0))
    again = await start_bot(settings, clock)
    try:
        per = again.person("Per", telegram_id=unit["per"].telegram_id)
        assert await summaries(per) == []
        await again.tick()
        await again.tick(minutes=1)
        assert [text_of(m) for m in await summaries(per)] == [QUIET]
    finally:
        await stop_bot(again)


async def move_to_clock(clock: ManualClock, settings: Settings, when: datetime) -> None:
    """Move a stopped bot's clock to a local time."""
    clock.advance(when.replace(tzinfo=settings.zone) - clock.now())


@pytest.fixture
async def night(bot: Harness, unit: dict[str, Person]) -> dict[str, Person]:
    """Hjemmepleje Nord with two more caregivers and a substitute, and a stocked cabinet."""
    await stock_cabinet(bot)
    return unit | {
        "bob": await bot.employee("ab2000", Role.CAREGIVER, name="Bo Berg"),
        "cia": await bot.employee("ab3000", Role.CAREGIVER, name="Cia Holm"),
        "sofie": await bot.employee("sub01", Role.SUBSTITUTE, name="Sofie Vikar"),
    }


@pytest.mark.parametrize(
    "settings", [{"training_late_weeks": 0.25, "smartkey_stale_days": 2}], indirect=True
)
async def test_a_busy_morning_tells_what_came_in_overnight_and_opens_each_list(
    bot: Harness, night: dict[str, Person]
) -> None:
    """Friday Sofie gets K-02 and never brings it back nor confirms it; Kim records everyone
    as trained but Anna (42 hours after joining is late here). At 02:00 on Monday three
    login faults come in and become an outage. At 07:00 the summary names each, and its
    buttons open the unit's open tickets and the Smartkeys."""
    per, pia, kim, lis = night["per"], night["pia"], night["kim"], night["lis"]
    await hand_out(per, "K-02", "Sofie Vikar · afløser")
    await kim.say("/oplaering alt pl01 pl02 kp01 le01 ab2000 ab3000 sub01")

    await move_to(bot, datetime(2026, 11, 30, 2, 0))
    await report_login(night["anna"], ELSE)
    await report_login(night["bob"], JENS)
    await report_login(night["cia"], ELSE)
    assert await summaries(per) == []

    await move_to(bot, MONDAY)

    for planner in (per, pia):
        [summary] = await summaries(planner)
        text = text_of(summary)
        assert summary.protect_content
        lines = text.splitlines()
        assert lines[0] == BUSY
        assert lines[1].startswith("3 nye sager siden 27.11.2026")  # Friday, 15:30
        assert lines[2:5] == [
            "F-0001 · Bekey-login · åben",
            "F-0002 · Bekey-login · åben",
            "F-0003 · Bekey-login · åben",
        ]
        assert lines[5] == "1 åben driftsforstyrrelse:"
        assert lines[6].startswith("H-001 · Bekey-login virker ikke · siden 30.11.2026")
        assert lines[7] == "Venter længst (3 åbne sager i alt):"
        assert lines[8].startswith("F-0001 · Bekey-login · åben · 5 timer")
        assert len(lines) == 13
        assert lines[11] == (
            "🔑 Smartkeys: 1 ude · ⏰ overskredet: 1 · ❔ ikke bekræftet: 1 · ⚠️ ikke opdateret: 3"
        )
        assert lines[12] == "🎓 1 medarbejder er stadig ikke oplært 0.25 uger efter start."
        assert summary.buttons == ["📋 Åbne sager (3)", "🔑 Smartkeys"]
    for person in (kim, lis):
        assert await summaries(person) == []

    summary = (await summaries(per))[0]
    answer, new = await per.press("📋 Åbne sager (3)", summary)
    assert answer is None
    [shown] = [text_of(message) for message in new]
    assert shown.startswith("Åbne sager i Hjemmepleje Nord (3)")
    assert "F-0003" in shown
    kept = await per.message_by_id(summary.message_id)  # the summary stays as it was
    assert text_of(kept) == text_of(summary) and kept.buttons == summary.buttons

    summary = (await summaries(pia))[0]
    _, new = await pia.press("🔑 Smartkeys", summary)
    [shown] = [text_of(message) for message in new]
    assert "K-02" in shown and "Sofie Vikar" in shown
    assert text_of(await pia.message_by_id(summary.message_id)) == text_of(summary)


async def test_nothing_on_a_saturday_or_a_public_holiday(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Saturday and Sunday are outside hours, and so is Christmas Day (Friday 25 December
    2026): no summary then; it comes again on the Monday after."""
    per = unit["per"]
    for day, hour in ((28, 7), (28, 12), (29, 7)):
        await move_to(bot, datetime(2026, 11, day, hour, 0))
    assert await summaries(per) == []

    await move_to(bot, datetime(2026, 12, 24, 7, 0))  # a Thursday
    assert len(await summaries(per)) == 1
    for day, hour in ((25, 7), (25, 12), (26, 7), (27, 7)):
        await move_to(bot, datetime(2026, 12, day, hour, 0))
    assert len(await summaries(per)) == 1

    await move_to(bot, datetime(2026, 12, 28, 7, 0))
    assert len(await summaries(per)) == 2


async def test_a_unit_with_its_own_hours_gets_it_when_they_start(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """Nord works 08:00-16:00: its planners get nothing at 07:00 (Syd, on the default
    hours, does), and the summary at 08:00."""
    services = bot.services
    async with services.db.transaction() as tx:
        assert await tx.duty.set_hours(NORD, parse_planner_hours("mon-fri 08:00-16:00"))

    await move_to(bot, MONDAY)
    assert await summaries(unit["per"]) == []
    assert len(await summaries(unit["syd"])) == 1

    await move_to(bot, datetime(2026, 11, 30, 7, 59))
    assert await summaries(unit["per"]) == []
    await move_to(bot, datetime(2026, 11, 30, 8, 0))
    assert [text_of(m) for m in await summaries(unit["per"])] == [QUIET]


@pytest.mark.parametrize("settings", [{"morning_summary_time": "06:45"}], indirect=True)
async def test_the_summary_comes_at_the_configured_time(
    bot: Harness, unit: dict[str, Person]
) -> None:
    """MORNING_SUMMARY_TIME=06:45: at 06:45 on a working day, not before."""
    await move_to(bot, datetime(2026, 11, 30, 6, 44))
    assert await summaries(unit["per"]) == []
    await move_to(bot, datetime(2026, 11, 30, 6, 45))
    assert [text_of(m) for m in await summaries(unit["per"])] == [QUIET]
