"""What visitation and the lock partner see of a citizen's Bekey: the card, the order, the
to-do, each loaded with what it needs (built by ``bot.services.lifecycle``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.storage.citizens import Citizen, CitizenEvent
from bot.storage.lock_partners import Firm, Order, Todo
from state.bekey_lifecycle import LifecycleTrigger


@dataclass(frozen=True)
class CitizenCard:
    """A citizen as visitation sees them: their Bekey, its history (with names), the open
    order and its firm, the open to-dos, and the steps the viewer may take now."""

    citizen: Citizen
    history: list[CitizenEvent]
    names: dict[str, str]
    order: Order | None
    firm: Firm | None
    todos: list[Todo]
    steps: list[LifecycleTrigger]
    firms: list[Firm] = field(default_factory=list)
    units: list[tuple[int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class OrderView:
    """An order as the lock partner sees it: no more of the citizen than the job needs."""

    order: Order
    citizen: Citizen
    firm: Firm
    ordered_by: str
    """The name of the visitator who ordered it."""


@dataclass(frozen=True)
class TodoView:
    """Visitation's to-do with its citizen."""

    todo: Todo
    citizen: Citizen
    done_by: str = ""
