"""Storage: migrations apply once, and coroutines sharing the connection never interleave."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import ManualClock, to_db
from bot.storage.database import Database
from bot.storage.employees import StaffRow
from bot.storage.migrations import (
    MIGRATIONS,
    SCHEMA_VERSION,
    SchemaTooNew,
    current_version,
    migrate,
)
from bot.storage.session import StaleVersion
from bot.storage.tickets import NewTicket
from state.roles import Role
from state.ticket import TicketStatus, TicketTrigger, fire
from state.triage import TriageCategory


async def test_migrations_apply_in_order_once(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    await db.open()
    try:
        first = await migrate(db, ManualClock())
        second = await migrate(db, ManualClock())
        assert [m.number for m in first] == [m.number for m in MIGRATIONS]
        assert second == []
        assert await current_version(db) == MIGRATIONS[-1].number
        async with db.read() as tx:
            s = tx.session
            row = await s.fetchone("PRAGMA journal_mode")
            assert row is not None and row[0] == "wal"
            row = await s.fetchone("PRAGMA foreign_keys")
            assert row is not None and row[0] == 1
    finally:
        await db.close()


def test_every_migration_has_a_number_and_a_one_line_description() -> None:
    assert [m.number for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    assert all(m.description and "\n" not in m.description for m in MIGRATIONS)


async def test_concurrent_transactions_do_not_interleave(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    await db.open()
    try:
        async with db.transaction() as tx:
            s = tx.session
            await s.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
            await s.execute("INSERT INTO counter VALUES (0)")

        async def bump() -> None:
            async with db.transaction() as tx:
                s = tx.session
                row = await s.fetchone("SELECT n FROM counter")
                assert row is not None
                await asyncio.sleep(0)  # another coroutine would slip in here
                await s.execute("UPDATE counter SET n = ?", (row["n"] + 1,))

        await asyncio.gather(*(bump() for _ in range(50)))
        async with db.read() as tx:
            s = tx.session
            row = await s.fetchone("SELECT n FROM counter")
        assert row is not None and row["n"] == 50
    finally:
        await db.close()


async def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    await db.open()
    try:
        async with db.transaction() as tx:
            s = tx.session
            await s.execute("CREATE TABLE t (n INTEGER)")

        async def crash_mid_way() -> None:
            async with db.transaction() as tx:
                s = tx.session
                await s.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("crash mid-way")

        with pytest.raises(RuntimeError):
            await crash_mid_way()
        async with db.read() as tx:
            s = tx.session
            row = await s.fetchone("SELECT COUNT(*) AS c FROM t")
        assert row is not None and row["c"] == 0
    finally:
        await db.close()


async def test_a_database_written_by_newer_code_is_refused_untouched(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    await db.open()
    try:
        await migrate(db, ManualClock())
        async with db.transaction() as tx:
            await tx.session.execute(
                "INSERT INTO schema_migrations (number, description, applied_at)"
                " VALUES (?, 'from the future', '2030-01-01')",
                (SCHEMA_VERSION + 1,),
            )
        with pytest.raises(SchemaTooNew, match="newer than this code"):
            await migrate(db, ManualClock())
        assert await current_version(db) == SCHEMA_VERSION + 1
    finally:
        await db.close()


async def test_a_ticket_saved_over_a_change_by_a_second_writer_is_refused(
    tmp_path: Path,
) -> None:
    """The CLI or a later job is a second connection: a save over its change must not stand."""
    path = tmp_path / "x.sqlite3"
    clock = ManualClock()
    db = Database(path)
    await db.open()
    try:
        await migrate(db, clock)
        async with db.transaction() as tx:
            await tx.employees.upsert(
                StaffRow("ab1234", "Anna", Role.CAREGIVER, "Nord"), clock.now(), "da"
            )
            new = NewTicket("ab1234", "Nord", TriageCategory.DOOR, None, {}, None)
            created = await tx.tickets.create(new, clock.now())
        async with db.read() as tx:
            loaded = await tx.tickets.get(created.id)
        assert loaded is not None

        with closing(sqlite3.connect(path)) as second:  # another writer takes the ticket
            second.execute("UPDATE tickets SET state = 'taken', version = version + 1")
            second.commit()

        before = loaded.model.version
        assert fire(loaded.model, TicketTrigger.CANCEL)
        with pytest.raises(StaleVersion):
            async with db.transaction() as tx:
                await tx.tickets.save(loaded, before, clock.now())
        async with db.read() as tx:
            stored = await tx.tickets.get(created.id)
        assert stored is not None and stored.model.state == TicketStatus.TAKEN
    finally:
        await db.close()


async def test_the_units_migration_merges_the_spellings_already_stored(tmp_path: Path) -> None:
    clock = ManualClock()
    db = Database(tmp_path / "x.sqlite3")
    await db.open()
    try:
        await migrate(db, clock, up_to=5)
        now = clock.now()
        async with db.transaction() as tx:
            for user_id, unit in (
                ("a1", "Hjemmepleje Nord"),
                ("a2", "Hjemmepleje Nord"),
                ("a3", "hjemmepleje nord "),
                ("b1", "Sygeplejen Syd"),
            ):
                await tx.session.execute(  # as the code of schema 5 stored them
                    "INSERT INTO employees (user_id, name, role, unit, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (user_id, user_id, Role.CAREGIVER.value, unit, to_db(now), to_db(now)),
                )
            await tx.session.execute(  # as the code of schema 5 stored them
                "INSERT INTO citizens (ref, name, address, unit, bekey_door, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    "B-1",
                    "Åse Ørum",
                    "Ågade 2",
                    "HJEMMEPLEJE  NORD",
                    "hoveddør",
                    to_db(now),
                    to_db(now),
                ),
            )

        await migrate(db, clock)

        async with db.read() as tx:
            units = [unit.name for unit in await tx.units.all()]
            staff_units = {
                row["unit"]
                for row in await tx.session.fetchall("SELECT DISTINCT unit FROM employees")
            }
            citizen = await tx.citizens.get(1)
        assert units == ["Hjemmepleje Nord", "Sygeplejen Syd"]
        assert staff_units == {"Hjemmepleje Nord", "Sygeplejen Syd"}
        assert citizen is not None and citizen.unit == "Hjemmepleje Nord"
    finally:
        await db.close()


async def test_an_old_incident_and_broadcast_forget_who_took_resolved_and_wrote_them(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "bekey.sqlite3")
    await db.open()
    await migrate(db)
    long_ago, now = "2024-01-01T08:00:00+00:00", ManualClock().now()
    async with db.transaction() as tx:
        await tx.employees.upsert(StaffRow("pl01", "Per", Role.PLANNER, "Nord"), now, "da")
        await tx.session.execute(
            "INSERT INTO incidents (kind, state, taken_by, resolved_by, opened_at,"
            " last_report_at, quiet_from, closed_at, updated_at)"
            " VALUES ('login', 'resolved', 'pl01', 'pl01', ?, ?, ?, ?, ?)",
            (long_ago, long_ago, long_ago, long_ago, long_ago),
        )
        await tx.session.execute(
            "INSERT INTO broadcasts (author, unit, text, created_at)"
            " VALUES ('pl01', 'Nord', 'Bekey er nede', ?)",
            (long_ago,),
        )
    cutoff = datetime(2025, 1, 1, tzinfo=UTC)

    async with db.transaction() as tx:
        would = (
            await tx.retention.incidents(cutoff, now, dry_run=True),
            await tx.retention.broadcasts(cutoff, now, dry_run=True),
        )
        done = (
            await tx.retention.incidents(cutoff, now, dry_run=False),
            await tx.retention.broadcasts(cutoff, now, dry_run=False),
        )
        again = (
            await tx.retention.incidents(cutoff, now, dry_run=True),
            await tx.retention.broadcasts(cutoff, now, dry_run=True),
        )
    await db.close()

    assert (would, done, again) == ((1, 1), (1, 1), (0, 0))
    with closing(sqlite3.connect(tmp_path / "bekey.sqlite3")) as conn:
        assert conn.execute("SELECT taken_by, resolved_by FROM incidents").fetchall() == [
            ("(anonymised)", "(anonymised)")
        ]
        assert conn.execute("SELECT author, text FROM broadcasts").fetchall() == [
            ("(anonymised)", None)
        ]
