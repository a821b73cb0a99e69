"""Storage: migrations apply once, and coroutines sharing the connection never interleave."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS, current_version, migrate


async def test_migrations_apply_in_order_once(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    await db.open()
    try:
        first = await migrate(db, ManualClock())
        second = await migrate(db, ManualClock())
        assert [m.number for m in first] == [m.number for m in MIGRATIONS]
        assert second == []
        assert await current_version(db) == MIGRATIONS[-1].number
        async with db.read() as s:
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
        async with db.transaction() as s:
            await s.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
            await s.execute("INSERT INTO counter VALUES (0)")

        async def bump() -> None:
            async with db.transaction() as s:
                row = await s.fetchone("SELECT n FROM counter")
                assert row is not None
                await asyncio.sleep(0)  # another coroutine would slip in here
                await s.execute("UPDATE counter SET n = ?", (row["n"] + 1,))

        await asyncio.gather(*(bump() for _ in range(50)))
        async with db.read() as s:
            row = await s.fetchone("SELECT n FROM counter")
        assert row is not None and row["n"] == 50
    finally:
        await db.close()


async def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = Database(tmp_path / "x.sqlite3")
    await db.open()
    try:
        async with db.transaction() as s:
            await s.execute("CREATE TABLE t (n INTEGER)")

        async def crash_mid_way() -> None:
            async with db.transaction() as s:
                await s.execute("INSERT INTO t VALUES (1)")
                raise RuntimeError("crash mid-way")

        with pytest.raises(RuntimeError):
            await crash_mid_way()
        async with db.read() as s:
            row = await s.fetchone("SELECT COUNT(*) AS c FROM t")
        assert row is not None and row["c"] == 0
    finally:
        await db.close()
