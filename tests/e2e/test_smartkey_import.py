"""The lock partner's key list: ``python -m bot import-smartkeys FILE [--create-units]``.

An operator registers a unit's Smartkeys and the cabinets they are kept in from a file of
``label,unit,cabinet,location``, as Excel saves it; running it again updates (a key named in
another cabinet moves there) and never doubles. A file with any bad line, or a unit the bot
does not know, imports nothing and names each line; a file that is not a key list is one line.

The command runs in this process through ``bot.cli.main``, the function ``python -m bot``
calls, with its settings from the environment as the operator's shell gives them (it asks
nothing of the Bot API); what the operator sees is the exit code, stdout and stderr, and what
the database holds is read through the storage repositories afterwards.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.cli import main
from bot.settings import Settings
from bot.storage.database import Database
from tests.conftest import TOKEN
from tests.operator import Run

NORD = "Hjemmepleje Nord"
SYD = "Plejecenter Syd"
Cell = str | int | None

HEADER: list[Cell] = ["label", "unit", "cabinet", "location"]
COLUMNS = "label,unit,cabinet,location"

Holdings = dict[str, dict[str, tuple[str, list[str]]]]
"""Per unit, per cabinet: its location and the labels of its keys."""


@dataclass
class Shell:
    """An operator's shell on the server: settings in the environment, files in a folder."""

    workdir: Path
    database: Path
    capsys: pytest.CaptureFixture[str]

    def run(self, *args: str) -> Run:
        """Run ``python -m bot ARGS`` (in this process) and return what the operator saw."""
        self.capsys.readouterr()
        code = main(list(args))
        out, err = self.capsys.readouterr()
        return Run(code, out, err)

    def file(self, name: str, content: str | bytes) -> Path:
        """Save a file in the working directory (text as UTF-8)."""
        path = self.workdir / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        return path

    def holdings(self) -> Holdings:
        """What the database holds: every unit's cabinets, with their keys in use."""
        return asyncio.run(_holdings(self.database))

    def key_ids(self) -> dict[str, int]:
        """Every key's id by unit and label (``unit/label``)."""
        return asyncio.run(_key_ids(self.database))


async def _holdings(path: Path) -> Holdings:
    """Read every unit's cabinets and keys through the repositories."""
    db = Database(path)
    await db.open()
    try:
        async with db.read() as tx:
            held: Holdings = {}
            for unit in await tx.units.all():
                cabinets = await tx.smartkeys.cabinets_of(unit.name)
                keys = await tx.smartkeys.in_unit(unit.name)
                held[unit.name] = {
                    cabinet.name: (
                        cabinet.location,
                        [key.label for key in keys if key.cabinet_id == cabinet.id],
                    )
                    for cabinet in cabinets
                }
            return held
    finally:
        await db.close()


async def _key_ids(path: Path) -> dict[str, int]:
    """Read every unit's keys' ids through the repositories."""
    db = Database(path)
    await db.open()
    try:
        async with db.read() as tx:
            return {
                f"{key.unit}/{key.label}": key.id or 0
                for unit in await tx.units.all()
                for key in await tx.smartkeys.in_unit(unit.name)
            }
    finally:
        await db.close()


@pytest.fixture
def shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Shell:
    """An empty folder to work in, and an environment with the token and the database only."""
    workdir = tmp_path / "operator"
    workdir.mkdir()
    monkeypatch.chdir(workdir)  # no stray .env
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    database = tmp_path / "data" / "bekey.sqlite3"
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("DATABASE_PATH", str(database))
    # The command line hides the token in uncaught tracebacks: put the hooks back afterwards.
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    return Shell(workdir, database, capsys)


