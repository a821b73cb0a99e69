"""Retention: what is anonymised once it has been closed longer than the retention period.

Each kind has one named condition (what is old enough *and* still holds something to
remove), used both to count (a dry run) and to change: so a dry run says exactly what a
run would do, and a second run finds nothing (idempotent).

- tickets: resolved or cancelled before the cutoff (``updated_at`` is when): description,
  typed and searched citizen, the citizen link gone; reporter and taker become the
  anonymous employee. Number, unit, category, answers (codes), state, contacted party,
  escalation level and times stay, for statistics.
- ticket events of those tickets: detail gone, actor anonymous (``system`` stays).
- triages ended before the cutoff: description, typed citizen, search text, the citizen
  link, the chat and message gone; the employee becomes the anonymous employee.
- outbox: every delivered, failed or superseded push created before the cutoff (but those
  of a ticket still open, whose cards are edited yet), and every push on the topic of an
  anonymised ticket or triage: text, buttons and error gone; the chat and message too,
  unless the message is still pinned (it must be unpinned later).
- audit lines before the cutoff keep who did what, but no free text (see ``_TARGET_KEPT``
  and ``_OUTCOME_KEPT``) and no Telegram account ids.
- invites created before the cutoff forget the Telegram account that used them.
- incidents closed before the cutoff: who took and who resolved them become the anonymous
  employee (their kind, size, units and times stay).
- broadcasts made before the cutoff: the text (if a draft kept it) goes, and the author
  becomes the anonymous employee (the sent copies are outbox rows, anonymised as such).
- Smartkey history before the cutoff: who acted and who held the key become the anonymous
  employee (``system`` stays); the key, the step and the time stay.
- requests for a Smartkey answered before the cutoff: the requester and who answered become
  the anonymous employee.
- employees deactivated before the cutoff keep only their user-id (with role, unit and
  the dates): the name becomes the user-id; the Telegram binding, menu and language go.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.clock import to_db
from bot.settings import LANGUAGES
from bot.storage.session import Session
from state.roles import Role
from state.smartkey_request import RequestState
from state.ticket import FINAL_STATES

ANONYMOUS_USER_ID = "(anonymised)"
"""The employee row that anonymised tickets and triages point to (the foreign keys need
one). Not a SmartCare user-id's shape (brackets), so no invite or import can reach it."""

ANONYMOUS_TELEGRAM_ACTOR = "tg:(anonymised)"
"""What an old audit line's ``tg:<account id>`` actor becomes."""

REDACTED = "redacted"
"""What an old audit line's outcome becomes when it held free text."""

SYSTEM_ACTOR = "system"

_CLOSED = tuple(sorted(state.value for state in FINAL_STATES))
_CLOSED_MARKS = ", ".join(f":closed_{n}" for n in range(len(_CLOSED)))

_TICKET_EXPIRED = f"state IN ({_CLOSED_MARKS}) AND updated_at < :cutoff"
"""A ticket closed (resolved or cancelled) before the cutoff."""

_TICKET_OPEN = f"state NOT IN ({_CLOSED_MARKS})"

_TICKET_TO_ANONYMISE = (
    f"{_TICKET_EXPIRED} AND (description IS NOT NULL OR citizen_text IS NOT NULL"
    " OR citizen_search IS NOT NULL OR citizen_id IS NOT NULL OR reporter != :anonymous"
    " OR (taken_by IS NOT NULL AND taken_by != :anonymous))"
)
_TICKET_ANONYMISED = (
    "description = NULL, citizen_text = NULL, citizen_search = NULL, citizen_id = NULL,"
    " reporter = :anonymous,"
    " taken_by = CASE WHEN taken_by IS NULL THEN NULL ELSE :anonymous END"
)

_EVENT_TO_ANONYMISE = (
    f"ticket_id IN (SELECT id FROM tickets WHERE {_TICKET_EXPIRED})"  # noqa: S608 - fixed
    " AND (detail IS NOT NULL OR actor NOT IN (:anonymous, :system))"
)
_EVENT_ANONYMISED = (
    "detail = NULL, actor = CASE WHEN actor = :system THEN actor ELSE :anonymous END"
)

