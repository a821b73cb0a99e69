"""What the leader's monthly report reads: named, read-only statements over the stored events.

Every figure is read from what stays after retention (``bot.storage.retention``): a
ticket's unit, category, state and times, its events' states, times and the ``system``
actor; a triage's state, answers and end; an incident's kind, times and level; a Smartkey
step's states, time and detail; the training register's status and date.

- ``tickets_created``: the month's tickets, with when they were first had and resolved, and
  their escalation steps (the ``system`` steps that leave the state as it was, but the one
  that joined the ticket to its incident: an escalation's detail is not kept by retention).
- ``self_solved``: triages a caregiver's own check ended in the month; the unit is the
  employee's (as stored now), unknown once the triage is anonymised.
- ``incidents_opened``: incidents opened in the month, their reports per unit and steps.
- ``key_figures``: Smartkey hand-outs, losses and hand-outs first overdue, per key's unit.
- ``training_at``: the register's staff and those trained by a moment, per unit.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.clock import from_db, to_db
from bot.storage.retention import ANONYMOUS_USER_ID, SYSTEM_ACTOR
from bot.storage.session import Session
from state.incident import IncidentKind
from state.report import (
    IncidentFact,
    KeyFigures,
    SelfSolvedFact,
    TicketFact,
    TrainingFigures,
    solved_category,
)
from state.smartkey import SmartkeyState
from state.ticket import TicketStatus
from state.training import TRAINEES, TrainingStatus
from state.triage import TriageCategory, TriageState

_HAD = (TicketStatus.TAKEN, TicketStatus.CONTACTED, TicketStatus.RESOLVED)

_TICKETS_CREATED = """
SELECT t.unit, t.category, t.state, t.created_at, t.incident_id,
  (SELECT MIN(e.at) FROM ticket_events e WHERE e.ticket_id = t.id
    AND e.from_state IS NOT NULL AND e.from_state != e.to_state
    AND e.to_state IN (:taken, :contacted, :resolved)) AS taken_at,
  (SELECT MIN(e.at) FROM ticket_events e WHERE e.ticket_id = t.id
    AND e.from_state != e.to_state AND e.to_state = :resolved) AS resolved_at,
  MAX(0, (SELECT COUNT(*) FROM ticket_events e WHERE e.ticket_id = t.id
    AND e.actor = :system AND e.from_state = e.to_state)
    - (t.incident_id IS NOT NULL)) AS escalations
FROM tickets t WHERE t.created_at >= :start AND t.created_at < :end
ORDER BY t.created_at, t.id
"""
"""The month's tickets. An incident's ticket has one ``system`` same-state step for joining
it (its incident escalates, not the ticket); every other such step is an escalation."""

_SELF_SOLVED = """
SELECT COALESCE(e.unit, '') AS unit, tr.answers, tr.ended_at FROM triages tr
LEFT JOIN employees e ON e.user_id = tr.user_id AND e.user_id != :anonymous
WHERE tr.state = :solved AND tr.ended_at >= :start AND tr.ended_at < :end
ORDER BY tr.ended_at, tr.id
"""

_INCIDENTS_OPENED = """
SELECT i.id, i.kind, i.opened_at, i.escalation_level, t.unit, COUNT(t.id) AS n
FROM incidents i LEFT JOIN tickets t ON t.incident_id = i.id
WHERE i.opened_at >= :start AND i.opened_at < :end
GROUP BY i.id, t.unit ORDER BY i.id, t.unit
"""

_KEY_STEPS = """
SELECT k.unit,
  SUM(e.from_state = :cabinet AND e.to_state = :out) AS handed_out,
  SUM(e.to_state = :lost AND COALESCE(e.from_state, '') != :lost) AS lost
FROM smartkey_events e JOIN smartkeys k ON k.id = e.key_id
WHERE e.at >= :start AND e.at < :end GROUP BY k.unit
"""

_KEYS_OVERDUE = """
WITH marked AS (
  SELECT e.key_id, e.at,
    (SELECT MAX(h.id) FROM smartkey_events h WHERE h.key_id = e.key_id AND h.id < e.id
      AND h.from_state = :cabinet AND h.to_state = :out) AS loan
  FROM smartkey_events e WHERE e.detail GLOB 'overdue:*'
), firsts AS (
  SELECT key_id, loan, MIN(at) AS at FROM marked GROUP BY key_id, loan
)
SELECT k.unit, COUNT(*) AS n FROM firsts f JOIN smartkeys k ON k.id = f.key_id
WHERE f.at >= :start AND f.at < :end GROUP BY k.unit
"""
"""Hand-outs whose first overdue step fell in the month (a hand-out is the step from the
cabinet; its overdue steps are those after it)."""

_TRAINEE_ROLES = tuple(sorted(role.value for role in TRAINEES))
_ROLE_MARKS = ", ".join(f":role_{n}" for n in range(len(_TRAINEE_ROLES)))

_TRAINING_AT = f"""
SELECT e.unit, COUNT(*) AS staff,
  SUM(COALESCE(t.status = :trained AND t.trained_at < :end, 0)) AS trained
