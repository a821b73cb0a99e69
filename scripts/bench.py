"""The Bekey bot under load, against the local Bot API emulator: one table of figures and targets.

``bash scripts/bench.sh`` runs the scenarios below (``--quick``: fewer and smaller;
``--scenario NAME``: only that one, repeatable). Each runs in a fresh temporary directory with
a fresh database, a fresh emulator process (``python -m tgemu``) and the bot as an operator
runs it (``python -m bot run``); staff are set up with the CLI (``import-staff``,
``import-citizens``) and join with ``/start <token>`` before the clock starts.

- ``storm-limits-on``: caregivers in 10 units (3 planners and 4 key persons each) all press
  🆘 within 5 s, evenly spread, with Telegram's limits enforced by the emulator.
- ``storm-limits-off``: the same without limits.
- ``storm-kill9``: limits on; the bot is killed (SIGKILL) 1 s into the storm and started
  again at once.
- ``throughput``: people each doing rounds of ``/fejl``, a press on the first button and
  ``/annuller``, against the bot and then against a bare python-telegram-bot echo bot
  (``--echo-bot``, below) with the same concurrency on the same emulator.

Everything is read from outside, from the emulator: its call log (every call with the time
it was answered, followed with ``calls(after=seq)``) and its answer counts (429s by status).
A card is a bot message in a caregiver's chat that holds Bekey's phone number; the time to
the card runs from the press to the first such sendMessage. Nothing of the bot is imported.

Exit status: 0 every target met, 1 a target missed, 2 the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
from telegram.ext import filters as tg_filters

from tgemu.client import EmulatorClient

SCRIPT = Path(__file__).resolve()
ROOT = SCRIPT.parents[1]
TOKEN = "123456789:AAHbenchTOKENbenchTOKENbenchTOKEN12"  # noqa: S105 - the emulator's, made up
BOT_USERNAME = "bekey_bench_bot"
SUPPORT_PHONE = "43 30 05 05"
CARD = re.compile(r"43[\s\u00a0-]?30[\s\u00a0-]?05[\s\u00a0-]?05")
"""What makes a bot message a card: Bekey's number, however it is spaced."""

UNITS = 10
PLANNERS_PER_UNIT = 3
KEY_PERSONS_PER_UNIT = 4
CITIZENS_PER_UNIT = 20
SPREAD_SECONDS = 5.0
"""The storm's presses are spread evenly over this long."""
KILL_AFTER_SECONDS = 1.0
TELEGRAM_RATE = 30.0
"""Messages a second Telegram lets one bot send: the physical minimum is caregivers / this."""
PLANNER_WINDOW = 60.0
PLANNER_TARGET = 20
LAST_CARD_FACTOR = 1.2
P95_TARGET = 1.0
KILL_DUPLICATES_SHARE = 0.01
THROUGHPUT_TARGET = 0.5
QUIET_SECONDS = 3.0
"""The bot counts as idle when it has made no call but getUpdates for this long."""
SETTLE_SECONDS = 5.0
"""After the last card: stop watching once the bot has been idle this long."""
DRAIN_EXTRA = 120.0
"""Past the cards' deadline: how long to wait at most for the bot to send all it queued."""
ACTION_TIMEOUT = 20.0
"""Throughput: seconds within which a bot must answer one action."""
ECHO_CONCURRENCY = 32
"""Updates the echo bot handles at once: as many as the bot's update processor."""
TAIL_INTERVAL = 0.02
CONNECTIONS = 200
"""Connections to the emulator's control API kept open: one per person acting at once."""
PASSED_ON = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "USER", "LOGNAME")
"""The only variables a child process gets from our environment (no settings, no proxies)."""

SCENARIOS = ("storm-limits-on", "storm-limits-off", "storm-kill9", "throughput")
QUICK_SCENARIOS = ("storm-limits-on", "throughput")


UNPACED = {
    "SEND_RATE_PER_SECOND": "1000",
    "SEND_BURST": "200",
    "SEND_CHAT_RATE_PER_SECOND": "100",
    "SEND_CHAT_BURST": "10",
    "SEND_IN_FLIGHT": "64",
}
"""The sender's settings for a Bot API without Telegram's limits (a local test server)."""


class BenchError(Exception):
    """The benchmark could not measure (a process would not start, setup failed)."""


def say(line: str) -> None:
    """Progress, on stderr (the table goes to stdout)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def emergency_button() -> str:
    """The 🆘 button's text, as the Danish menu shows it (the bot's own locale file)."""
    with (ROOT / "bot" / "render" / "locales" / "da.toml").open("rb") as file:
        text = tomllib.load(file)["button"]["emergency"]
    if not isinstance(text, str):
        raise BenchError("button.emergency in da.toml is not a text")
    return text


# --- Who is there -------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An employee with Telegram: the staff file's row and the Telegram account."""

    telegram_id: int
    user_id: str
    name: str
    role: str
    unit: str


