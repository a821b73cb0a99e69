"""Reading staff and citizen CSV files: every row checked, every bad line named, all or nothing.

A bad line carries a reason code and its values; ``LineError.text(language)`` words it for
a person in chat, ``str()`` for the operator at the command line (English, plain).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.render.i18n import plain, t
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
    code: str
    params: dict[str, object] = field(default_factory=dict)

    def text(self, language: str) -> str:
        """The reason in a person's language (HTML-safe); a role is named in that language."""
        params = {
            name: t(language, f"role.{value.value}") if isinstance(value, Role) else value
            for name, value in self.params.items()
        }
        return (
            t(language, "csv.line", line=self.line)
            + " "
            + t(language, f"csv.{self.code}", **params)
        )

    def __str__(self) -> str:
        return f"line {self.line}: {plain('en', f'csv.{self.code}', **self.params)}"


@dataclass(frozen=True)
class Parsed(Generic[Row]):
    """The good rows of a file (with their line numbers) and the errors of its bad lines."""

    rows: list[Row]
    errors: list[LineError]
    lines: list[int] = field(default_factory=list)


Problem = tuple[str, dict[str, object]]


def _read(
    text: str,
    header: tuple[str, ...],
    build: Callable[[dict[str, str]], Row | Problem],
    key: Callable[[Row], str],
) -> Parsed[Row]:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows: list[Row] = []
    lines: list[int] = []
    errors: list[LineError] = []
    try:
        first = next(reader, None)
    except csv.Error:
        first = None
    if first is None or tuple(c.strip().lower() for c in first) != header:
        return Parsed([], [LineError(1, "header", {"header": ",".join(header)})])
    seen: dict[str, int] = {}
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append(LineError(reader.line_num, "unreadable"))
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        problem = _check_fields(record, header)
        if problem is not None:
            errors.append(LineError(line, *problem))
            continue
        built = build({name: cell.strip() for name, cell in zip(header, record, strict=True)})
        if isinstance(built, tuple):
            errors.append(LineError(line, *built))
            continue
        if key(built) in seen:
            errors.append(LineError(line, "duplicate", {"first": seen[key(built)]}))
            continue
        seen[key(built)] = line
        rows.append(built)
        lines.append(line)
    return Parsed(rows, errors, lines)


def _check_fields(record: list[str], header: tuple[str, ...]) -> Problem | None:
    if len(record) != len(header):
        return "field_count", {"expected": len(header), "found": len(record)}
    values = [cell.strip() for cell in record]
    if any(contains_cpr(value) for value in values):
        return "cpr", {}
    empty = [name for name, value in zip(header, values, strict=True) if not value]
    if empty:
        return "empty", {"fields": ", ".join(empty)}
    long = [name for name, value in zip(header, values, strict=True) if len(value) > MAX_FIELD]
    if long:
        return "too_long", {"fields": ", ".join(long)}
    return None


def _staff(fields: dict[str, str]) -> StaffRow | Problem:
    if not valid_user_id(fields["user_id"]):
        return "user_id", {"value": fields["user_id"]}
    role = parse_role(fields["role"])
    if role is None:
        return "role", {"value": fields["role"], "roles": ", ".join(r.value for r in Role)}
    if not valid_name(fields["name"]):
        return "name", {}
    return StaffRow(fields["user_id"], fields["name"], role, fields["unit"])


def _citizen(fields: dict[str, str]) -> CitizenRow | Problem:
    if len(fields["ref"]) > MAX_REF:
        return "ref", {"max": MAX_REF}
    return CitizenRow(**fields)


def parse_staff(text: str) -> Parsed[StaffRow]:
    """Parse a staff file (header user_id,name,role,unit)."""
    return _read(text, STAFF_HEADER, _staff, lambda row: row.user_id.lower())


def parse_citizens(text: str) -> Parsed[CitizenRow]:
    """Parse a citizen file (header ref,name,address,unit,bekey_door)."""
    return _read(text, CITIZEN_HEADER, _citizen, lambda row: row.ref.lower())
