"""Reading a spreadsheet as people save it: bytes in, the rows under its header out.

- ``read_table(data, columns, name, extra)``: the rows of a file whose first row must be
  ``columns``, then any of the ``extra`` (optional) columns, each row with the line (CSV) or
  row number (Excel) a person sees it at, and the columns the file has; raises ``Unreadable``.
- ``Unreadable``: why (a ``Refusal``) a whole file cannot be read, worded with what is
  expected instead: ``text(language)`` for a person in chat, ``str()`` for the operator
  (English, one line).

What is read: CSV separated by ``,`` or ``;`` (sniffed from the header line; Excel in Danish
saves ``;``), in UTF-8 with or without a byte-order mark or else Windows-1252 (what Excel in
Danish saves as plain "CSV"); and Excel workbooks (``.xlsx``: the first sheet, every cell
as text, a whole number as ``1234`` not ``1234.0``). Pure: no files, no network, no clock.
"""

from __future__ import annotations

import csv
import html
import io
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Final

from openpyxl import load_workbook

from bot.render.i18n import Html, plain, t

MAX_BYTES: Final = 256 * 1024
"""The largest file read, as sent or saved (before unpacking an .xlsx)."""
MAX_UNPACKED_BYTES: Final = 16 * 1024 * 1024
"""The most an .xlsx may unpack to: a 256 kB workbook of staff is far below; a zip bomb is not."""

_XLSX_MAGIC: Final = b"PK\x03\x04"
_XLS_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary Excel format (OLE2)
_SEPARATORS: Final = (",", ";")
_ALLOWED_CONTROLS: Final = frozenset("\t\n\r")


class Refusal(StrEnum):
    """Why a whole file is refused (the key of its text under ``[import]``)."""

    TOO_BIG = "too_big"
    NOT_SPREADSHEET = "not_spreadsheet"
    XLS = "xls"
    """The old binary Excel format, which is not read."""
    XLSX = "xlsx"
    """A workbook that cannot be opened: damaged, or not a workbook at all."""
    HEADER = "header"
    """The first row is not the expected columns."""


class Unreadable(Exception):
    """A whole file cannot be read as the expected spreadsheet; nothing in it is echoed back."""

    def __init__(
        self, reason: Refusal, columns: tuple[str, ...], extra: tuple[str, ...] = ()
    ) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.columns = columns
        self.extra = extra

    def _expected(self) -> str:
        """The columns expected, the optional ones in brackets: ``ref,...,bekey_door[,status]``."""
        return ",".join(self.columns) + "".join(f"[,{column}]" for column in self.extra)

    def _params(self) -> dict[str, object]:
        return {"kb": MAX_BYTES // 1024} if self.reason is Refusal.TOO_BIG else {}

    def text(self, language: str) -> str:
        """Why, and what the bot expects instead, in a person's language (Telegram HTML)."""
        columns = Html(f"<code>{html.escape(self._expected())}</code>")
        return (
            t(language, f"import.{self.reason}", **self._params())
            + "\n"
            + t(language, "import.expected", columns=columns)
        )

    def __str__(self) -> str:
        return (
            plain("en", f"import.{self.reason}", **self._params())
            + " "
            + plain("en", "import.expected", columns=self._expected())
        )


@dataclass(frozen=True)
class Line:
    """One non-blank row under the header: where a person sees it, and its cells as text."""

    number: int
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """The rows under a file's header, the lines that could not be read at all, and the
    columns of the header (the expected ones, then the optional ones the file has)."""

    lines: list[Line]
    broken: list[int]
    columns: tuple[str, ...] = ()


def read_table(
    data: bytes, columns: tuple[str, ...], name: str = "", extra: tuple[str, ...] = ()
) -> Table:
    """Read a CSV or .xlsx file whose first row is ``columns`` (any case, spaces ignored),
    then, in any order, any of the ``extra`` columns (each at most once).

    Raises ``Unreadable`` for a file that is too big, is not a spreadsheet, is a damaged or
    old-style workbook, or has another first row. What a file is, is told by its bytes;
    ``name`` (the file's name, if known) only sharpens the reason an unreadable one is refused.
    """
    if len(data) > MAX_BYTES:
        raise Unreadable(Refusal.TOO_BIG, columns, extra)
    if data.startswith(_XLSX_MAGIC):
        width = len(columns) + len(extra)
        return _under_header(_xlsx_rows(data, columns, width, extra), columns, extra)
    if data.startswith(_XLS_MAGIC):
        raise Unreadable(Refusal.XLS, columns, extra)
    try:
        return _under_header(_csv_rows(_decode(data, columns, extra)), columns, extra)
    except Unreadable:
        suffix = name.lower().rpartition(".")[2]
        if suffix in (Refusal.XLS, Refusal.XLSX):  # named as a workbook, and not one: say so
            raise Unreadable(Refusal(suffix), columns, extra) from None
        raise


def _decode(data: bytes, columns: tuple[str, ...], extra: tuple[str, ...]) -> str:
    """UTF-8 (a byte-order mark dropped) first; else Windows-1252; else not a spreadsheet."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise Unreadable(Refusal.NOT_SPREADSHEET, columns, extra) from None
    if any(ord(char) < 32 and char not in _ALLOWED_CONTROLS for char in text):
        # NUL and friends: binary, or UTF-16
        raise Unreadable(Refusal.NOT_SPREADSHEET, columns, extra)
    return text


def _separator(text: str) -> str:
    """The separator the header line uses most (a comma when it uses neither)."""
    header = text.split("\n", 1)[0]
    return max(_SEPARATORS, key=header.count)


_Row = tuple[int, list[str] | None]
"""A row's line number and its cells, or None for a line CSV cannot read."""


def _csv_rows(text: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text), delimiter=_separator(text))
    rows: list[_Row] = []
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return rows
        except csv.Error:
            rows.append((reader.line_num, None))
            continue
        rows.append((reader.line_num, record))


