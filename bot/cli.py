"""``python -m bot <command>``: run (default), migrate, units, invite, import-staff,
import-citizens, import-smartkeys, deactivate, reactivate; and (``bot.cli_records``) purge,
subject-access, audit; and (``bot.cli_reports``) report training, report tickets; and
(``bot.cli_lock_partners``) lock-partners list|add|retire.

Errors are one precise line each on stderr and a non-zero exit: 2 for bad settings or
arguments, 1 for a file that cannot be read or has bad rows (then nothing is imported).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import os
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, TypeVar

from telegram import Bot
from telegram.error import TelegramError

from bot.app import run
from bot.cli_lock_partners import CliLockPartnersError
from bot.cli_lock_partners import add_commands as add_lock_partner_commands
from bot.cli_lock_partners import prepare as prepare_lock_partners
from bot.cli_records import CliRecordsError, add_commands, prepare
from bot.cli_reports import CliReportsError
from bot.cli_reports import add_commands as add_report_commands
from bot.cli_reports import prepare as prepare_report
from bot.instance import hold_instance
from bot.logs import hide_token, setup_logging
from bot.render.csvfiles import (
    LineError,
    Parsed,
    Row,
    parse_citizens,
    parse_smartkeys,
    parse_staff,
)
from bot.render.spreadsheets import MAX_BYTES, Unreadable
from bot.services import Services
from bot.services.staff import InviteRefused, Reactivation
from bot.services.units import UnitExists
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.citizens import CitizenRow
from bot.storage.employees import StaffRow
from bot.storage.migrations import SCHEMA_VERSION, SchemaTooNew
from bot.storage.smartkeys import SmartkeyRow
from state.cpr import contains_cpr
from state.duty import InvalidHours, format_planner_hours, parse_planner_hours
from state.invites import valid_name, valid_user_id
from state.roles import Role, parse_role
from state.ticket import format_ticket_number
from state.units import unit_key, valid_unit_name

CLI_ACTOR = "cli"

RowWithUnit = TypeVar("RowWithUnit", StaffRow, CitizenRow, SmartkeyRow)


def _actor() -> str:
    """Who acts from the command line, for the audit trail: ``cli:`` and the system user."""
    try:
        return f"{CLI_ACTOR}:{getpass.getuser()}"
    except (KeyError, OSError):  # no name for this uid (a container): say so
        return f"{CLI_ACTOR}:uid{os.getuid()}"


class CliError(Exception):
    """A problem the operator must fix; printed as one line."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="The Bekey bot.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    invite = commands.add_parser("invite", help="create or update an employee and an invite link")
    invite.add_argument("--user-id", required=True, help="the SmartCare user-id")
    invite.add_argument("--name", required=True)
    invite.add_argument("--role", required=True, help=", ".join(r.value for r in Role))
    invite.add_argument("--unit", required=True)
    invite.add_argument("--json", action="store_true", help="print one JSON object")
    units = commands.add_parser("units", help="list the units the bot knows, or add one")
    unit_commands = units.add_subparsers(dest="units_command")
    add_unit = unit_commands.add_parser("add", help="add a unit")
    add_unit.add_argument("name")
    hours = unit_commands.add_parser(
        "hours", help="show a unit's planner hours, or set them (e.g. 'mon-fri 07:00-15:30')"
    )
    hours.add_argument("name")
    hours.add_argument("hours", nargs="?", help="the new hours; 'none' for no planner hours")
    staff = commands.add_parser("import-staff", help="invite every row of user_id,name,role,unit")
    staff.add_argument("file", type=Path)
    citizens = commands.add_parser(
        "import-citizens", help="import ref,name,address,unit,bekey_door[,bekey_status]"
    )
    citizens.add_argument("file", type=Path)
    smartkeys = commands.add_parser(
        "import-smartkeys", help="register the keys and cabinets of label,unit,cabinet,location"
    )
    smartkeys.add_argument("file", type=Path)
    for importer in (staff, citizens, smartkeys):
        importer.add_argument(
            "--create-units", action="store_true", help="add the units the bot does not know yet"
        )
    deactivate = commands.add_parser("deactivate", help="close an employee's access at once")
    deactivate.add_argument("--user-id", required=True)
    reactivate = commands.add_parser(
        "reactivate", help="open a deactivated employee's access again (a new invite binds)"
    )
    reactivate.add_argument("--user-id", required=True)
    add_commands(commands)
    add_report_commands(commands)
    add_lock_partner_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return the exit code."""
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        if settings.telegram_bot_token.strip():  # whatever prints, the token never does
            hide_token(settings.telegram_bot_token.strip())
        if command == "run":
            token = settings.require_token()
            setup_logging(token=token)
            with hold_instance(settings.database_path, settings.zone):  # before the migration
                asyncio.run(_admin("migrate", args, settings, quiet=True))
                run(settings)
            return 0
        return asyncio.run(_admin(command, args, settings))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (CliError, CliRecordsError, CliReportsError, CliLockPartnersError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code


async def _admin(
    command: str, args: argparse.Namespace, settings: Settings, *, quiet: bool = False
) -> int:
    """Check the command's input first, then open the database and carry it out."""
    work = _migrated(quiet=quiet) if command == "migrate" else _prepare(command, args)
    services = Services.create(settings)
    try:
        await services.open()
    except (sqlite3.Error, OSError) as exc:
        await services.close()
        raise CliError(
            f"cannot open the database at {settings.database_path} "
            f"({type(exc).__name__}: {exc}); check DATABASE_PATH"
        ) from None
    except SchemaTooNew as exc:
        await services.close()
        raise CliError(f"{settings.database_path}: {exc}") from None
    try:
        return await work(services)
    finally:
        await services.close()


