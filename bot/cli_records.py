"""``python -m bot purge | subject-access | audit``: retention and data-protection reports.

- ``purge [--dry-run]``: anonymise what has been closed longer than ``RETENTION_MONTHS``
  (or only say what would be), one count a line.
- ``subject-access --user-id ID [--json]``: everything the bot holds about one employee.
- ``audit --since YYYY-MM-DD [--user-id ID] [--csv]``: the audit trail from a day on (in
  ``TIMEZONE``), optionally where one user-id acts or is acted on.

``bot.cli`` adds these with ``add_commands`` and runs what ``prepare`` returns. Errors are
``CliRecordsError``: one line, 2 for bad arguments, 1 for bad data (an unknown user-id).
Plain text is printed with control characters replaced (a description typed in a chat
cannot move the operator's terminal); CSV cells cannot start a formula.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from bot.render.safe_csv import csv_cell
from bot.services import Services
from bot.services.records import RecordsService, SubjectAccess, TicketPart, TriagePart
from bot.services.retention import PurgeReport, RetentionService
from bot.storage.leavers import LeaverTask
from bot.storage.records import AuditLine, InviteRecord
from bot.storage.smartkeys import KeyEvent
from state.cpr import contains_cpr
from state.invites import valid_user_id
from state.training import TrainingRecord

CLI_ACTOR = "cli"
COMMANDS = frozenset({"purge", "subject-access", "audit"})
CPR_REFUSAL = "that looks like a CPR number; CPR numbers must not be used"
AUDIT_HEADER = ("at", "actor", "action", "target", "outcome")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TELEGRAM_ACTOR = re.compile(r"^tg:\d{1,20}$")

Work = Callable[[Services], Awaitable[int]]

KINDS = {
    "tickets": "tickets",
    "ticket_events": "ticket events",
    "triages": "fault reports",
    "outbox": "messages",
    "audit": "audit lines",
    "invites": "invites",
    "employees": "employees",
    "inbox": "received updates",
    "incidents": "outage incidents",
    "broadcasts": "broadcasts",
    "smartkey_events": "Smartkey history lines",
    "smartkey_requests": "requests for a Smartkey",
}
"""How each kind of a purge is named, one line each."""


class CliRecordsError(Exception):
    """A problem the operator must fix; printed as one line, exit ``code``."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``purge``, ``subject-access`` and ``audit`` to the command line."""
    purge = commands.add_parser(
        "purge", help="anonymise what has been closed longer than RETENTION_MONTHS"
    )
    purge.add_argument(
        "--dry-run", action="store_true", help="change nothing; say what would be anonymised"
    )
    access = commands.add_parser(
        "subject-access", help="print everything the bot holds about one employee"
    )
    access.add_argument("--user-id", required=True, help="the SmartCare user-id")
    access.add_argument("--json", action="store_true", help="print one JSON object")
    audit = commands.add_parser("audit", help="print the audit trail from a day on")
    audit.add_argument("--since", required=True, help="YYYY-MM-DD, in TIMEZONE")
    audit.add_argument("--user-id", help="only lines where this user-id acts or is acted on")
    audit.add_argument("--csv", action="store_true", help="CSV with a header")


def prepare(command: str, args: argparse.Namespace) -> Work | None:
    """Check one of these commands' arguments and return its work; None for other commands."""
    if command == "purge":
        return _purge(dry_run=args.dry_run)
    if command == "subject-access":
        return _subject_access(_user_id(args.user_id), json_out=args.json)
    if command == "audit":
        user_id = None if args.user_id is None else _user_id(args.user_id, accounts=True)
        return _audit(_day(args.since), user_id, csv_out=args.csv)
    return None


def _user_id(value: str, *, accounts: bool = False) -> str:
    """Check a --user-id (the CPR guard first, so no such value is printed back)."""
    if contains_cpr(value):
        raise CliRecordsError(CPR_REFUSAL)
    if valid_user_id(value) or (accounts and _TELEGRAM_ACTOR.match(value)):
        return value
    raise CliRecordsError(f"--user-id {value!r} is not a SmartCare user-id")


def _day(value: str) -> date:
    """Read --since as a calendar day."""
    if contains_cpr(value):
        raise CliRecordsError(CPR_REFUSAL)
    not_a_date = CliRecordsError(f"--since {value!r} is not a date (YYYY-MM-DD)")
    if not _DATE.match(value):
        raise not_a_date
    try:
        return date.fromisoformat(value)  # the shape fits; the day may not exist (02-30)
    except ValueError:
        raise not_a_date from None


def _plain(text: str) -> str:
    """One line for a terminal: line breaks and tabs as spaces, other control characters as ?.

    What staff typed in a chat (a description, a name) cannot move the operator's cursor,
    colour the screen or fake a line of the report.
    """
    return "".join(c if c.isprintable() else " " if c in "\t\n\r" else "?" for c in text)


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


# purge


def _purge(*, dry_run: bool) -> Work:
    async def purge(services: Services) -> int:
        retention = RetentionService(services.db, services.clock, services.settings)
        report = await retention.purge(dry_run, actor=CLI_ACTOR)
        for line in purge_lines(report, services.settings.retention_months, services.settings.zone):
            print(line)
        return 0

    return purge


