"""The planners' morning summary: what came in overnight, open incidents, the tickets waiting
longest, Smartkeys and training, each with a button to open its list; or the quiet text.

Every number and list comes from the database (``MorningFacts``, gathered by the summary
service); the buttons are the lists' own (the unit's open tickets, the keepers' Smartkey
view, the training register), so a press opens them as anywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.render.callbacks import KeyView, TicketList, key_view_data, page_data
from bot.render.i18n import Html, age, moment, plain, t
from bot.render.smartkeys import Rows
from bot.render.training import open_data
from bot.settings import Settings
from bot.storage.incidents import StoredIncident
from bot.storage.tickets import StoredTicket
from state.incident import format_incident_number
from state.ticket import format_ticket_number

LIST_MAX: Final = 10
"""Overnight tickets named one by one, at most; the rest are counted."""


@dataclass(frozen=True)
class KeyCounts:
    """The unit's Smartkeys out, overdue, not confirmed by their holder, and stale."""

    out: int = 0
    overdue: int = 0
    unconfirmed: int = 0
    stale: int = 0

    @property
    def any(self) -> bool:
        """Whether there is anything to say about the keys."""
        return any((self.out, self.overdue, self.unconfirmed, self.stale))


@dataclass(frozen=True)
class MorningFacts:
    """What one unit's summary tells, as the database holds it."""

    unit: str
    since: datetime
    """When the planners went home."""
    new: Sequence[StoredTicket]
    """The tickets created since then, oldest first."""
    incidents: Sequence[StoredIncident]
    open_tickets: int
    waiting: Sequence[StoredTicket]
    """The open tickets waiting longest: untaken first, then oldest."""
    keys: KeyCounts
    untrained: int
    """Employees still untrained past the threshold."""

    @property
    def quiet(self) -> bool:
        """Whether there is nothing at all to tell."""
        return not (
            self.new or self.incidents or self.open_tickets or self.keys.any or self.untrained
        )


def _ticket_line(language: str, ticket: StoredTicket) -> str:
    return t(
        language,
        "summary.ticket",
        number=format_ticket_number(ticket.model.number),
        category=t(language, f"category.{ticket.model.category}"),
        status=t(language, f"status.short.{ticket.model.state}"),
    )


def _incident_line(
    language: str, settings: Settings, incident: StoredIncident, now: datetime
) -> str:
    return t(
        language,
        "summary.incident",
        number=format_incident_number(incident.id),
        kind=t(language, f"incident.kind.{incident.model.kind}"),
        since=moment(language, incident.opened_at, settings.zone),
        age=age(language, now - incident.opened_at),
    )


def morning_summary(
    language: str,
    settings: Settings,
    facts: MorningFacts,
    now: datetime,
    *,
    may_train: bool,
) -> tuple[str, Rows]:
    """The summary to one recipient (HTML), with a button to open each list it names."""
    if facts.quiet:
        return t(language, "summary.quiet"), []
    since = moment(language, facts.since, settings.zone)
    lines = [t(language, "summary.head", unit=facts.unit)]
    if facts.new:
        lines.append(t(language, "summary.new", count=len(facts.new), since=since))
        lines.extend(_ticket_line(language, ticket) for ticket in facts.new[:LIST_MAX])
        if len(facts.new) > LIST_MAX:
            lines.append(t(language, "summary.more", count=len(facts.new) - LIST_MAX))
    else:
        lines.append(t(language, "summary.none_new", since=since))
    if facts.incidents:
        lines.append(t(language, "summary.incidents", count=len(facts.incidents)))
        lines.extend(_incident_line(language, settings, i, now) for i in facts.incidents)
    if facts.waiting:
        lines.append(t(language, "summary.waiting", count=facts.open_tickets))
        for ticket in facts.waiting:
            line = Html(_ticket_line(language, ticket))
            lines.append(
                t(language, "summary.waited", line=line, age=age(language, now - ticket.created_at))
            )
    keys = facts.keys
    if keys.any:
        lines.append(
            t(
                language,
                "summary.keys",
                out=keys.out,
                overdue=keys.overdue,
                unconfirmed=keys.unconfirmed,
                stale=keys.stale,
            )
        )
    if facts.untrained:
        weeks = f"{settings.training_late_weeks:g}"
        lines.append(t(language, "summary.untrained", count=facts.untrained, weeks=weeks))
    return "\n".join(lines), _buttons(language, facts, may_train=may_train)


def _buttons(language: str, facts: MorningFacts, *, may_train: bool) -> Rows:
    """One button a list: the unit's open tickets, the Smartkeys, the training register."""
    rows: Rows = []
    if facts.open_tickets:
        label = plain(language, "summary.button.tickets", count=facts.open_tickets)
        rows.append([(label, page_data(TicketList.UNIT, 1, facts.open_tickets, new=True))])
    if facts.keys.any:
        rows.append(
            [(plain(language, "summary.button.keys"), key_view_data(KeyView.OVERVIEW, new=True))]
        )
    if facts.untrained and may_train:
        rows.append([(plain(language, "summary.button.training"), open_data())])
    return rows
