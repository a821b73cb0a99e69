"""Who is who: invites, binding a Telegram account to a user-id, and staff imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.settings import Settings
from bot.storage.audit import Audit
from bot.storage.database import Database, Session
from bot.storage.employees import Employee, Employees, StaffRow
from bot.storage.invites import Invites
from state.invites import Redemption, hash_token, invite_link, new_token
from state.roles import may_invite


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


class StaffService:
    """Invites and bindings, each in one transaction and audited."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings

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
            async with self.db.transaction() as s:
                for staff in rows:
                    if inviter is not None and not await self._may_invite_in(s, inviter, staff):
                        raise InviteRefused(staff.user_id)  # rolls the whole batch back
                    out.append(await self._invite_in(s, staff, actor, bot_username, now))
        except InviteRefused as refusal:
            async with self.db.transaction() as s:
                await Audit.record_in(s, now, actor, "invite", str(refusal), "refused")
            raise
        return out

    @staticmethod
    async def _may_invite_in(s: Session, inviter: Employee, staff: StaffRow) -> bool:
        existing = await Employees.get_in(s, staff.user_id)
        return may_invite(
            inviter.role,
            inviter.unit,
            staff.role,
            staff.unit,
            existing.role if existing else None,
            existing.unit if existing else None,
        )

    async def _invite_in(
        self, s: Session, staff: StaffRow, actor: str, bot_username: str, now: datetime
    ) -> Invitation:
        before, after = await Employees.upsert_in(
            s, staff, now, language=self.settings.default_language
        )
        if before is not None and (before.role != after.role or before.unit != after.unit):
            await Audit.record_in(
                s,
                now,
                actor,
                "role_change",
                staff.user_id,
                f"{before.role.value}@{before.unit}->{after.role.value}@{after.unit}",
            )
        token = new_token()
        await Invites.create_in(
            s, hash_token(token), staff.user_id, actor, now, now + self.settings.invite_ttl
        )
        await Audit.record_in(s, now, actor, "invite", staff.user_id, "ok")
        return Invitation(after, token, invite_link(bot_username, token))

    async def redeem(self, token: str, telegram_id: int) -> RedeemOutcome:
        """Bind the account to the invite's user-id; exactly one of racing redemptions wins."""
        now = self.clock.now()
        actor = f"tg:{telegram_id}"
        async with self.db.transaction() as s:
            invite = await Invites.by_hash_in(s, hash_token(token))
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
                await Audit.record_in(
                    s, now, actor, "bind", invite.user_id if invite else None, str(result)
                )
                return RedeemOutcome(result or Redemption.UNKNOWN)
            employee = await Employees.get_in(s, invite.user_id)
            if employee is None or not employee.active:
                await Audit.record_in(s, now, actor, "bind", invite.user_id, "inactive")
                return RedeemOutcome(Redemption.INACTIVE)
            holder = await Employees.user_id_bound_to_in(s, telegram_id)
            if holder is not None and holder != employee.user_id:
                await Audit.record_in(s, now, actor, "bind", invite.user_id, "account_taken")
                return RedeemOutcome(Redemption.ACCOUNT_TAKEN)
            if not await Invites.mark_redeemed_in(s, invite.id, telegram_id, now):
                await Audit.record_in(s, now, actor, "bind", invite.user_id, "used")
                return RedeemOutcome(Redemption.USED)
            await Employees.bind_in(s, employee.user_id, telegram_id, now)
            await Audit.record_in(s, now, actor, "bind", employee.user_id, "ok")
            bound = await Employees.get_in(s, employee.user_id)
        previous = employee.telegram_id if employee.telegram_id != telegram_id else None
        return RedeemOutcome(Redemption.BOUND, bound, previous)