def purge_lines(report: PurgeReport, months: int, zone: ZoneInfo) -> list[str]:
    """What a purge says: what it covered, then one count a line."""
    cutoff = report.cutoff.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if report.dry_run:
        head = (
            f"dry run, nothing changed; closed before {cutoff} ({months} months), would anonymise:"
        )
    else:
        head = f"closed before {cutoff} ({months} months), anonymised:"
    lines = [head, *(f"{KINDS[kind]}: {count}" for kind, count in report.counts().items())]
    if not report.log_emptied:
        lines.append("note: the write-ahead log was in use; it is emptied at a later run")
    return lines


# subject-access


def _subject_access(user_id: str, *, json_out: bool) -> Work:
    async def subject_access(services: Services) -> int:
        records = RecordsService(services.db, services.clock, services.settings)
        found = await records.subject_access(user_id, actor=CLI_ACTOR)
        if found is None:
            raise CliRecordsError(f"no employee with user-id {user_id!r}", code=1)
        zone, now = services.settings.zone, services.clock.now()
        if json_out:
            print(json.dumps(subject_json(found, zone, now), ensure_ascii=False, indent=2))
        else:
            for line in subject_lines(found, zone, now):
                print(line)
        return 0

    return subject_access


def _audit_line(line: AuditLine, zone: ZoneInfo) -> str:
    return _plain(
        f"{_when(line.at, zone)}  {line.actor}  {line.action}  {line.target or '-'}  {line.outcome}"
    )


def _section(title: str, lines: list[str], count: int | None = None) -> list[str]:
    """A blank line, the heading (with how many entries), the lines or ``(none)``."""
    counted = f" ({count})" if count else ""
    return ["", f"== {title}{counted} ==", *(lines or ["  (none)"])]


def _ticket_lines(ticket: TicketPart, zone: ZoneInfo) -> list[str]:
    part = [p for p, yes in (("reported", ticket.reported), ("took", ticket.took)) if yes]
    steps = [
        f"{s.to_state}{f' ({s.detail})' if s.detail else ''} {_when(s.at, zone)}"
        for s in ticket.steps
    ]
    if steps:
        part.append("steps: " + ", ".join(steps))
    lines = [
        f"  {ticket.number}  {ticket.category}  {ticket.state}  ({ticket.unit})",
        f"    created {_when(ticket.created_at, zone)},"
        f" last change {_when(ticket.updated_at, zone)}",
        f"    your part: {'; '.join(part) or '-'}",
        f"    citizen: {_citizen(ticket.citizen_ref, ticket.citizen_typed)}",
    ]
    if ticket.description:
        lines.append(f"    description: {ticket.description}")
    return lines


def _triage_lines(triage: TriagePart, zone: ZoneInfo) -> list[str]:
    answers = ", ".join(f"{k}={v}" for k, v in triage.answers.items()) or "-"
    ticket = f", ticket {triage.ticket_number}" if triage.ticket_number else ""
    lines = [
        f"  #{triage.id}  {triage.state}  {triage.category or '-'}"
        f"  started {_when(triage.started_at, zone)}, ended {_when(triage.ended_at, zone)}"
        f"{ticket}",
        f"    citizen: {_citizen(triage.citizen_ref, triage.citizen_typed)}",
        f"    answers: {answers}",
    ]
    if triage.description:
        lines.append(f"    description: {triage.description}")
    return lines


def _invite_line(invite: InviteRecord, zone: ZoneInfo) -> str:
    parts = [
        f"created {_when(invite.created_at, zone)} by {invite.created_by}",
        f"expires {_when(invite.expires_at, zone)}",
    ]
    if invite.redeemed_at:
        parts.append(f"used {_when(invite.redeemed_at, zone)}")
    if invite.revoked_at:
        parts.append(f"revoked {_when(invite.revoked_at, zone)}")
    if not invite.redeemed_at and not invite.revoked_at:
        parts.append("not used")
    return "  " + ", ".join(parts)


def subject_lines(found: SubjectAccess, zone: ZoneInfo, now: datetime) -> list[str]:
    """The subject-access report as plain text, grouped under headings."""
    a = found.account
    bound = f"bound, since {_when(a.bound_at, zone)}" if a.bound else "not bound"
    account = [
        f"  user-id:      {a.user_id}",
        f"  name:         {a.name}",
        f"  role:         {a.role}",
        f"  key person:   {'yes (appointed)' if a.key_person else 'no'}",
        f"  unit:         {a.unit}",
        f"  language:     {a.language}",
        f"  active:       {'yes' if a.active else 'no'}",
        f"  telegram:     {bound}",
        f"  created:      {_when(a.created_at, zone)}",
        f"  deactivated:  {_when(a.deactivated_at, zone) if a.deactivated_at else 'no'}",
    ]
    roles = [f"  {_when(r.at, zone)}  by {r.actor}: {_change(r)}" for r in found.role_history]
    lines = [
        f"Subject access: {a.user_id} (as of {_when(now, zone)}, {zone.key})",
        *_section("Account", account),
        *_section("Role history", roles, len(roles)),
        *_section("Invites", [_invite_line(i, zone) for i in found.invites], len(found.invites)),
        *_section(
            "Tickets reported or handled",
            [line for t in found.tickets for line in _ticket_lines(t, zone)],
            len(found.tickets),
        ),
        *_section(
            "Fault reports",
            [line for t in found.triages for line in _triage_lines(t, zone)],
            len(found.triages),
        ),
        *_section(
            "Smartkeys taken, handed out or held",
            [_key_line(e, a.user_id, zone) for e in found.smartkeys],
            len(found.smartkeys),
        ),
        *_section("Bekey training", _training_lines(found.training, zone)),
        *_section(
            "Tasks to close them in Bekey",
            [_task_line(task, zone) for task in found.leaver_tasks],
            len(found.leaver_tasks),
        ),
        *_section(
            "Audit trail",
            ["  " + _audit_line(line, zone) for line in found.audit],
            len(found.audit),
        ),
    ]
    return [_plain(line) for line in lines]


