"""The operator at a terminal on the server: ``python -m bot`` run as a process, as it is run.

``Operator`` runs commands in an empty working directory (no stray ``.env``), with the
environment aimed at the test's emulator and database; ``Run`` is what they saw.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.migrations import migrate
from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parents[1]
PROXY_VARIABLES = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"}
SAY_WITHIN = 10.0
"""Seconds within which a running bot must say what a test waits for."""


@dataclass(frozen=True)
class Run:
    """What the operator saw: the exit code and the two output streams."""

    code: int
    out: str
    err: str

    @property
    def out_lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()

    def refused_in_one_line(self, code: int) -> str:
        """Assert the run failed with one ``error:`` line and nothing else; return that line."""
        assert self.code == code, self
        assert "Traceback" not in self.err
        assert self.out == ""
        assert len(self.err_lines) == 1, self.err
        assert self.err_lines[0].startswith("error: ")
        return self.err_lines[0]


def environment(base_url: str, database: Path, **extra: str) -> dict[str, str]:
    """os.environ without any of the bot's settings or proxies, then aimed at this test."""
    settings_names = {name.upper() for name in Settings.model_fields}
    env = {
        key: value
        for key, value in os.environ.items()
        if key.upper() not in settings_names and key.upper() not in PROXY_VARIABLES
    }
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=base_url,
        DATABASE_PATH=str(database),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


@dataclass
class Operator:
    """Someone at a terminal on the server, in an empty directory (no stray ``.env``)."""

    workdir: Path
    database: Path
    env: dict[str, str]

    async def run(self, *args: str, env: dict[str, str] | None = None) -> Run:
        """Run ``python -m bot ARGS`` to the end and return what it printed."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=self.workdir,
            env=self.env if env is None else env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout=20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode is not None
        return Run(process.returncode, out.decode("utf-8"), err.decode("utf-8"))

    async def knows_units(self, *names: str) -> None:
        """Set the database up with these units, as ``python -m bot units add`` would."""
        db = Database(self.database)
        await db.open()
        try:
            await migrate(db)
            async with db.transaction() as tx:
                for name in names:
                    if await tx.units.find(name) is None:
                        await tx.units.add(name, Clock().now())
        finally:
            await db.close()

    def file(
        self, name: str, content: str | bytes, *, encoding: str = "utf-8", newline: str = "\n"
    ) -> Path:
        """Save a file in the working directory, as a spreadsheet export would."""
        path = self.workdir / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding, newline=newline)
        return path

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Query the database (after the process has ended); no database, no rows."""
        if not self.database.exists():
            return []
        with closing(sqlite3.connect(self.database)) as conn:
            return conn.execute(sql, params).fetchall()

    def count(self, table: str) -> int:
        """Rows in a table; a refused command that never made the database counts as none."""
        if not self.database.exists():
            return 0
        [(n,)] = self.rows(f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names
        return int(n)

    def database_bytes(self) -> bytes:
        """The raw bytes of the database file and its -wal and -shm companions."""
        files = sorted(self.database.parent.glob(self.database.name + "*"))
        assert self.database in files
        return b"".join(path.read_bytes() for path in files)


@asynccontextmanager
async def running_bot(
    env: dict[str, str], workdir: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot run`` as an operator starts it; stopped (if it still runs) at the end."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=workdir,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), 20)


async def said(process: asyncio.subprocess.Process, words: str, within: float = 10.0) -> list[str]:
    """The bot's stderr lines up to the first that holds the words, within so many seconds."""
    assert process.stderr is not None
    lines: list[str] = []
    async with asyncio.timeout(within):
        while line := (await process.stderr.readline()).decode():
            lines.append(line)
            if words in line:
                return lines
    raise AssertionError(f"the bot never said {words!r}: {lines}")
