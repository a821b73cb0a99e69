"""Lock partner firms, the orders the bot writes to them, and visitation's to-dos.

- ``LockPartners``: the firms the bot knows (name, phone, optional e-mail); one is the default,
  made from the ``LOCK_PARTNER_*`` settings.
- ``Orders``: install or remove, to one firm, for one citizen; confirmed by the firm.
- ``CitizenTodos``: "write in the entry conditions" for visitation, until done.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.clock import from_db, to_db
from bot.storage.session import Session
from state.units import unit_key


@dataclass(frozen=True)
class Firm:
    """A lock partner firm."""

    id: int
    name: str
    phone: str
    email: str
    is_default: bool
    active: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Firm:
        """Build from a lock_partners row."""
        return cls(
            id=row["id"],
            name=row["name"],
            phone=row["phone"],
            email=row["email"],
            is_default=bool(row["is_default"]),
            active=bool(row["active"]),
        )


class LockPartners:
    """The lock_partners table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def all(self, *, active_only: bool = True) -> list[Firm]:
        """Return the firms, the default first, then by name."""
        rows = await self.s.fetchall(
            "SELECT * FROM lock_partners WHERE active = 1 OR ? = 0"
            " ORDER BY is_default DESC, name_key",
            (int(active_only),),
        )
        return [Firm.from_row(r) for r in rows]

    async def get(self, firm_id: int) -> Firm | None:
        """Return a firm by id."""
        row = await self.s.fetchone("SELECT * FROM lock_partners WHERE id = ?", (firm_id,))
        return Firm.from_row(row) if row else None

    async def by_name(self, name: str) -> Firm | None:
        """Return a firm by name (case, spaces and æøå spellings do not matter)."""
        row = await self.s.fetchone(
            "SELECT * FROM lock_partners WHERE name_key = ?", (unit_key(name),)
        )
        return Firm.from_row(row) if row else None

    async def default(self) -> Firm | None:
        """Return the default firm (from the settings), if any."""
        row = await self.s.fetchone(
            "SELECT * FROM lock_partners WHERE is_default = 1 AND active = 1"
        )
        return Firm.from_row(row) if row else None

    async def save(
        self, name: str, phone: str, email: str, now: datetime, *, default: bool = False
    ) -> Firm:
        """Add a firm, or update the one of that name (active again); return it."""
        stamp = to_db(now)
        await self.s.execute(
            "INSERT INTO lock_partners (name, name_key, phone, email, is_default, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (name_key) DO UPDATE SET name = excluded.name, phone = excluded.phone,"
            " email = excluded.email, active = 1,"
            " is_default = MAX(is_default, excluded.is_default), updated_at = excluded.updated_at",
            (name, unit_key(name), phone, email, int(default), stamp, stamp),
        )
        firm = await self.by_name(name)
        assert firm is not None
        if default:
            await self.s.execute(
                "UPDATE lock_partners SET is_default = 0 WHERE id != ?", (firm.id,)
            )
        return firm

    async def retire(self, firm_id: int, now: datetime) -> None:
        """Take a firm off the list (its orders and history stay)."""
        await self.s.execute(
            "UPDATE lock_partners SET active = 0, updated_at = ? WHERE id = ?",
            (to_db(now), firm_id),
        )


class OrderKind(StrEnum):
    """What the lock partner is asked to do."""

    INSTALL = "install"
    REMOVE = "remove"


@dataclass(frozen=True)
class Order:
    """An order to a lock partner firm for one citizen."""

    id: int
    citizen_id: int
    firm_id: int
    kind: OrderKind
    door: str
    ordered_at: datetime
    ordered_by: str
    confirmed_at: datetime | None
    confirmed_by: str | None
    reminded_at: datetime | None
    sent_as_file_at: datetime | None
    closed_at: datetime | None

    @property
    def open(self) -> bool:
        """Whether the lock partner still has something to do."""
        return self.closed_at is None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Order:
        """Build from a bekey_orders row."""
        return cls(
            id=row["id"],
            citizen_id=row["citizen_id"],
            firm_id=row["firm_id"],
            kind=OrderKind(row["kind"]),
            door=row["door"],
            ordered_at=from_db(row["ordered_at"]),
            ordered_by=row["ordered_by"],
            confirmed_at=_when(row["confirmed_at"]),
            confirmed_by=row["confirmed_by"],
            reminded_at=_when(row["reminded_at"]),
            sent_as_file_at=_when(row["sent_as_file_at"]),
            closed_at=_when(row["closed_at"]),
        )


def _when(value: str | None) -> datetime | None:
    return from_db(value) if value else None