def _change(line: AuditLine) -> str:
    """A role change as ``caregiver@Nord -> planner@Nord``, or an appointment in words."""
    if line.action == "role_change":
        return line.outcome.replace("->", " -> ")
    return line.action.replace("_", " ")


def _training_lines(record: TrainingRecord | None, zone: ZoneInfo) -> list[str]:
    """Their line in the training register: trained (when, by whom), Bekey on the phone,
    can update it."""
    if record is None:
        return ["  not in the register"]

    def answer(value: bool | None) -> str:
        return "not recorded" if value is None else ("yes" if value else "no")

    trained = record.status.value
    if record.trained_at is not None:
        trained += f", {_when(record.trained_at, zone)} by {record.trained_by or '?'}"
    return [
        f"  trained:      {trained}",
        f"  installed:    {answer(record.bekey_installed)}",
        f"  can update:   {answer(record.can_update)}",
    ]


def _task_line(task: LeaverTask, zone: ZoneInfo) -> str:
    """A task to close them in Bekey: made when and by whom, done when and by whom."""
    done = f"done {_when(task.done_at, zone)} by {task.done_by}" if task.done_at else "open"
    if task.bekey_closed_at is not None:
        done += f" (closed in Bekey {_when(task.bekey_closed_at, zone)} by {task.bekey_closed_by})"
    return f"  {_when(task.created_at, zone)}  by {task.created_by}: {done}"


def _key_line(event: KeyEvent, user_id: str, zone: ZoneInfo) -> str:
    """One Smartkey step in the report: when, which key, what, and who."""
    step = f"{event.from_state or 'registered'} -> {event.to_state}"
    who = "by them" if event.actor == user_id else f"by {event.actor}"
    held = ", held by them" if event.holder == user_id else ""
    return f"  {_when(event.at, zone)}  {event.label}: {step} ({who}{held})"


def _citizen(ref: str | None, typed: bool) -> str:
    if ref:
        return ref
    return "typed by hand (not shown)" if typed else "-"


def subject_json(found: SubjectAccess, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """The subject-access report as one JSON object (times in TIMEZONE, ISO 8601)."""

    def times(value: Any) -> Any:
        if isinstance(value, datetime):
            return _iso(value, zone)
        if isinstance(value, dict):
            return {k: times(v) for k, v in value.items()}
        if isinstance(value, list):
            return [times(v) for v in value]
        return value

    account = asdict(found.account)
    del account["telegram_id"]  # bound or not, and since when; the account id stays inside
    return {
        "user_id": found.account.user_id,
        "as_of": _iso(now, zone),
        "account": times(account),
        "role_history": [times(asdict(r)) for r in found.role_history],
        "invites": [times(asdict(i)) for i in found.invites],
        "tickets": [times(asdict(t)) for t in found.tickets],
        "triages": [times(asdict(t)) for t in found.triages],
        "audit": [times(asdict(a)) for a in found.audit],
        "smartkeys": [times(asdict(e)) for e in found.smartkeys],
        "training": times(asdict(found.training)) if found.training else None,
        "leaver_tasks": [times(asdict(task)) for task in found.leaver_tasks],
    }


# audit


def _audit(day: date, user_id: str | None, *, csv_out: bool) -> Work:
    async def audit(services: Services) -> int:
        zone = services.settings.zone
        since = datetime.combine(day, time(), tzinfo=zone)
        records = RecordsService(services.db, services.clock, services.settings)
        lines = await records.audit_trail(since, user_id, actor=CLI_ACTOR)
        if csv_out:
            write_audit_csv(lines, zone)
        elif not lines:
            print(f"no audit lines from {day.isoformat()} on")
        else:
            for line in lines:
                print(_audit_line(line, zone))
        return 0

    return audit


def write_audit_csv(lines: list[AuditLine], zone: ZoneInfo) -> None:
    """Write the audit lines as CSV with a header to stdout, every cell formula-safe."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(AUDIT_HEADER)
    for line in lines:
        cells = (_iso(line.at, zone), line.actor, line.action, line.target or "", line.outcome)
        writer.writerow([csv_cell(cell) for cell in cells])
