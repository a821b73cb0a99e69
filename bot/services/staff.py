"""Who is who: invites, binding a Telegram account to a user-id, staff imports, languages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.render.csvfiles import LineError
from bot.render.i18n import t
from bot.services.base import Service
from bot.services.leavers import Closed, close_access, withdraw_task
from bot.storage.database import Tx
from bot.storage.employees import Employee, StaffRow
from state.invites import Redemption, hash_token, invite_link, new_token
from state.roles import Permission, Role, may, may_invite
from state.units import unit_key

KEY_PERSON_APPOINTED = "key_person_appointed"
KEY_PERSON_REMOVED = "key_person_removed"
"""Audit actions: a key person appointed (by a leader, or an invite or import naming the role) or
removed."""


@dataclass(frozen=True)
class Invitation:
    """A fresh invite: the token exists only here and in the link, never in the database.

    ``new_phone``: the employee existed already and was left as they were (name, role, unit);
    the link only binds another phone.
    """

    employee: Employee
    token: str
    link: str
    new_phone: bool = False


@dataclass(frozen=True)
class Invited:
    """A batch's invitations, and the user-ids skipped because they are deactivated."""

    invitations: list[Invitation]
    deactivated: list[str]


@dataclass(frozen=True)
class RedeemOutcome:
    """How a redemption ended, whom it bound, and the account that lost the binding."""

    result: Redemption
    employee: Employee | None = None
    previous_telegram_id: int | None = None


class InviteRefusal(StrEnum):
    """Why an invite is refused."""

    RIGHTS = "rights"  # not the inviter's unit, or a role above their reach
    DEACTIVATED = "deactivated"  # a leader must reactivate them first


class InviteRefused(Exception):
    """The invite cannot be made: ``reason`` says why, for ``user_id``."""

    def __init__(self, user_id: str, reason: InviteRefusal) -> None:
        super().__init__(user_id)
        self.user_id = user_id
        self.reason = reason