@dataclass(frozen=True)
class Staff:
    """Everyone of a scenario, by role."""

    caregivers: list[Person]
    planners: list[Person]
    key_persons: list[Person]
    units: list[str]

    @property
    def everyone(self) -> list[Person]:
        return [*self.caregivers, *self.planners, *self.key_persons]


def make_staff(caregivers: int, units: int, planners: int, key_persons: int) -> Staff:
    """Caregivers spread evenly over the units; each unit its planners and key persons."""
    names = [f"Enhed {n:02d}" for n in range(1, units + 1)]
    carers = [
        Person(1_000_000 + n, f"cg{n:04d}", f"Hjemmehjælper {n}", "caregiver", names[n % units])
        for n in range(caregivers)
    ]
    planning = [
        Person(2_000_000 + n, f"pl{n:04d}", f"Planlægger {n}", "planner", names[n % units])
        for n in range(units * planners)
    ]
    keys = [
        Person(3_000_000 + n, f"kp{n:04d}", f"Nøgleperson {n}", "key-person", names[n % units])
        for n in range(units * key_persons)
    ]
    return Staff(carers, planning, keys, names)


# --- Child processes ----------------------------------------------------------------------

_CHILDREN: list[asyncio.subprocess.Process] = []
"""Every child started; whatever is still running is killed on the way out, whatever happens."""
_WORKDIRS: list[Path] = []
"""Every temporary directory made; whatever is left is removed on the way out."""


class Child:
    """A child process (its own session: Ctrl-C is ours to pass on) logging to a file."""

    def __init__(self, name: str, process: asyncio.subprocess.Process, log: Path) -> None:
        self.name = name
        self.process = process
        self.log = log

    @classmethod
    async def start(
        cls, name: str, args: Sequence[str], *, cwd: Path, env: dict[str, str], log: Path
    ) -> Child:
        """Start ``args`` with stdout and stderr going to ``log``."""
        with log.open("ab") as out:
            process = await asyncio.create_subprocess_exec(
                *args,
                cwd=cwd,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        _CHILDREN.append(process)
        return cls(name, process, log)

    @property
    def running(self) -> bool:
        return self.process.returncode is None

    def log_text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 15) -> str:
        """The last lines of the log, indented, for an error message."""
        tail = self.log_text().splitlines()[-lines:]
        return "\n".join(f"    {line}" for line in tail) or "    (nothing logged)"

    async def said(self, words: str, timeout: float) -> str:
        """Wait until the log holds a line with these words; return that line."""
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log_text().splitlines():
                if words in line:
                    return line
            if not self.running:
                raise BenchError(
                    f"{self.name} exited with {self.process.returncode} before saying "
                    f"{words!r}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise BenchError(
                    f"{self.name} did not say {words!r} within {timeout:.0f} s:\n{self.log_tail()}"
                )
            await asyncio.sleep(0.05)

    def kill(self) -> None:
        """kill -9."""
        if self.running:
            self.process.kill()

    async def stop(self, timeout: float = 20.0) -> None:
        """SIGTERM, then SIGKILL if it has not ended within the timeout."""
        if self.running:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), timeout)
            except TimeoutError:
                say(f"{self.name} did not stop within {timeout:.0f} s: killed")
                self.process.kill()
        await self.process.wait()


def clean_up() -> None:
    """Kill every child still running, remove every directory left (the last resort)."""
    for process in _CHILDREN:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
    for workdir in _WORKDIRS:
        shutil.rmtree(workdir, ignore_errors=True)


# --- Following the emulator's call log ----------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One Bot API call as the emulator logged it."""

    seq: int
    at: float
    method: str
    ok: bool
    error_code: int | None
    chat_id: int | None
    text: str
    callback_query_id: str | None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Call:
        params: dict[str, Any] = data.get("params") or {}
        chat = params.get("chat_id")
        try:
            chat_id = int(chat) if chat is not None else None
        except (TypeError, ValueError):
            chat_id = None
        text = params.get("text")
        query = params.get("callback_query_id")
        return cls(
            seq=int(data["seq"]),
            at=float(data["at"]),
            method=str(data["method"]),
            ok=bool(data["ok"]),
            error_code=data.get("error_code"),
            chat_id=chat_id,
            text=text if isinstance(text, str) else "",
            callback_query_id=str(query) if query is not None else None,
        )

    @property
    def delivers(self) -> bool:
        """A message the person sees arrive or change: a sendMessage or an edit, answered ok."""
        return self.ok and self.method in ("sendMessage", "editMessageText")

    @property
    def is_card(self) -> bool:
        return self.ok and self.method == "sendMessage" and CARD.search(self.text) is not None


