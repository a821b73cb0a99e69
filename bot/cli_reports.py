"""``python -m bot report KIND``: the municipality's reports, every unit side by side.

- ``report training [--csv]``: the Bekey training register per unit: staff in the register,
  trained, Bekey on the phone, can update it themself, all three (counts and percentages
  of the unit's staff), untrained, not recorded yet, and the unit's key persons (none is a
  gap); a last line for all units together.
- ``report tickets --month YYYY-MM [--csv | --xlsx --out FILE]``: the leader's monthly
  report (``bot.services.reports``): per unit and category, then per unit and all units,
  the reports, own solves, times to take and resolve, escalations, incidents, and per unit
  the Smartkeys and training. ``--xlsx`` writes a workbook readable by its owner only
  (0600); a bad month is one ``error:`` line on stderr and exit 2 (``CliReportsError``),
  before anything is opened.

``bot.cli`` adds the ``report`` group with ``add_commands`` and runs what ``prepare`` returns;
each kind is a subcommand of it. Plain text is a table for a terminal; CSV has a header, one
row per line of the report, and cells that cannot start a formula.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.render.report_sheet import csv_text, minutes, unit_name, xlsx_bytes
from bot.render.safe_csv import csv_cell
from bot.services import Services
from bot.services.training import UnitCoverage
from state.report import Month, MonthReport, parse_month
from state.training import NO_COVERAGE, Coverage, percent

Work = Callable[[Services], Awaitable[int]]

ALL_UNITS = "All units"
"""The name of the report's last line: every unit together."""

TRAINING_HEADER = (
    "unit",
    "staff",
    "trained",
    "trained_pct",
    "bekey_installed",
    "bekey_installed_pct",
    "can_update",
    "can_update_pct",
    "all_three",
    "all_three_pct",
    "untrained",
    "untrained_pct",
    "not_recorded",
    "not_recorded_pct",
    "key_persons",
)

_COLUMNS = (
    ("trained", "trained"),
    ("on phone", "installed"),
    ("can update", "can_update"),
    ("all three", "ready"),
    ("untrained", "untrained"),
    ("not recorded", "not_recorded"),
)
"""The counted columns of the text table: heading, and the ``Coverage`` field."""


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``report`` group, with its kinds, to the command line."""
    report = commands.add_parser(
        "report", help="the municipality's reports, every unit side by side"
    )
    kinds = report.add_subparsers(dest="report_kind", required=True)
    training = kinds.add_parser(
        "training", help="Bekey training: who is trained, has Bekey, can update it, per unit"
    )
    training.add_argument("--csv", action="store_true", help="CSV with a header")
    tickets = kinds.add_parser(
        "tickets",
        help="the leader's monthly report: fault reports, times, escalations, incidents,"
        " Smartkeys and training, per unit and category",
    )
    tickets.add_argument("--month", required=True, help="the month, YYYY-MM (in TIMEZONE)")
    form = tickets.add_mutually_exclusive_group()
    form.add_argument("--csv", action="store_true", help="CSV with a header")
    form.add_argument("--xlsx", action="store_true", help="an Excel workbook, written to --out")
    tickets.add_argument("--out", type=Path, help="the workbook's file (with --xlsx)")


def prepare(command: str, args: argparse.Namespace) -> Work | None:
    """Return a report's work; None for other commands."""
    if command == "report" and args.report_kind == "training":
        return _training(csv_out=args.csv)
    if command == "report" and args.report_kind == "tickets":
        return _tickets(_month(args.month), csv_out=args.csv, xlsx_to=_xlsx_to(args))
    return None


class CliReportsError(Exception):
    """A problem the operator must fix; printed as one line, exit ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _refuse(message: str) -> CliReportsError:
    """Bad arguments: one ``error:`` line and exit 2 (``bot.cli`` prints it), nothing opened."""
    return CliReportsError(message)


def _month(text: str) -> Month:
    """Read --month."""
    try:
        return parse_month(text)
    except ValueError:
        raise _refuse(f"--month {_plain(text)!r} is not a month (YYYY-MM)") from None


def _xlsx_to(args: argparse.Namespace) -> Path | None:
    """The workbook's file: --out with --xlsx, and neither without the other."""
    if args.xlsx and args.out is None:
        raise _refuse("--xlsx needs --out FILE (the workbook is written there)")
    if args.out is not None and not args.xlsx:
        raise _refuse("--out is for --xlsx")
    return args.out if args.xlsx else None


def _total(lines: list[UnitCoverage]) -> UnitCoverage:
    """Every unit together."""
    counted: Coverage = sum((line.coverage for line in lines), NO_COVERAGE)
    return UnitCoverage(ALL_UNITS, counted, sum(line.key_persons for line in lines))


def _training(*, csv_out: bool) -> Work:
    """The training report, as a table or as CSV."""

    async def training(services: Services) -> int:
        """Count every unit's register and print it."""
        lines = await services.training.report()
        total = _total(lines)
        if csv_out:
            write_training_csv([*lines, total])
            return 0
        now = services.clock.now().astimezone(services.settings.zone)
        for text in training_table(lines, total, now, services.settings.timezone):
            print(text)
        return 0

    return training


