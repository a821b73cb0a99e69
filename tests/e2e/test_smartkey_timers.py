"""Smartkeys on the clock: a key not back by the end of the shift, a request nobody answers, the
Monday reminder of keys not updated for a week; and all of it kept through a restart."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.settings import Settings
from state.smartkey import SmartkeyState
from tests.conftest import start_bot, stop_bot
from tests.e2e.test_smartkeys import (
    ASK,
    CONFIRM,
    HAND_OUT,
    hand_out,
    hire,
    key,
    key_actions,
    key_request,
    line_of,
    move_to_local,
    newest,
    stock_cabinet,
)
from tests.harness import Harness, Person, text_of

REMINDER = "⏰ Smartkey K-02 skulle have været tilbage i skabet Kontoret"
ALERT = "⏰ Smartkey K-02 er ikke afleveret."
NOT_ANSWERED = "⏰ Ikke besvaret efter 15 min."
TO_LEADER = "Sendt videre til lederen."
WEEKLY = "🗓 Ugens opdatering af Smartkeys"
GO_ON = "⚠️ Ja, alligevel"


@pytest.fixture
async def office(bot: Harness) -> dict[str, Person]:
    """Hjemmepleje Nord with a stocked cabinet: a planner, the key person, the leader, a
    caregiver and a substitute."""
    await stock_cabinet(bot)
    return await hire(bot, "per", "kim", "lis", "anna", "sofie")


async def count(person: Person, text: str) -> int:
    """How many of the bot's messages to this person contain the text."""
    return sum(text in (message.text or "") for message in await person.bot_messages())


async def restart(bot: Harness, settings: Settings, clock: ManualClock) -> Harness:
    """Stop the bot and start a new one over the same database and emulator."""
    await stop_bot(bot)
    return await start_bot(settings, clock)


def same_people(bot: Harness, people: dict[str, Person]) -> dict[str, Person]:
    """The same people, talking to the restarted bot."""
    return {
        nickname: bot.person(person.first_name, telegram_id=person.telegram_id)
        for nickname, person in people.items()
    }


async def test_a_late_key_reminds_its_holder_at_the_due_time_and_the_planners_half_an_hour_later(
    bot: Harness, office: dict[str, Person]
) -> None:
    """K-02 is not back at 17:00: Sofie is reminded then, the planners and key person at 17:30,
    each once; K-01, back at 16:30, troubles nobody."""
    per, kim, lis = office["per"], office["kim"], office["lis"]
    sofie, anna = office["sofie"], office["anna"]
    await hand_out(per, "K-02", "Sofie Vikar · afløser")
    await hand_out(per, "K-01", "Anna Jensen · hjemmehjælper")
    assert (await key(bot, "K-02")).due_at == bot.clock.now() + timedelta(hours=8)

    await bot.tick(hours=7, minutes=30)
    await anna.say("/noegler")
    await anna.press("✅ K-01 lagt i skabet")
    await bot.tick(minutes=29, seconds=59)
    assert await count(sofie, "⏰") == 0

    await bot.tick(seconds=1)  # 17:00

    reminder = await newest(sofie, REMINDER)
    assert text_of(reminder).startswith(f"{REMINDER} kl. 17:00.")
    assert reminder.buttons == ["✅ K-02 lagt i skabet", "🔴 Mistet"]
    assert (await key(bot, "K-02")).overdue_level == 1
    for keeper in (per, kim, lis):
        assert await count(keeper, ALERT) == 0
    assert "⏰ overskredet" in line_of((await per.say("/noegler"))[0], "K-02")

    await bot.tick(minutes=29, seconds=59)
    assert await count(per, ALERT) == 0
    await bot.tick(seconds=1)  # 17:30

    for keeper in (per, kim):
        alert = await newest(keeper, ALERT)
        assert text_of(alert).startswith(ALERT)
        assert "Sofie Vikar (sub01) har haft den siden 09:00" in text_of(alert)
        assert alert.buttons == ["🔑 Åbn K-02"]
    assert await count(lis, ALERT) == 0
    assert (await key(bot, "K-02")).overdue_level == 2

    await bot.tick(hours=6)
    assert [await count(p, ALERT) for p in (per, kim)] == [1, 1]
    assert await count(sofie, REMINDER) == 1
    assert await count(anna, "⏰") == 0
    assert (await key(bot, "K-01")).overdue_level == 0
    overdue = [action for action in await key_actions(bot) if action[1] == "smartkey_overdue"]
    assert overdue == [
        ("system", "smartkey_overdue", "K-02", "1"),
        ("system", "smartkey_overdue", "K-02", "2"),
    ]

    await sofie.press("✅ K-02 lagt i skabet", reminder)  # she comes by the office at last
    assert (await key(bot, "K-02")).state == SmartkeyState.IN_CABINET