class CallTail:
    """Reads the emulator's call log as it grows; waiters are told of every new batch."""

    def __init__(self, client: EmulatorClient) -> None:
        self.client = client
        self.calls: list[Call] = []
        self.latest = 0
        self.missed = 0
        """Calls the log dropped before they were read (it keeps the newest 50,000)."""
        self.last_activity = time.time()
        """When the bot last made a call other than getUpdates (the emulator's clock)."""
        self.by_chat: dict[int, list[Call]] = defaultdict(list)
        self.answered_queries: set[str] = set()
        self._changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._follow(), name="call-tail")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _follow(self) -> None:
        while True:
            try:
                batch = await self.client.calls(after=self.latest)
            except Exception as error:  # the emulator went away: say it, and keep trying
                say(f"cannot read the call log ({type(error).__name__}); trying again")
                await asyncio.sleep(1.0)
                continue
            if batch:
                self._take([Call.from_json(item) for item in batch])
                async with self._changed:
                    self._changed.notify_all()
            await asyncio.sleep(TAIL_INTERVAL)

    def _take(self, batch: list[Call]) -> None:
        if self.latest and batch[0].seq > self.latest + 1:
            self.missed += batch[0].seq - self.latest - 1
        for call in batch:
            self.calls.append(call)
            if call.chat_id is not None:
                self.by_chat[call.chat_id].append(call)
            if call.method == "answerCallbackQuery" and call.ok and call.callback_query_id:
                self.answered_queries.add(call.callback_query_id)
            if call.method != "getUpdates":
                self.last_activity = max(self.last_activity, call.at)
        self.latest = batch[-1].seq

    def since(self, seq: int) -> list[Call]:
        """The calls logged after ``seq``."""
        return [call for call in self.calls if call.seq > seq]

    def delivered_to(self, chat_id: int, after: int) -> bool:
        """Whether the chat got a message or an edit logged after ``after``."""
        return any(c.seq > after and c.delivers for c in self.by_chat.get(chat_id, ()))

    async def wait_for(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``done()`` holds, checked after each batch; False at the timeout."""
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(done), timeout)
            except TimeoutError:
                return False
        return True

    def idle_for(self) -> float:
        """Seconds since the bot last made a call other than getUpdates."""
        return time.time() - self.last_activity


# --- One scenario's world -----------------------------------------------------------------


class Site:
    """A temporary directory with the emulator, the database, and the bot or the echo bot."""

    def __init__(self, name: str, *, keep: bool = False) -> None:
        self.name = name
        self.keep = keep
        self.settings: dict[str, str] = {}
        """Settings the bot gets beside the site's own (the storm without limits: no pacing)."""
        self.workdir = Path(tempfile.mkdtemp(prefix=f"bekey-bench-{name}-"))
        if not keep:
            _WORKDIRS.append(self.workdir)
        self.database = self.workdir / "data" / "bekey.sqlite3"
        self.children: list[Child] = []
        self._client: EmulatorClient | None = None
        self._tail: CallTail | None = None
        self._bots = 0
        self.base_url = ""

    async def __aenter__(self) -> Site:
        try:
            emulator = await Child.start(
                "the emulator",
                [
                    sys.executable,
                    "-m",
                    "tgemu",
                    "--port",
                    "0",
                    "--token",
                    TOKEN,
                    "--bot-username",
                    BOT_USERNAME,
                ],
                cwd=self.workdir,
                env=self.env(),
                log=self.workdir / "emulator.log",
            )
            self.children.append(emulator)
            self.base_url = (await emulator.said("http://", timeout=20)).strip()
            self._client = EmulatorClient(self.base_url, timeout=60, connections=CONNECTIONS)
            self._tail = CallTail(self._client)
            self._tail.start()
        except BaseException:
            await self.close()
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop everything started here and remove the directory (unless it is kept)."""
        try:
            if self._tail is not None:
                await self._tail.stop()
            for child in reversed(self.children):
                await child.stop()
            if self._client is not None:
                await self._client.aclose()
        finally:
            for child in self.children:
                child.kill()
            if self.keep:
                say(f"{self.name}: kept {self.workdir} (logs, database, staff files)")
            else:
                shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def client(self) -> EmulatorClient:
        assert self._client is not None
        return self._client

    @property
    def tail(self) -> CallTail:
        assert self._tail is not None
        return self._tail

    def env(self) -> dict[str, str]:
        """A clean environment aimed at this site: nothing of ours leaks into the settings."""
        env = {name: os.environ[name] for name in PASSED_ON if name in os.environ}
        env.update(
            PYTHONPATH=str(ROOT),
            PYTHONIOENCODING="utf-8",
            PTB_TIMEDELTA="1",
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.base_url or "http://127.0.0.1:1",
            TELEGRAM_BOT_USERNAME=BOT_USERNAME,
            DATABASE_PATH=str(self.database),
            BEKEY_SUPPORT_PHONE=SUPPORT_PHONE,
            IT_HELPDESK_PHONE="70 20 30 40",
            LOCK_PARTNER_NAME="Låsepartner A/S",
            LOCK_PARTNER_PHONE="55 66 77 88",
        )
        env.update(self.settings)
        return env

    async def cli(self, *args: str) -> str:
        """Run ``python -m bot ARGS`` to its end; return its output (BenchError if it failed)."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=self.workdir,
            env=self.env(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
        )
        _CHILDREN.append(process)
        try:
            out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        if process.returncode != 0:
            raise BenchError(
                f"python -m bot {args[0]} exited with {process.returncode}: "
                f"{err.decode(errors='replace').strip()[-2000:]}"
            )
        return out.decode("utf-8")

    async def enrol(self, staff: Staff) -> dict[str, str]:
        """Units, staff and citizens through the CLI; return each user-id's invite token."""
        await self.cli("migrate")
        lines = ["user_id,name,role,unit"]
        lines += [f"{p.user_id},{p.name},{p.role},{p.unit}" for p in staff.everyone]
        staff_file = self.workdir / "staff.csv"
        staff_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        printed = await self.cli("import-staff", str(staff_file), "--create-units")
        tokens: dict[str, str] = {}
        for line in printed.splitlines()[1:]:
            user_id, _, link = line.partition(",")
            if "start=" in link:
                tokens[user_id] = link.split("start=", 1)[1].strip()
        missing = [p.user_id for p in staff.everyone if p.user_id not in tokens]
        if missing:
            raise BenchError(f"import-staff gave no link for {len(missing)} people: {missing[:5]}")
        rows = ["ref,name,address,unit,bekey_door"]
        for u, unit in enumerate(staff.units):
            for n in range(CITIZENS_PER_UNIT):
                rows.append(
                    f"B-{u:02d}{n:03d},Borger {u}-{n},Vejen {n} {u},{unit},"
                    + ("hoveddør" if n % 2 else "bagdør")
                )
        citizen_file = self.workdir / "citizens.csv"
        citizen_file.write_text("\n".join(rows) + "\n", encoding="utf-8")
        await self.cli("import-citizens", str(citizen_file))
        return tokens

    async def start_bot(self) -> Child:
        """Start ``python -m bot run`` (not waiting for it: see ``ready``)."""
        self._bots += 1
        bot = await Child.start(
            f"the bot (start {self._bots})",
            [sys.executable, "-m", "bot", "run"],
            cwd=self.workdir,
            env=self.env(),
            log=self.workdir / f"bot-{self._bots}.log",
        )
        self.children.append(bot)
        return bot

    async def start_echo_bot(self) -> Child:
        """Start the bare python-telegram-bot echo bot and wait until it polls."""
        echo = await Child.start(
            "the echo bot",
            [sys.executable, str(SCRIPT), "--echo-bot"],
            cwd=self.workdir,
            env=self.env(),
            log=self.workdir / "echo.log",
        )
        self.children.append(echo)
        await echo.said(ECHO_READY, timeout=60)
        return echo

    async def join(self, people: list[Person], tokens: dict[str, str]) -> None:
        """Everyone opens their invite link; wait until the bot has pinned each one's card."""
        mark = self.tail.latest
        gate = asyncio.Semaphore(50)

        async def open_link(person: Person) -> None:
            async with gate:
                await self.client.send_text(
                    person.telegram_id, f"/start {tokens[person.user_id]}", first_name=person.name
                )

        await asyncio.gather(*(open_link(p) for p in people))
        waiting = {p.telegram_id for p in people}

        def all_pinned() -> bool:
            pinned = {
                c.chat_id
                for c in self.tail.since(mark)
                if c.ok and c.method == "pinChatMessage" and c.chat_id in waiting
            }
            return len(pinned) == len(waiting)

        timeout = 60 + 0.5 * len(people)
        if not await self.tail.wait_for(all_pinned, timeout):
            pinned = {
                c.chat_id for c in self.tail.since(mark) if c.ok and c.method == "pinChatMessage"
            }
            raise BenchError(
                f"only {len(pinned & waiting)} of {len(waiting)} people had their card pinned "
                f"within {timeout:.0f} s of joining"
            )

    async def quiet(self, timeout: float = 180.0) -> None:
        """Wait until the bot has made no call but getUpdates for a few seconds."""
        deadline = time.monotonic() + timeout
        while self.tail.idle_for() < QUIET_SECONDS:
            if time.monotonic() > deadline:
                raise BenchError(f"the bot did not fall quiet within {timeout:.0f} s")
            await asyncio.sleep(0.2)


# --- Storms -------------------------------------------------------------------------------


@dataclass
class Storm:
    """What one storm showed."""

    name: str
    caregivers: int
    limits: bool
    killed: bool
    deadline: float
    answered: int = 0
    duplicated: int = 0
    latencies: list[float] = field(default_factory=list)
    last_card: float | None = None
    too_many: int = 0
    planner_peak: int = 0
    observed: float = 0.0
    drained: float | None = None
    """Seconds from the first press to the bot's last message, once it fell idle."""
    restart_ready: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.caregivers - self.answered

    @property
    def minimum(self) -> float:
        """The physical minimum until the last card: caregivers / 30 s (and the spread)."""
        return max(self.caregivers / TELEGRAM_RATE, SPREAD_SECONDS)


async def press_all(
    client: EmulatorClient, caregivers: list[Person], button: str, pressed: dict[int, float]
) -> list[str]:
    """Every caregiver presses 🆘, evenly spread over the spread; return notes on trouble.

    The time of a press is when it is posted to the emulator, as a person sees it: the wait
    to the card includes the emulator's (a note says when posting was slow).
    """
    loop = asyncio.get_running_loop()
    start = loop.time()
    step = SPREAD_SECONDS / max(1, len(caregivers))
    failures: list[str] = []
    posted: dict[int, float] = {}

    async def press(person: Person) -> None:
        pressed[person.telegram_id] = time.time()
        try:
            await client.send_text(person.telegram_id, button, first_name=person.name)
        except Exception as error:
            failures.append(f"{person.user_id}: {type(error).__name__}: {error}")
        posted[person.telegram_id] = time.time()

    tasks = []
    for n, person in enumerate(caregivers):
        await asyncio.sleep(max(0.0, start + n * step - loop.time()))
        tasks.append(asyncio.create_task(press(person)))
    await asyncio.gather(*tasks)
    notes = [f"{len(failures)} presses failed to post, e.g. {failures[0]}"] if failures else []
    spread = max(pressed.values()) - min(pressed.values())
    slowest = max(posted[chat] - pressed[chat] for chat in posted)
    if spread > SPREAD_SECONDS + 0.5 or slowest > 0.5:
        notes.append(
            f"posting the presses took {spread:.1f} s (not {SPREAD_SECONDS:.0f} s), the slowest "
            f"{slowest:.1f} s: the machine is busy, and that counts in the time to the card"
        )
    return notes


def busiest_minute(times: Iterable[float]) -> int:
    """The most events in any window of PLANNER_WINDOW seconds."""
    ordered = sorted(times)
    most, first = 0, 0
    for last, at in enumerate(ordered):
        while at - ordered[first] >= PLANNER_WINDOW:
            first += 1
        most = max(most, last - first + 1)
    return most


async def run_storm(
    name: str, caregivers: int, *, limits: bool, kill: bool, deadline: float, keep: bool
) -> Storm:
    """One storm in a fresh site: set up, join, then every caregiver presses 🆘 within 5 s."""
    staff = make_staff(caregivers, UNITS, PLANNERS_PER_UNIT, KEY_PERSONS_PER_UNIT)
    result = Storm(name, caregivers, limits, kill, deadline)
    button = emergency_button()
    async with Site(name, keep=keep) as site:
        if not limits:  # a Bot API without limits: the bot is told so, and does not pace itself
            site.settings.update(UNPACED)
        say(f"{name}: {len(staff.everyone)} people in {UNITS} units; enrolling with the CLI")
        tokens = await site.enrol(staff)
        bot = await site.start_bot()
        await bot.said("Application started", timeout=60)
        say(f"{name}: the bot runs; {len(staff.everyone)} people join")
        began = time.monotonic()
        await site.join(staff.everyone, tokens)
        await site.quiet()
        say(f"{name}: all joined in {time.monotonic() - began:.0f} s; the storm begins")
        if limits:
            await site.client.enable_telegram_limits()
        await site.client.reset_answered()
        mark = site.tail.latest
        pressed: dict[int, float] = {}
        first_press = time.time()
        storm = asyncio.create_task(press_all(site.client, staff.caregivers, button, pressed))
        restarted: asyncio.Task[float] | None = None
        try:
            if kill:
                await asyncio.sleep(KILL_AFTER_SECONDS)
                bot.kill()
                await bot.process.wait()
                say(f"{name}: kill -9 at {time.time() - first_press:.1f} s; started again at once")
                bot = await site.start_bot()
                restarted = asyncio.create_task(running_again(bot, time.monotonic()))
            result.notes += await storm
            if restarted is not None:
                result.restart_ready = await restarted
        finally:
            for task in (storm, restarted):
                if task is not None and not task.done():
                    task.cancel()
        await watch_storm(site, staff, bot, pressed, mark, result)
        result.too_many = (await site.client.answered()).failed_with(429)
        if site.tail.missed:
            result.notes.append(
                f"the call log dropped {site.tail.missed} calls before they were read"
            )
        if not bot.running:
            result.notes.append(
                f"the bot exited with {bot.process.returncode} during the storm:\n{bot.log_tail()}"
            )
        measure(result, site.tail.since(mark), staff, pressed, first_press)
    return result


async def running_again(bot: Child, killed_at: float) -> float:
    """Seconds from the kill until the new bot says it has started."""
    await bot.said("Application started", timeout=60)
    return time.monotonic() - killed_at


async def watch_storm(
    site: Site, staff: Staff, bot: Child, pressed: dict[int, float], mark: int, result: Storm
) -> None:
    """Watch until every caregiver has a card (or the deadline), then until the bot has sent
    everything it queued (the planners' minute needs all of it), at most DRAIN_EXTRA s more.

    After a kill -9 only the cards count: watch until they have settled.
    """
    caregivers = {p.telegram_id for p in staff.caregivers}
    start = min(pressed.values())
    cards_until = max(pressed.values()) + result.deadline
    carded: set[int] = set()
    seen, last_card = mark, time.time()
    while bot.running:
        for call in site.tail.since(seen):
            if call.is_card and call.chat_id in caregivers:
                carded.add(call.chat_id)
                last_card = time.time()
        seen = site.tail.latest
        now = time.time()
        if len(carded) == len(caregivers) or now >= cards_until:
            if result.killed:
                if now - last_card >= SETTLE_SECONDS or now >= cards_until:
                    break
            elif site.tail.idle_for() >= SETTLE_SECONDS:
                result.drained = site.tail.last_activity - start
                break
            elif now >= cards_until + DRAIN_EXTRA:
                result.notes.append(
                    f"the bot was still sending {now - start:.0f} s after the first press, "
                    "when watching stopped: the planners' figure covers only that"
                )
                break
        await asyncio.sleep(0.5)
    result.observed = time.time() - start
    say(
        f"{result.name}: watched {result.observed:.0f} s; "
        f"{len(carded)} of {len(caregivers)} caregivers have a card"
    )


def measure(
    result: Storm, calls: list[Call], staff: Staff, pressed: dict[int, float], first_press: float
) -> None:
    """Answered, duplicated, times to the card, last card, planner peak: from the call log."""
    cards: dict[int, list[Call]] = defaultdict(list)
    caregivers = {p.telegram_id for p in staff.caregivers}
    planners = {p.telegram_id for p in staff.planners}
    planner_times: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        if call.chat_id in caregivers and call.is_card:
            cards[call.chat_id].append(call)
        elif call.chat_id in planners and call.delivers:
            planner_times[call.chat_id].append(call.at)
    firsts: list[float] = []
    for chat_id, sent in cards.items():
        waited = sent[0].at - pressed[chat_id]
        if waited <= result.deadline:
            result.answered += 1
            result.latencies.append(waited)
            firsts.append(sent[0].at)
        if len(sent) > 1:
            result.duplicated += 1
            if result.duplicated == 1:  # show one, to tell a repeat from a second message
                shown = " / ".join(repr(" ".join(c.text.split())[:70]) for c in sent[:2])
                result.notes.append(f"a duplicated card, chat {chat_id}: {shown}")
    late = len(cards) - result.answered
    if late:
        result.notes.append(f"{late} cards came later than {result.deadline:.0f} s (counted lost)")
    result.last_card = max(firsts) - first_press if firsts else None
    result.planner_peak = max((busiest_minute(t) for t in planner_times.values()), default=0)


# --- Throughput ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """Updates handled per second by one bot, closed loop."""

    updates: int
    seconds: float
    timeouts: int

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Throughput:
    """The bot's rate against the echo bot's."""

    users: int
    seconds: float
    bot: Rate
    echo: Rate

    @property
    def ratio(self) -> float:
        return self.bot.per_second / self.echo.per_second if self.echo.per_second else 0.0


async def one_round(site: Site, person: Person) -> tuple[int, int]:
    """/fejl, press the first button shown, /annuller; return (updates answered, timeouts)."""
    client, tail, chat = site.client, site.tail, person.telegram_id

    async def write(text: str) -> bool:
        mark = tail.latest
        await client.send_text(chat, text, first_name=person.name)
        return await tail.wait_for(lambda: tail.delivered_to(chat, mark), ACTION_TIMEOUT)

    if not await write("/fejl"):
        return 0, 1
    shown = [m for m in await client.messages(chat) if m.from_bot and m.buttons]
    if not shown:
        return 1, 1
    message = shown[-1]
    mark = tail.latest
    _, query = await client.press(chat, message.message_id, text=message.buttons[0])
    if not await tail.wait_for(
        lambda: query in tail.answered_queries and tail.delivered_to(chat, mark), ACTION_TIMEOUT
    ):
        return 1, 1
    if not await write("/annuller"):
        return 2, 1
    return 3, 0


async def drive(site: Site, people: list[Person], seconds: float) -> Rate:
    """Every person does one round unmeasured, then rounds as fast as answered for so long."""
    await asyncio.gather(*(one_round(site, p) for p in people))
    began = time.monotonic()
    until = began + seconds

    async def run(person: Person) -> tuple[int, int, float]:
        updates = timeouts = 0
        while time.monotonic() < until:
            done, failed = await one_round(site, person)
            updates, timeouts = updates + done, timeouts + failed
        return updates, timeouts, time.monotonic()

    results = await asyncio.gather(*(run(p) for p in people))
    ended = max(finished for _, _, finished in results)
    return Rate(sum(u for u, _, _ in results), ended - began, sum(t for _, t, _ in results))


async def run_throughput(users: int, seconds: float, *, keep: bool) -> Throughput:
    """The bot, then the echo bot, on one emulator: the same people, for as long."""
    staff = make_staff(users, 5, 1, 0)
    async with Site("throughput", keep=keep) as site:
        # No limits here: pacing would measure Telegram, not us. Each person writes twice a
        # round as fast as answered, which the flood rule would rightly cut short.
        site.settings.update(UNPACED | {"FLOOD_MESSAGES": "1000000"})
        say(f"throughput: {users} people, rounds of 3 updates for {seconds:.0f} s; enrolling")
        tokens = await site.enrol(staff)
        bot = await site.start_bot()
        await bot.said("Application started", timeout=60)
        await site.join(staff.everyone, tokens)
        await site.quiet()
        say("throughput: the bot")
        bekey = await drive(site, staff.caregivers, seconds)
        await bot.stop()
        say("throughput: the echo bot")
        await site.start_echo_bot()
        echo = await drive(site, staff.caregivers, seconds)
    return Throughput(users, seconds, bekey, echo)


# --- The echo bot (run as ``bench.py --echo-bot``) ----------------------------------------

ECHO_READY = "echo bot ready"
ECHO_BUTTONS = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])


