"""The SQLite connection: pragmas, one transaction at a time, and rows as sqlite3.Row.

aiosqlite runs one connection on one thread, but coroutines sharing it would interleave
inside a transaction; every use of the connection therefore holds one asyncio lock, and
writes start with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

Params = tuple[Any, ...] | dict[str, Any]


class Session:
    """A handle on the connection while the lock is held (inside a transaction or a read)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        """Run one statement."""
        return await self._conn.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many rows."""
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Run a query and return its first row."""
        async with self._conn.execute(sql, params) as cursor:
            row: sqlite3.Row | None = await cursor.fetchone()
            return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Run a query and return all its rows."""
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def insert(self, sql: str, params: Params = ()) -> int:
        """Run an INSERT and return the new row id."""
        cursor = await self._conn.execute(sql, params)
        rowid = cursor.lastrowid
        await cursor.close()
        if rowid is None:
            raise sqlite3.DatabaseError("INSERT returned no row id")
        return rowid

    async def change(self, sql: str, params: Params = ()) -> int:
        """Run an UPDATE or DELETE and return how many rows it changed."""
        cursor = await self._conn.execute(sql, params)
        count = cursor.rowcount
        await cursor.close()
        return count


class Database:
    """One aiosqlite connection guarded by one lock."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        """Open the connection and set the pragmas (WAL, foreign keys, synchronous=FULL)."""
        if self._conn is not None:
            return
        if str(self.path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=FULL")
            await conn.execute("PRAGMA busy_timeout=5000")
        except BaseException:
            await conn.close()  # else its worker thread keeps the process alive
            raise
        self._conn = conn

    async def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("Database is not open")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """Hold the lock from BEGIN IMMEDIATE to COMMIT; roll back on any error."""
        async with self._lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield Session(conn)
            except BaseException:
                await conn.rollback()
                raise
            else:
                await conn.commit()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        """Hold the lock for reads, so they never see another coroutine's open transaction."""
        async with self._lock:
            yield Session(self.conn)
