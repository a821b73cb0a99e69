"""Smartkey files as the lock partner's list is saved: bytes in, the same rows out.

A file is ``label,unit,cabinet,location``, one key a line. It reads the same as CSV with
``,`` or ``;``, in UTF-8 (with or without a byte-order mark) or Windows-1252, or as a
workbook; every bad line is named with its reason, and a unit's key on two lines is one of
them, however its label or unit is spelt.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from bot.render.csvfiles import SMARTKEY_HEADER, LineError, parse_smartkeys
from bot.render.spreadsheets import Refusal, Unreadable
from bot.storage.smartkeys import SmartkeyRow

NORD = "Hjemmepleje Nord"
SYD = "Plejecenter Syd"

# Made-up CPR-shaped test data (1 January 1990, serial 1234): nobody's number.
FAKE_CPR = "010190-1234"

Cell = str | int | None

KEYS: list[list[Cell]] = [
    ["label", "unit", "cabinet", "location"],
    ["Nøgle 1", NORD, "Skab Ærø", "Kontoret, 1. sal"],
    ["Nøgle 2", NORD, "Skab Ærø", ""],
    ["Blå 7", SYD, "Nøgleskab", "Kælderen ved vaskeriet"],
]
KEY_ROWS = [
    SmartkeyRow("Nøgle 1", NORD, "Skab Ærø", "Kontoret, 1. sal"),
    SmartkeyRow("Nøgle 2", NORD, "Skab Ærø", ""),
    SmartkeyRow("Blå 7", SYD, "Nøgleskab", "Kælderen ved vaskeriet"),
]


def csv_file(
    rows: Sequence[Sequence[Cell]],
    *,
    separator: str = ",",
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> bytes:
    """A CSV file as a spreadsheet saves it (a field holding the separator is quoted)."""
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=line_end).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: Sequence[Sequence[Cell]]) -> bytes:
    """An Excel workbook with the rows on its first sheet."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def keys_file(*lines: Sequence[Cell]) -> bytes:
    """A comma-separated Smartkey file: the header, then these lines (line 2 on)."""
    return csv_file([list(SMARTKEY_HEADER), *lines])


def reasons(data: bytes) -> list[str]:
    """Each bad line as the command line prints it (after ``error: ``)."""
    parsed = parse_smartkeys(data, "nøgler.csv")
    return [str(error) for error in parsed.errors]


SAVED_AS = {
    "CSV UTF-8 with commas": csv_file(KEYS),
    "CSV UTF-8 (Excel: byte-order mark, semicolons, CRLF)": b"\xef\xbb\xbf"
    + csv_file(KEYS, separator=";", line_end="\r\n"),
    "CSV in Windows-1252 with semicolons (Excel in Danish)": csv_file(
        KEYS, separator=";", encoding="cp1252", line_end="\r\n"
    ),
    "Excel workbook": xlsx_file(KEYS),
}


@pytest.mark.parametrize("data", SAVED_AS.values(), ids=SAVED_AS.keys())
def test_a_key_list_reads_the_same_however_it_was_saved(data: bytes) -> None:
    parsed = parse_smartkeys(data, "nøgler")

    assert parsed.errors == []
    assert parsed.rows == KEY_ROWS
    assert parsed.lines == [2, 3, 4]


def test_a_workbook_gives_a_label_typed_as_a_number_and_an_empty_location_as_text() -> None:
    rows: list[list[Cell]] = [[*SMARTKEY_HEADER], [17, NORD, "Skab A", None], [None] * 4]

    parsed = parse_smartkeys(xlsx_file(rows), "nøgler.xlsx")

    assert parsed.errors == []
    assert parsed.rows == [SmartkeyRow("17", NORD, "Skab A", "")]


def test_cells_are_trimmed_and_the_header_may_differ_in_case_and_spaces() -> None:
    data = csv_file([[" Label ", "UNIT", "Cabinet", " location"], [" K1 ", f" {NORD}", "A ", " "]])

    assert parse_smartkeys(data).rows == [SmartkeyRow("K1", NORD, "A", "")]


