"""Records: what the bot holds about one employee (subject access), and the audit trail.

Both reads are audited (``subject_access``, ``audit_report``): who looked, at whom.

What a subject-access report shows of other people: a ticket's description only when the
subject reported it; a citizen only by reference (never name or address, and never what
was typed for one: the citizen is not the subject); the actors of audit lines by user-id.
It never shows invite tokens or hashes, nor the Telegram account id (only whether one is
bound, and since when).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.services.base import Service
from bot.services.staff import KEY_PERSON_APPOINTED, KEY_PERSON_REMOVED
from bot.storage.leavers import LeaverTask
from bot.storage.records import (
    AccountRecord,
    AuditLine,
    InviteRecord,
    StepFacts,
    TicketFacts,
    TriageFacts,
)
from bot.storage.retention import ANONYMOUS_USER_ID
from bot.storage.smartkeys import KeyEvent
from state.invites import valid_user_id
from state.ticket import format_ticket_number
from state.training import TrainingRecord

ROLE_CHANGE = "role_change"


@dataclass(frozen=True)
class TicketPart:
    """A ticket as one employee's record shows it: their part in it."""

    number: str
    category: str
    state: str
    unit: str
    created_at: datetime
    updated_at: datetime
    reported: bool
    took: bool
    steps: list[StepFacts]
    """The steps the employee took on it, oldest first."""
    citizen_ref: str | None
    citizen_typed: bool
    """A citizen was typed, not chosen from the register (what was typed is not shown)."""
    description: str | None
    """Only on a ticket the employee reported: their own words."""


@dataclass(frozen=True)
class TriagePart:
    """A fault report the employee ran."""

    id: int
    state: str
    category: str | None
    answers: dict[str, str]
    started_at: datetime
    ended_at: datetime | None
    ticket_number: str | None
    citizen_ref: str | None
    citizen_typed: bool
    description: str | None


@dataclass(frozen=True)
class SubjectAccess:
    """Everything the bot holds about one employee."""

    account: AccountRecord
    role_history: list[AuditLine]
    invites: list[InviteRecord]
    tickets: list[TicketPart]
    triages: list[TriagePart]
    audit: list[AuditLine] = field(default_factory=list)
    smartkeys: list[KeyEvent] = field(default_factory=list)
    """Every Smartkey step they took, or held the key in."""
    training: TrainingRecord | None = None
    """Their line in the Bekey training register."""
    leaver_tasks: list[LeaverTask] = field(default_factory=list)
    """The planners' tasks to close them in Bekey, if they left."""


def _ticket_part(user_id: str, ticket: TicketFacts, steps: list[StepFacts]) -> TicketPart:
    reported = ticket.reporter == user_id
    return TicketPart(
        number=format_ticket_number(ticket.number),
        category=ticket.category,
        state=ticket.state,
        unit=ticket.unit,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        reported=reported,
        took=ticket.taken_by == user_id,
        steps=[step for step in steps if step.ticket_id == ticket.id],
        citizen_ref=ticket.citizen_ref,
        citizen_typed=ticket.citizen_typed,
        description=ticket.description if reported else None,
    )


def _triage_part(triage: TriageFacts) -> TriagePart:
    number = triage.ticket_number
    return TriagePart(
        id=triage.id,
        state=triage.state,
        category=triage.category,
        answers=triage.answers,
        started_at=triage.started_at,
        ended_at=triage.ended_at,
        ticket_number=format_ticket_number(number) if number is not None else None,
        citizen_ref=triage.citizen_ref,
        citizen_typed=triage.citizen_typed,
        description=triage.description,
    )


class RecordsService(Service):
    """Subject access and the audit report."""

    async def subject_access(self, user_id: str, *, actor: str) -> SubjectAccess | None:
        """Gather what the bot holds about an employee (audited); None if it knows no such one."""
        if user_id == ANONYMOUS_USER_ID or not valid_user_id(user_id):
            return None
        async with self.db.transaction() as tx:
            account = await tx.records.account(user_id)
            if account is None:
                return None
            telegram = f"tg:{account.telegram_id}" if account.telegram_id is not None else None
            audit = await tx.records.audit_about(user_id, telegram)
            steps = await tx.records.steps_by(user_id)
            tickets = [
                _ticket_part(user_id, ticket, steps)
                for ticket in await tx.records.tickets_involving(user_id)
            ]
            triages = [_triage_part(t) for t in await tx.records.triages_of(user_id)]
            invites = await tx.records.invites_of(user_id)
            smartkeys = await tx.smartkeys.steps_involving(user_id)
            training = await tx.training.get(user_id)
            leaver_tasks = await tx.leavers.about(user_id)
            await tx.audit.record(self.clock.now(), actor, "subject_access", user_id)
        changes = {ROLE_CHANGE, KEY_PERSON_APPOINTED, KEY_PERSON_REMOVED}
        role_history = [a for a in audit if a.action in changes and a.target == user_id]
        return SubjectAccess(
            account,
            role_history,
            invites,
            tickets,
            triages,
            audit,
            smartkeys,
            training,
            leaver_tasks,
        )

    async def audit_trail(
        self, since: datetime, user_id: str | None = None, *, actor: str
    ) -> list[AuditLine]:
        """Return the audit trail from a moment on (audited), optionally about one user-id."""
        async with self.db.transaction() as tx:
            lines = await tx.records.audit_since(since, user_id)
            await tx.audit.record(self.clock.now(), actor, "audit_report", user_id)
        return lines