_TRIAGE_EXPIRED = "ended_at IS NOT NULL AND ended_at < :cutoff"
"""A triage ended before the cutoff."""

_TRIAGE_TO_ANONYMISE = (
    f"{_TRIAGE_EXPIRED} AND (description IS NOT NULL OR citizen_text IS NOT NULL"
    " OR search IS NOT NULL OR citizen_id IS NOT NULL OR user_id != :anonymous"
    " OR chat_id != 0 OR message_id IS NOT NULL)"
)
_TRIAGE_ANONYMISED = (
    "description = NULL, citizen_text = NULL, search = NULL, citizen_id = NULL,"
    " user_id = :anonymous, chat_id = 0, message_id = NULL"
)

_OUTBOX_HOLDS_SOMETHING = (
    "(text != '' OR reply_markup IS NOT NULL OR last_error IS NOT NULL"
    " OR (pin = 0 AND (chat_id != 0 OR message_id IS NOT NULL)))"
)
_OUTBOX_ANONYMISED = (
    "text = '', reply_markup = NULL, last_error = NULL,"
    " chat_id = CASE WHEN pin = 0 THEN 0 ELSE chat_id END,"
    " message_id = CASE WHEN pin = 0 THEN NULL ELSE message_id END"
)

_EMPLOYEE_TO_ANONYMISE = (
    "active = 0 AND deactivated_at IS NOT NULL AND deactivated_at < :cutoff"
    " AND user_id != :anonymous AND (name != user_id OR telegram_id IS NOT NULL"
    " OR bound_at IS NOT NULL OR menu_role IS NOT NULL OR language != :language)"
)
_EMPLOYEE_ANONYMISED = (
    "name = user_id, telegram_id = NULL, bound_at = NULL, menu_role = NULL,"
    " language = :language, updated_at = :now"
)

_INVITE_TO_ANONYMISE = "created_at < :cutoff AND redeemed_by IS NOT NULL"
_INVITE_ANONYMISED = "redeemed_by = NULL"

_INCIDENT_TO_ANONYMISE = (
    "closed_at IS NOT NULL AND closed_at < :cutoff"
    " AND (COALESCE(taken_by, :anonymous) != :anonymous"
    " OR COALESCE(resolved_by, :anonymous) != :anonymous)"
)
_INCIDENT_ANONYMISED = (
    "taken_by = CASE WHEN taken_by IS NULL THEN NULL ELSE :anonymous END,"
    " resolved_by = CASE WHEN resolved_by IS NULL THEN NULL ELSE :anonymous END"
)

_BROADCAST_TO_ANONYMISE = "created_at < :cutoff AND (text IS NOT NULL OR author != :anonymous)"
_BROADCAST_ANONYMISED = "text = NULL, author = :anonymous"

_KEY_EVENT_TO_ANONYMISE = (
    "at < :cutoff AND ((actor != :anonymous AND actor != :system)"
    " OR COALESCE(holder, :anonymous) != :anonymous)"
)
_KEY_EVENT_ANONYMISED = (
    "actor = CASE WHEN actor = :system THEN actor ELSE :anonymous END,"
    " holder = CASE WHEN holder IS NULL THEN NULL ELSE :anonymous END"
)

_KEY_REQUEST_TO_ANONYMISE = (
    "state != :waiting AND created_at < :cutoff"
    " AND (requester != :anonymous OR COALESCE(decided_by, :anonymous) != :anonymous)"
)
_KEY_REQUEST_ANONYMISED = (
    "requester = :anonymous,"
    " decided_by = CASE WHEN decided_by IS NULL THEN NULL ELSE :anonymous END"
)

_TELEGRAM_ACTOR = "actor GLOB 'tg:[0-9]*'"

_LANGUAGE_MARKS = ", ".join(f":language_{n}" for n in range(len(LANGUAGES)))