async def echo_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers every message with a message and one button."""
    if update.effective_message is not None:
        await update.effective_message.reply_text("echo", reply_markup=ECHO_BUTTONS)


async def echo_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers every press, then sends a message."""
    query = update.callback_query
    if query is not None:
        await query.answer()
        await context.bot.send_message(query.from_user.id, "pressed", reply_markup=ECHO_BUTTONS)


async def serve_echo_bot() -> None:
    """A bare python-telegram-bot bot: long polling, concurrent updates, no storage."""
    root = os.environ["TELEGRAM_API_BASE_URL"]
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .concurrent_updates(ECHO_CONCURRENCY)
        .build()
    )
    application.add_handler(MessageHandler(tg_filters.ALL, echo_message))
    application.add_handler(CallbackQueryHandler(echo_press))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with application:
        updater = application.updater
        assert updater is not None
        await updater.start_polling(drop_pending_updates=True, allowed_updates=Update.ALL_TYPES)
        await application.start()
        print(ECHO_READY, file=sys.stderr, flush=True)
        await stop.wait()
        await updater.stop()
        await application.stop()


# --- The table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    scenario: str
    figure: str
    measured: str
    target: str = ""
    met: bool | None = None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.95: p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def storm_rows(storm: Storm) -> list[Row]:
    """The storm's figures against the issue's targets."""
    n, name = storm.caregivers, storm.name
    rows = [
        Row(
            name,
            "answered (a card within the deadline)",
            f"{storm.answered}/{n}",
            f"{n}/{n}",
            storm.answered == n,
        ),
        Row(
            name,
            f"lost (no card within {storm.deadline:.0f} s)",
            str(storm.lost),
            "0",
            storm.lost == 0,
        ),
    ]
    if storm.killed:
        allowed = math.floor(n * KILL_DUPLICATES_SHARE)
        rows.append(
            Row(
                name,
                "duplicated (more than one card)",
                str(storm.duplicated),
                f"≤ {allowed} (1%)",
                storm.duplicated <= allowed,
            )
        )
    else:
        rows.append(
            Row(
                name,
                "duplicated (more than one card)",
                str(storm.duplicated),
                "0",
                storm.duplicated == 0,
            )
        )
    if storm.latencies:
        p50, p95 = percentile(storm.latencies, 0.5), percentile(storm.latencies, 0.95)
        worst = max(storm.latencies)
        times = f"{p50:.2f} / {p95:.2f} / {worst:.2f} s"
    else:
        p95, times = math.inf, "no card"
    if not storm.limits:
        rows.append(
            Row(
                name,
                "press to card p50 / p95 / max",
                times,
                f"p95 ≤ {P95_TARGET:.0f} s",
                p95 <= P95_TARGET,
            )
        )
    else:
        rows.append(Row(name, "press to card p50 / p95 / max", times))
    if storm.killed:
        if storm.restart_ready is not None:
            rows.append(Row(name, "kill -9 to running again", f"{storm.restart_ready:.1f} s"))
        return rows
    minimum = storm.minimum
    if storm.last_card is None:
        last = "no card"
    else:
        last = f"{storm.last_card:.1f} s (× {storm.last_card / minimum:.2f} of {minimum:.1f} s)"
        if storm.lost:
            last += f", {storm.lost} never came"
    if storm.limits:
        in_time = storm.last_card is not None and storm.last_card <= LAST_CARD_FACTOR * minimum
        rows.append(
            Row(
                name,
                "first press to last card (× the minimum n/30 s)",
                last,
                f"≤ {LAST_CARD_FACTOR * minimum:.1f} s",
                in_time and not storm.lost,
            )
        )
        rows.append(Row(name, "429s received", str(storm.too_many), "0", storm.too_many == 0))
    else:
        rows.append(Row(name, "first press to last card", last))
    drained = "still sending" if storm.drained is None else f"{storm.drained:.1f} s"
    rows.append(Row(name, "first press to the last message sent (pushes too)", drained))
    rows.append(
        Row(
            name,
            f"most messages to one planner in 60 s ({storm.observed:.0f} s watched)",
            str(storm.planner_peak),
            f"≤ {PLANNER_TARGET}",
            storm.planner_peak <= PLANNER_TARGET,
        )
    )
    return rows


