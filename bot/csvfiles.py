"""Reading staff and citizen CSV files: every row checked, every bad line named, all or nothing."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.storage.citizens import CitizenRow
from bot.storage.employees import StaffRow
from state.cpr import contains_cpr
from state.invites import valid_name, valid_user_id
from state.roles import Role, parse_role

STAFF_HEADER = ("user_id", "name", "role", "unit")
CITIZEN_HEADER = ("ref", "name", "address", "unit", "bekey_door")
MAX_FIELD = 200
MAX_REF = 32

Row = TypeVar("Row")


@dataclass(frozen=True)
class LineError:
    """Why one line of a file cannot be imported."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class Parsed(Generic[Row]):
    """The good rows of a file and the errors of its bad lines."""

    rows: list[Row]
    errors: list[LineError]


def _read(
    text: str,
    header: tuple[str, ...],
    build: Callable[[dict[str, str]], tuple[Row | None, str | None]],
    key: Callable[[Row], str],
) -> Parsed[Row]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[Row] = []
    errors: list[LineError] = []
    first = next(reader, None)
    if first is None or tuple(c.strip().lower() for c in first) != header:
        return Parsed([], [LineError(1, f"the header must be exactly: {','.join(header)}")])
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            errors.append(LineError(line, f"expected {len(header)} fields, found {len(record)}"))
            continue
        fields = {name: cell.strip() for name, cell in zip(header, record, strict=True)}
        if any(contains_cpr(value) for value in fields.values()):
            errors.append(LineError(line, "looks like a CPR number; CPR numbers must not be used"))
            continue
        empty = [name for name, value in fields.items() if not value]
        if empty:
            errors.append(LineError(line, f"empty field: {', '.join(empty)}"))
            continue
        too_long = [name for name, value in fields.items() if len(value) > MAX_FIELD]
        if too_long:
            errors.append(LineError(line, f"too long: {', '.join(too_long)}"))
            continue
        row, problem = build(fields)
        if row is None:
            errors.append(LineError(line, problem or "invalid"))
            continue
        if key(row) in seen:
            errors.append(LineError(line, f"duplicate of line {seen[key(row)]}"))
            continue
        seen[key(row)] = line
        rows.append(row)
    return Parsed(rows, errors)


def _staff(fields: dict[str, str]) -> tuple[StaffRow | None, str | None]:
    if not valid_user_id(fields["user_id"]):
        return None, f"user_id {fields['user_id']!r} is not a SmartCare user-id"
    role = parse_role(fields["role"])
    if role is None:
        return None, f"unknown role {fields['role']!r} (one of: {', '.join(r.value for r in Role)})"
    if not valid_name(fields["name"]):
        return None, "name is not printable or longer than 80 characters"
    return StaffRow(fields["user_id"], fields["name"], role, fields["unit"]), None


def _citizen(fields: dict[str, str]) -> tuple[CitizenRow | None, str | None]:
    if len(fields["ref"]) > MAX_REF:
        return None, f"ref is longer than {MAX_REF} characters"
    return CitizenRow(**fields), None


def parse_staff(text: str) -> Parsed[StaffRow]:
    """Parse a staff file (header user_id,name,role,unit)."""
    return _read(text, STAFF_HEADER, _staff, lambda row: row.user_id.lower())


def parse_citizens(text: str) -> Parsed[CitizenRow]:
    """Parse a citizen file (header ref,name,address,unit,bekey_door)."""
    return _read(text, CITIZEN_HEADER, _citizen, lambda row: row.ref.lower())
