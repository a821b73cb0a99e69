"""Records: what the bot holds about one person, and the audit trail, for data protection.

Read-only views across tables. They return facts as stored (with the citizen's reference,
never the citizen's name or address); what of it a report may show is the service's rule.
Invites come back without their token hash, employees without their Telegram account id.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.session import Session


def _moment(value: object) -> datetime | None:
    return from_db(str(value)) if value is not None else None


@dataclass(frozen=True)
class AccountRecord:
    """An employee's account, as a subject-access report shows it."""

    user_id: str
    name: str
    role: str
    unit: str
    language: str
    active: bool
    bound: bool
    bound_at: datetime | None
    created_at: datetime
    updated_at: datetime
    deactivated_at: datetime | None
    telegram_id: int | None
    """Only to find the audit lines of the bound account (``tg:<id>``); never shown."""
    key_person: bool = False

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AccountRecord:
        """Build from an employees row."""
        return cls(
            user_id=row["user_id"],
            name=row["name"],
            role=row["role"],
            unit=row["unit"],
            language=row["language"],
            active=bool(row["active"]),
            bound=row["telegram_id"] is not None,
            bound_at=_moment(row["bound_at"]),
            created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
            deactivated_at=_moment(row["deactivated_at"]),
            telegram_id=row["telegram_id"],
            key_person=bool(row["key_person"]),
        )


@dataclass(frozen=True)
class AuditLine:
    """One line of the audit trail."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    outcome: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditLine:
        """Build from an audit row."""
        at = from_db(row["at"])
        return cls(row["id"], at, row["actor"], row["action"], row["target"], row["outcome"])


@dataclass(frozen=True)
class InviteRecord:
    """An invite, without its token hash or the account that used it."""

    created_at: datetime
    created_by: str
    expires_at: datetime
    redeemed_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> InviteRecord:
        """Build from an invites row."""
        return cls(
            created_at=from_db(row["created_at"]),
            created_by=row["created_by"],
            expires_at=from_db(row["expires_at"]),
            redeemed_at=_moment(row["redeemed_at"]),
            revoked_at=_moment(row["revoked_at"]),
        )


@dataclass(frozen=True)
class TicketFacts:
    """A ticket someone reported, took or acted on, with its citizen's reference only."""

    id: int
    number: int
    category: str
    state: str
    unit: str
    reporter: str
    taken_by: str | None
    contacted: str | None
    citizen_ref: str | None
    citizen_typed: bool
    answers: dict[str, str]
    description: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> TicketFacts:
        """Build from a tickets row joined with its citizen's reference."""
        return cls(
            id=row["id"],
            number=row["number"],
            category=row["category"],
            state=row["state"],
            unit=row["unit"],
            reporter=row["reporter"],
            taken_by=row["taken_by"],
            contacted=row["contacted"],
            citizen_ref=row["citizen_ref"],
            citizen_typed=bool(row["citizen_text"] or row["citizen_search"]),
            answers=json.loads(row["answers"]),
            description=row["description"],
            created_at=from_db(row["created_at"]),
            updated_at=from_db(row["updated_at"]),
        )


@dataclass(frozen=True)
class StepFacts:
    """One step someone took on a ticket."""

    ticket_id: int
    at: datetime
    from_state: str | None
    to_state: str
    detail: str | None


@dataclass(frozen=True)
class TriageFacts:
    """A fault report someone ran, with its citizen's reference and its ticket's number."""

    id: int
    state: str
    category: str | None
    answers: dict[str, str]
    description: str | None
    citizen_ref: str | None
    citizen_typed: bool
    ticket_number: int | None
    started_at: datetime
    updated_at: datetime
    ended_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> TriageFacts:
        """Build from a triages row joined with its citizen's reference and ticket's number."""
        return cls(
            id=row["id"],
            state=row["state"],
            category=row["category"],
            answers=json.loads(row["answers"]),
            description=row["description"],
            citizen_ref=row["citizen_ref"],
            citizen_typed=bool(row["citizen_text"] or row["search"]),
            ticket_number=row["ticket_number"],
            started_at=from_db(row["started_at"]),
            updated_at=from_db(row["updated_at"]),
            ended_at=_moment(row["ended_at"]),
        )


class Records:
    """Read-only views across tables for subject access and audit reports."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def account(self, user_id: str) -> AccountRecord | None:
        """Return an employee's account."""
        row = await self.s.fetchone("SELECT * FROM employees WHERE user_id = ?", (user_id,))
        return AccountRecord.from_row(row) if row else None

    async def invites_of(self, user_id: str) -> list[InviteRecord]:
        """Return the invites made for an employee, oldest first."""
        rows = await self.s.fetchall(
            "SELECT created_at, created_by, expires_at, redeemed_at, revoked_at FROM invites"
            " WHERE user_id = ? ORDER BY created_at, id",
            (user_id,),
        )
        return [InviteRecord.from_row(r) for r in rows]

    async def tickets_involving(self, user_id: str) -> list[TicketFacts]:
        """Return the tickets an employee reported, took or stepped on, oldest first."""
        rows = await self.s.fetchall(
            "SELECT t.*, c.ref AS citizen_ref FROM tickets AS t"
            " LEFT JOIN citizens AS c ON c.id = t.citizen_id"
            " WHERE t.reporter = :user OR t.taken_by = :user"
            " OR t.id IN (SELECT ticket_id FROM ticket_events WHERE actor = :user)"
            " ORDER BY t.created_at, t.id",
            {"user": user_id},
        )
        return [TicketFacts.from_row(r) for r in rows]

    async def steps_by(self, user_id: str) -> list[StepFacts]:
        """Return every step an employee took on a ticket, oldest first."""
        rows = await self.s.fetchall(
            "SELECT ticket_id, at, from_state, to_state, detail FROM ticket_events"
            " WHERE actor = ? ORDER BY at, id",
            (user_id,),
        )
        return [
            StepFacts(r["ticket_id"], from_db(r["at"]), r["from_state"], r["to_state"], r["detail"])
            for r in rows
        ]

    async def triages_of(self, user_id: str) -> list[TriageFacts]:
        """Return the fault reports an employee ran, oldest first."""
        rows = await self.s.fetchall(
            "SELECT r.*, c.ref AS citizen_ref, t.number AS ticket_number FROM triages AS r"
            " LEFT JOIN citizens AS c ON c.id = r.citizen_id"
            " LEFT JOIN tickets AS t ON t.id = r.ticket_id"
            " WHERE r.user_id = ? ORDER BY r.started_at, r.id",
            (user_id,),
        )
        return [TriageFacts.from_row(r) for r in rows]

    async def audit_about(self, user_id: str, telegram_actor: str | None) -> list[AuditLine]:
        """Return the audit lines where the employee (or their bound account) acts or is named."""
        rows = await self.s.fetchall(
            "SELECT * FROM audit WHERE actor = :user OR target = :user"
            " OR (:account IS NOT NULL AND actor = :account) ORDER BY at, id",
            {"user": user_id, "account": telegram_actor},
        )
        return [AuditLine.from_row(r) for r in rows]

    async def audit_since(self, since: datetime, user_id: str | None = None) -> list[AuditLine]:
        """Return the audit trail from a moment on, optionally where a user-id acts or is named."""
        rows = await self.s.fetchall(
            "SELECT * FROM audit WHERE at >= :since"
            " AND (:user IS NULL OR actor = :user OR target = :user) ORDER BY at, id",
            {"since": to_db(since), "user": user_id},
        )
        return [AuditLine.from_row(r) for r in rows]