def test_a_label_cabinet_and_location_may_be_as_long_as_their_limits_and_no_longer() -> None:
    data = keys_file(
        ["k" * 24, NORD, "c" * 60, "l" * 120],
        ["k" * 25, NORD, "Skab A", ""],
        ["K2", NORD, "c" * 61, ""],
        ["K3", NORD, "Skab A", "l" * 121],
        ["k" * 25, NORD, "c" * 61, "l" * 121],
    )

    parsed = parse_smartkeys(data)

    assert parsed.rows == [SmartkeyRow("k" * 24, NORD, "c" * 60, "l" * 120)]
    assert [str(error) for error in parsed.errors] == [
        "line 3: too long: label",
        "line 4: too long: cabinet",
        "line 5: too long: location",
        "line 6: too long: label, cabinet, location",
    ]


def test_a_label_unit_and_cabinet_are_required_and_the_location_is_not() -> None:
    data = keys_file(["", NORD, "Skab A", "Kontoret"], ["K2", " ", " ", ""], ["K3", NORD, "A", ""])

    assert reasons(data) == ["line 2: empty field: label", "line 3: empty field: unit, cabinet"]
    assert parse_smartkeys(data).rows == [SmartkeyRow("K3", NORD, "A", "")]


def test_a_tab_or_a_line_break_inside_a_cell_is_a_bad_line() -> None:
    data = csv_file(
        [[*SMARTKEY_HEADER], ["K\t1", NORD, "Skab A", ""], ["K2", NORD, "Skab A", "1.\nsal"]],
        separator=";",
    )

    parsed = parse_smartkeys(data)

    assert parsed.rows == []
    assert [error.line for error in parsed.errors] == [2, 4]  # line 3 goes on to line 4
    assert {error.code for error in parsed.errors} == {"unreadable"}


def test_a_units_key_named_twice_is_a_duplicate_however_it_is_spelt() -> None:
    data = keys_file(
        ["Nøgle 1", NORD, "Skab A", ""],
        ["NOEGLE  1", "hjemmepleje  nord", "Skab B", ""],  # æøå as oe, case, spaces
        ["Nøgle 1", SYD, "Skab A", ""],  # another unit's key of that label
        ["Nøgle 2", NORD, "Skab A", ""],  # another key in the same cabinet
        ["nøgle 2", NORD, "Skab A", ""],
    )

    parsed = parse_smartkeys(data)

    assert [str(error) for error in parsed.errors] == [
        "line 3: duplicate of line 2",
        "line 6: duplicate of line 5",
    ]
    assert [(row.label, row.unit) for row in parsed.rows] == [
        ("Nøgle 1", NORD),
        ("Nøgle 1", SYD),
        ("Nøgle 2", NORD),
    ]
    assert parsed.lines == [2, 4, 5]


def test_a_cpr_number_and_a_wrong_field_count_are_bad_lines_without_the_value() -> None:
    data = keys_file(["K1", NORD, "Skab A", f"hos {FAKE_CPR}"], ["K2", NORD, "Skab A"])

    assert reasons(data) == [
        "line 2: looks like a CPR number; CPR numbers must not be used",
        "line 3: expected 4 fields, found 3",
    ]


def test_every_bad_line_is_named_in_line_order_and_no_good_line_hides_one() -> None:
    data = keys_file(
        ["K1", NORD, "Skab A", ""],
        ["k" * 25, NORD, "Skab A", ""],
        ["K3", "", "Skab A", ""],
        ["k1", NORD, "Skab B", ""],
    )

    parsed = parse_smartkeys(data)

    assert parsed.errors == [
        LineError(3, "too_long", {"fields": "label"}),
        LineError(4, "empty", {"fields": "unit"}),
        LineError(5, "duplicate", {"first": 2}),
    ]


CANNOT_READ = {
    "an empty file": b"",
    "the citizens' header": csv_file([["ref", "name", "address", "unit", "bekey_door"]]),
    "a header without location": csv_file([["label", "unit", "cabinet"], ["K1", NORD, "A"]]),
    "no header, keys at once": csv_file([["K1", NORD, "Skab A", "Kontoret"]]),
}


@pytest.mark.parametrize("data", CANNOT_READ.values(), ids=CANNOT_READ.keys())
def test_a_file_without_the_smartkey_header_cannot_be_read(data: bytes) -> None:
    with pytest.raises(Unreadable) as refused:
        parse_smartkeys(data, "nøgler.csv")

    assert refused.value.reason is Refusal.HEADER
    assert "label,unit,cabinet,location" in str(refused.value)


def test_a_header_alone_is_a_file_of_no_keys() -> None:
    parsed = parse_smartkeys(keys_file())

    assert (parsed.rows, parsed.errors) == ([], [])
