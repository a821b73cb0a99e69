"""``python -m bot <command>``: run (default), migrate, invite, import-staff, import-citizens,
deactivate.

Errors are one precise line each on stderr and a non-zero exit: 2 for bad settings or
arguments, 1 for a file with bad rows (then nothing is imported).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram import Bot
from telegram.error import TelegramError

from bot.csvfiles import LineError, parse_citizens, parse_staff
from bot.logs import setup_logging
from bot.services import Services
from bot.settings import Settings, SettingsError, load_settings
from bot.storage.citizens import Citizens
from bot.storage.employees import StaffRow
from bot.storage.migrations import MIGRATIONS
from state.cpr import contains_cpr
from state.invites import valid_name, valid_user_id
from state.roles import Role, parse_role

CLI_ACTOR = "cli"


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
    staff = commands.add_parser("import-staff", help="invite every row of user_id,name,role,unit")
    staff.add_argument("file", type=Path)
    citizens = commands.add_parser(
        "import-citizens", help="import ref,name,address,unit,bekey_door"
    )
    citizens.add_argument("file", type=Path)
    deactivate = commands.add_parser("deactivate", help="close an employee's access at once")
    deactivate.add_argument("--user-id", required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return the exit code."""
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
        if command == "run":
            settings.require_token()
            setup_logging()
            from bot.app import run

            run(settings)
            return 0
        return asyncio.run(_admin(command, args, settings))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.code


async def _admin(command: str, args: argparse.Namespace, settings: Settings) -> int:
    services = Services.create(settings)
    await services.open()
    try:
        if command == "migrate":
            print(
                f"database {settings.database_path} is at migration {MIGRATIONS[-1].number}: "
                f"{MIGRATIONS[-1].description}"
            )
            return 0
        if command == "invite":
            return await _invite(services, args)
        if command == "import-staff":
            return await _import_staff(services, _read_file(args.file))
        if command == "import-citizens":
            return await _import_citizens(services, _read_file(args.file))
        if command == "deactivate":
            return await _deactivate(services, args.user_id)
        raise CliError(f"unknown command {command!r}")
    finally:
        await services.close()


def _read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror}") from None


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


async def _invite(services: Services, args: argparse.Namespace) -> int:
    role = parse_role(args.role)
    if role is None:
        raise CliError(f"--role {args.role!r} is not one of: {', '.join(r.value for r in Role)}")
    if not valid_user_id(args.user_id):
        raise CliError(f"--user-id {args.user_id!r} is not a SmartCare user-id")
    if not valid_name(args.name) or not args.unit.strip():
        raise CliError("--name and --unit must be printable and non-empty")
    if any(contains_cpr(v) for v in (args.user_id, args.name, args.unit)):
        raise CliError("that looks like a CPR number; CPR numbers must not be used")
    username = await _bot_username(services.settings)
    invitation = await services.staff.invite(
        StaffRow(args.user_id, args.name.strip(), role, args.unit.strip()),
        actor=CLI_ACTOR,
        bot_username=username,
    )
    if args.json:
        print(
            json.dumps(
                {
                    "user_id": invitation.employee.user_id,
                    "token": invitation.token,
                    "link": invitation.link,
                }
            )
        )
    else:
        print(f"{invitation.employee.user_id} ({role.value}, {invitation.employee.unit})")
        print(f"token: {invitation.token}")
        print(f"link:  {invitation.link}")
    return 0


def _fail_lines(path_errors: list[LineError]) -> int:
    for error in path_errors:
        print(f"error: {error}", file=sys.stderr)
    print(f"error: {len(path_errors)} bad line(s); nothing was imported", file=sys.stderr)
    return 1


async def _import_staff(services: Services, text: str) -> int:
    parsed = parse_staff(text)
    if parsed.errors:
        return _fail_lines(parsed.errors)
    username = await _bot_username(services.settings)
    invitations = await services.staff.invite_many(
        parsed.rows, actor=CLI_ACTOR, bot_username=username
    )
    print("user_id,link")
    for invitation in invitations:
        print(f"{invitation.employee.user_id},{invitation.link}")
    return 0


async def _import_citizens(services: Services, text: str) -> int:
    parsed = parse_citizens(text)
    if parsed.errors:
        return _fail_lines(parsed.errors)
    now = services.clock.now()
    async with services.db.transaction() as s:
        for citizen in parsed.rows:
            await Citizens.upsert_in(s, citizen, now)
        await services.audit.record_in(s, now, CLI_ACTOR, "import_citizens", str(len(parsed.rows)))
    print(f"imported {len(parsed.rows)} citizen(s)")
    return 0


async def _deactivate(services: Services, user_id: str) -> int:
    now = services.clock.now()
    if not await services.employees.set_active(user_id, False, now):
        raise CliError(f"no employee with user-id {user_id!r}", code=1)
    await services.audit.record(now, CLI_ACTOR, "deactivate", user_id)
    print(f"{user_id} deactivated: the bot no longer answers that account")
    return 0