class Orders:
    """The bekey_orders table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def add(
        self,
        citizen_id: int,
        firm_id: int,
        kind: OrderKind,
        door: str,
        by: str,
        now: datetime,
    ) -> int:
        """Write a new order; return its id."""
        return await self.s.insert(
            "INSERT INTO bekey_orders (citizen_id, firm_id, kind, door, ordered_at, ordered_by)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (citizen_id, firm_id, kind.value, door, to_db(now), by),
        )

    async def get(self, order_id: int) -> Order | None:
        """Return an order by id."""
        row = await self.s.fetchone("SELECT * FROM bekey_orders WHERE id = ?", (order_id,))
        return Order.from_row(row) if row else None

    async def open_for(self, citizen_id: int) -> Order | None:
        """Return the citizen's open order, if any."""
        row = await self.s.fetchone(
            "SELECT * FROM bekey_orders WHERE citizen_id = ? AND closed_at IS NULL"
            " ORDER BY id DESC",
            (citizen_id,),
        )
        return Order.from_row(row) if row else None

    async def latest_for(self, citizen_id: int) -> Order | None:
        """Return the citizen's latest order, open or not."""
        row = await self.s.fetchone(
            "SELECT * FROM bekey_orders WHERE citizen_id = ? ORDER BY id DESC", (citizen_id,)
        )
        return Order.from_row(row) if row else None

    async def open_orders(self, firm_id: int | None = None) -> list[Order]:
        """Return the open orders (of one firm, if given), oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM bekey_orders WHERE closed_at IS NULL AND (? IS NULL OR firm_id = ?)"
            " ORDER BY id",
            (firm_id, firm_id),
        )
        return [Order.from_row(r) for r in rows]

    async def unconfirmed(self) -> list[Order]:
        """Return the open orders the firm has not confirmed and nobody was reminded of."""
        rows = await self.s.fetchall(
            "SELECT * FROM bekey_orders WHERE closed_at IS NULL AND confirmed_at IS NULL"
            " AND reminded_at IS NULL ORDER BY id"
        )
        return [Order.from_row(r) for r in rows]

    async def confirm(self, order_id: int, by: str, now: datetime) -> bool:
        """Record the firm's confirmation (False: confirmed already, or closed)."""
        changed = await self.s.change(
            "UPDATE bekey_orders SET confirmed_at = ?, confirmed_by = ?"
            " WHERE id = ? AND confirmed_at IS NULL AND closed_at IS NULL",
            (to_db(now), by, order_id),
        )
        return changed == 1

    async def close(self, order_id: int, now: datetime) -> None:
        """Close an order: done, or its request cancelled."""
        await self.s.execute(
            "UPDATE bekey_orders SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            (to_db(now), order_id),
        )

    async def mark_reminded(self, order_id: int, now: datetime) -> None:
        """Remember that visitation was reminded of the unconfirmed order."""
        await self.s.execute(
            "UPDATE bekey_orders SET reminded_at = ? WHERE id = ?", (to_db(now), order_id)
        )

    async def mark_sent_as_file(self, order_id: int, now: datetime) -> None:
        """Remember that visitation got the order as a file for the firm."""
        await self.s.execute(
            "UPDATE bekey_orders SET sent_as_file_at = ? WHERE id = ?", (to_db(now), order_id)
        )


class TodoKind(StrEnum):
    """What visitation must write in the citizen's entry conditions in SmartCare."""

    BEKEY_ADDED = "bekey_added"
    DOOR_CHANGED = "door_changed"
    BEKEY_REMOVED = "bekey_removed"


@dataclass(frozen=True)
class Todo:
    """A to-do for visitation about one citizen."""

    id: int
    citizen_id: int
    kind: TodoKind
    door: str
    created_at: datetime
    reminded_at: datetime | None
    done_at: datetime | None
    done_by: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Todo:
        """Build from a citizen_todos row."""
        return cls(
            id=row["id"],
            citizen_id=row["citizen_id"],
            kind=TodoKind(row["kind"]),
            door=row["door"],
            created_at=from_db(row["created_at"]),
            reminded_at=_when(row["reminded_at"]),
            done_at=_when(row["done_at"]),
            done_by=row["done_by"],
        )


class CitizenTodos:
    """The citizen_todos table."""

    def __init__(self, session: Session) -> None:
        self.s = session

    async def add(self, citizen_id: int, kind: TodoKind, door: str, now: datetime) -> int:
        """Add a to-do; return its id."""
        return await self.s.insert(
            "INSERT INTO citizen_todos (citizen_id, kind, door, created_at) VALUES (?, ?, ?, ?)",
            (citizen_id, kind.value, door, to_db(now)),
        )

    async def get(self, todo_id: int) -> Todo | None:
        """Return a to-do by id."""
        row = await self.s.fetchone("SELECT * FROM citizen_todos WHERE id = ?", (todo_id,))
        return Todo.from_row(row) if row else None

    async def open_todos(self) -> list[Todo]:
        """Return the to-dos not done, oldest first."""
        rows = await self.s.fetchall(
            "SELECT * FROM citizen_todos WHERE done_at IS NULL ORDER BY id"
        )
        return [Todo.from_row(r) for r in rows]

    async def done(self, todo_id: int, by: str, now: datetime) -> bool:
        """Mark a to-do done (False: done already)."""
        changed = await self.s.change(
            "UPDATE citizen_todos SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL",
            (to_db(now), by, todo_id),
        )
        return changed == 1

    async def mark_reminded(self, todo_id: int, now: datetime) -> None:
        """Remember when visitation was last reminded of the to-do."""
        await self.s.execute(
            "UPDATE citizen_todos SET reminded_at = ? WHERE id = ?", (to_db(now), todo_id)
        )
