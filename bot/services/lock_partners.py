"""Lock partner firms: the list the bot knows, kept by leaders in chat and at the command line.

- ``LockPartnerService.firms``, ``find``: the firms on the list, the default first.
- ``save``, ``retire``: add or update a firm, take one off the list; authorised (a chat actor
  needs ``Permission.MANAGE_LOCK_PARTNERS``; the command line passes a string) and audited.
- ``ensure_default``: the ``LOCK_PARTNER_*`` settings as the default firm; run at start.
- ``firm_for_citizen`` (and ``firm_of`` inside a caller's transaction): the firm to call about
  a citizen's door: the firm of their latest order, else the default.

The default firm comes from the settings: its name and phone are the settings' own (a change
there moves it at the next start), so it cannot be retired, nor its number changed in chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.render.phones import dialable
from bot.services.base import Service
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.lock_partners import Firm
from state.firms import FirmProblem, firm_problem
from state.roles import Permission, may

LOCK_PARTNER_SAVED = "lock_partner_saved"
LOCK_PARTNER_RETIRED = "lock_partner_retired"
SETTINGS_ACTOR = "settings"
"""Who the audit trail names when the settings moved the default firm."""


class FirmOutcome(StrEnum):
    """How saving or retiring a firm ended."""

    ADDED = "added"
    UPDATED = "updated"
    RETIRED = "retired"
    INVALID = "invalid"
    """The details are refused (``FirmChange.problem`` says why)."""
    NOT_FOUND = "not_found"
    ALREADY = "already"
    """Retired already."""
    DEFAULT = "default"
    """The default firm cannot be retired."""
    FROM_SETTINGS = "from_settings"
    """The default firm's phone comes from the settings, not from chat."""
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True)
class FirmChange:
    """The outcome, the firm as it stands after it, and why details were refused."""

    outcome: FirmOutcome
    firm: Firm | None = None
    problem: FirmProblem | None = None


async def firm_of(tx: Tx, citizen_id: int) -> Firm | None:
    """The firm of the citizen's latest order while it is on the list, else the default."""
    order = await tx.orders.latest_for(citizen_id)
    if order is not None:
        firm = await tx.lock_partners.get(order.firm_id)
        if firm is not None and firm.active:
            return firm
    return await tx.lock_partners.default()


def _actor_id(actor: Employee | str) -> str:
    return actor if isinstance(actor, str) else actor.user_id


def _allowed(actor: Employee | str) -> bool:
    """The command line may; an employee must be active and a leader."""
    if isinstance(actor, str):
        return True
    return actor.active and may(actor.roles, Permission.MANAGE_LOCK_PARTNERS)


class LockPartnerService(Service):
    """Keeps the list of lock partner firms."""

    async def firms(self) -> list[Firm]:
        """The firms on the list: the default first, then by name."""
        async with self.db.read() as tx:
            return await tx.lock_partners.all()

    async def find(self, name: str) -> Firm | None:
        """The firm of that name on the list (case, spaces and æøå spelling aside)."""
        async with self.db.read() as tx:
            firm = await tx.lock_partners.by_name(name)
        return firm if firm is not None and firm.active else None

    async def default(self) -> Firm | None:
        """The default firm (from the settings), if any."""
        async with self.db.read() as tx:
            return await tx.lock_partners.default()

    async def name_of(self, firm_id: int) -> str:
        """A firm's name (a fitter's "unit" in their welcome and help); empty if unknown."""
        async with self.db.read() as tx:
            firm = await tx.lock_partners.get(firm_id)
        return firm.name if firm else ""

    async def firm_for_citizen(self, citizen_id: int) -> Firm | None:
        """The firm to call about a citizen's door: their latest order's, else the default."""
        async with self.db.read() as tx:
            return await firm_of(tx, citizen_id)

    async def save(
        self, actor: Employee | str, name: str, phone: str, email: str = ""
    ) -> FirmChange:
        """Add a firm, or update the one of that name (back on the list if it was retired)."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            if not _allowed(actor):
                await tx.audit.record(now, _actor_id(actor), LOCK_PARTNER_SAVED, None, "refused")
                return FirmChange(FirmOutcome.NOT_ALLOWED)
            problem = firm_problem(name, phone, email)
            if problem is not None:  # nothing of the details is stored, nor audited
                return FirmChange(FirmOutcome.INVALID, problem=problem)
            name, phone, email = name.strip(), " ".join(phone.split()), email.strip()
            known = await tx.lock_partners.by_name(name)
            if known is not None and known.is_default:
                if dialable(phone) != dialable(known.phone):
                    return FirmChange(FirmOutcome.FROM_SETTINGS, known)
                phone = known.phone  # the settings' own spelling: the next start keeps it
            firm = await tx.lock_partners.save(name, phone, email, now)
            await tx.audit.record(now, _actor_id(actor), LOCK_PARTNER_SAVED, firm.name)
            added = known is None or not known.active
            return FirmChange(FirmOutcome.ADDED if added else FirmOutcome.UPDATED, firm)

    async def retire(self, actor: Employee | str, firm_id: int) -> FirmChange:
        """Take a firm off the list (its orders and history stay); never the default."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            firm = await tx.lock_partners.get(firm_id)
            target = firm.name if firm is not None else str(firm_id)
            if not _allowed(actor):
                await tx.audit.record(
                    now, _actor_id(actor), LOCK_PARTNER_RETIRED, target, "refused"
                )
                return FirmChange(FirmOutcome.NOT_ALLOWED, firm)
            if firm is None:
                return FirmChange(FirmOutcome.NOT_FOUND)
            if not firm.active:
                return FirmChange(FirmOutcome.ALREADY, firm)
            if firm.is_default:
                return FirmChange(FirmOutcome.DEFAULT, firm)
            await tx.lock_partners.retire(firm.id, now)
            await tx.audit.record(now, _actor_id(actor), LOCK_PARTNER_RETIRED, firm.name)
            return FirmChange(FirmOutcome.RETIRED, await tx.lock_partners.get(firm.id))

    async def ensure_default(self) -> Firm | None:
        """Make the ``LOCK_PARTNER_*`` settings the default firm (None: no name is set).

        Nothing is written when the default already is the settings' firm; a default moved
        by changed settings is audited (the first one, made with the database, is not).
        """
        name = " ".join(self.settings.lock_partner_name.split())
        phone = self.settings.lock_partner_phone.strip()
        if not name:
            return None
        async with self.db.transaction() as tx:
            now = self.clock.now()
            current = await tx.lock_partners.default()
            if current is not None and (current.name, current.phone) == (name, phone):
                return current
            same = await tx.lock_partners.by_name(name)
            email = same.email if same is not None else ""
            firm = await tx.lock_partners.save(name, phone, email, now, default=True)
            if current is not None:
                await tx.audit.record(now, SETTINGS_ACTOR, LOCK_PARTNER_SAVED, firm.name)
            return firm