Work = Callable[[Services], Awaitable[int]]


def _prepare(command: str, args: argparse.Namespace) -> Work:
    """Validate a command's arguments and files before anything is opened or written."""
    records = prepare(command, args)
    if records is not None:
        return records
    report = prepare_report(command, args)
    if report is not None:
        return report
    firms = prepare_lock_partners(command, args, _actor())
    if firms is not None:
        return firms
    if command == "invite":
        return _invite(_staff_from_args(args), json_out=args.json)
    if command == "import-staff":
        staff = _read_file(args.file, parse_staff)
        if staff.errors:
            _fail_lines(staff.errors)
        return _import_staff(staff, create_units=args.create_units)
    if command == "import-citizens":
        citizens = _read_file(args.file, parse_citizens)
        if citizens.errors:
            _fail_lines(citizens.errors)
        return _import_citizens(citizens, create_units=args.create_units)
    if command == "import-smartkeys":
        keys = _read_file(args.file, parse_smartkeys)
        if keys.errors:
            _fail_lines(keys.errors)
        return _import_smartkeys(keys, create_units=args.create_units)
    if command == "deactivate":
        return _deactivate(args.user_id)
    if command == "reactivate":
        return _reactivate(args.user_id)
    if command == "units":
        if args.units_command == "add":
            if contains_cpr(args.name) or not valid_unit_name(args.name):
                raise CliError("a unit's name is printable text of at most 60 characters")
            return _add_unit(args.name)
        if args.units_command == "hours":
            return _unit_hours(args.name, args.hours)
        return _list_units
    raise CliError(f"unknown command {command!r}")


def _migrated(*, quiet: bool) -> Work:
    async def migrated(services: Services) -> int:
        if not quiet:  # opening the database brought it up to date
            print(f"database {services.db.path} is up to date (version {SCHEMA_VERSION})")
        return 0

    return migrated


async def _list_units(services: Services) -> int:
    for unit in await services.units.all():
        print(unit.name)
    return 0


def _unit_hours(name: str, text: str | None) -> Work:
    try:
        hours = parse_planner_hours(text) if text is not None else None
    except InvalidHours as invalid:
        raise CliError(f"not planner hours ({invalid.reason.value}): {invalid.part!r}") from None

    async def unit_hours(services: Services) -> int:
        unit = (await services.units.resolve([name])).units.get(unit_key(name))
        if unit is None:
            raise CliError(f"no unit {name!r}; add it with: python -m bot units add NAME")
        if hours is not None and not await services.duty.set_hours(_actor(), unit.name, hours):
            raise CliError(f"no unit {name!r}")
        shown = format_planner_hours((await services.duty.view(unit.name)).hours)
        print(f"{unit.name}: {shown}")
        return 0

    return unit_hours