_TARGET_KEPT = (
    "(target IS NULL"  # noqa: S608 - fixed text
    " OR target IN (SELECT user_id FROM employees)"  # a user-id the bot knows
    " OR target IN (SELECT name FROM units)"  # a unit's name
    f" OR target IN ({_LANGUAGE_MARKS})"  # a language code
    " OR (target GLOB 'F-[0-9]*' AND substr(target, 3) NOT GLOB '*[^0-9]*')"  # F-0042
    " OR (target != '' AND target NOT GLOB '*[^0-9]*'))"  # a triage id, a count
)
"""An audit target that is an identifier, not free text. Anything else is dropped (NULL)."""

_OUTCOME_KEPT = (
    "((action = 'role_change' AND outcome GLOB '?*@?*->?*@?*')"  # role@unit->role@unit
    " OR (outcome != '' AND length(outcome) <= 120"
    " AND outcome NOT GLOB '*[^a-z0-9_=,.-]*'))"  # a short code: ok, refused, tickets=3,...
)
"""An audit outcome that is a short code (lower-case letters, digits, ``_=,.-``; no
spaces, no ``:`` so no ``tg:<id>``), or a role change as the code writes it.
Anything else becomes ``redacted``."""

_AUDIT_TO_ANONYMISE = (
    f"at < :cutoff AND ({_TELEGRAM_ACTOR} OR NOT {_TARGET_KEPT} OR NOT {_OUTCOME_KEPT})"
)
_AUDIT_ANONYMISED = (
    f"actor = CASE WHEN {_TELEGRAM_ACTOR} THEN :telegram_actor ELSE actor END,"
    f" target = CASE WHEN {_TARGET_KEPT} THEN target ELSE NULL END,"
    f" outcome = CASE WHEN {_OUTCOME_KEPT} THEN outcome ELSE :redacted END"
)


def _topics(table: str, where: str, count: int, name: str) -> str:
    """A subquery of the topics (``<prefix><id>``) of a table's rows that match ``where``."""
    return " UNION ALL ".join(
        f"SELECT :{name}_{n} || id FROM {table} WHERE {where}"  # noqa: S608 - fixed text
        for n in range(count)
    )


