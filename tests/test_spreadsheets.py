"""Staff and citizen files as people save them: bytes in, the same rows out, whatever the format.

Excel in Danish saves "CSV" with ``;`` in Windows-1252, "CSV UTF-8" with a byte-order mark,
and workbooks (.xlsx) with numbers where a person typed digits. Every one of them must give
the same rows, the same named bad lines, and the same CPR guard; a file that cannot be read
at all is refused as a whole, saying what is expected.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

import pytest
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.render.csvfiles import (
    CITIZEN_HEADER,
    STAFF_HEADER,
    parse_citizens,
    parse_lifecycle,
    parse_staff,
)
from bot.render.spreadsheets import (
    MAX_BYTES,
    MAX_UNPACKED_BYTES,
    Refusal,
    Unreadable,
    read_table,
)
from bot.storage.citizens import CitizenRow
from bot.storage.employees import StaffRow
from state.bekey_lifecycle import LifecycleState
from state.roles import Role

# Made-up CPR-shaped test data (1 January 1990, serial 1234): nobody's number.
FAKE_CPR = "0101901234"
FAKE_CPR_WITHOUT_ITS_ZERO = 101901234  # what Excel keeps when 0101901234 is typed as a number

Cell = str | int | float | None

STAFF: list[list[Cell]] = [
    ["user_id", "name", "role", "unit"],
    ["ab1234", "Anna Jensen", "hjemmehjælper", "Hjemmepleje Nord"],
    ["cd5678", "Bo Sørensen", "afløser", "Hjemmepleje Nord"],
    ["ef9012", "Eva Østergaard", "nattevagt", "Plejecenter Syd"],
]
STAFF_ROWS = [
    StaffRow("ab1234", "Anna Jensen", Role.CAREGIVER, "Hjemmepleje Nord"),
    StaffRow("cd5678", "Bo Sørensen", Role.SUBSTITUTE, "Hjemmepleje Nord"),
    StaffRow("ef9012", "Eva Østergaard", Role.NIGHT_GUARD, "Plejecenter Syd"),
]


def csv_file(
    rows: Sequence[Sequence[Cell]],
    *,
    separator: str = ",",
    encoding: str = "utf-8",
    line_end: str = "\n",
) -> bytes:
    """A CSV file as a spreadsheet saves it (a field holding the separator is quoted)."""

    def field(cell: Cell) -> str:
        text = "" if cell is None else str(cell)
        return f'"{text}"' if separator in text else text

    lines = [separator.join(field(cell) for cell in row) for row in rows]
    return (line_end.join(lines) + line_end).encode(encoding)


def sheet_of(workbook: Workbook) -> Worksheet:
    sheet = workbook.active
    assert isinstance(sheet, Worksheet)
    return sheet


def xlsx_file(rows: Sequence[Sequence[Cell]], *, styled_empty_rows: int = 0) -> bytes:
    """An Excel workbook with the rows on its first sheet (and a second sheet to be ignored).

    ``styled_empty_rows``: rows below the data that hold only formatting, as a sheet does
    where someone once typed and deleted, or made a column bold all the way down.
    """
    workbook = Workbook()
    sheet = sheet_of(workbook)
    for row in rows:
        sheet.append(list(row))
    for offset in range(styled_empty_rows):
        sheet.cell(row=len(rows) + 1 + offset, column=1).font = Font(bold=True)
    workbook.create_sheet("Noter").append(["ikke", "en", "del", "af", "listen"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the same staff, however it was saved --------------------------------------------------

SAVED_AS = {
    "CSV UTF-8 with commas": csv_file(STAFF),
    "CSV UTF-8 (Excel: byte-order mark, semicolons, CRLF)": b"\xef\xbb\xbf"
    + csv_file(STAFF, separator=";", line_end="\r\n"),
    "CSV in Windows-1252 with semicolons (Excel in Danish)": csv_file(
        STAFF, separator=";", encoding="cp1252", line_end="\r\n"
    ),
    "CSV in Windows-1252 with commas": csv_file(STAFF, encoding="cp1252"),
    "Excel workbook": xlsx_file(STAFF),
    "Excel workbook with formatted empty rows below": xlsx_file(STAFF, styled_empty_rows=40),
}


@pytest.mark.parametrize("data", SAVED_AS.values(), ids=SAVED_AS.keys())
def test_a_staff_list_reads_the_same_however_excel_saved_it(data: bytes) -> None:
    parsed = parse_staff(data, "personale")

    assert parsed.errors == []
    assert parsed.rows == STAFF_ROWS
    assert parsed.lines == [2, 3, 4]


def test_a_semicolon_file_keeps_the_commas_inside_an_address() -> None:
    rows: list[list[Cell]] = [
        list(CITIZEN_HEADER),
        ["B-1001", "Karen Madsen", "Skovvej 12, 4690 Haslev", "Hjemmepleje Nord", "Bagdør"],
    ]

    parsed = parse_citizens(csv_file(rows, separator=";", encoding="cp1252"))

    assert parsed.errors == []
    assert parsed.rows == [
        CitizenRow(
            "B-1001", "Karen Madsen", "Skovvej 12, 4690 Haslev", "Hjemmepleje Nord", "Bagdør"
        )
    ]


def test_a_header_typed_in_capitals_with_stray_spaces_is_the_header() -> None:
    rows: list[list[Cell]] = [["User_ID ", " Name", "ROLE", "Unit"], STAFF[1]]

    assert parse_staff(csv_file(rows, separator=";")).rows == STAFF_ROWS[:1]


# --- Excel cells as text --------------------------------------------------------------------


def test_a_user_id_typed_as_a_number_reads_as_the_digits_typed() -> None:
    rows: list[list[Cell]] = [
        list(STAFF_HEADER),
        [1234, "Anna Jensen", "hjemmehjælper", "Hjemmepleje Nord"],
        [5678.0, "Bo Sørensen", "afløser", "Hjemmepleje Nord"],
    ]

    parsed = parse_staff(xlsx_file(rows))

    assert parsed.errors == []
    assert [row.user_id for row in parsed.rows] == ["1234", "5678"]


def test_an_empty_cell_at_the_right_of_a_sheet_is_named_as_empty_not_as_a_missing_field() -> None:
    rows: list[list[Cell]] = [
        list(STAFF_HEADER),
        ["ab1234", "Anna Jensen", "hjemmehjælper", None],
        ["cd5678", None, "afløser", "Hjemmepleje Nord"],
    ]

    parsed = parse_staff(xlsx_file(rows))

    assert [str(error) for error in parsed.errors] == [
        "line 2: empty field: unit",
        "line 3: empty field: name",
    ]


def test_stray_empty_columns_at_the_right_are_ignored() -> None:
    rows: list[list[Cell]] = [[*STAFF_HEADER, "", ""], [*STAFF[1], "", ""]]

    assert parse_staff(csv_file(rows, separator=";")).rows == STAFF_ROWS[:1]
    assert parse_staff(xlsx_file(rows)).rows == STAFF_ROWS[:1]


def test_a_bad_row_of_a_sheet_is_named_by_its_row_number() -> None:
    rows: list[list[Cell]] = [
        list(STAFF_HEADER),
        STAFF[1],
        [None, None, None, None],
        ["cd5678", "Carl Hansen", "chauffør", "Hjemmepleje Nord"],
    ]

    parsed = parse_staff(xlsx_file(rows))

    assert parsed.rows == STAFF_ROWS[:1]
    assert [str(error) for error in parsed.errors] == [
        "line 4: unknown role 'chauffør' (one of: caregiver, substitute, student, night_guard, "
        "planner, key_person, leader, visitation)"
    ]
    assert parsed.errors[0].text("da") == (
        "Linje 4: ukendt rolle «chauffør» (en af: hjemmehjælper, afløser, elev, nattevagt, "
        "planlægger, nøgleperson, leder, visitator)"
    )


# --- the CPR guard, on every cell of every format -------------------------------------------

CPR_FILES = {
    "CSV, Windows-1252, semicolons": csv_file(
        [*STAFF[:2], ["gh3456", f"Gitte {FAKE_CPR}", "elev", "Hjemmepleje Nord"]],
        separator=";",
        encoding="cp1252",
    ),
    "Excel, in a text cell": xlsx_file(
        [*STAFF[:2], ["gh3456", "Gitte Holm", "elev", f"{FAKE_CPR[:6]}-{FAKE_CPR[6:]}"]]
    ),
    "Excel, typed as a number (its leading zero lost)": xlsx_file(
        [*STAFF[:2], [FAKE_CPR_WITHOUT_ITS_ZERO, "Gitte Holm", "elev", "Hjemmepleje Nord"]]
    ),
    "CSV, the number as Excel saves it without its zero": csv_file(
        [*STAFF[:2], [FAKE_CPR_WITHOUT_ITS_ZERO, "Gitte Holm", "elev", "Hjemmepleje Nord"]]
    ),
}


@pytest.mark.parametrize("data", CPR_FILES.values(), ids=CPR_FILES.keys())
def test_a_cell_that_looks_like_a_cpr_number_refuses_its_line_and_is_never_echoed(
    data: bytes,
) -> None:
    parsed = parse_staff(data)

    assert parsed.rows == STAFF_ROWS[:1]
    assert [(error.line, error.code) for error in parsed.errors] == [(3, "cpr")]
    for shown in (str(parsed.errors[0]), parsed.errors[0].text("da")):
        assert "1901234" not in shown


# --- files that cannot be read at all -------------------------------------------------------


def corrupt_xlsx() -> bytes:
    good = xlsx_file(STAFF)
    return good[: len(good) // 2]


def zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


UNREADABLE = {
    "binary junk": (b"\x00\x01\x02\xffGIF89a\x00\x00", "hold.csv", "not_spreadsheet"),
    "bytes neither UTF-8 nor Windows-1252": (b"user_id\x81name", "", "not_spreadsheet"),
    "UTF-16 text": ("user_id\tname\n".encode("utf-16"), "", "not_spreadsheet"),
    "a damaged workbook": (corrupt_xlsx(), "hold.xlsx", "xlsx"),
    "a zip that is no workbook": (zip_of("notes.txt", b"hello"), "hold.csv", "xlsx"),
    "the old Excel format": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "", "xls"),
    "text named as a workbook": (b"hello", "hold.xlsx", "xlsx"),
    "an empty file": (b"", "hold.csv", "header"),
    "a wrong header": (csv_file([["userid", "name", "role", "unit"], STAFF[1]]), "", "header"),
    "a missing column": (csv_file([["user_id", "name", "role"]]), "", "header"),
    "a blank first line": (b"\n" + csv_file(STAFF), "", "header"),
    "too big": (csv_file(STAFF) + b"x" * MAX_BYTES, "", "too_big"),
    "a workbook that unpacks too big": (
        zip_of("xl/worksheets/sheet1.xml", b"\0" * (MAX_UNPACKED_BYTES + 1)),
        "hold.xlsx",
        "too_big",
    ),
}


@pytest.mark.parametrize(("data", "name", "reason"), UNREADABLE.values(), ids=UNREADABLE.keys())
def test_a_file_that_cannot_be_read_is_refused_whole_with_the_reason(
    data: bytes, name: str, reason: str
) -> None:
    with pytest.raises(Unreadable) as refused:
        parse_staff(data, name)

    assert refused.value.reason == reason


def test_a_refusal_says_what_is_expected_in_danish_and_english_and_in_one_line() -> None:
    with pytest.raises(Unreadable) as refused:
        parse_citizens(csv_file(STAFF))

    assert refused.value.text("da") == (
        "Første række har ikke de rigtige kolonner.\n"
        "Jeg forventer kolonnerne <code>ref,name,address,unit,bekey_door[,bekey_status]</code> "
        "i første række, "
        "som CSV (adskilt med , eller ;) eller Excel (.xlsx)."
    )
    assert refused.value.text("en") == (
        "The first row does not have the right columns.\n"
        "Expected: the columns <code>ref,name,address,unit,bekey_door[,bekey_status]</code> "
        "in the first row, "
        "as CSV (separated by , or ;) or Excel (.xlsx)."
    )
    assert str(refused.value) == (
        "The first row does not have the right columns. "
        "Expected: the columns ref,name,address,unit,bekey_door[,bekey_status] in the first row, "
        "as CSV (separated by , or ;) or Excel (.xlsx)."
    )


def test_a_refused_header_is_never_echoed_so_a_cpr_number_in_it_is_not_either() -> None:
    with pytest.raises(Unreadable) as refused:
        read_table(csv_file([[FAKE_CPR, "name", "role", "unit"]]), STAFF_HEADER)

    for shown in (str(refused.value), refused.value.text("da"), refused.value.text("en")):
        assert FAKE_CPR not in shown


def test_a_line_csv_cannot_read_is_named_and_the_rest_still_read() -> None:
    huge_field = "x" * 140_000  # over the csv module's field limit
    data = csv_file([*STAFF[:2], [huge_field, "y", "z", "w"], STAFF[2]])

    parsed = parse_staff(data)

    assert [(error.line, error.code) for error in parsed.errors] == [(3, "unreadable")]
    assert parsed.rows == STAFF_ROWS[:2]


# --- the citizens' optional bekey_status column ---------------------------------------------

CITIZENS_WITH_STATUS: list[list[Cell]] = [
    [*CITIZEN_HEADER, "bekey_status"],
    ["B-1", "Karen Madsen", "Skovvej 12, 4690 Haslev", "Hjemmepleje Nord", "Bagdør", "bestilt"],
    ["B-2", "Poul Nielsen", "Torvet 3", "Hjemmepleje Nord", "Hoveddør", "Installed"],
    ["B-3", "Åse Ærø", "Ågade 1", "Hjemmepleje Nord", "Bagdør", None],
    ["B-4", "Ib Øst", "Østergade 2", "Hjemmepleje Nord", "Bagdør", "fjernelse-bestilt"],
]
STATUSES = [
    LifecycleState.ORDERED,
    LifecycleState.INSTALLED,
    None,
    LifecycleState.REMOVAL_ORDERED,
]

WITH_STATUS_SAVED_AS = {
    "CSV UTF-8 with commas": csv_file(CITIZENS_WITH_STATUS),
    "CSV UTF-8 (Excel: byte-order mark, semicolons, CRLF)": b"\xef\xbb\xbf"
    + csv_file(CITIZENS_WITH_STATUS, separator=";", line_end="\r\n"),
    "CSV in Windows-1252 with semicolons (Excel in Danish)": csv_file(
        CITIZENS_WITH_STATUS, separator=";", encoding="cp1252", line_end="\r\n"
    ),
    "Excel workbook": xlsx_file(CITIZENS_WITH_STATUS),
}


@pytest.mark.parametrize("data", WITH_STATUS_SAVED_AS.values(), ids=WITH_STATUS_SAVED_AS.keys())
def test_a_status_column_reads_the_same_however_excel_saved_it(data: bytes) -> None:
    parsed = parse_citizens(data)

    assert parsed.errors == []
    assert [row.lifecycle for row in parsed.rows] == STATUSES
    assert parsed.rows[0] == CitizenRow(
        "B-1",
        "Karen Madsen",
        "Skovvej 12, 4690 Haslev",
        "Hjemmepleje Nord",
        "Bagdør",
        LifecycleState.ORDERED,
    )


def test_every_state_reads_by_its_code_and_by_its_danish_word() -> None:
    for state in LifecycleState:
        assert parse_lifecycle(state.value) is state
        assert parse_lifecycle(state.value.upper().replace("_", " ")) is state
    danish = {
        "aktiv": LifecycleState.ACTIVE,
        "anmodet": LifecycleState.REQUESTED,
        "bestilt": LifecycleState.ORDERED,
        "Monteret": LifecycleState.INSTALLED,
        "fjernet": LifecycleState.REMOVED,
        "LUKKET": LifecycleState.CLOSED,
        "annulleret": LifecycleState.CANCELLED,
    }
    for word, state in danish.items():
        assert parse_lifecycle(word) is state
    assert parse_lifecycle("måske") is None
    assert parse_lifecycle("") is None


def test_a_file_without_the_status_column_leaves_every_lifecycle_unset() -> None:
    rows: list[list[Cell]] = [list(CITIZEN_HEADER), CITIZENS_WITH_STATUS[1][:5]]

    parsed = parse_citizens(xlsx_file(rows))

    assert parsed.errors == []
    assert [row.lifecycle for row in parsed.rows] == [None]


def test_an_unknown_status_fails_its_line_naming_the_allowed_values() -> None:
    bad: list[Cell] = ["B-9", "Ole", "Vej 1", "Nord", "Bagdør", "måske"]
    rows = [*CITIZENS_WITH_STATUS[:2], bad]

    parsed = parse_citizens(csv_file(rows))

    [error] = parsed.errors
    assert (error.line, error.code) == (3, "bekey_status")
    assert str(error).startswith("line 3: unknown bekey_status 'måske' (one of: active/aktiv, ")
    assert "ukendt bekey_status «måske» (en af: " in error.text("da")
    assert [row.ref for row in parsed.rows] == ["B-1"]


def test_a_status_row_short_of_its_cell_is_a_field_count_error() -> None:
    data = csv_file(CITIZENS_WITH_STATUS[:1]) + b"B-1,Karen,Vej 1,Nord,Bagdoer\n"

    [error] = parse_citizens(data).errors

    assert (error.code, error.params) == ("field_count", {"expected": 6, "found": 5})


def test_staff_and_smartkey_files_take_no_extra_column() -> None:
    rows = [[*STAFF[0], "bekey_status"], [*STAFF[1], "aktiv"]]

    with pytest.raises(Unreadable) as refused:
        parse_staff(csv_file(rows))

    assert refused.value.reason == Refusal.HEADER
    assert "[," not in str(refused.value)