def throughput_rows(result: Throughput) -> list[Row]:
    """Both rates and their ratio."""
    name = "throughput"
    how = f"{result.users} people, {result.seconds:.0f} s"
    rows = [
        Row(name, f"the bot: updates/s ({how})", f"{result.bot.per_second:.1f}"),
        Row(name, "echo bot: updates/s (the same)", f"{result.echo.per_second:.1f}"),
        Row(
            name,
            "the bot ÷ echo bot",
            f"{result.ratio:.2f}",
            f"≥ {THROUGHPUT_TARGET}",
            result.ratio >= THROUGHPUT_TARGET,
        ),
    ]
    timeouts = result.bot.timeouts + result.echo.timeouts
    if timeouts:
        rows.append(
            Row(
                name,
                f"actions not answered within {ACTION_TIMEOUT:.0f} s (bot / echo)",
                f"{result.bot.timeouts} / {result.echo.timeouts}",
                "0",
                False,
            )
        )
    return rows


def table(rows: list[Row]) -> str:
    """The rows as one markdown table."""
    lines = [
        "| scenario | figure | measured | target | |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        verdict = "" if row.met is None else ("met" if row.met else "**missed**")
        lines.append(
            f"| {row.scenario} | {row.figure} | {row.measured} | {row.target} | {verdict} |"
        )
    return "\n".join(lines)


# --- Command line -------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench.sh",
        description="The Bekey bot under load against the local emulator: one table.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"100 caregivers, a 30 s deadline, 20 people for 8 s in throughput; scenarios "
        f"{', '.join(QUICK_SCENARIOS)} unless --scenario says otherwise",
    )
    parser.add_argument(
        "--scenario", action="append", choices=SCENARIOS, help="run only this one (repeatable)"
    )
    parser.add_argument("--caregivers", type=int, help="caregivers in a storm (500; quick 100)")
    parser.add_argument("--deadline", type=float, help="seconds to the card before it is lost")
    parser.add_argument("--users", type=int, help="people at once in throughput (50; quick 20)")
    parser.add_argument(
        "--seconds", type=float, help="seconds each bot is driven in throughput (20; quick 8)"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep each scenario's directory (logs, database)"
    )
    parser.add_argument("--echo-bot", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


async def bench(args: argparse.Namespace) -> int:
    """Run the scenarios asked for; print the table; return the exit status."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    scenarios = args.scenario or (QUICK_SCENARIOS if args.quick else SCENARIOS)
    caregivers = args.caregivers or (100 if args.quick else 500)
    deadline = args.deadline or (30.0 if args.quick else 120.0)
    users = args.users or (20 if args.quick else 50)
    seconds = args.seconds or (8.0 if args.quick else 20.0)
    rows: list[Row] = []
    notes: list[str] = []
    began = time.monotonic()
    load = os.getloadavg()[0]
    for scenario in SCENARIOS:
        if scenario not in scenarios:
            continue
        if scenario == "throughput":
            rows += throughput_rows(await run_throughput(users, seconds, keep=args.keep))
            continue
        storm = await run_storm(
            scenario,
            caregivers,
            limits=scenario != "storm-limits-off",
            kill=scenario == "storm-kill9",
            deadline=deadline,
            keep=args.keep,
        )
        rows += storm_rows(storm)
        notes += [f"{scenario}: {note}" for note in storm.notes]
    print(
        f"Bekey bot benchmark, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} CPUs "
        f"(load {load:.1f} before, {os.getloadavg()[0]:.1f} after), "
        f"{time.monotonic() - began:.0f} s{' (quick)' if args.quick else ''}\n"
    )
    print(table(rows))
    for note in notes:
        print(f"\n- {note}")
    return 0 if all(row.met is not False for row in rows) else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.echo_bot:
        asyncio.run(serve_echo_bot())
        return 0
    try:
        return asyncio.run(bench(args))
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, asyncio.CancelledError):
        print(
            "interrupted: every process stopped, every temporary directory removed", file=sys.stderr
        )
        return 130
    finally:
        clean_up()


if __name__ == "__main__":
    sys.exit(main())
