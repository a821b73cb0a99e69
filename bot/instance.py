"""One bot per database: an OS lock beside it, held for the process's life.

``hold_instance(database, zone)`` takes ``fcntl.flock`` on a file beside the database
(``bekey.sqlite3.lock``, owner only) and writes the holder's PID and start time into it.
The lock belongs to the open file, so it dies with the process: a kill -9 never blocks the
restart. A second bot on the same database is refused (``AnotherInstance``, a SettingsError:
one line, exit 2) with the first one named. Only ``python -m bot run`` takes it: the
command-line tools are not instances and work beside a running bot.

Another machine polling with the same token is not ours to lock: Telegram answers its
getUpdates with 409 Conflict, and the inbox (``bot.inbox``) says so once a minute.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.settings import SettingsError

LOCK_SUFFIX = ".lock"
HOLDER_BYTES = 4096
READ_TRIES = 20
READ_PAUSE_SECONDS = 0.05


class AnotherInstance(SettingsError):
    """Another bot holds the database, or its lock cannot be taken; one line for stderr."""


def lock_path(database: Path) -> Path:
    """Return the lock file beside the database: ``bekey.sqlite3`` -> ``bekey.sqlite3.lock``."""
    return database.with_name(database.name + LOCK_SUFFIX)


@contextmanager
def hold_instance(database: Path, zone: ZoneInfo) -> Iterator[Path | None]:
    """Hold the database's lock for the block (the process's life); yield the lock file.

    Raises AnotherInstance, naming the holder's PID and start time, if a bot runs on it
    already. An in-memory database is nobody else's: nothing is locked, None is yielded.
    """
    if str(database) == ":memory:":
        yield None
        return
    path = lock_path(database)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise AnotherInstance(
            f"cannot open the lock file {path} ({exc.strerror}); check DATABASE_PATH"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AnotherInstance(
                f"a bot is already running on {database} ({_holder(fd, zone)}); stop it first, "
                "or give this one its own DATABASE_PATH"
            ) from None
        with suppress(PermissionError):  # made wider by hand: owner only again, if it is ours
            os.fchmod(fd, 0o600)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": started}).encode(), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race a newcomer)


def _holder(fd: int, zone: ZoneInfo) -> str:
    """Name the lock's holder from what it wrote: ``PID 4711, started 2026-11-29 08:00:00 CET``.

    A holder that has just taken the lock may not have written yet (or the file still names
    the one before it, now dead): read again for a moment before giving up.
    """
    for attempt in range(READ_TRIES):
        if attempt:
            time.sleep(READ_PAUSE_SECONDS)
        try:
            written = json.loads(os.pread(fd, HOLDER_BYTES, 0))
            pid = int(written["pid"])
            started = datetime.fromisoformat(str(written["started"])).astimezone(zone)
        except (OSError, ValueError, TypeError, KeyError):
            continue
        if _alive(pid):
            return f"PID {pid}, started {started:%Y-%m-%d %H:%M:%S %Z}"
    return "its PID is not in the lock file yet"


def _alive(pid: int) -> bool:
    """Whether a process with this PID exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's: it exists
        return True
    return True
