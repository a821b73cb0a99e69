"""``python -m bot report KIND``: the municipality's reports, every unit side by side.

- ``report training [--csv]``: the Bekey training register per unit: staff in the register,
  trained, Bekey on the phone, can update it themself, all three (counts and percentages
  of the unit's staff), untrained, not recorded yet, and the unit's key persons (none is a
  gap); a last line for all units together.

``bot.cli`` adds the ``report`` group with ``add_commands`` and runs what ``prepare`` returns;
each kind is a subcommand of it (the next: ``report tickets``). Plain text is a table for a
terminal; CSV has a header, one row per unit, and cells that cannot start a formula.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.render.safe_csv import csv_cell
from bot.services import Services
from bot.services.training import UnitCoverage
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


def prepare(command: str, args: argparse.Namespace) -> Work | None:
    """Return a report's work; None for other commands."""
    if command == "report" and args.report_kind == "training":
        return _training(csv_out=args.csv)
    return None


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