class Retention:
    """The anonymising statements, over every table that holds free text.

    Each method counts (``dry_run``) or changes what its kind holds past the cutoff, and
    returns how many rows that is.
    """

    def __init__(self, session: Session) -> None:
        self.s = session

    async def _apply(
        self, table: str, assignments: str, where: str, params: dict[str, Any], *, dry_run: bool
    ) -> int:
        if dry_run:
            return await self.s.count(
                f"SELECT COUNT(*) AS n FROM {table} WHERE {where}",  # noqa: S608 - fixed text
                params,
            )
        return await self.s.change(
            f"UPDATE {table} SET {assignments} WHERE {where}",  # noqa: S608 - fixed text
            params,
        )

    async def _anonymise(
        self,
        table: str,
        assignments: str,
        where: str,
        params: dict[str, Any],
        now: datetime,
        *,
        dry_run: bool,
    ) -> int:
        """Count, and unless a dry run change, rows that will point to the anonymous employee."""
        count = await self._apply(table, assignments, where, params, dry_run=True)
        if dry_run or count == 0:
            return count  # the anonymous employee is made only when someone is anonymised
        await self._ensure_anonymous_employee(now)
        return await self._apply(table, assignments, where, params, dry_run=False)

    async def _ensure_anonymous_employee(self, now: datetime) -> None:
        """Create the anonymous employee row (inactive, no unit, never bound) if missing."""
        stamp = to_db(now)
        await self.s.execute(
            "INSERT OR IGNORE INTO employees (user_id, name, role, unit, language, active,"
            " created_at, updated_at, deactivated_at)"
            " VALUES (:anonymous, :anonymous, :role, '', :language, 0, :now, :now, :now)",
            {
                "anonymous": ANONYMOUS_USER_ID,
                "role": Role.CAREGIVER.value,
                "language": LANGUAGES[0],
                "now": stamp,
            },
        )

    async def tickets(self, cutoff: datetime, now: datetime, *, dry_run: bool) -> int:
        """Tickets closed before the cutoff that still hold text or a link to a person."""
        params = {**_closed(), "cutoff": to_db(cutoff), "anonymous": ANONYMOUS_USER_ID}
        count = await self._apply(
            "tickets", _TICKET_ANONYMISED, _TICKET_TO_ANONYMISE, params, dry_run=True
        )
        if dry_run or count == 0:
            return count
        await self._ensure_anonymous_employee(now)
        return await self._apply(
            "tickets", _TICKET_ANONYMISED, _TICKET_TO_ANONYMISE, params, dry_run=False
        )

    async def ticket_events(self, cutoff: datetime, *, dry_run: bool) -> int:
        """The events of those tickets that still hold a detail or a person's user-id."""
        params = {
            **_closed(),
            "cutoff": to_db(cutoff),
            "anonymous": ANONYMOUS_USER_ID,
            "system": SYSTEM_ACTOR,
        }
        return await self._apply(
            "ticket_events", _EVENT_ANONYMISED, _EVENT_TO_ANONYMISE, params, dry_run=dry_run
        )

    async def triages(self, cutoff: datetime, now: datetime, *, dry_run: bool) -> int:
        """Triages ended before the cutoff that still hold text, a chat or a person."""
        params = {"cutoff": to_db(cutoff), "anonymous": ANONYMOUS_USER_ID}
        count = await self._apply(
            "triages", _TRIAGE_ANONYMISED, _TRIAGE_TO_ANONYMISE, params, dry_run=True
        )
        if dry_run or count == 0:
            return count
        await self._ensure_anonymous_employee(now)
        return await self._apply(
            "triages", _TRIAGE_ANONYMISED, _TRIAGE_TO_ANONYMISE, params, dry_run=False
        )

    async def outbox(
        self,
        cutoff: datetime,
        *,
        ticket_topics: Sequence[str],
        triage_topics: Sequence[str],
        dry_run: bool,
    ) -> int:
        """Pushes no longer pending, created before the cutoff or on an expired topic.

        The pushes of a ticket still open stay, however old: its cards are edited yet.

        ``ticket_topics`` and ``triage_topics`` are the prefixes that, followed by a row id,
        make the topics of a ticket's and a triage's pushes.
        """
        if not ticket_topics or not triage_topics:
            raise ValueError("a ticket's and a triage's topic prefixes are needed")
        params: dict[str, Any] = {**_closed(), "cutoff": to_db(cutoff), "pending": "pending"}
        params.update({f"ticket_topic_{n}": p for n, p in enumerate(ticket_topics)})
        params.update({f"triage_topic_{n}": p for n, p in enumerate(triage_topics)})
        tickets, triages = len(ticket_topics), len(triage_topics)
        expired = (
            f"topic IN ({_topics('tickets', _TICKET_EXPIRED, tickets, 'ticket_topic')}"
            f" UNION ALL {_topics('triages', _TRIAGE_EXPIRED, triages, 'triage_topic')})"
        )
        # An open ticket's cards are still edited when it moves on: they stay as they are.
        still_open = f"topic IN ({_topics('tickets', _TICKET_OPEN, tickets, 'ticket_topic')})"
        old = f"(created_at < :cutoff AND (topic IS NULL OR NOT {still_open})) OR {expired}"
        where = f"status != :pending AND ({old}) AND {_OUTBOX_HOLDS_SOMETHING}"
        return await self._apply("outbox", _OUTBOX_ANONYMISED, where, params, dry_run=dry_run)

    async def audit(self, cutoff: datetime, *, dry_run: bool) -> int:
        """Audit lines before the cutoff with free text or a Telegram account id in them."""
        params: dict[str, Any] = {
            "cutoff": to_db(cutoff),
            "telegram_actor": ANONYMOUS_TELEGRAM_ACTOR,
            "redacted": REDACTED,
        }
        params.update({f"language_{n}": code for n, code in enumerate(LANGUAGES)})
        return await self._apply(
            "audit", _AUDIT_ANONYMISED, _AUDIT_TO_ANONYMISE, params, dry_run=dry_run
        )

    async def invites(self, cutoff: datetime, *, dry_run: bool) -> int:
        """Invites created before the cutoff that still name the Telegram account that used them."""
        return await self._apply(
            "invites",
            _INVITE_ANONYMISED,
            _INVITE_TO_ANONYMISE,
            {"cutoff": to_db(cutoff)},
            dry_run=dry_run,
        )

    async def employees(
        self, cutoff: datetime, now: datetime, language: str, *, dry_run: bool
    ) -> int:
        """Employees deactivated before the cutoff that still hold more than their user-id."""
        params = {
            "cutoff": to_db(cutoff),
            "anonymous": ANONYMOUS_USER_ID,
            "language": language,
            "now": to_db(now),
        }
        return await self._apply(
            "employees", _EMPLOYEE_ANONYMISED, _EMPLOYEE_TO_ANONYMISE, params, dry_run=dry_run
        )

    async def incidents(self, cutoff: datetime, now: datetime, *, dry_run: bool) -> int:
        """Incidents closed before the cutoff that still name who took or resolved them."""
        params = {"cutoff": to_db(cutoff), "anonymous": ANONYMOUS_USER_ID}
        return await self._anonymise(
            "incidents", _INCIDENT_ANONYMISED, _INCIDENT_TO_ANONYMISE, params, now, dry_run=dry_run
        )

    async def broadcasts(self, cutoff: datetime, now: datetime, *, dry_run: bool) -> int:
        """Broadcasts made before the cutoff that still hold a text or name their author."""
        params = {"cutoff": to_db(cutoff), "anonymous": ANONYMOUS_USER_ID}
        return await self._anonymise(
            "broadcasts",
            _BROADCAST_ANONYMISED,
            _BROADCAST_TO_ANONYMISE,
            params,
            now,
            dry_run=dry_run,
        )

    async def smartkey_events(self, cutoff: datetime, *, dry_run: bool) -> int:
        """Smartkey history before the cutoff that still names who acted or held the key."""
        params = {"cutoff": to_db(cutoff), "anonymous": ANONYMOUS_USER_ID, "system": SYSTEM_ACTOR}
        return await self._apply(
            "smartkey_events",
            _KEY_EVENT_ANONYMISED,
            _KEY_EVENT_TO_ANONYMISE,
            params,
            dry_run=dry_run,
        )

    async def smartkey_requests(self, cutoff: datetime, now: datetime, *, dry_run: bool) -> int:
        """Answered requests for a Smartkey made before the cutoff that still name people."""
        params = {
            "cutoff": to_db(cutoff),
            "anonymous": ANONYMOUS_USER_ID,
            "waiting": RequestState.WAITING.value,
        }
        return await self._anonymise(
            "smartkey_requests",
            _KEY_REQUEST_ANONYMISED,
            _KEY_REQUEST_TO_ANONYMISE,
            params,
            now,
            dry_run=dry_run,
        )

    async def inbox(self, before: datetime, *, dry_run: bool) -> int:
        """Handled updates received before a moment: deleted whole (they hold what was typed)."""
        if dry_run:
            return await self.s.count(
                "SELECT COUNT(*) AS n FROM inbox WHERE handled_at IS NOT NULL AND received_at < ?",
                (to_db(before),),
            )
        return await self.s.change(
            "DELETE FROM inbox WHERE handled_at IS NOT NULL AND received_at < ?", (to_db(before),)
        )

    async def checkpoint(self) -> bool:
        """Copy the write-ahead log into the database and empty it (outside a transaction).

        Old page images in the log still hold the removed text until this runs; return
        whether the log could be emptied (False: another connection was reading).
        """
        row = await self.s.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
        return row is not None and int(row[0]) == 0


def _closed() -> dict[str, str]:
    return {f"closed_{n}": state for n, state in enumerate(_CLOSED)}