class Reactivation(StrEnum):
    """How a reactivation ended."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_DEACTIVATED = "not_deactivated"
    NOT_ALLOWED = "not_allowed"


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
        """Create the employee (or, for an existing one, a new phone) and a new invite.

        An inviter's rights are checked; a deactivated employee is refused (InviteRefused).
        """
        invited = await self.invite_many(
            [staff], actor=actor, bot_username=bot_username, inviter=inviter
        )
        if invited.deactivated:
            raise InviteRefused(staff.user_id, InviteRefusal.DEACTIVATED)
        return invited.invitations[0]

    async def invite_many(
        self,
        rows: list[StaffRow],
        *,
        actor: str,
        bot_username: str,
        inviter: Employee | None = None,
    ) -> Invited:
        """Invite several employees in one transaction: all of them, or none.

        Deactivated employees stay deactivated: they are skipped (and audited), not invited;
        a staff list from SmartCare still holds people who left.
        """
        now = self.clock.now()
        out: list[Invitation] = []
        skipped: list[str] = []
        try:
            async with self.db.transaction() as tx:
                for staff in rows:
                    if inviter is not None:
                        if await _rights_problem(tx, inviter, staff):
                            raise InviteRefused(
                                staff.user_id, InviteRefusal.RIGHTS
                            )  # all rolled back
                        if staff.role is not Role.LOCK_PARTNER:  # a fitter is in no unit
                            staff = replace(staff, unit=inviter.unit)  # its one spelling
                    existing = await tx.employees.get(staff.user_id)
                    if existing is not None and not existing.active:
                        await tx.audit.record(now, actor, "invite", staff.user_id, "deactivated")
                        skipped.append(staff.user_id)
                        continue
                    may_rename = inviter is None or inviter.role is Role.LEADER
                    out.append(
                        await self._invite(
                            tx, staff, existing, may_rename, actor, bot_username, now
                        )
                    )
        except InviteRefused as refusal:
            async with self.db.transaction() as tx:
                await tx.audit.record(now, actor, "invite", refusal.user_id, "refused")
            raise
        return Invited(out, skipped)

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
        self,
        tx: Tx,
        staff: StaffRow,
        existing: Employee | None,
        may_rename: bool,
        actor: str,
        bot_username: str,
        now: datetime,
    ) -> Invitation:
        new_phone = existing is not None and not may_rename
        if existing is not None and new_phone:
            # Only a leader (in chat or by the command line) changes a name or a role.
            staff = StaffRow(
                existing.user_id, existing.name, existing.role, existing.unit, existing.firm_id
            )
        before, after = await tx.employees.upsert(staff, now, self.settings.default_language)
        if after.key_person and not (before is not None and before.key_person):
            await tx.audit.record(now, actor, KEY_PERSON_APPOINTED, staff.user_id)
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
        await tx.audit.record(
            now, actor, "invite", staff.user_id, "new_phone" if new_phone else "ok"
        )
        return Invitation(after, token, invite_link(bot_username, token), new_phone)

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
            previous = employee.telegram_id if employee.telegram_id != telegram_id else None
            if previous is not None:
                await self._binding_moved(tx, employee, previous, now)
            bound = await tx.employees.get(employee.user_id)
        return RedeemOutcome(Redemption.BOUND, bound, previous)

    async def _binding_moved(
        self, tx: Tx, employee: Employee, previous: int, now: datetime
    ) -> None:
        """Audit the phone that lost the binding, and tell the unit's leaders."""
        await tx.audit.record(
            now, "system", "binding_moved", employee.user_id, f"from tg:{previous}"
        )
        for leader in await tx.employees.in_unit(employee.unit, frozenset({Role.LEADER})):
            if leader.telegram_id is None or leader.user_id == employee.user_id:
                continue
            text = t(
                leader.language,
                "join.leader_moved",
                name=employee.name,
                user_id=employee.user_id,
            )
            await tx.outbox.enqueue(
                now, leader.telegram_id, text, topic=f"moved:{employee.user_id}"
            )

    async def set_language(self, employee: Employee, language: str) -> Employee:
        """Store an employee's chosen language (audited); the caller pins the card anew in it."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            await tx.employees.set_language(employee.user_id, language, now)
            await tx.audit.record(now, employee.user_id, "language", language)
            changed = await tx.employees.get(employee.user_id)
            assert changed is not None
        return changed

    async def menu_drawn(self, employee: Employee) -> None:
        """Remember that the employee's menu now matches their role."""
        if employee.menu_role == employee.acts_as:
            return
        async with self.db.transaction() as tx:
            await tx.employees.set_menu_role(employee.user_id, employee.acts_as)

    async def deactivate(self, user_id: str, *, actor: str) -> Closed | None:
        """Close an employee's access at once and do every step of a leaver (the command line:
        ``bot.services.leavers.close_access``); None if there is no such employee.

        The phone is unbound and unused invites are revoked: nothing brings them back but a
        leader's reactivation and a new invite. An employee deactivated already is left as
        they are (``Closed.already``).
        """
        now = self.clock.now()
        async with self.db.transaction() as tx:
            employee = await tx.employees.get(user_id)
            if employee is None:
                return None
            if not employee.active:
                return Closed(already=True)
            return await close_access(tx, self.settings, employee, actor, now)

    async def reactivate(
        self, user_id: str, *, actor: str, leader: Employee | None = None
    ) -> Reactivation:
        """Open a deactivated employee's access again (audited); the old phone stays unbound.

        From the chat only a leader of the employee's unit may (``leader``); the command line
        may always. A new invite binds a phone.
        """
        now = self.clock.now()
        async with self.db.transaction() as tx:
            employee = await tx.employees.get(user_id)
            if employee is None:
                return Reactivation.NOT_FOUND
            if leader is not None and (
                not may(leader.roles, Permission.REACTIVATE)
                or unit_key(leader.unit) != unit_key(employee.unit)
            ):
                await tx.audit.record(now, actor, "reactivate", user_id, "refused")
                return Reactivation.NOT_ALLOWED
            if employee.active:
                return Reactivation.NOT_DEACTIVATED
            await tx.employees.reactivate(user_id, now)
            await tx.audit.record(now, actor, "reactivate", user_id)
            await withdraw_task(tx, self.settings, user_id, actor, now)  # back: not to be closed
        return Reactivation.DONE


async def _rights_problem(tx: Tx, inviter: Employee, staff: StaffRow) -> RightsProblem | None:
    """Why the inviter may not invite this row (None: they may); the one invite-rights check."""
    if staff.role is not Role.LOCK_PARTNER and unit_key(staff.unit) != unit_key(inviter.unit):
        return RightsProblem(unit=staff.unit)  # a lock partner is in a firm, in no unit
    existing = await tx.employees.get(staff.user_id)
    if may_invite(
        inviter.acts_as,
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
