"""Who is who: invites, binding a Telegram account to a user-id, staff imports, languages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.render.csvfiles import LineError
from bot.services.base import Service
from bot.services.emergency import queue_pinned_card
from bot.storage.database import Tx
from bot.storage.employees import Employee, StaffRow
from state.invites import Redemption, hash_token, invite_link, new_token
from state.roles import Role, may_invite
from state.units import unit_key


@dataclass(frozen=True)
class Invitation:
    """A fresh invite: the token exists only here and in the link, never in the database."""

    employee: Employee
    token: str
    link: str


@dataclass(frozen=True)
class RedeemOutcome:
    """How a redemption ended, whom it bound, and the account that lost the binding."""

    result: Redemption
    employee: Employee | None = None
    previous_telegram_id: int | None = None


class InviteRefused(Exception):
    """The inviter may not invite this person to this role."""


@dataclass(frozen=True)
class RightsProblem:
    """Why an inviter may not invite one row: another unit, or a role above their reach."""

    unit: str | None = None
    role: Role | None = None


class StaffService(Service):
    """Invites and bindings, each in one transaction and audited."""

    async def get(self, user_id: str) -> Employee | None:
        """Return an employee by user-id."""
        async with self.db.read() as tx:
            return await tx.employees.get(user_id)

    async def has_planner(self, unit: str) -> bool:
        """Whether an active planner of the unit uses the bot."""
        async with self.db.read() as tx:
            return bool(await tx.employees.in_unit(unit, frozenset({Role.PLANNER})))

    async def invite(
        self,
        staff: StaffRow,
        *,
        actor: str,
        bot_username: str,
        inviter: Employee | None = None,
    ) -> Invitation:
        """Create or update the employee and a new invite (an inviter's rights are checked)."""
        return (
            await self.invite_many([staff], actor=actor, bot_username=bot_username, inviter=inviter)
        )[0]

    async def invite_many(
        self,
        rows: list[StaffRow],
        *,
        actor: str,
        bot_username: str,
        inviter: Employee | None = None,
    ) -> list[Invitation]:
        """Invite several employees in one transaction: all of them, or none."""
        now = self.clock.now()
        out: list[Invitation] = []
        try:
            async with self.db.transaction() as tx:
                for staff in rows:
                    if inviter is not None:
                        if await _rights_problem(tx, inviter, staff):
                            raise InviteRefused(staff.user_id)  # rolls the whole batch back
                        staff = replace(staff, unit=inviter.unit)  # the unit's one spelling
                    out.append(await self._invite(tx, staff, actor, bot_username, now))
        except InviteRefused as refusal:
            async with self.db.transaction() as tx:
                await tx.audit.record(now, actor, "invite", str(refusal), "refused")
            raise
        return out

    async def rights_errors(
        self, inviter: Employee, rows: list[StaffRow], lines: list[int]
    ) -> list[LineError]:
        """Name each row of a file the inviter may not invite, by its line."""
        errors: list[LineError] = []
        async with self.db.read() as tx:
            for row, line in zip(rows, lines, strict=True):
                problem = await _rights_problem(tx, inviter, row)
                if problem is None:
                    continue
                if problem.unit is not None:
                    params: dict[str, object] = {"value": problem.unit, "unit": inviter.unit}
                    errors.append(LineError(line, "not_yours_unit", params))
                elif problem.role is not None:
                    errors.append(LineError(line, "not_yours_role", {"role": problem.role}))
        return errors

    async def _invite(
        self, tx: Tx, staff: StaffRow, actor: str, bot_username: str, now: datetime
    ) -> Invitation:
        before, after = await tx.employees.upsert(staff, now, self.settings.default_language)
        if before is not None and (before.role != after.role or before.unit != after.unit):
            await tx.audit.record(
                now,
                actor,
                "role_change",
                staff.user_id,
                f"{before.role.value}@{before.unit}->{after.role.value}@{after.unit}",
            )
        token = new_token()
        expires = now + self.settings.invite_ttl
        await tx.invites.create(hash_token(token), staff.user_id, actor, now, expires)
        await tx.audit.record(now, actor, "invite", staff.user_id, "ok")
        return Invitation(after, token, invite_link(bot_username, token))

    async def redeem(self, token: str, telegram_id: int) -> RedeemOutcome:
        """Bind the account to the invite's user-id; exactly one of racing redemptions wins."""
        now = self.clock.now()
        actor = f"tg:{telegram_id}"
        async with self.db.transaction() as tx:
            invite = await tx.invites.by_hash(hash_token(token))
            result: Redemption | None = None
            if invite is None:
                result = Redemption.UNKNOWN
            elif invite.redeemed_at is not None:
                result = Redemption.USED
            elif invite.revoked:
                result = Redemption.REVOKED
            elif invite.expires_at <= now:
                result = Redemption.EXPIRED
            if invite is None or result is not None:
                target = invite.user_id if invite else None
                await tx.audit.record(now, actor, "bind", target, str(result))
                return RedeemOutcome(result or Redemption.UNKNOWN)
            employee = await tx.employees.get(invite.user_id)
            if employee is None or not employee.active:
                await tx.audit.record(now, actor, "bind", invite.user_id, "inactive")
                return RedeemOutcome(Redemption.INACTIVE)
            holder = await tx.employees.by_telegram_id(telegram_id)
            if holder is not None and holder.user_id != employee.user_id:
                await tx.audit.record(now, actor, "bind", invite.user_id, "account_taken")
                return RedeemOutcome(Redemption.ACCOUNT_TAKEN)
            if not await tx.invites.mark_redeemed(invite.id, telegram_id, now):
                await tx.audit.record(now, actor, "bind", invite.user_id, "used")
                return RedeemOutcome(Redemption.USED)
            await tx.employees.bind(employee.user_id, telegram_id, now)
            await tx.audit.record(now, actor, "bind", employee.user_id, "ok")
            bound = await tx.employees.get(employee.user_id)
        previous = employee.telegram_id if employee.telegram_id != telegram_id else None
        return RedeemOutcome(Redemption.BOUND, bound, previous)

    async def set_language(self, employee: Employee, language: str) -> Employee:
        """Store an employee's chosen language (audited), and pin the card anew in it."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await tx.employees.set_language(employee.user_id, language, now)
            await tx.audit.record(now, employee.user_id, "language", language)
            changed = await tx.employees.get(employee.user_id)
            assert changed is not None
            if language != employee.language and changed.telegram_id is not None:
                await queue_pinned_card(tx, self.settings, changed, changed.telegram_id, now)
        return changed

    async def menu_drawn(self, employee: Employee) -> None:
        """Remember that the employee's menu now matches their role."""
        if employee.menu_role == employee.role:
            return
        async with self.db.transaction() as tx:
            await tx.employees.set_menu_role(employee.user_id, employee.role)

    async def deactivate(self, user_id: str, *, actor: str) -> bool:
        """Close an employee's access at once (audited); False if there is no such employee."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            if not await tx.employees.set_active(user_id, False, now):
                return False
            await tx.audit.record(now, actor, "deactivate", user_id)
        return True


async def _rights_problem(tx: Tx, inviter: Employee, staff: StaffRow) -> RightsProblem | None:
    """Why the inviter may not invite this row (None: they may); the one invite-rights check."""
    if unit_key(staff.unit) != unit_key(inviter.unit):
        return RightsProblem(unit=staff.unit)
    existing = await tx.employees.get(staff.user_id)
    if may_invite(
        inviter.role,
        inviter.unit,
        staff.role,
        inviter.unit,
        existing.role if existing else None,
        existing.unit if existing else None,
    ):
        return None
    return RightsProblem(
        role=existing.role if existing and existing.role != staff.role else staff.role
    )
