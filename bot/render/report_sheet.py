"""The monthly report as a table: one row per unit and category, the unit's row of every
category, then all units; as rows of cells, as CSV and as an Excel workbook (``.xlsx``).

- ``HEADER``: the columns (codes, the same in CSV and the workbook).
- ``table_rows``: the rows as cells (numbers as numbers, times in minutes, none as None).
- ``csv_text``: CSV with a header, every text cell formula-safe (``bot.render.safe_csv``).
- ``xlsx_bytes``: a workbook of one sheet, the header frozen, text cells stored as text.

A unit of ``ALL_UNITS`` is every unit together; ``UNKNOWN_UNIT_NAME`` holds the caregivers'
own solves whose employee was anonymised; a category of ``EVERY_CATEGORY`` is the unit's
row of every category, which alone carries the Smartkey and training columns. Pure: bytes
and text out, no files.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.render.safe_csv import csv_cell
from state.report import UNKNOWN_UNIT, MonthReport, ReportLine

Cell = str | int | float | None

ALL_UNITS: Final = "All units"
UNKNOWN_UNIT_NAME: Final = "(unit unknown)"
EVERY_CATEGORY: Final = "all"

HEADER: Final = (
    "unit",
    "category",
    "reports",
    "self_solved",
    "cancelled",
    "still_open",
    "taken",
    "take_median_min",
    "take_p90_min",
    "resolved",
    "resolve_median_min",
    "resolve_p90_min",
    "escalations",
    "incidents",
    "incident_reports",
    "largest_incident",
    "smartkeys_handed_out",
    "smartkeys_lost",
    "smartkeys_overdue",
    "staff",
    "trained",
    "untrained",
)

_TEXT_COLUMNS: Final = 2
"""The first columns are text (unit, category); the rest are numbers."""


def minutes(delta: timedelta | None) -> float | None:
    """A time in minutes, to a tenth (None stays None)."""
    return None if delta is None else round(delta.total_seconds() / 60, 1)


def unit_name(unit: str | None) -> str:
    """A line's unit as the table shows it."""
    if unit is None:
        return ALL_UNITS
    return UNKNOWN_UNIT_NAME if unit == UNKNOWN_UNIT else unit


def row_of(line: ReportLine) -> list[Cell]:
    """One line of the report as cells, in the order of ``HEADER``."""
    f = line.figures
    cells: list[Cell] = [
        unit_name(line.unit),
        EVERY_CATEGORY if line.category is None else line.category.value,
        f.reports,
        f.self_solved,
        f.cancelled,
        f.still_open,
        f.taken,
        minutes(f.take_median),
        minutes(f.take_p90),
        f.resolved,
        minutes(f.resolve_median),
        minutes(f.resolve_p90),
        f.escalations,
        f.incidents,
        f.incident_reports,
        f.largest_incident,
    ]
    keys, training = line.keys, line.training
    cells += [None, None, None] if keys is None else [keys.handed_out, keys.lost, keys.overdue]
    if training is None:
        cells += [None, None, None]
    else:
        cells += [training.staff, training.trained, training.untrained]
    return cells


def table_rows(report: MonthReport) -> list[list[Cell]]:
    """Every line of the report as cells (no header)."""
    return [row_of(line) for line in report.lines]


def _text(cell: Cell) -> str:
    """A cell as CSV text: nothing for none, a number as Python writes it."""
    return "" if cell is None else str(cell)


def csv_text(report: MonthReport) -> str:
    """The report as CSV with a header; a text cell never starts a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in table_rows(report):
        writer.writerow([csv_cell(_text(cell)) for cell in row])
    return out.getvalue()


def xlsx_bytes(report: MonthReport, title: str | None = None) -> bytes:
    """The report as an Excel workbook: one sheet, the header frozen, text stored as text."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = title or f"Bekey {report.month}"
    _put(sheet, 1, HEADER, bold=True)
    for number, row in enumerate(table_rows(report), start=2):
        _put(sheet, number, row)
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = max(
        [len(ALL_UNITS), *(len(unit_name(unit)) for unit in report.units)]
    )
    # Fixed stamps: the same month reported again gives the same workbook content.
    moment = report.end.replace(tzinfo=None)
    book.properties.created = moment
    book.properties.modified = moment
    book.properties.creator = "Bekey bot"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet: Worksheet, number: int, row: Sequence[Cell], *, bold: bool = False) -> None:
    """Write one row; a text cell is stored as text, so ``=...`` is never a formula."""
    for column, value in enumerate(row, start=1):
        cell = sheet.cell(number, column)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
        if bold:
            cell.font = Font(bold=True)