FROM employees e LEFT JOIN training t ON t.user_id = e.user_id
WHERE e.role IN ({_ROLE_MARKS}) AND e.user_id != :anonymous AND e.created_at < :end
  AND (e.active = 1 OR e.deactivated_at >= :end)
GROUP BY e.unit
"""  # noqa: S608 - fixed text
"""Staff the register covered at a moment (there, not yet gone), and those trained by then."""


def _moment(value: object) -> datetime | None:
    """A nullable stored moment."""
    return None if value is None else from_db(str(value))


def _period(start: datetime, end: datetime) -> dict[str, str]:
    return {"start": to_db(start), "end": to_db(end)}


class Reports:
    """Read-only statements for the monthly report."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def tickets_created(self, start: datetime, end: datetime) -> list[TicketFact]:
        """The tickets created from start (included) to end (excluded), oldest first."""
        taken, contacted, resolved = (status.value for status in _HAD)
        params = {
            **_period(start, end),
            "taken": taken,
            "contacted": contacted,
            "resolved": resolved,
            "system": SYSTEM_ACTOR,
        }
        rows = await self.s.fetchall(_TICKETS_CREATED, params)
        return [
            TicketFact(
                unit=str(r["unit"]),
                category=TriageCategory(r["category"]),
                status=TicketStatus(r["state"]),
                created_at=from_db(r["created_at"]),
                taken_at=_moment(r["taken_at"]),
                resolved_at=_moment(r["resolved_at"]),
                escalations=int(r["escalations"]),
                incident_id=r["incident_id"],
            )
            for r in rows
        ]

    async def self_solved(self, start: datetime, end: datetime) -> list[SelfSolvedFact]:
        """The triages a caregiver's own check ended from start to end, oldest first."""
        params = {
            **_period(start, end),
            "solved": TriageState.SOLVED_BY_CAREGIVER.value,
            "anonymous": ANONYMOUS_USER_ID,
        }
        rows = await self.s.fetchall(_SELF_SOLVED, params)
        return [
            SelfSolvedFact(
                str(r["unit"]), solved_category(json.loads(r["answers"])), from_db(r["ended_at"])
            )
            for r in rows
        ]

    async def incidents_opened(self, start: datetime, end: datetime) -> list[IncidentFact]:
        """The incidents opened from start to end, with their reports per unit."""
        rows = await self.s.fetchall(_INCIDENTS_OPENED, _period(start, end))
        found: dict[int, IncidentFact] = {}
        for r in rows:
            incident = found.get(r["id"]) or IncidentFact(
                id=int(r["id"]),
                category=TriageCategory(IncidentKind(r["kind"]).value),
                opened_at=from_db(r["opened_at"]),
                escalations=int(r["escalation_level"]),
                reports={},
            )
            if r["unit"] is not None:
                incident = IncidentFact(
                    incident.id,
                    incident.category,
                    incident.opened_at,
                    incident.escalations,
                    {**incident.reports, str(r["unit"]): int(r["n"])},
                )
            found[incident.id] = incident
        return list(found.values())

    async def key_figures(self, start: datetime, end: datetime) -> dict[str, KeyFigures]:
        """Smartkey hand-outs, losses and first-overdue hand-outs from start to end, per unit."""
        params = {
            **_period(start, end),
            "cabinet": SmartkeyState.IN_CABINET.value,
            "out": SmartkeyState.HANDED_OUT.value,
            "lost": SmartkeyState.LOST.value,
        }
        steps = await self.s.fetchall(_KEY_STEPS, params)
        overdue = await self.s.fetchall(_KEYS_OVERDUE, params)
        figures = {
            str(r["unit"]): KeyFigures(int(r["handed_out"] or 0), int(r["lost"] or 0))
            for r in steps
        }
        for r in overdue:
            unit = str(r["unit"])
            figures[unit] = figures.get(unit, KeyFigures()) + KeyFigures(overdue=int(r["n"]))
        return figures

    async def training_at(self, end: datetime) -> dict[str, TrainingFigures]:
        """The register's staff at a moment, and those trained by then, per unit."""
        params: dict[str, object] = {
            "end": to_db(end),
            "trained": TrainingStatus.TRAINED.value,
            "anonymous": ANONYMOUS_USER_ID,
        }
        params.update({f"role_{n}": role for n, role in enumerate(_TRAINEE_ROLES)})
        rows = await self.s.fetchall(_TRAINING_AT, params)
        return {
            str(r["unit"]): TrainingFigures(int(r["staff"]), int(r["trained"] or 0)) for r in rows
        }

    async def unit_names(self) -> list[str]:
        """Every unit the bot knows, by name."""
        rows = await self.s.fetchall("SELECT name FROM units ORDER BY key")
        return [str(r["name"]) for r in rows]
