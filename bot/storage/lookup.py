"""Who is behind an update, read in microseconds and never stale: the gate's own connection.

The gate runs on every update, before anything else; it must not wait behind other people's
transactions on the shared connection. This is a second, plain ``sqlite3`` connection used
for one indexed read of one employee. Its cache is dropped whenever ``PRAGMA data_version``
says another connection (the bot's own, or the CLI in another process) committed a change,
so a deactivation, a new phone or a role change counts from the next update.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage.employees import Employee

BUSY_MS = 100
"""How long one read may wait for a lock (rare in WAL mode) before the caller falls back."""


class StaffLookup:
    """Employees by Telegram account, on a connection of their own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._version: int | None = None
        self._cache: dict[int, Employee | None] = {}

    def open(self) -> None:
        """Open the connection (nothing to open for an in-memory database)."""
        if self._conn is None and str(self.path) != ":memory:":
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout={BUSY_MS}")
            self._conn = conn

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def by_telegram_id(self, telegram_id: int) -> Employee | None:
        """The employee bound to an account; raise sqlite3.Error if it cannot be read."""
        conn = self._conn
        if conn is None:
            raise sqlite3.OperationalError("the lookup connection is not open")
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        if version != self._version:
            self._cache.clear()
            self._version = version
        if telegram_id not in self._cache:
            row = conn.execute(
                "SELECT * FROM employees WHERE telegram_id = ?", (telegram_id,)
            ).fetchone()
            self._cache[telegram_id] = Employee.from_row(row) if row else None
        return self._cache[telegram_id]
