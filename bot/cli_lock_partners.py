"""``python -m bot lock-partners``: the lock partner firms the bot knows.

- ``lock-partners list``: every firm on the list, the default (from the ``LOCK_PARTNER_*``
  settings) first: name, phone, e-mail.
- ``lock-partners add NAME --phone P [--email E]``: add a firm, or update the one of that name.
- ``lock-partners retire NAME``: take a firm off the list (its orders and history stay); the
  default cannot be.

``bot.cli`` adds the group with ``add_commands`` and runs what ``prepare`` returns. Errors are
``CliLockPartnersError``: one line, 2 for bad arguments (checked before the database is
opened), 1 for what the database refuses (an unknown firm, the default one).
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable

from bot.render.i18n import plain
from bot.render.phones import dialable
from bot.services import Services
from bot.services.lock_partners import FirmOutcome
from bot.storage.lock_partners import Firm
from state.cpr import contains_cpr
from state.firms import FirmProblem, firm_problem

Work = Callable[[Services], Awaitable[int]]

COMMAND = "lock-partners"
_SEPARATOR = " | "


class CliLockPartnersError(Exception):
    """A problem the operator must fix; printed as one line, exit ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``lock-partners`` group, with list, add and retire, to the command line."""
    group = commands.add_parser(COMMAND, help="the lock partner firms: list, add, retire")
    actions = group.add_subparsers(dest="lock_partners_command", required=True)
    actions.add_parser("list", help="every firm on the list, the default first")
    add = actions.add_parser("add", help="add a firm, or update the one of that name")
    add.add_argument("name")
    add.add_argument("--phone", required=True, help="digits, spaces and a leading +")
    add.add_argument("--email", default="", help="optional")
    retire = actions.add_parser("retire", help="take a firm off the list (not the default)")
    retire.add_argument("name")


def prepare(command: str, args: argparse.Namespace, actor: str) -> Work | None:
    """Check the arguments and return the work (``actor`` signs the audit trail); None for
    other commands."""
    if command != COMMAND:
        return None
    action = args.lock_partners_command
    if action == "add":
        problem = firm_problem(args.name, args.phone, args.email)
        if problem is not None:
            raise CliLockPartnersError(_problem(problem))
        return _add(actor, args.name, args.phone, args.email)
    if action == "retire":
        if contains_cpr(args.name):
            raise CliLockPartnersError(_problem(FirmProblem.CPR))
        return _retire(actor, args.name)
    return _list


def _problem(problem: FirmProblem) -> str:
    """Why the details are refused, in the operator's words (the chat's, in English)."""
    return plain("en", f"firm.problem.{problem.value}").rstrip(".")


def _line(firm: Firm) -> str:
    cells = [firm.name, dialable(firm.phone) or "-", firm.email or "-"]
    if firm.is_default:
        cells.append("default")
    return _SEPARATOR.join(cells)


async def _list(services: Services) -> int:
    """Print one line per firm: name | phone | e-mail [| default]."""
    for firm in await services.lock_partners.firms():
        print(_line(firm))
    return 0


def _add(actor: str, name: str, phone: str, email: str) -> Work:
    async def add(services: Services) -> int:
        """Store the firm; say whether it was added or updated."""
        result = await services.lock_partners.save(actor, name, phone, email)
        firm = result.firm
        if result.outcome is FirmOutcome.FROM_SETTINGS and firm is not None:
            raise CliLockPartnersError(
                f"{firm.name} is the default firm: its phone comes from LOCK_PARTNER_PHONE;"
                " change it there",
                code=1,
            )
        if result.outcome is FirmOutcome.INVALID and result.problem is not None:
            raise CliLockPartnersError(_problem(result.problem))
        if firm is None:
            raise CliLockPartnersError(f"the firm was not saved ({result.outcome.value})", code=1)
        print(f"lock partner {result.outcome.value}: {_line(firm)}")
        return 0

    return add


def _retire(actor: str, name: str) -> Work:
    async def retire(services: Services) -> int:
        """Take the firm of that name off the list; the default and unknown names fail."""
        firm = await services.lock_partners.find(name)
        if firm is None:
            known = ", ".join(f.name for f in await services.lock_partners.firms()) or "none"
            raise CliLockPartnersError(f"no lock partner named {name!r} (known: {known})", code=1)
        result = await services.lock_partners.retire(actor, firm.id)
        if result.outcome is FirmOutcome.DEFAULT:
            raise CliLockPartnersError(
                f"{firm.name} is the default firm (LOCK_PARTNER_NAME) and cannot be retired;"
                " name another firm in the settings first",
                code=1,
            )
        if result.outcome is not FirmOutcome.RETIRED:
            raise CliLockPartnersError(
                f"{firm.name} was not retired ({result.outcome.value})", code=1
            )
        print(f"lock partner retired: {firm.name} (its orders and history are kept)")
        return 0

    return retire
