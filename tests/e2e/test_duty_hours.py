"""Who is on duty: a fault at 02:00 goes to the night's on-call person, not the sleeping
planners, and nobody is escalated at night; with nobody on call it waits for the morning and
the reporter is told so plainly; an emergency goes to on-call and planners at once; a
Saturday and a public holiday are outside planner hours."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from state.duty import TimeWindow, Weekday
from state.roles import Role
from tests.e2e.conftest import ELSE, report
from tests.e2e.test_incidents import JENS, KAREN, SYD, incident_messages, report_login
from tests.harness import Harness, Person, text_of

CPH = ZoneInfo("Europe/Copenhagen")
NORD = "Hjemmepleje Nord"
ON_CALL_ANSWER = "til vagten: Bent Nattevagt"


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in Copenhagen (the bot's TIMEZONE), in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH).astimezone(UTC)


async def at(bot: Harness, moment: datetime) -> None:
    """Move the emulator's clock (and the bot's) to a moment, running what falls due."""
    await bot.tick(seconds=(moment - bot.clock.now()).total_seconds())


async def seen(person: Person, number: str) -> bool:
    """Whether a ticket's number is in any of the bot's messages to a person."""
    return any(number in text for text in await person.bot_texts())


@pytest.fixture
async def staff(bot: Harness, unit: dict[str, Person]) -> dict[str, Person]:
    """Hjemmepleje Nord (a unit the bot knows) and its night guard, Bent."""
    await bot.services.units.add(NORD, actor="cli")
    bent = await bot.employee("bn4001", Role.NIGHT_GUARD, name="Bent Nattevagt")
    return {**unit, "bent": bent}


async def test_a_fault_at_two_reaches_the_on_call_night_guard_and_nobody_is_woken(
    bot: Harness, staff: dict[str, Person]
) -> None:
    """Lis puts Bent on call Monday nights; Anna's door fault at 02:00 on Tuesday goes to
    him alone; he is reminded at 02:15; no planner and no leader hears of it at night;
    he takes it himself."""
    lis, bent, anna = staff["lis"], staff["bent"], staff["anna"]
    answer = await lis.say("/vagt bn4001 mandag")
    assert "Bent Nattevagt: man: aften og nat" in "\n".join(m.text or "" for m in answer)
    await at(bot, local(2026, 12, 1, 2, 0))  # Tuesday 02:00

    told = await report(anna, ["Ja", "Ja", "Nej"])

    assert ON_CALL_ANSWER in told and "tilbage" in told
    assert await seen(bent, "F-0001")
    for sleeping in ("per", "pia", "kim", "lis"):
        assert not await seen(staff[sleeping], "F-0001"), sleeping

    await bot.tick(minutes=15)
    assert "⏰ Ikke taget efter 15 min." in await bent.last_text()
    await at(bot, local(2026, 12, 1, 6, 59))
    for sleeping in ("per", "pia", "kim", "lis"):
        assert not await seen(staff[sleeping], "F-0001"), sleeping
    assert (await bot.ticket(1)).escalation_level == 1

    await bent.press("✋ Tag sagen", await bent.message_with_button("✋ Tag sagen"))
    ticket = await bot.ticket(1)
    assert ticket.model.taken_by == "bn4001"


async def test_a_fault_at_two_with_nobody_on_call_waits_for_the_planners(
    bot: Harness, staff: dict[str, Person]
) -> None:
    """Nobody is on call: Anna is told when the planner is back, and that Bekey's 24-hour
    number is on the pinned card; nothing moves until the planners' morning, when the ticket
    is in their 07:00 summary and then escalates as in the day."""
    anna = staff["anna"]
    await at(bot, local(2026, 12, 1, 2, 0))

    told = await report(anna, ["Ja", "Ja", "Nej"])

    assert "Planlæggeren har fri nu og er tilbage" in told
    assert "01.12.2026 07.00" in told
    assert "43 30 05 05" in told and "akut-kort" in told
    for person in ("per", "pia", "kim", "lis", "bent"):
        assert not await seen(staff[person], "F-0001"), person

    await at(bot, local(2026, 12, 1, 7, 14))
    assert (await bot.ticket(1)).escalation_level == 0
    summary = [text for text in await staff["per"].bot_texts() if "Godmorgen" in text]
    assert len(summary) == 1 and "F-0001" in summary[0]  # the night's ticket, in the summary
    await at(bot, local(2026, 12, 1, 7, 15))
    assert await seen(staff["per"], "⏰ Ikke taget efter 315 min.")
    assert not await seen(staff["lis"], "F-0001")
    await at(bot, local(2026, 12, 1, 7, 45))
    assert await seen(staff["lis"], "F-0001")


async def test_an_emergency_at_night_reaches_on_call_and_planners_at_once(
    bot: Harness, staff: dict[str, Person]
) -> None:
    """Anna presses 🆘 at 02:00: Bent on call and the planners get it at the same moment."""
    await staff["lis"].say("/vagt bn4001 man-fre")
    await at(bot, local(2026, 12, 1, 2, 0))

    await staff["anna"].say("/akut")

    for person in ("bent", "per", "pia", "kim"):
        assert await seen(staff[person], "F-0001"), person
    assert not await seen(staff["lis"], "F-0001")


@pytest.mark.parametrize(
    ("moment", "back"),
    [
        (local(2026, 11, 28, 10, 0), "30.11.2026 07.00"),  # a Saturday morning
        (local(2026, 12, 25, 10, 0), "28.12.2026 07.00"),  # Christmas Day, a Friday
    ],
    ids=["saturday", "christmas-day"],
)
async def test_a_saturday_and_a_public_holiday_are_outside_planner_hours(
    bot: Harness, staff: dict[str, Person], moment: datetime, back: str
) -> None:
    """A fault on a Saturday or on Christmas Day waits for the next working morning."""
    await at(bot, moment)

    told = await report(staff["anna"], ["Nej"])

    assert "Planlæggeren har fri nu" in told and back in told
    assert not await seen(staff["per"], "F-0001")
    await bot.tick(hours=5)
    assert (await bot.ticket(1)).escalation_level == 0


async def test_a_leader_sets_planner_hours_and_ends_an_on_call_appointment(
    bot: Harness, staff: dict[str, Person]
) -> None:
    """Lis moves the planners' day to 08:00-16:00 and ends Bent's nights with one tap;
    a typo is answered with what was not understood."""
    lis = staff["lis"]
    shown = await lis.say("/vagt timer man-fre 8-16")
    assert "Planlæggertider: man-fre 08:00-16:00" in (shown[-1].text or "")
    async with bot.services.db.read() as tx:
        monday = (await tx.duty.hours(NORD)).on(Weekday.MONDAY)
    assert monday == TimeWindow(time(8), time(16))
    refused = await lis.say("/vagt bn4001 blomst")
    assert "«blomst» er ikke en dag" in (refused[-1].text or "")

    await lis.say("/vagt bn4001 24.12-26.12")
    await lis.press("✖ Bent Nattevagt")
    assert "Ingen har vagt" in await lis.last_text()
    async with bot.services.db.read() as tx:
        assert await tx.duty.on_call(NORD) == []
    assert [e.action for e in await bot.audit() if "on_call" in e.action] == [
        "on_call_appointed",
        "on_call_ended",
    ]


async def test_an_outage_at_night_reaches_on_call_and_planners_but_not_the_leader(
    bot: Harness, staff: dict[str, Person]
) -> None:
    """Three login faults at 02:00 (Nord and Syd) open an outage: Nord's planners and Bent on
    call have it at once; after 15 minutes Bent is reminded; the leaders hear of it only in
    the morning, 45 minutes into planner hours."""
    await staff["lis"].say("/vagt bn4001 mandag")
    bob = await bot.employee("ab2000", Role.CAREGIVER, name="Bo Berg")
    ole = await bot.employee("sy1000", Role.CAREGIVER, unit=SYD, name="Ole Syd")
    await at(bot, local(2026, 12, 1, 2, 0))

    await report_login(staff["anna"], ELSE)
    await report_login(ole, KAREN)
    await report_login(bob, JENS)

    for person in ("per", "pia", "kim", "bent"):
        assert await incident_messages(staff[person]), person
    await bot.tick(minutes=15)
    assert "⏰ Ikke taget efter 15 min." in text_of((await incident_messages(staff["bent"]))[-1])
    await at(bot, local(2026, 12, 1, 7, 44))
    assert await incident_messages(staff["lis"]) == []
    assert [e.outcome for e in await bot.audit("incident_escalated")] == ["1"]
    await at(bot, local(2026, 12, 1, 7, 45))
    assert "Sendt videre til lederen" in text_of((await incident_messages(staff["lis"]))[-1])