def csv_text(rows: Sequence[Sequence[Cell]], separator: str = ",") -> str:
    """A CSV file's text as a spreadsheet saves it (a field holding the separator is quoted)."""
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def workbook(rows: Sequence[Sequence[Cell]]) -> bytes:
    """An Excel workbook (.xlsx) with the rows on its first sheet."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def knows_units(shell: Shell, *names: str) -> None:
    """Add the units, as the operator does before importing."""
    for name in names:
        assert shell.run("units", "add", name).code == 0


def names_bad_lines(run: Run, reasons: dict[int, str]) -> None:
    """Assert exit 1, one ``error: line N: ...`` per bad line in order, then the verdict."""
    assert run.code == 1, run
    assert run.out == ""
    *named, verdict = run.err_lines
    assert len(named) == len(reasons), run.err
    for text, (number, reason) in zip(named, reasons.items(), strict=True):
        assert text.startswith(f"error: line {number}: "), text
        assert reason in text, text
    assert verdict == f"error: {len(reasons)} bad line(s); nothing was imported"


FIRST_LIST: list[list[Cell]] = [
    HEADER,
    ["Nøgle 1", NORD, "Skab Ærø", "Kontoret, 1. sal"],
    ["Nøgle 2", NORD, "Skab Ærø", ""],
    ["Nøgle 3", NORD, "Kælderskab", "Kælderen"],
    ["Blå 7", SYD, "Nøgleskab", "Vaskeriet"],
]
FIRST_HOLDINGS: Holdings = {
    NORD: {
        "Kælderskab": ("Kælderen", ["Nøgle 3"]),
        "Skab Ærø": ("Kontoret, 1. sal", ["Nøgle 1", "Nøgle 2"]),
    },
    SYD: {"Nøgleskab": ("Vaskeriet", ["Blå 7"])},
}


def test_an_operator_imports_a_comma_separated_key_list(shell: Shell) -> None:
    knows_units(shell, NORD, SYD)
    path = shell.file("nøgler.csv", csv_text(FIRST_LIST))

    run = shell.run("import-smartkeys", str(path))

    assert run.code == 0, run
    assert run.err == ""
    assert run.out_lines == ["imported 4 key(s) (4 new, 0 moved) and 3 new cabinet(s)"]
    assert shell.holdings() == FIRST_HOLDINGS


def test_an_operator_imports_danish_excels_csv_with_its_letters_and_the_units_spelling(
    shell: Shell,
) -> None:
    knows_units(shell, NORD, SYD)
    rows = [[*row[:1], str(row[1]).lower(), *row[2:]] for row in FIRST_LIST[1:]]
    data = csv_text([HEADER, *rows], separator=";").encode("cp1252")
    assert "Ærø".encode("cp1252") in data  # Windows-1252 letters, not UTF-8
    path = shell.file("nøgler.csv", data)

    run = shell.run("import-smartkeys", str(path))

    assert run.code == 0, run
    assert run.out_lines == ["imported 4 key(s) (4 new, 0 moved) and 3 new cabinet(s)"]
    assert shell.holdings() == FIRST_HOLDINGS  # "hjemmepleje nord" is filed as the unit is


def test_an_operator_imports_a_workbook(shell: Shell) -> None:
    knows_units(shell, NORD)
    rows: list[list[Cell]] = [
        HEADER,
        [17, NORD, "Skab Ærø", "Kontoret"],  # a label typed as a number
        ["Nøgle 2", NORD, "Skab Ærø", None],
        [None, None, None, None],
    ]
    path = shell.file("nøgler.xlsx", workbook(rows))

    run = shell.run("import-smartkeys", str(path))

    assert run.code == 0, run
    assert run.out_lines == ["imported 2 key(s) (2 new, 0 moved) and 1 new cabinet(s)"]
    assert shell.holdings() == {NORD: {"Skab Ærø": ("Kontoret", ["17", "Nøgle 2"])}}


def test_importing_again_moves_and_adds_keys_and_never_doubles_them(shell: Shell) -> None:
    knows_units(shell, NORD, SYD)
    first = shell.run("import-smartkeys", str(shell.file("nøgler.csv", csv_text(FIRST_LIST))))
    assert first.code == 0, first
    ids = shell.key_ids()
    second_list: list[list[Cell]] = [
        HEADER,
        ["NØGLE 1", NORD, "skab ærø", ""],  # as it was, spelt otherwise; the location kept
        ["Nøgle 2", NORD, "Kælderskab", "Kælderen, bag trappen"],  # moved; a new location
        ["Nøgle 3", NORD, "Kælderskab", ""],
        ["Nøgle 4", NORD, "Bilen", "Carport"],  # new, in a new cabinet
        ["Blå 7", SYD, "Nøgleskab", "Vaskeriet"],
    ]
    path = shell.file("nøgler-2.csv", csv_text(second_list))

    second = shell.run("import-smartkeys", str(path))
    third = shell.run("import-smartkeys", str(path))

    assert second.code == 0, second
    assert second.out_lines == ["imported 5 key(s) (1 new, 1 moved) and 1 new cabinet(s)"]
    assert third.code == 0, third
    assert third.out_lines == ["imported 5 key(s) (0 new, 0 moved) and 0 new cabinet(s)"]
    assert shell.holdings() == {
        NORD: {
            "Bilen": ("Carport", ["Nøgle 4"]),
            "Kælderskab": ("Kælderen, bag trappen", ["Nøgle 2", "Nøgle 3"]),
            "Skab Ærø": ("Kontoret, 1. sal", ["Nøgle 1"]),
        },
        SYD: {"Nøgleskab": ("Vaskeriet", ["Blå 7"])},
    }
    after = shell.key_ids()
    assert len(after) == 5
    assert {name: after[name] for name in ids} == ids  # the same keys, not new ones


def test_a_file_with_bad_lines_names_each_one_and_imports_nothing(shell: Shell) -> None:
    knows_units(shell, NORD)
    rows: list[list[Cell]] = [
        HEADER,
        ["Nøgle 1", NORD, "Skab A", "Kontoret"],
        ["En alt for lang nøglebetegnelse", NORD, "Skab A", ""],
        ["Nøgle 3", NORD, "", "Kontoret"],
        ["NOEGLE 1", NORD, "Skab B", ""],
        ["Nøgle 5", NORD, "Skab A"],
        ["Nøgle 6", NORD, "Skab A", "hos 010190-1234"],  # made-up CPR-shaped data
        ["Nøgle 7", NORD, "Skab A", "Kontoret"],
    ]
    path = shell.file("nøgler.csv", csv_text(rows))

    run = shell.run("import-smartkeys", str(path))

    names_bad_lines(
        run,
        {
            3: "too long: label",
            4: "empty field: cabinet",
            5: "duplicate of line 2",
            6: "expected 4 fields, found 3",
            7: "looks like a CPR number",
        },
    )
    assert "010190" not in run.err
    assert shell.holdings() == {NORD: {}}


def test_a_unit_the_bot_does_not_know_fails_the_whole_file_and_names_the_known_units(
    shell: Shell,
) -> None:
    knows_units(shell, NORD, SYD)
    rows: list[list[Cell]] = [
        HEADER,
        ["Nøgle 1", NORD, "Skab A", "Kontoret"],
        ["Nøgle 1", "Hjemmepleje Øst", "Skab A", "Kontoret"],
    ]
    path = shell.file("nøgler.csv", csv_text(rows))

    run = shell.run("import-smartkeys", str(path))

    names_bad_lines(
        run,
        {3: f"the bot does not know the unit «Hjemmepleje Øst» (known: {NORD}, {SYD})"},
    )
    assert "--create-units" in run.err_lines[0]
    assert shell.holdings() == {NORD: {}, SYD: {}}  # not even the known unit's key


def test_with_create_units_an_unknown_unit_is_added_and_its_keys_imported(shell: Shell) -> None:
    rows: list[list[Cell]] = [
        HEADER,
        ["Nøgle 1", "Hjemmepleje Øst", "Skab A", "Kontoret"],
        ["Nøgle 2", "hjemmepleje øst", "Skab A", ""],
    ]
    path = shell.file("nøgler.csv", csv_text(rows))

    refused = shell.run("import-smartkeys", str(path))
    created = shell.run("import-smartkeys", str(path), "--create-units")

    names_bad_lines(
        refused,
        {
            2: "the bot does not know the unit «Hjemmepleje Øst» (known: none yet)",
            3: "the bot does not know the unit «hjemmepleje øst» (known: none yet)",
        },
    )
    assert created.code == 0, created
    assert created.out_lines == ["imported 2 key(s) (2 new, 0 moved) and 1 new cabinet(s)"]
    assert shell.holdings() == {"Hjemmepleje Øst": {"Skab A": ("Kontoret", ["Nøgle 1", "Nøgle 2"])}}


CANNOT_READ = {
    "an empty file": b"",
    "the citizens' file": csv_text([["ref", "name", "address", "unit", "bekey_door"]]).encode(),
    "a staff workbook": workbook(
        [["user_id", "name", "role", "unit"], ["ab1234", "A", "elev", NORD]]
    ),
}


@pytest.mark.parametrize("content", CANNOT_READ.values(), ids=CANNOT_READ.keys())
def test_a_file_that_is_not_a_key_list_is_refused_in_one_line(shell: Shell, content: bytes) -> None:
    knows_units(shell, NORD)
    path = shell.file("nøgler.xlsx", content)

    run = shell.run("import-smartkeys", str(path))

    line = run.refused_in_one_line(1)
    assert line.startswith(f"error: {path}: ")
    assert f"Expected: the columns {COLUMNS} in the first row" in line
    assert shell.holdings() == {NORD: {}}


def test_a_file_that_is_not_there_is_refused_in_one_line(shell: Shell) -> None:
    run = shell.run("import-smartkeys", "nøgler.csv")

    assert run.refused_in_one_line(2) == "error: nøgler.csv: no such file"
    assert not shell.database.exists()  # refused before the database is opened
