"""Reading staff, citizen and Smartkey files: every row checked, every bad line named, all or
nothing.

``parse_staff``, ``parse_citizens`` and ``parse_smartkeys`` take a file's bytes (CSV with ``,``
or ``;``, UTF-8 or Windows-1252, or ``.xlsx``: see ``bot.render.spreadsheets``) and return the
good rows and the bad lines; a file that cannot be read at all raises
``spreadsheets.Unreadable``. The command line and the chat both call them, so a file means the
same wherever it is sent.

A bad line carries a reason code and its values; ``LineError.text(language)`` words it for
a person in chat, ``str()`` for the operator at the command line (English, plain).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.render.i18n import plain, t
from bot.render.spreadsheets import read_table
from bot.storage.citizens import CitizenRow
from bot.storage.employees import StaffRow
from bot.storage.smartkeys import SmartkeyRow
from state.cpr import contains_cpr
from state.invites import valid_name, valid_user_id
from state.roles import Role, parse_role
from state.text import fold
from state.units import unit_key

STAFF_HEADER = ("user_id", "name", "role", "unit")
CITIZEN_HEADER = ("ref", "name", "address", "unit", "bekey_door")
SMARTKEY_HEADER = ("label", "unit", "cabinet", "location")
MAX_FIELD = 200
MAX_REF = 32
SMARTKEY_LIMITS = {"label": 24, "cabinet": 60, "location": 120}
"""The most characters a Smartkey file's label, cabinet name and location may have."""

_NINE_DIGITS = re.compile(r"\d{9}")

Row = TypeVar("Row")


@dataclass(frozen=True)
class LineError:
    """Why one line of a file cannot be imported."""

    line: int
    code: str
    params: dict[str, object] = field(default_factory=dict)

    def text(self, language: str) -> str:
        """The reason in a person's language (HTML-safe); a role is named in that language."""
        params = {name: _in_words(language, value) for name, value in self.params.items()}
        return (
            t(language, "csv.line", line=self.line)
            + " "
            + t(language, f"csv.{self.code}", **params)
        )

    def __str__(self) -> str:
        params = {name: _as_code(value) for name, value in self.params.items()}
        return f"line {self.line}: {plain('en', f'csv.{self.code}', **params)}"


def _in_words(language: str, value: object) -> object:
    """A role (or a tuple of roles) by its name in a language; anything else as it is."""
    if isinstance(value, Role):
        return t(language, f"role.{value.value}")
    if isinstance(value, tuple) and all(isinstance(item, Role) for item in value):
        return ", ".join(t(language, f"role.{role.value}") for role in value)
    return value


def _as_code(value: object) -> object:
    """A role (or a tuple of roles) by its code, as the command line takes it."""
    if isinstance(value, Role):
        return value.value
    if isinstance(value, tuple) and all(isinstance(item, Role) for item in value):
        return ", ".join(role.value for role in value)
    return value


@dataclass(frozen=True)
class Parsed(Generic[Row]):
    """The good rows of a file (with their line numbers) and the errors of its bad lines."""

    rows: list[Row]
    errors: list[LineError]
    lines: list[int] = field(default_factory=list)


Problem = tuple[str, dict[str, object]]


def _read(
    data: bytes,
    name: str,
    header: tuple[str, ...],
    build: Callable[[dict[str, str]], Row | Problem],
    key: Callable[[Row], str],
    *,
    optional: frozenset[str] = frozenset(),
) -> Parsed[Row]:
    table = read_table(data, header, name)
    rows: list[Row] = []
    lines: list[int] = []
    errors = [LineError(line, "unreadable") for line in table.broken]
    seen: dict[str, int] = {}
    for record in table.lines:
        line = record.number
        problem = _check_fields(record.cells, header, optional)
        if problem is not None:
            errors.append(LineError(line, *problem))
            continue
        built = build(
            {column: cell.strip() for column, cell in zip(header, record.cells, strict=True)}
        )
        if isinstance(built, tuple):
            errors.append(LineError(line, *built))
            continue
        if key(built) in seen:
            errors.append(LineError(line, "duplicate", {"first": seen[key(built)]}))
            continue
        seen[key(built)] = line
        rows.append(built)
        lines.append(line)
    errors.sort(key=lambda error: error.line)
    return Parsed(rows, errors, lines)


def _looks_like_cpr(value: str) -> bool:
    """The CPR guard, and a CPR number typed into a spreadsheet as a number: 0101901234 is
    kept as 101901234, its leading zero lost, and must be refused all the same."""
    return contains_cpr(value) or (
        _NINE_DIGITS.fullmatch(value) is not None and contains_cpr("0" + value)
    )


def _check_fields(
    record: tuple[str, ...], header: tuple[str, ...], optional: frozenset[str] = frozenset()
) -> Problem | None:
    if len(record) != len(header):
        return "field_count", {"expected": len(header), "found": len(record)}
    values = [cell.strip() for cell in record]
    if any(_looks_like_cpr(value) for value in values):
        return "cpr", {}
    empty = [
        name
        for name, value in zip(header, values, strict=True)
        if not value and name not in optional
    ]
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
        return "role", {"value": fields["role"], "roles": tuple(Role)}
    if not valid_name(fields["name"]):
        return "name", {}
    return StaffRow(fields["user_id"], fields["name"], role, fields["unit"])


def _citizen(fields: dict[str, str]) -> CitizenRow | Problem:
    if len(fields["ref"]) > MAX_REF:
        return "ref", {"max": MAX_REF}
    return CitizenRow(**fields)


def _smartkey(fields: dict[str, str]) -> SmartkeyRow | Problem:
    """A Smartkey line's row: label, cabinet and location within their lengths, all printable."""
    long = [name for name, most in SMARTKEY_LIMITS.items() if len(fields[name]) > most]
    if long:
        return "too_long", {"fields": ", ".join(long)}
    if not all(value.isprintable() for value in fields.values()):
        return "unreadable", {}  # a tab or a line break inside a cell
    return SmartkeyRow(**fields)


def _smartkey_key(row: SmartkeyRow) -> str:
    """One key of one unit, as the database tells them apart (case and æøå spelling aside)."""
    return f"{unit_key(row.unit)}\n{fold(row.label)}"


def parse_staff(data: bytes, name: str = "") -> Parsed[StaffRow]:
    """Parse a staff file (header user_id,name,role,unit); raises ``Unreadable``.

    ``name``, the file's name if known, only sharpens why a file cannot be read.
    """
    return _read(data, name, STAFF_HEADER, _staff, lambda row: row.user_id.lower())


def parse_citizens(data: bytes, name: str = "") -> Parsed[CitizenRow]:
    """Parse a citizen file (header ref,name,address,unit,bekey_door); raises ``Unreadable``."""
    return _read(data, name, CITIZEN_HEADER, _citizen, lambda row: row.ref.lower())


def parse_smartkeys(data: bytes, name: str = "") -> Parsed[SmartkeyRow]:
    """Parse a Smartkey file (header label,unit,cabinet,location); raises ``Unreadable``.

    A location may be left empty (a cabinet keeps the one it has); a unit's key named on two
    lines is a duplicate.
    """
    return _read(
        data,
        name,
        SMARTKEY_HEADER,
        _smartkey,
        _smartkey_key,
        optional=frozenset({"location"}),
    )