def _add_unit(name: str) -> Work:
    async def add_unit(services: Services) -> int:
        try:
            unit = await services.units.add(name, actor=_actor())
        except UnitExists as exists:
            raise CliError(f"the bot knows that unit already, as {exists}", code=1) from None
        print(f"unit added: {unit.name}")
        return 0

    return add_unit


async def _unit_names(
    services: Services, parsed: Parsed[RowWithUnit], *, create: bool
) -> Parsed[RowWithUnit]:
    """Bring every row's unit to the bot's one spelling; unknown units fail their lines."""
    resolved = await services.units.resolve(
        (row.unit for row in parsed.rows), create=create, actor=_actor()
    )
    if resolved.unknown:
        known = ", ".join(unit.name for unit in await services.units.all()) or "none yet"
        _fail_lines(
            [
                LineError(line, "unknown_unit", {"value": row.unit, "units": known})
                for row, line in zip(parsed.rows, parsed.lines, strict=True)
                if row.unit in resolved.unknown
            ]
        )
    rows = [replace(row, unit=resolved.name_of(row.unit)) for row in parsed.rows]
    return Parsed(rows, [], parsed.lines)


def _read_file(path: Path, parse: Callable[[bytes, str], Parsed[Row]]) -> Parsed[Row]:
    """Read and parse a CSV or .xlsx file; one line and exit 1 if it cannot be read as one."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # enough to tell that a file is too big
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror}") from None
    try:
        return parse(data, path.name)
    except Unreadable as unreadable:
        raise CliError(f"{path}: {unreadable}", code=1) from None


async def _bot_username(settings: Settings) -> str:
    """Return the bot's username: from settings, else asked of the Bot API."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username.lstrip("@")
    root = settings.telegram_api_base_url
    bot = Bot(settings.require_token(), base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    try:
        async with bot:
            return bot.username
    except TelegramError as exc:
        raise CliError(
            f"could not ask the Bot API for the bot's username ({type(exc).__name__}); "
            "set TELEGRAM_BOT_USERNAME"
        ) from None


def _staff_from_args(args: argparse.Namespace) -> StaffRow:
    """Check invite arguments; the CPR guard first, so no such value is ever printed back."""
    if any(contains_cpr(v) for v in (args.user_id, args.name, args.unit, args.role)):
        raise CliError("that looks like a CPR number; CPR numbers must not be used")
    role = parse_role(args.role)
    if role is None or role is Role.LOCK_PARTNER:
        roles = ", ".join(r.value for r in Role if r is not Role.LOCK_PARTNER)
        hint = " (a lock partner is invited in chat: /inviter ID låsepartner NAVN; FIRMA)"
        raise CliError(f"--role {args.role!r} is not one of: {roles}{hint}")
    if not valid_user_id(args.user_id):
        raise CliError(f"--user-id {args.user_id!r} is not a SmartCare user-id")
    if not valid_name(args.name) or not args.unit.strip():
        raise CliError("--name and --unit must be printable and non-empty")
    return StaffRow(args.user_id, args.name.strip(), role, args.unit.strip())


def _invite(staff: StaffRow, *, json_out: bool) -> Work:
    async def invite(services: Services) -> int:
        # A leader's invite may found the unit (the first leader of a unit); others join one.
        resolved = await services.units.resolve(
            [staff.unit], create=staff.role is Role.LEADER, actor=_actor()
        )
        if resolved.unknown:
            known = ", ".join(unit.name for unit in await services.units.all()) or "none yet"
            raise CliError(
                f"--unit {staff.unit!r} is not a unit the bot knows (known: {known}); "
                "add it with: python -m bot units add NAME",
                code=1,
            )
        username = await _bot_username(services.settings)
        named = replace(staff, unit=resolved.name_of(staff.unit))
        try:
            invitation = await services.staff.invite(named, actor=_actor(), bot_username=username)
        except InviteRefused:  # the command line has every right: only deactivation stops it
            raise CliError(
                f"{staff.user_id} is deactivated; reactivate first: "
                f"python -m bot reactivate --user-id {staff.user_id}",
                code=1,
            ) from None
        employee = invitation.employee
        if json_out:
            print(
                json.dumps(
                    {
                        "user_id": employee.user_id,
                        "token": invitation.token,
                        "link": invitation.link,
                    }
                )
            )
        else:
            print(f"{employee.user_id} ({employee.role.value}, {employee.unit})")
            print(f"token: {invitation.token}")
            print(f"link:  {invitation.link}")
        return 0

    return invite


def _fail_lines(errors: list[LineError]) -> NoReturn:
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    raise CliError(f"{len(errors)} bad line(s); nothing was imported", code=1)


def _import_staff(parsed: Parsed[StaffRow], *, create_units: bool) -> Work:
    async def import_staff(services: Services) -> int:
        rows = (await _unit_names(services, parsed, create=create_units)).rows
        username = await _bot_username(services.settings)
        invited = await services.staff.invite_many(rows, actor=_actor(), bot_username=username)
        print("user_id,link")
        for invitation in invited.invitations:
            print(f"{invitation.employee.user_id},{invitation.link}")
        for user_id in invited.deactivated:  # people who left stay out; said, not an error
            print(
                f"skipped: {user_id} is deactivated; a leader reactivates with "
                f"python -m bot reactivate --user-id {user_id}",
                file=sys.stderr,
            )
        return 0

    return import_staff


def _import_citizens(parsed: Parsed[CitizenRow], *, create_units: bool) -> Work:
    async def import_citizens(services: Services) -> int:
        rows = (await _unit_names(services, parsed, create=create_units)).rows
        count = await services.citizens.import_rows(rows, actor=_actor())
        print(f"imported {count} citizen(s)")
        return 0

    return import_citizens


def _import_smartkeys(parsed: Parsed[SmartkeyRow], *, create_units: bool) -> Work:
    """Register a checked file's keys and cabinets; say how many were new, moved and made."""

    async def import_smartkeys(services: Services) -> int:
        """Store the rows under the units' own spelling and print a one-line summary."""
        rows = (await _unit_names(services, parsed, create=create_units)).rows
        count = await services.smartkeys.import_rows(rows, actor=_actor())
        print(
            f"imported {len(rows)} key(s) ({count.keys} new, {count.moved} moved)"
            f" and {count.cabinets} new cabinet(s)"
        )
        return 0

    return import_smartkeys


def _deactivate(user_id: str) -> Work:
    """Deactivate a leaver with every step the chat's /deaktiver takes; say what was done."""

    async def deactivate(services: Services) -> int:
        """Close the access, release their tickets, give the planners the Bekey task."""
        closed = await services.staff.deactivate(user_id, actor=_actor())
        if closed is None:
            raise CliError(f"no employee with user-id {user_id!r}", code=1)
        if closed.already:
            print(f"{user_id} was deactivated already: nothing more was done")
            return 0
        print(f"{user_id} deactivated: the bot no longer answers that account")
        if closed.released:
            numbers = ", ".join(format_ticket_number(t.model.number) for t in closed.released)
            print(f"untaken again (the planners are told): {numbers}")
        if closed.task is None:  # a lock partner's fitter: nothing of a unit to hand over
            return 0
        if closed.told:
            told = ", ".join(person.user_id for person in closed.told)
            print(f"task 'close {user_id} in Bekey' sent to: {told}")
        else:
            unit = closed.task.task.unit if closed.task else "the unit"
            print(
                f"task 'close {user_id} in Bekey' is open, but no planner or leader of {unit}"
                " uses the bot: close them in Bekey yourself"
            )
        return 0

    return deactivate


def _reactivate(user_id: str) -> Work:
    async def reactivate(services: Services) -> int:
        outcome = await services.staff.reactivate(user_id, actor=_actor())
        if outcome is Reactivation.NOT_FOUND:
            raise CliError(f"no employee with user-id {user_id!r}", code=1)
        if outcome is Reactivation.NOT_DEACTIVATED:
            raise CliError(f"{user_id} is not deactivated", code=1)
        print(f"{user_id} reactivated: send a new invite to bind a phone (python -m bot invite)")
        return 0

    return reactivate