def _xlsx_rows(
    data: bytes, columns: tuple[str, ...], width: int, extra: tuple[str, ...]
) -> list[_Row]:
    """The first sheet's rows by row number, every cell as text (formulas as their values)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Unreadable(Refusal.XLSX, columns, extra) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise Unreadable(Refusal.TOO_BIG, columns, extra)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it drops; only the values matter here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()  # do not trust the size the writer claimed
                # A sheet is a grid: a row's empty cells at the right are cells all the same.
                return [
                    (number, _padded([_cell_text(value) for value in values], width))
                    for number, values in enumerate(
                        sheet.iter_rows(min_row=1, min_col=1, values_only=True), start=1
                    )
                ]
            finally:
                workbook.close()
    except Exception:  # whatever fails inside a damaged workbook, it means the same
        raise Unreadable(Refusal.XLSX, columns, extra) from None


def _padded(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


def _cell_text(value: object) -> str:
    """A cell as the text a person typed: 1234 (not 1234.0), a date as 2024-03-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _under_header(rows: list[_Row], columns: tuple[str, ...], extra: tuple[str, ...] = ()) -> Table:
    """Check the first row against the columns (then any of the extra ones); return the
    non-blank rows below it, and the columns the file has."""
    if not rows or rows[0][1] is None:
        raise Unreadable(Refusal.HEADER, columns, extra)
    header = tuple(cell.strip().lower() for cell in _fit(rows[0][1], len(columns)))
    added = header[len(columns) :]
    if (
        header[: len(columns)] != columns
        or len(set(added)) != len(added)
        or not set(added) <= set(extra)
    ):
        raise Unreadable(Refusal.HEADER, columns, extra)
    lines: list[Line] = []
    broken: list[int] = []
    for number, cells in rows[1:]:
        if cells is None:
            broken.append(number)
        elif any(cell.strip() for cell in cells):
            lines.append(Line(number, _fit(cells, len(header))))
    return Table(lines, broken, header)


def _fit(cells: list[str], width: int) -> tuple[str, ...]:
    """Drop empty cells past the header's width (a spreadsheet's stray trailing columns)."""
    fitted = list(cells)
    while len(fitted) > width and not fitted[-1].strip():
        fitted.pop()
    return tuple(fitted)