async def test_an_unanswered_request_escalates_to_planners_and_key_persons_then_the_leader(
    bot: Harness, office: dict[str, Person]
) -> None:
    """Anna's request waits 15 minutes: again to the planners and key person; 30 more: to the
    leader, who hands her a key; every copy then says so."""
    per, kim, lis, anna = office["per"], office["kim"], office["lis"], office["anna"]
    await anna.say("/noegler")
    await anna.press(ASK)
    assert await count(lis, "beder om en Smartkey") == 0
    copies = {p.first_name: [(await p.last()).message_id] for p in (per, kim)}

    await bot.tick(minutes=14, seconds=59)
    assert [await count(p, NOT_ANSWERED) for p in (per, kim, lis)] == [0, 0, 0]
    await bot.tick(seconds=1)

    for keeper in (per, kim):
        again = await newest(keeper, NOT_ANSWERED)
        assert text_of(again).startswith(NOT_ANSWERED)
        assert "Anna Jensen (ab1234) beder om en Smartkey" in text_of(again)
        assert again.buttons == [HAND_OUT, "✖ Afvis"]
        copies[keeper.first_name].append(again.message_id)
    assert await count(lis, "beder om en Smartkey") == 0
    assert (await key_request(bot, 1)).escalation_level == 1

    await bot.tick(minutes=29, seconds=59)
    assert await count(lis, "beder om en Smartkey") == 0
    await bot.tick(seconds=1)

    to_leader = await newest(lis, TO_LEADER)
    assert text_of(to_leader).startswith("⏰ Ikke besvaret efter 45 min.")
    assert "Anna Jensen (ab1234) beder om en Smartkey" in text_of(to_leader)
    assert await count(per, NOT_ANSWERED) == 1  # the planners are not told a third time
    assert (await key_request(bot, 1)).escalation_level == 2
    escalated = [(e.target, e.outcome) for e in await bot.audit("smartkey_request_escalated")]
    assert escalated == [("1", "1"), ("1", "2")]

    await lis.press(HAND_OUT, to_leader)
    await lis.press("K-01", await lis.message_by_id(to_leader.message_id))

    assert CONFIRM in (await anna.last()).buttons
    for keeper in (per, kim):  # the first push and the reminder alike
        settled = [text_of(await keeper.message_by_id(i)) for i in copies[keeper.first_name]]
        assert settled == ["✅ Anna Jensen fik K-01 af Lis Leder."] * 2
    request = await key_request(bot, 1)
    assert (request.state, request.decided_by) == ("approved", "le01")
    await bot.tick(hours=1)
    assert (await key_request(bot, 1)).escalation_level == 2


async def test_every_timer_survives_restarts(
    bot: Harness, office: dict[str, Person], settings: Settings, clock: ManualClock
) -> None:
    """Restarted between the steps, and once down across the alert: the request escalates
    and the late key is reminded and alerted, each exactly once."""
    await hand_out(office["per"], "K-02", "Sofie Vikar · afløser")
    await office["anna"].say("/noegler")
    await office["anna"].press(ASK)
    await bot.tick(minutes=15)
    assert await count(office["per"], NOT_ANSWERED) == 1

    first = await restart(bot, settings, clock)
    try:
        people = same_people(first, office)
        await first.tick(minutes=29)
        assert await count(people["lis"], TO_LEADER) == 0
        await first.tick(minutes=1)  # 09:45
        assert await count(people["lis"], TO_LEADER) == 1
        await move_to_local(first, datetime(2026, 11, 27, 17, 0))
        assert await count(people["sofie"], REMINDER) == 1
        assert await count(people["per"], ALERT) == 0
        await first.tick(minutes=10)
    finally:
        await stop_bot(first)

    clock.advance(timedelta(minutes=25))  # down across 17:30
    second = await start_bot(settings, clock)
    try:
        people = same_people(second, office)
        await second.tick()

        for who in ("per", "kim"):
            assert await count(people[who], ALERT) == 1, who
            assert await count(people[who], NOT_ANSWERED) == 1, who
        assert await count(people["sofie"], REMINDER) == 1
        assert await count(people["lis"], TO_LEADER) == 1
        assert (await key(second, "K-02")).overdue_level == 2
        await second.tick(hours=3)
        assert await count(people["per"], ALERT) == 1
        assert await count(people["lis"], TO_LEADER) == 1
        overdue = [a[3] for a in await key_actions(second) if a[1] == "smartkey_overdue"]
        assert overdue == ["1", "2"]
        escalated = [e.outcome for e in await second.audit("smartkey_request_escalated")]
        assert escalated == ["1", "2"]
    finally:
        await stop_bot(second)


