"""Retention: what closed longer ago than RETENTION_MONTHS loses its texts and its people.

Tickets, fault reports and emergencies are anonymised 13 months after they closed: the
description, the event details, the typed citizen, the search text and the message texts go,
and so does every link to a person; counts, states and times stay for statistics. Old audit
lines keep who did what but no free text; an employee deactivated that long ago keeps only
the user-id. The tests move the manual clock and run the purge over the real bot's database
(the scan's wiring calls the same service), then read the database file's bytes.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli_records import add_commands, prepare
from bot.services.retention import (
    TICKET_TOPICS,
    TRIAGE_TOPICS,
    PurgeReport,
    RetentionService,
    months_before,
)
from bot.services.ticket_pushes import topic
from bot.settings import Settings
from bot.storage.retention import ANONYMOUS_TELEGRAM_ACTOR, ANONYMOUS_USER_ID, REDACTED
from tests.e2e.conftest import begin_report, report
from tests.harness import Harness, Person, text_of

DESCRIPTION = "Laasen summer og blinker QXVORTEX"
TYPED_AT_TRIAGE = "Fru Qwertzmann, Bakken 9"
TYPED_AT_EMERGENCY = "Hr Zyxwvbaum, Toften 2"
PAST_RETENTION = timedelta(days=1)


def _retention(bot: Harness) -> RetentionService:
    services = bot.services
    return RetentionService(services.db, services.clock, services.settings)


def _months_later(bot: Harness, months: int, extra: timedelta = PAST_RETENTION) -> None:
    """Move the clock ``months`` calendar months and ``extra`` on (the scan is not run)."""
    now = bot.clock.now()
    bot.clock.advance(months_before(now, -months) + extra - now)


def _database_bytes(settings: Settings) -> bytes:
    """The database file and its write-ahead log, as they lie on disk."""
    path = settings.database_path
    files = [path, *Path(path.parent).glob(f"{path.name}-*")]
    return b"".join(f.read_bytes() for f in files if f.exists())


async def _resolve_newest(planner: Person) -> None:
    """The planner takes and resolves the ticket on their newest card."""
    await planner.press("✋ Tag sagen")
    await planner.press("✅ Løst")


async def _report_with_typed_citizen(anna: Person) -> None:
    """A fault report for a citizen typed by hand, with a description: F-0001."""
    await anna.say("/fejl")
    await anna.say(TYPED_AT_TRIAGE)
    await anna.press(f"✍ Ikke på listen: brug «{TYPED_AT_TRIAGE}»")
    await anna.press("Nej")
    await anna.say(DESCRIPTION)
    await anna.press("📨 Send til planlægger")


async def _emergency_with_typed_citizen(anna: Person) -> None:
    """An emergency for a citizen typed by hand: the next ticket."""
    await anna.say("/akut")
    replies = await anna.say(TYPED_AT_EMERGENCY)
    await anna.press(f"✍ Ikke på listen: brug «{TYPED_AT_EMERGENCY}»", replies[0])
    card = await anna.message_by_id(replies[0].message_id)
    assert f"ikke virker: {TYPED_AT_EMERGENCY}" in text_of(card)


async def _statistics(bot: Harness) -> list[object]:
    """What statistics read: per ticket its number, kind, unit, state, times and trail."""
    facts: list[object] = []
    for ticket_id in range(1, await bot.ticket_count() + 1):
        ticket = await bot.ticket(ticket_id)
        trail = [(e.at, e.from_state, e.to_state) for e in await bot.ticket_events(ticket_id)]
        facts.append(
            (
                ticket.model.number,
                ticket.model.category,
                ticket.unit,
                ticket.model.state,
                ticket.model.contacted,
                ticket.answers,
                ticket.created_at,
                ticket.updated_at,
                ticket.model.taken_by is not None,
                trail,
            )
        )
    facts.append(await bot.triage_outcomes())
    return facts


async def test_thirteen_months_after_closing_texts_and_people_are_gone_counts_and_times_stay(
    bot: Harness, unit: dict[str, Person], settings: Settings
) -> None:
    anna, per = unit["anna"], unit["per"]
    await _report_with_typed_citizen(anna)
    await _resolve_newest(per)
    await _emergency_with_typed_citizen(anna)
    await _resolve_newest(per)
    before = await _statistics(bot)
    events = len(await bot.ticket_events(1)) + len(await bot.ticket_events(2))
    on_disk = _database_bytes(settings)
    for text in (DESCRIPTION, TYPED_AT_TRIAGE, TYPED_AT_EMERGENCY):
        assert text.encode() in on_disk  # the search below is not vacuous

    _months_later(bot, 13)
    purged = await _retention(bot).purge(dry_run=False)

    assert (purged.tickets, purged.triages, purged.ticket_events) == (2, 1, events)
    assert purged.outbox > 0 and purged.log_emptied
    for ticket_id in (1, 2):
        ticket = await bot.ticket(ticket_id)
        assert ticket.description is None
        assert (ticket.citizen_id, ticket.citizen_text, ticket.citizen_search) == (None,) * 3
        assert (ticket.reporter, ticket.model.taken_by) == (ANONYMOUS_USER_ID,) * 2
        for event in await bot.ticket_events(ticket_id):
            assert event.detail is None
            assert event.actor in {ANONYMOUS_USER_ID, "system"}
    assert await _statistics(bot) == before
    on_disk = _database_bytes(settings)
    for text in (DESCRIPTION, TYPED_AT_TRIAGE, TYPED_AT_EMERGENCY, "QXVORTEX", "Zyxwvbaum"):
        assert text.encode() not in on_disk, text
    anonymous = await bot.employee_record(ANONYMOUS_USER_ID)
    assert (anonymous.active, anonymous.telegram_id, anonymous.unit) == (False, None, "")

    again = await _retention(bot).purge(dry_run=False)

    assert again.total == 0  # nothing left to remove: the purge is idempotent
    purges = await bot.audit("retention_purge")
    assert [(p.actor, p.target) for p in purges] == [("cli", None)] * 2
    assert purges[0].outcome == purged.code()
    assert purges[0].outcome.startswith("tickets=2,ticket_events=")


async def test_a_dry_run_changes_nothing_and_says_the_counts(
    bot: Harness, unit: dict[str, Person], capsys: pytest.CaptureFixture[str]
) -> None:
    await report(unit["anna"], ["Nej"], DESCRIPTION)
    await _resolve_newest(unit["per"])
    _months_later(bot, 13)
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    capsys.readouterr()

    work = prepare("purge", parser.parse_args(["purge", "--dry-run"]))
    assert work is not None
    assert await work(bot.services) == 0

    said = capsys.readouterr().out.splitlines()
    assert said[0] == (
        "dry run, nothing changed; closed before 2026-11-28 09:00 (13 months), would anonymise:"
    )
    counts = dict(line.split(": ") for line in said[1:])
    assert list(counts) == [
        "tickets",
        "ticket events",
        "fault reports",
        "messages",
        "audit lines",
        "invites",
        "employees",
        "received updates",
        "outage incidents",
        "broadcasts",
        "Smartkey history lines",
        "requests for a Smartkey",
    ]
    assert (counts["tickets"], counts["fault reports"]) == ("1", "1")
    assert (await bot.ticket(1)).description == DESCRIPTION
    assert await bot.audit("retention_purge") == []

    done = await _retention(bot).purge(dry_run=False)

    assert {k: str(v) for k, v in zip(counts, done.counts().values(), strict=True)} == counts
    assert (await bot.ticket(1)).description is None


async def test_the_purge_command_says_what_it_did(
    bot: Harness, unit: dict[str, Person], capsys: pytest.CaptureFixture[str]
) -> None:
    await report(unit["anna"], ["Nej"], DESCRIPTION)
    await _resolve_newest(unit["per"])
    _months_later(bot, 13)
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    capsys.readouterr()

    work = prepare("purge", parser.parse_args(["purge"]))
    assert work is not None and await work(bot.services) == 0

    said = capsys.readouterr().out.splitlines()
    assert said[0] == "closed before 2026-11-28 09:00 (13 months), anonymised:"
    assert said[1] == "tickets: 1"
    assert (await bot.ticket(1)).description is None
    assert prepare("run", parser.parse_args([])) is None  # not one of these commands


async def test_what_is_still_open_or_closed_within_the_period_stays(
    bot: Harness, unit: dict[str, Person]
) -> None:
    anna, per = unit["anna"], unit["per"]
    await report(anna, ["Nej"], DESCRIPTION)  # F-0001, stays open
    _months_later(bot, 1)
    await report(anna, ["Nej"], "Anden fejl")  # F-0002, resolved 12 months before the purge
    await _resolve_newest(per)
    old_card = await per.message_with_button("✋ Tag sagen")  # F-0001's card, 13 months old

    _months_later(bot, 12, timedelta(days=-1))
    purged = await _retention(bot).purge(dry_run=False)

    assert (purged.tickets, purged.ticket_events) == (0, 0)
    assert (await bot.ticket(1)).description == DESCRIPTION
    assert (await bot.ticket(2)).description == "Anden fejl"
    # The open ticket's old card is still kept in step when the planner finally acts.
    await per.press("✋ Tag sagen", old_card)
    assert "taget af Per Planner" in text_of(await per.message_by_id(old_card.message_id))
    assert (await bot.ticket(1)).reporter == "ab1234"


async def test_an_employee_deactivated_longer_than_the_period_keeps_only_the_user_id(
    bot: Harness, unit: dict[str, Person]
) -> None:
    await bot.services.staff.deactivate("pl09", actor="le01")
    _months_later(bot, 2, timedelta(0))
    await bot.services.staff.deactivate("kp01", actor="le01")
    _months_later(bot, 11)

    purged = await _retention(bot).purge(dry_run=False)

    assert purged.employees == 1
    sune = await bot.employee_record("pl09")
    assert (sune.name, sune.telegram_id, sune.active, sune.menu_role) == ("pl09", None, False, None)
    assert (sune.role.value, sune.unit, sune.language) == ("planner", "Hjemmepleje Syd", "da")
    kim = await bot.employee_record("kp01")
    assert kim.name == "Kim Key"  # deactivated 11 months and a day ago: not yet
    lis = await bot.employee_record("le01")
    assert (lis.name, lis.telegram_id) == ("Lis Leder", unit["lis"].telegram_id)
    # Invites older than the period forget which Telegram account used them.
    assert purged.invites == len(unit)
    assert (await _retention(bot).purge(dry_run=False)).total == 0


async def test_old_audit_lines_keep_who_did_what_but_no_free_text(
    bot: Harness, unit: dict[str, Person]
) -> None:
    await report(unit["anna"], ["Nej"])
    await bot.services.units.add("Hjemmepleje Øst", actor="cli")
    now = bot.clock.now()
    async with bot.services.db.transaction() as tx:
        await tx.audit.record(now, "system", "binding_moved", "ab1234", "from tg:4242")
        await tx.audit.record(now, "tg:5555", "access", None, "refused")
        await tx.audit.record(now, "kp01", "note", "Fru Hansen ringede i går", "ok")
        await tx.audit.record(now, "kp01", "note", "ab1234", "Hun sagde at døren var låst")
    telegram_lines = [e for e in await bot.audit() if e.actor.startswith("tg:")]
    _months_later(bot, 13)
    recent = bot.clock.now()
    async with bot.services.db.transaction() as tx:
        await tx.audit.record(recent, "kp01", "note", "Fru Hansen igen", "ok")

    purged = await _retention(bot).purge(dry_run=False)

    lines = await bot.audit()
    kept = {(e.actor, e.action, e.target, e.outcome) for e in lines}
    assert ("system", "binding_moved", "ab1234", REDACTED) in kept
    assert (ANONYMOUS_TELEGRAM_ACTOR, "access", None, "refused") in kept
    assert ("kp01", "note", None, "ok") in kept
    assert ("kp01", "note", "ab1234", REDACTED) in kept
    assert ("kp01", "note", "Fru Hansen igen", "ok") in kept  # within the period
    assert ("cli", "unit_added", "Hjemmepleje Øst", "ok") in kept
    assert ("ab1234", "ticket_created", "F-0001") in {(a, b, c) for a, b, c, _ in kept}
    assert ("ab1234", "triage_ended", "1", "submitted") in kept
    assert ("cli", "invite", "pl09", "ok") in kept
    # Every old line's actor is still there; no Telegram account id is.
    assert all(not e.actor.startswith("tg:") or e.actor == ANONYMOUS_TELEGRAM_ACTOR for e in lines)
    binds = [e for e in lines if e.action == "bind"]
    assert len(binds) == len(unit) and all(e.outcome == "ok" for e in binds)
    assert len(telegram_lines) >= len(unit) + 1  # a bind per employee, and tg:5555
    assert purged.audit == len(telegram_lines) + 3  # and the three other seeded lines
    assert (await _retention(bot).purge(dry_run=False)).audit == 0


async def test_the_scan_purges_at_most_once_an_hour_and_audits_only_a_change(
    bot: Harness, unit: dict[str, Person]
) -> None:
    retention = _retention(bot)
    assert (await retention.purge_if_due()) == _nothing(retention, bot)
    assert await retention.purge_if_due() is None  # ran just now
    await report(unit["anna"], ["Nej"], DESCRIPTION)
    await _resolve_newest(unit["per"])

    await bot.tick(days=400)  # the scan (and, once wired, its purge) has run
    ran = await retention.purge_if_due()

    assert ran is not None
    assert (await bot.ticket(1)).description is None
    assert [(p.actor, p.target) for p in await bot.audit("retention_purge")] == [("system", None)]
    bot.clock.advance(timedelta(minutes=59))
    assert await retention.purge_if_due() is None
    bot.clock.advance(timedelta(minutes=1))
    assert await retention.purge_if_due() == _nothing(retention, bot)
    assert len(await bot.audit("retention_purge")) == 1  # an empty run leaves no line


def _nothing(retention: RetentionService, bot: Harness) -> PurgeReport:
    return PurgeReport(retention.cutoff(bot.clock.now()), False, 0, 0, 0, 0, 0, 0, 0)


def test_the_cutoff_is_calendar_months_back() -> None:
    assert months_before(datetime(2026, 11, 27, 8, tzinfo=UTC), 13) == datetime(
        2025, 10, 27, 8, tzinfo=UTC
    )
    assert months_before(datetime(2027, 3, 31, tzinfo=UTC), 1) == datetime(2027, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2028, 3, 31, tzinfo=UTC), 1) == datetime(2028, 2, 29, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), -13) == datetime(
        2027, 2, 15, tzinfo=UTC
    )


def test_the_topics_the_purge_follows_are_those_the_pushes_use() -> None:
    assert topic(7) == f"{TICKET_TOPICS[0]}7"
    assert TICKET_TOPICS[1] == "reporter:" and TRIAGE_TOPICS == ("triage:",)


async def test_a_triage_in_progress_is_never_touched(bot: Harness, unit: dict[str, Person]) -> None:
    """A triage in progress is never touched, however the clock moves."""
    await begin_report(unit["anna"], ["Nej"])
    _months_later(bot, 13)

    purged = await _retention(bot).purge(dry_run=False)

    assert purged.triages == 0
    async with bot.services.db.read() as tx:
        active = await tx.triages.active_for("ab1234")
    assert active is not None and active.chat_id == unit["anna"].telegram_id