def _count(count: int, whole: int) -> str:
    """A count and its share of the whole (``5 (42%)``)."""
    return f"{count} ({percent(count, whole)}%)"


def training_table(
    lines: list[UnitCoverage], total: UnitCoverage, now: datetime, zone: str
) -> list[str]:
    """The training report as text lines: a heading, one row a unit, the total."""
    rows = [["unit", "staff", *(heading for heading, _ in _COLUMNS), "key persons"]]
    for line in [*lines, total]:
        counted = line.coverage
        cells = [_plain(line.unit), str(counted.staff)]
        cells += [_count(getattr(counted, field), counted.staff) for _, field in _COLUMNS]
        gap = line.key_persons == 0 and line is not total
        cells.append(f"{line.key_persons} (gap)" if gap else str(line.key_persons))
        rows.append(cells)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = [f"Bekey training, every unit (as of {now:%Y-%m-%d %H:%M}, {zone})"]
    for row in rows:
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        out.append("  ".join([first, *rest]).rstrip())
    return out


def write_training_csv(lines: list[UnitCoverage]) -> None:
    """Write the training report as CSV with a header to stdout, every cell formula-safe."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(TRAINING_HEADER)
    for line in lines:
        counted = line.coverage
        cells: list[object] = [line.unit, counted.staff]
        for count in (
            counted.trained,
            counted.installed,
            counted.can_update,
            counted.ready,
            counted.untrained,
            counted.not_recorded,
        ):
            cells += [count, percent(count, counted.staff)]
        cells.append(line.key_persons)
        writer.writerow([csv_cell(str(cell)) for cell in cells])


def _plain(text: str) -> str:
    """One cell for a terminal: control characters replaced."""
    return "".join(c if c.isprintable() else "?" for c in text)


TICKETS_COLUMNS = (
    ("reports", "reports"),
    ("own check", "self_solved"),
    ("open", "still_open"),
    ("take med", "take_median"),
    ("take p90", "take_p90"),
    ("resolve med", "resolve_median"),
    ("resolve p90", "resolve_p90"),
    ("escalations", "escalations"),
    ("incidents", "incidents"),
    ("in incidents", "incident_reports"),
)
"""The counted columns of the text table: heading, and the ``Figures`` field."""


def _tickets(month: Month, *, csv_out: bool, xlsx_to: Path | None) -> Work:
    """The monthly report, as a table, as CSV, or as a workbook written to a file."""

    async def tickets(services: Services) -> int:
        """Count the month and print it (or write the workbook)."""
        report = await services.reports.tickets(month)
        if xlsx_to is not None:
            try:
                write_private(xlsx_to, xlsx_bytes(report))
            except OSError as exc:
                print(f"error: {xlsx_to}: {exc.strerror}", file=sys.stderr)
                return 1
            print(f"written: {xlsx_to}")
            return 0
        if csv_out:
            sys.stdout.write(csv_text(report))
            return 0
        now = services.clock.now().astimezone(services.settings.zone)
        for text in tickets_table(report, now):
            print(text)
        return 0

    return tickets


def write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (0600), replacing one that is there."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)  # an existing file keeps its mode otherwise
        handle.write(data)


def _duration(delta: timedelta | None) -> str:
    """A time for the table: minutes to a tenth, or a dash."""
    value = minutes(delta)
    return "-" if value is None else f"{value:g}m"


def tickets_table(report: MonthReport, now: datetime) -> list[str]:
    """The monthly report as text lines: per unit its categories with any figure, then all
    categories and its Smartkeys and training; then all units the same way."""
    rows = [["unit", "category", *(heading for heading, _ in TICKETS_COLUMNS)]]
    extras: list[str] = []
    for line in report.lines:
        figures = line.figures
        if line.category is not None and not (
            figures.reports or figures.self_solved or figures.incidents
        ):
            continue
        cells = [_plain(unit_name(line.unit)), line.category or "all"]
        for _, name in TICKETS_COLUMNS:
            value = getattr(figures, name)
            cells.append(_duration(value) if name.endswith(("median", "p90")) else str(value))
        rows.append(cells)
        if line.category is None and line.keys is not None and line.training is not None:
            keys, training = line.keys, line.training
            extras.append(
                f"{_plain(unit_name(line.unit))}: Smartkeys {keys.handed_out} handed out,"
                f" {keys.lost} lost, {keys.overdue} overdue; training at month end"
                f" {training.trained} of {training.staff} trained, {training.untrained} not"
            )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = [
        f"Bekey fault reports {report.month} ({report.zone};"
        f" as of {now:%Y-%m-%d %H:%M}; times from report to taken and to resolved)"
    ]
    for row in rows:
        first = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        rest = [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        out.append("  ".join([*first, *rest]).rstrip())
    return [*out, "", *extras]
