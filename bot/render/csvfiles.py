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
from state.bekey_lifecycle import LifecycleState
from state.cpr import contains_cpr
from state.invites import valid_name, valid_user_id
from state.roles import Role, parse_role
from state.text import fold
from state.units import unit_key

STAFF_HEADER = ("user_id", "name", "role", "unit")
CITIZEN_HEADER = ("ref", "name", "address", "unit", "bekey_door")
CITIZEN_EXTRA = ("bekey_status",)
"""The columns a citizen file may add: where the citizen's Bekey stands (empty: active when
new, unchanged when known)."""
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
    extra: tuple[str, ...] = (),
) -> Parsed[Row]:
    """Read the rows under ``header`` (then any of the ``extra`` columns, which may be left
    empty, as may the ``optional`` ones); ``build`` gets the columns the file has."""
    table = read_table(data, header, name, extra)
    columns = table.columns or header
    may_be_empty = optional | frozenset(extra)
    rows: list[Row] = []
    lines: list[int] = []
    errors = [LineError(line, "unreadable") for line in table.broken]
    seen: dict[str, int] = {}
    for record in table.lines:
        line = record.number
        problem = _check_fields(record.cells, columns, may_be_empty)
        if problem is not None:
            errors.append(LineError(line, *problem))
            continue
        built = build(
            {column: cell.strip() for column, cell in zip(columns, record.cells, strict=True)}
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


STAFF_FILE_ROLES = tuple(role for role in Role if role is not Role.LOCK_PARTNER)
"""The roles a staff file may give: a lock partner belongs to a firm, not to a file's unit
(they are invited in chat, ``/inviter ID låsepartner NAVN; FIRMA``)."""


def _staff(fields: dict[str, str]) -> StaffRow | Problem:
    if not valid_user_id(fields["user_id"]):
        return "user_id", {"value": fields["user_id"]}
    role = parse_role(fields["role"])
    if role is None or role not in STAFF_FILE_ROLES:
        return "role", {"value": fields["role"], "roles": STAFF_FILE_ROLES}
    if not valid_name(fields["name"]):
        return "name", {}
    return StaffRow(fields["user_id"], fields["name"], role, fields["unit"])


_LIFECYCLE_WORDS: dict[LifecycleState, tuple[str, ...]] = {
    LifecycleState.ACTIVE: ("aktiv",),
    LifecycleState.REQUESTED: ("anmodet",),
    LifecycleState.NOTIFIED: ("underrettet", "informeret"),
    LifecycleState.ORDERED: ("bestilt",),
    LifecycleState.INSTALLED: ("monteret", "installeret"),
    LifecycleState.REMOVAL_REQUESTED: ("fjernelse anmodet",),
    LifecycleState.REMOVAL_ORDERED: ("fjernelse bestilt",),
    LifecycleState.REMOVED: ("fjernet", "afmonteret"),
    LifecycleState.CLOSED: ("lukket",),
    LifecycleState.CANCELLED: ("annulleret",),
}
"""The Danish words a citizen file's ``bekey_status`` may hold, besides the state's code
(the commonest first: a bad line names them in this order)."""


def _status_key(text: str) -> str:
    """A status as compared: case, æøå spelling, and spaces, dashes or underscores aside."""
    return "_".join(fold(text.replace("-", " ").replace("_", " ")).split())


_LIFECYCLE_BY_WORD: dict[str, LifecycleState] = {
    _status_key(word): state
    for state, words in _LIFECYCLE_WORDS.items()
    for word in (state.value, *words)
}

LIFECYCLE_CHOICES = ", ".join(
    "/".join((state.value, *words)) for state, words in _LIFECYCLE_WORDS.items()
)
"""The values a ``bekey_status`` cell may hold, as a bad line names them."""


def parse_lifecycle(text: str) -> LifecycleState | None:
    """Read a ``bekey_status`` cell: a state's code (``ordered``) or its Danish word
    (``bestilt``), in any case; None for anything else."""
    return _LIFECYCLE_BY_WORD.get(_status_key(text))


def _citizen(fields: dict[str, str]) -> CitizenRow | Problem:
    if len(fields["ref"]) > MAX_REF:
        return "ref", {"max": MAX_REF}
    status = fields.get("bekey_status", "")
    lifecycle = parse_lifecycle(status) if status else None
    if status and lifecycle is None:
        return "bekey_status", {"value": status, "allowed": LIFECYCLE_CHOICES}
    return CitizenRow(
        fields["ref"],
        fields["name"],
        fields["address"],
        fields["unit"],
        fields["bekey_door"],
        lifecycle,
    )


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
    """Parse a citizen file (header ref,name,address,unit,bekey_door, and an optional
    bekey_status: a ``LifecycleState`` code or its Danish word; left out or empty, a new
    citizen is active and a known one keeps theirs); raises ``Unreadable``."""
    return _read(
        data,
        name,
        CITIZEN_HEADER,
        _citizen,
        lambda row: row.ref.lower(),
        extra=CITIZEN_EXTRA,
    )


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
