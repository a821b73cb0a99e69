"""The low-level handle on the connection that every repository is bound to.

A ``Session`` exists only while the database lock is held (inside a transaction or a
read); repositories run their named statements through it and never see the connection.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

import aiosqlite

Params = tuple[Any, ...] | dict[str, Any]


class StaleVersion(Exception):
    """A row changed since it was loaded (its version moved on); the transaction is void."""


class Session:
    """Runs statements on the connection while the lock is held."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> None:
        """Run one statement."""
        cursor = await self._conn.execute(sql, params)
        await cursor.close()

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

    async def count(self, sql: str, params: Params = ()) -> int:
        """Run a ``SELECT COUNT(*) AS n`` query and return n."""
        row = await self.fetchone(sql, params)
        return int(row["n"]) if row else 0
