"""The SQLite connection, and the transaction every repository is bound to.

``async with db.transaction() as tx: ticket = await tx.tickets.get(ticket_id)``: a ``Tx``
carries one repository per table, all bound to the same session. aiosqlite runs one
connection on one thread, but coroutines sharing it would interleave inside a
transaction; every use of the connection therefore holds one asyncio lock, and writes
start with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from pathlib import Path

import aiosqlite

from bot.storage.audit import Audit
from bot.storage.citizens import Citizens
from bot.storage.duty import Duty
from bot.storage.employees import Employees
from bot.storage.inbox import HANDLING, Handling, Inbox
from bot.storage.incidents import Broadcasts, Incidents
from bot.storage.invites import Invites
from bot.storage.leavers import Leavers
from bot.storage.lock_partners import CitizenTodos, LockPartners, Orders
from bot.storage.lookup import StaffLookup
from bot.storage.outbox import Outbox
from bot.storage.records import Records
from bot.storage.reports import Reports
from bot.storage.retention import Retention
from bot.storage.session import Session
from bot.storage.smartkeys import KeyRequests, Smartkeys
from bot.storage.tickets import Tickets
from bot.storage.training import Training
from bot.storage.triages import Triages
from bot.storage.turns import Turns
from bot.storage.units import Units
from state.text import fold


def _fold(value: object) -> str | None:
    """SQL ``fold(x)``: text folded as a search compares it (NULL stays NULL)."""
    return None if value is None else fold(str(value))


class Tx:
    """The repositories, bound to one transaction (or one read)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = Audit(session)
        self.broadcasts = Broadcasts(session)
        self.citizens = Citizens(session)
        self.duty = Duty(session)
        self.employees = Employees(session)
        self.incidents = Incidents(session)
        self.invites = Invites(session)
        self.leavers = Leavers(session)
        self.lock_partners = LockPartners(session)
        self.orders = Orders(session)
        self.todos = CitizenTodos(session)
        self.outbox = Outbox(session)
        self.records = Records(session)
        self.reports = Reports(session)
        self.retention = Retention(session)
        self.smartkeys = Smartkeys(session)
        self.key_requests = KeyRequests(session)
        self.tickets = Tickets(session)
        self.training = Training(session)
        self.triages = Triages(session)
        self.units = Units(session)
        self.inbox = Inbox(session)


class Database:
    """One aiosqlite connection guarded by one lock."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = Turns()
        self.lookup = StaffLookup(self.path)

    async def open(self) -> None:
        """Open the connection and set the pragmas (WAL, foreign keys, synchronous=FULL)."""
        if self._conn is not None:
            return
        if str(self.path) != ":memory:":
            # Owner only (citizens' details): the folder and the file are made so before SQLite
            # writes a byte. SQLite makes the -wal and -shm files with the database file's mode.
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with suppress(FileExistsError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA synchronous=FULL")
            await conn.execute("PRAGMA secure_delete=ON")  # removed text does not linger
            await conn.execute("PRAGMA busy_timeout=5000")
            await conn.create_function("fold", 1, _fold, deterministic=True)
        except BaseException:
            await conn.close()  # else its worker thread keeps the process alive
            raise
        self._conn = conn
        self.lookup.open()

    async def check_writable(self) -> None:
        """Write once and roll back, so that a database that cannot be written fails at start.

        A read-only file opens and reads fine; without this, every message would fail later.
        """
        async with self._lock.turn():
            conn = self._connection()
            await conn.execute("BEGIN IMMEDIATE")
            try:
                await conn.execute(
                    "INSERT INTO schema_migrations (number, description, applied_at)"
                    " VALUES (-1, 'write check', '')"
                )
            finally:
                await conn.rollback()

    async def close(self) -> None:
        """Close the connections."""
        self.lookup.close()
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("Database is not open")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """Hold the lock from BEGIN IMMEDIATE to COMMIT; roll back on any error.

        While an update is handled, its first transaction opens the update's unit of work and
        every transaction is a savepoint in it: an error rolls back that block only, and
        ``finish`` commits the whole with the update's mark.
        """
        handling = HANDLING.get()
        if handling is not None:
            if handling.session is None:  # the unit's first block needs no savepoint:
                handling.session = await self._begin()  # if it fails, nothing else is undone
                try:
                    yield Tx(handling.session)
                except BaseException:
                    await self.abandon(handling)
                    raise
                return
            async with self._savepoint(handling) as tx:
                yield tx
            return
        session = await self._begin()
        conn = self._connection()
        try:
            yield Tx(session)
        except BaseException:
            await conn.rollback()
            raise
        else:
            await conn.commit()
        finally:
            self._lock.release()

    async def _begin(self) -> Session:
        """Take the lock and begin a write transaction (the lock stays taken)."""
        await self._lock.acquire()
        try:
            conn = self._connection()
            await conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._lock.release()
            raise
        return Session(conn)

    @asynccontextmanager
    async def _savepoint(self, handling: Handling) -> AsyncIterator[Tx]:
        assert handling.session is not None
        conn = self._connection()
        name = f"step{handling.depth}"
        handling.depth += 1
        await conn.execute(f"SAVEPOINT {name}")
        try:
            yield Tx(handling.session)
        except BaseException:
            await conn.execute(f"ROLLBACK TO {name}")
            await conn.execute(f"RELEASE {name}")
            raise
        else:
            await conn.execute(f"RELEASE {name}")
        finally:
            handling.depth -= 1

    async def finish(self, handling: Handling, now: datetime) -> None:
        """Commit an update's unit of work together with its mark (or just mark it)."""
        session = handling.session or await self._begin()
        conn = self._connection()
        try:
            await Inbox(session).mark_handled(handling.update_id, now)
            await conn.commit()
            handling.marked = True
        except BaseException:
            await conn.rollback()
            raise
        finally:
            handling.session = None
            self._lock.release()

    async def abandon(self, handling: Handling) -> None:
        """Roll an update's unit of work back (its handling was cancelled): it stays unhandled."""
        if handling.session is None:
            return
        try:
            await self._connection().rollback()
        finally:
            handling.session = None
            self._lock.release()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        """Hold the lock for reads, so they never see another coroutine's open transaction.

        Inside an update's open unit of work, the read sees (and waits for) nothing else.
        """
        handling = HANDLING.get()
        if handling is not None and handling.session is not None:
            yield Tx(handling.session)
            return
        async with self._lock.turn():
            yield Tx(Session(self._connection()))