async def test_the_weekly_reminder_lists_the_stale_keys_once_a_week(
    bot: Harness, office: dict[str, Person], settings: Settings, clock: ManualClock
) -> None:
    """Monday 08:00, ten days after the last update: the planners get every stale key, once,
    restart or not; "all in Kontoret" marks those in it; the next Monday names only K-03, which
    was out then; a week with every key updated brings no reminder."""
    per, kim = office["per"], office["kim"]
    staff = office | await hire(bot, "pia")
    pia = staff["pia"]
    await bot.tick()  # Friday: nothing is stale yet
    assert await count(per, WEEKLY) == 0
    await move_to_local(bot, datetime(2026, 12, 7, 7, 0))  # a stale key out, on a second tap
    await hand_out(per, "⚠️ K-03", "Sofie Vikar · afløser")
    await per.press(GO_ON)
    await bot.tick(minutes=59, seconds=59)
    assert await count(per, WEEKLY) == 0

    await bot.tick(seconds=1)  # Monday 08:00

    for planner in (per, pia):
        reminder = await newest(planner, WEEKLY)
        assert text_of(reminder).startswith(
            f"{WEEKLY}\n3 nøgler er ikke opdateret i 7 dage. Opdater dem, og tryk:"
        )
        assert "🔵 K-03 hos Sofie Vikar" in line_of(reminder, "K-03")
        assert reminder.buttons == ["🔄 K-01", "🔄 K-02", "🔄 Alle i Kontoret opdateret"]
    assert await count(kim, WEEKLY) == 0

    pias = await newest(pia, WEEKLY)  # one key at a time: her list is drawn again without it
    await pia.press("🔄 K-01", pias)
    shorter = await pia.message_by_id(pias.message_id)
    assert text_of(shorter).startswith(f"{WEEKLY}\n2 nøgler er ikke opdateret i 7 dage.")
    assert shorter.buttons == ["🔄 K-02", "🔄 Alle i Kontoret opdateret"]
    assert (await key(bot, "K-01")).updated_at == bot.clock.now()

    await bot.tick(minutes=10)
    reminder = await newest(per, WEEKLY)
    await per.press("🔄 Alle i Kontoret opdateret", reminder)

    marked = await per.message_by_id(reminder.message_id)
    assert text_of(marked).startswith("🔄 2 nøgler i Kontoret er markeret opdateret.")
    assert [(await key(bot, label)).updated_at for label in ("K-01", "K-02")] == [
        bot.clock.now()
    ] * 2
    assert "⚠️" in line_of(marked, "K-03")  # out with Sofie, so not updated
    await bot.tick(hours=6)
    await office["sofie"].say("/noegler")
    await office["sofie"].press("✅ K-03 lagt i skabet")

    again = await restart(bot, settings, clock)
    try:
        people = same_people(again, staff)
        await again.tick(days=3)
        assert await count(people["pia"], WEEKLY) == 1  # once a week, restart or not

        await move_to_local(again, datetime(2026, 12, 14, 8, 0))
        reminder = await newest(people["per"], WEEKLY)
        assert text_of(reminder).startswith(f"{WEEKLY}\n1 nøgle er ikke opdateret i 7 dage.")
        assert "🟢 K-03 i skabet · ⚠️ ikke opdateret i 16 dage" in text_of(reminder)
        assert "K-01" not in text_of(reminder) and "K-02" not in text_of(reminder)

        await again.tick(minutes=5)
        await people["per"].press("🔄 Alle i Kontoret opdateret", reminder)
        await move_to_local(again, datetime(2026, 12, 21, 8, 0))
        assert await count(people["pia"], WEEKLY) == 2  # every key up to date: no reminder
        weekly = [(e.target, e.outcome) for e in await again.audit("smartkey_weekly")]
        assert weekly == [("Hjemmepleje Nord", "3"), ("Hjemmepleje Nord", "1")]
    finally:
        await stop_bot(again)
