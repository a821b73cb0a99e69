"""Citizens' Bekey, from visitation's request to the lock opened in Netkey and back out.

- Visitation creates citizens and takes its steps (notified, ordered, cancelled, removal
  asked for and ordered, a new door, a move) for every unit of the municipality.
- The lock partner's steps (installed, opened in Netkey, removed, closed in Netkey) are
  recorded by a lock partner of the order's firm, or by visitation on their word.
- An order goes to the firm's users in the bot; a firm without users gets it from
  visitation, who receives it as a file (the one message sent unprotected, and audited).
- When a citizen becomes active, loses the lock, gets a new door or moves, the unit's
  planners are told, and visitation gets a to-do for the entry conditions in SmartCare.
- The due work: an order not confirmed within five working days reminds visitation; a to-do
  not done reminds every working day.

Every step is one transaction: the machine steps the citizen, the row, the history line,
the audit line, the order and every push are written together.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from bot.render import lifecycle as render
from bot.services.base import Service
from bot.storage.citizen_views import CitizenCard, OrderView, TodoView
from bot.storage.citizens import Citizen, CitizenEvent, CitizenRow
from bot.storage.database import Tx
from bot.storage.employees import Employee
from bot.storage.lock_partners import Firm, Order, OrderKind, Todo, TodoKind
from bot.storage.outbox import Document
from bot.storage.session import StaleVersion
from state.bekey_lifecycle import (
    CitizenBekey,
    LifecycleState,
    LifecycleTrigger,
    allowed_triggers,
    fire,
)
from state.roles import Permission, Role, may
from state.workdays import is_working_day, order_reminder_due

_T = LifecycleTrigger

VISITATION_STEPS: Final = frozenset(
    {
        _T.REQUEST,
        _T.NOTIFY,
        _T.ORDER,
        _T.CANCEL,
        _T.REQUEST_REMOVAL,
        _T.ORDER_REMOVAL,
        _T.CHANGE_DOOR,
        _T.MOVE,
    }
)
"""Visitation's own steps."""

LOCK_PARTNER_STEPS: Final = frozenset(
    {_T.INSTALL, _T.OPEN_IN_NETKEY, _T.REMOVE, _T.CLOSE_IN_NETKEY}
)
"""The lock partner's steps (recorded by them, or by visitation on their word)."""

ORDER_KINDS: Final = {_T.ORDER: OrderKind.INSTALL, _T.ORDER_REMOVAL: OrderKind.REMOVE}
KIND_STEPS: Final = {
    OrderKind.INSTALL: frozenset({_T.INSTALL, _T.OPEN_IN_NETKEY}),
    OrderKind.REMOVE: frozenset({_T.REMOVE, _T.CLOSE_IN_NETKEY}),
}
"""Which lock partner steps an order of each kind asks for."""

PLANNERS: Final = frozenset({Role.PLANNER})
TODO_EVERY: Final = timedelta(hours=24)
"""How often visitation is reminded of a to-do not done (on working days)."""

LOOKUP_SHOWN: Final = 10

_DOOR_STEPS: Final = frozenset({_T.INSTALL, _T.CHANGE_DOOR})
"""The steps the machine refuses without a door (any other refusal: the citizen moved on)."""


class StepOutcome(StrEnum):
    """How a step on a citizen ended."""

    DONE = "done"
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    ALREADY = "already"
    NOT_NOW = "not_now"
    """A typed step the citizen's Bekey does not allow in the state it is in."""
    """The citizen moved on since the button was drawn (someone acted first)."""
    NO_FIRM = "no_firm"
    FIRM_GONE = "firm_gone"
    """The firm on the button was taken off the list since the card was drawn."""
    UNKNOWN_UNIT = "unknown_unit"
    NO_DOOR = "no_door"
    REF_TAKEN = "ref_taken"


@dataclass(frozen=True)
class StepResult:
    """The outcome of a step, and the citizen's card after it (for visitation)."""

    outcome: StepOutcome
    card: CitizenCard | None = None
    order: OrderView | None = None


@dataclass(frozen=True)
class Found:
    """Visitation's search: the citizens shown, and how many matched."""

    citizens: list[Citizen]
    matches: int


def may_step(actor: Employee, trigger: LifecycleTrigger, order: Order | None) -> bool:
    """Whether the actor may take this step: visitation its own; the lock partner's steps
    visitation, or a lock partner of the open order's firm, for an order of that kind.

    A citizen with no open order (imported half-way, ordered outside the bot) is moved on by
    visitation alone, on the lock partner's word."""
    if not actor.active:
        return False
    if trigger in VISITATION_STEPS:
        return may(actor.roles, Permission.MANAGE_CITIZENS)
    if not may(actor.roles, Permission.RECORD_LOCK_PARTNER_STEP):
        return False
    if order is None:
        return may(actor.roles, Permission.MANAGE_CITIZENS)
    if trigger not in KIND_STEPS[order.kind]:
        return False
    return actor.role is not Role.LOCK_PARTNER or actor.firm_id == order.firm_id


def _may_see_order(actor: Employee, order: Order) -> bool:
    """Visitation sees every order; a lock partner only their firm's."""
    if not actor.active:
        return False
    if may(actor.roles, Permission.MANAGE_CITIZENS):
        return True
    return (
        may(actor.roles, Permission.RECORD_LOCK_PARTNER_STEP)
        and actor.role is Role.LOCK_PARTNER
        and actor.firm_id == order.firm_id
    )


class LifecycleService(Service):
    """Visitation's register and steps, the lock partner's orders, notices and to-dos."""

    # Visitation's register

    async def search(self, actor: Employee, query: str) -> Found | None:
        """Find citizens of every unit, in any state (None: the role may not); every citizen
        shown is audited (who looked up whom)."""
        if not (actor.active and may(actor.roles, Permission.MANAGE_CITIZENS)):
            return None
        async with self.db.transaction() as tx:
            now = self.clock.now()
            found = await tx.citizens.search(query)
            shown = found[:LOOKUP_SHOWN]
            for citizen in shown:
                await tx.audit.record(now, actor.user_id, "citizen_lookup", citizen.ref)
            return Found(shown, len(found))

    async def card(self, actor: Employee, citizen_id: int) -> CitizenCard | None:
        """A citizen's card for visitation (None: unknown, or not visitation)."""
        if not (actor.active and may(actor.roles, Permission.MANAGE_CITIZENS)):
            return None
        async with self.db.read() as tx:
            citizen = await tx.citizens.get(citizen_id)
            return await self._card(tx, actor, citizen) if citizen else None

    async def create(self, actor: Employee, row: CitizenRow) -> StepResult:
        """Add a citizen who is to get Bekey (requested), in a unit the bot knows."""
        if not (actor.active and may(actor.roles, Permission.MANAGE_CITIZENS)):
            return StepResult(StepOutcome.NOT_ALLOWED)
        async with self.db.transaction() as tx:
            now = self.clock.now()
            unit = await tx.units.find(row.unit)
            if unit is None:
                return StepResult(StepOutcome.UNKNOWN_UNIT)
            stored = CitizenRow(
                row.ref, row.name, row.address, unit.name, row.bekey_door, LifecycleState.REQUESTED
            )
            citizen_id = await tx.citizens.create(stored, now)
            if citizen_id is None:
                return StepResult(StepOutcome.REF_TAKEN)
            state = LifecycleState.REQUESTED
            event = CitizenEvent(now, actor.user_id, _T.REQUEST.value, state, state, "", None)
            await tx.citizens.record_event(citizen_id, event)
            await tx.audit.record(now, actor.user_id, "citizen_created", row.ref)
            citizen = await tx.citizens.get(citizen_id)
            assert citizen is not None
            return StepResult(StepOutcome.DONE, await self._card(tx, actor, citizen))

    # Steps

    async def step(
        self,
        actor: Employee,
        citizen_id: int,
        trigger: LifecycleTrigger,
        *,
        version: int | None = None,
        door: str | None = None,
        unit_id: int | None = None,
        firm_id: int | None = None,
        typed: bool = False,
    ) -> StepResult:
        """Take one step on a citizen's Bekey (``version``: the card the button was drawn
        for; an older one is refused. ``typed``: asked for by a command, not a button, so a
        step the state does not allow is "not now", never "someone was first")."""
        try:
            async with self.db.transaction() as tx:
                citizen = await tx.citizens.get(citizen_id)
                if citizen is None:
                    return StepResult(StepOutcome.NOT_FOUND)
                if version is not None and version != citizen.version:
                    return StepResult(StepOutcome.ALREADY, await self._card_if(tx, actor, citizen))
                return await self._step(
                    tx,
                    actor,
                    citizen,
                    trigger,
                    door=door,
                    unit_id=unit_id,
                    firm_id=firm_id,
                    typed=typed,
                )
        except StaleVersion:
            async with self.db.read() as tx:
                again = await tx.citizens.get(citizen_id)
                card = await self._card_if(tx, actor, again) if again else None
                return StepResult(StepOutcome.ALREADY, card)

    async def order_step(
        self, actor: Employee, order_id: int, trigger: LifecycleTrigger
    ) -> StepResult:
        """A lock partner's step pressed on their order."""
        async with self.db.read() as tx:
            order = await tx.orders.get(order_id)
        if order is None or not _may_see_order(actor, order):
            return StepResult(StepOutcome.NOT_ALLOWED)
        if not order.open:
            return StepResult(StepOutcome.ALREADY, order=await self.order_view(actor, order_id))
        result = await self.step(actor, order.citizen_id, trigger)
        return StepResult(result.outcome, result.card, await self.order_view(actor, order_id))

    async def confirm(self, actor: Employee, order_id: int) -> StepResult:
        """The firm confirms an order (a lock partner of the firm, or visitation on their
        word); every copy of the order shows it."""
        async with self.db.transaction() as tx:
            now = self.clock.now()
            order = await tx.orders.get(order_id)
            if order is None or not _may_see_order(actor, order):
                return StepResult(StepOutcome.NOT_ALLOWED)
            if not await tx.orders.confirm(order_id, actor.user_id, now):
                return StepResult(StepOutcome.ALREADY, order=await self._order_view(tx, order_id))
            citizen = await tx.citizens.get(order.citizen_id)
            assert citizen is not None
            state = citizen.lifecycle
            event = CitizenEvent(now, actor.user_id, "confirm", state, state, "", order_id)
            await tx.citizens.record_event(citizen.id, event)
            await tx.audit.record(now, actor.user_id, "order_confirmed", citizen.ref)
            await self._refresh_order(tx, order_id, now)
            return StepResult(
                StepOutcome.DONE,
                await self._card_if(tx, actor, citizen),
                await self._order_view(tx, order_id),
            )

    async def _step(
        self,
        tx: Tx,
        actor: Employee,
        citizen: Citizen,
        trigger: LifecycleTrigger,
        *,
        door: str | None,
        unit_id: int | None,
        firm_id: int | None,
        typed: bool = False,
    ) -> StepResult:
        now = self.clock.now()
        order = await tx.orders.open_for(citizen.id)
        if not may_step(actor, trigger, order):
            return StepResult(StepOutcome.NOT_ALLOWED)
        model = CitizenBekey(
            citizen.id, citizen.lifecycle.value, citizen.unit, citizen.bekey_door, citizen.version
        )
        before = citizen.lifecycle
        kwargs: dict[str, object] = {}
        detail = ""
        firm: Firm | None = None
        old_unit = citizen.unit
        if trigger is _T.INSTALL:
            kwargs["door"] = door or (order.door if order else "") or citizen.bekey_door
            detail = str(kwargs["door"])
        elif trigger is _T.CHANGE_DOOR:
            kwargs["door"] = (door or "").strip()
            detail = str(kwargs["door"])
            if not detail:
                return StepResult(StepOutcome.NO_DOOR)
        elif trigger is _T.MOVE:
            unit = next((u for u in await tx.units.all() if u.id == unit_id), None)
            if unit is None:
                return StepResult(StepOutcome.UNKNOWN_UNIT)
            kwargs["unit"] = unit.name
            detail = unit.name
        elif trigger in ORDER_KINDS:
            firm = await tx.lock_partners.get(firm_id) if firm_id else None
            if firm_id and not (firm and firm.active):  # never another firm behind one's back
                return StepResult(StepOutcome.FIRM_GONE, await self._card_if(tx, actor, citizen))
            firm = firm or await tx.lock_partners.default()
            if firm is None:
                return StepResult(StepOutcome.NO_FIRM)
            detail = firm.name
        if not fire(model, trigger, **kwargs):
            door_missing = trigger in _DOOR_STEPS and trigger in allowed_triggers(before)
            outcome = StepOutcome.NO_DOOR if door_missing else StepOutcome.ALREADY
            if typed and not door_missing:
                outcome = StepOutcome.NOT_NOW
            return StepResult(outcome, await self._card_if(tx, actor, citizen))
        after = LifecycleState(model.state)
        if not await tx.citizens.save_step(citizen, after, model.unit, model.door, now):
            raise StaleVersion(f"citizen {citizen.id}")
        order_id = order.id if order else None
        if firm is not None:
            kind = ORDER_KINDS[trigger]
            order_id = await tx.orders.add(
                citizen.id, firm.id, kind, model.door, actor.user_id, now
            )
        event = CitizenEvent(now, actor.user_id, trigger.value, before, after, detail, order_id)
        await tx.citizens.record_event(citizen.id, event)
        await tx.audit.record(now, actor.user_id, f"citizen_{trigger.value}", citizen.ref)
        stepped = await tx.citizens.get(citizen.id)
        assert stepped is not None
        await self._effects(tx, actor, stepped, trigger, order, order_id, old_unit, now)
        return StepResult(StepOutcome.DONE, await self._card_if(tx, actor, stepped))

    async def _effects(
        self,
        tx: Tx,
        actor: Employee,
        citizen: Citizen,
        trigger: LifecycleTrigger,
        order: Order | None,
        order_id: int | None,
        old_unit: str,
        now: datetime,
    ) -> None:
        """What a step sets going: the order out, its copies kept in step, the planners'
        notice and visitation's to-do."""
        if trigger in ORDER_KINDS and order_id is not None:
            await self._deliver_order(tx, actor, order_id, now)
            return
        if order is not None and trigger in (_T.INSTALL, _T.REMOVE):
            await tx.orders.confirm(order.id, actor.user_id, now)  # the deed confirms it
        if order is not None and trigger in (_T.OPEN_IN_NETKEY, _T.CLOSE_IN_NETKEY, _T.CANCEL):
            await tx.orders.close(order.id, now)
        if order is not None:
            await self._refresh_order(tx, order.id, now)
        notice = _NOTICES.get(trigger)
        if notice is not None:
            await self._tell_planners(tx, citizen.unit, citizen, notice, now)
        if trigger is _T.MOVE:
            await self._tell_planners(tx, old_unit, citizen, render.Notice.MOVED_AWAY, now)
        todo = _TODOS.get(trigger)
        if todo is not None:
            todo_id = await tx.todos.add(citizen.id, todo, citizen.bekey_door, now)
            stored = await tx.todos.get(todo_id)
            assert stored is not None
            await self._push_todo(tx, TodoView(stored, citizen), now, reminder=False)

    # Orders

    async def orders(self, actor: Employee) -> list[OrderView] | None:
        """The open orders the actor may see: a lock partner their firm's, visitation all
        (None: neither)."""
        if not (actor.active and may(actor.roles, Permission.RECORD_LOCK_PARTNER_STEP)):
            return None
        firm = None if may(actor.roles, Permission.MANAGE_CITIZENS) else actor.firm_id
        if firm is None and actor.role is Role.LOCK_PARTNER:
            return []  # a lock partner of no firm sees no order
        async with self.db.read() as tx:
            views = [await self._order_view(tx, o.id) for o in await tx.orders.open_orders(firm)]
        return [view for view in views if view is not None]

    async def order_view(self, actor: Employee, order_id: int) -> OrderView | None:
        """One order, if the actor may see it."""
        async with self.db.read() as tx:
            order = await tx.orders.get(order_id)
            if order is None or not _may_see_order(actor, order):
                return None
            return await self._order_view(tx, order_id)

    async def _order_view(self, tx: Tx, order_id: int) -> OrderView | None:
        order = await tx.orders.get(order_id)
        if order is None:
            return None
        citizen = await tx.citizens.get(order.citizen_id)
        firm = await tx.lock_partners.get(order.firm_id)
        if citizen is None or firm is None:
            return None
        by = await tx.employees.get(order.ordered_by)
        return OrderView(order, citizen, firm, by.name if by else order.ordered_by)

    async def _deliver_order(self, tx: Tx, actor: Employee, order_id: int, now: datetime) -> None:
        """The order to the firm's users in the bot; for a firm without, to the visitator as
        a file to send on (unprotected: it must leave the chat; audited)."""
        view = await self._order_view(tx, order_id)
        assert view is not None
        fitters = await tx.employees.of_role(Role.LOCK_PARTNER, view.firm.id)
        for fitter in fitters:
            assert fitter.telegram_id is not None
            text, rows = render.order_push(fitter.language, self.settings, view, for_firm=True)
            await tx.outbox.enqueue(
                now,
                fitter.telegram_id,
                text,
                reply_markup=render.as_markup(rows),
                protect_content=True,
                topic=render.order_topic(order_id),
            )
        if fitters or actor.telegram_id is None:
            return
        await tx.orders.mark_sent_as_file(order_id, now)  # first: the text says to send it on
        view = await self._order_view(tx, order_id)
        assert view is not None
        language = actor.language
        text, rows = render.order_push(language, self.settings, view, for_firm=False)
        document = Document(
            render.order_filename(language, view), render.order_file(language, self.settings, view)
        )
        await tx.outbox.enqueue(
            now,
            actor.telegram_id,
            text,
            reply_markup=render.as_markup(rows),
            topic=render.order_topic(order_id),
            document=document,
        )
        await tx.audit.record(now, actor.user_id, "order_sent_unprotected", view.citizen.ref)

    async def _refresh_order(self, tx: Tx, order_id: int, now: datetime) -> None:
        """Every copy of an order shows it as it stands, with the buttons left to press."""
        view = await self._order_view(tx, order_id)
        if view is None:
            return
        for push in await tx.outbox.sends_for_topic(render.order_topic(order_id)):
            holder = await tx.employees.by_telegram_id(push.chat_id)
            language = holder.language if holder else self.settings.default_language
            for_firm = holder is not None and holder.role is Role.LOCK_PARTNER
            text, rows = render.order_push(language, self.settings, view, for_firm=for_firm)
            if push.document is not None:
                continue  # a file's caption stays as sent; the card and /ordrer show the rest
            await tx.outbox.enqueue_edit(now, push.id, text, render.as_markup(rows))

    # Notices and to-dos

    async def _tell_planners(
        self, tx: Tx, unit: str, citizen: Citizen, notice: render.Notice, now: datetime
    ) -> None:
        """Tell a unit's planners (none uses the bot: its leaders) of a citizen's Bekey."""
        told = await tx.employees.in_unit(unit, PLANNERS) or await tx.employees.in_unit(
            unit, frozenset({Role.LEADER})
        )
        for person in told:
            assert person.telegram_id is not None
            text = render.planner_notice(person.language, notice, citizen)
            await tx.outbox.enqueue(now, person.telegram_id, text, protect_content=True)

    async def todos(self, actor: Employee) -> list[TodoView] | None:
        """Visitation's open to-dos (None: not visitation)."""
        if not (actor.active and may(actor.roles, Permission.MANAGE_CITIZENS)):
            return None
        async with self.db.read() as tx:
            return [await self._todo_view(tx, todo) for todo in await tx.todos.open_todos()]

    async def todo_done(self, actor: Employee, todo_id: int) -> TodoView | None:
        """Mark a to-do done; every copy of it says so (None: not visitation, or unknown)."""
        if not (actor.active and may(actor.roles, Permission.MANAGE_CITIZENS)):
            return None
        async with self.db.transaction() as tx:
            now = self.clock.now()
            todo = await tx.todos.get(todo_id)
            if todo is None:
                return None
            if await tx.todos.done(todo_id, actor.user_id, now):
                citizen = await tx.citizens.get(todo.citizen_id)
                await tx.audit.record(
                    now, actor.user_id, "entry_conditions_done", citizen.ref if citizen else None
                )
            done = await tx.todos.get(todo_id)
            assert done is not None
            view = await self._todo_view(tx, done)
            for push in await tx.outbox.sends_for_topic(render.todo_topic(todo_id)):
                holder = await tx.employees.by_telegram_id(push.chat_id)
                language = holder.language if holder else self.settings.default_language
                text, _ = render.todo_push(language, view, reminder=False)
                await tx.outbox.enqueue_edit(now, push.id, text, None)
            return view

    async def _todo_view(self, tx: Tx, todo: Todo) -> TodoView:
        citizen = await tx.citizens.get(todo.citizen_id)
        assert citizen is not None
        by = await tx.employees.get(todo.done_by) if todo.done_by else None
        return TodoView(todo, citizen, by.name if by else (todo.done_by or ""))

    async def _push_todo(self, tx: Tx, view: TodoView, now: datetime, *, reminder: bool) -> int:
        """Queue a to-do (or its reminder) to every visitator; return how many got it."""
        told = await tx.employees.of_role(Role.VISITATION)
        for person in told:
            assert person.telegram_id is not None
            text, rows = render.todo_push(person.language, view, reminder=reminder)
            await tx.outbox.enqueue(
                now,
                person.telegram_id,
                text,
                reply_markup=render.as_markup(rows),
                protect_content=True,
                topic=render.todo_topic(view.todo.id),
            )
        return len(told)

    # Due work

    async def run_due(self) -> int:
        """Remind visitation of orders unconfirmed for five working days, and of to-dos not
        done; return how many messages were queued."""
        return await self._unconfirmed_orders() + await self._open_todos()

    async def _unconfirmed_orders(self) -> int:
        sent = 0
        zone = self.settings.zone
        async with self.db.transaction() as tx:
            now = self.clock.now()
            today = now.astimezone(zone).date()
            for order in await tx.orders.unconfirmed():
                if not order_reminder_due(order.ordered_at.astimezone(zone).date(), today):
                    continue
                view = await self._order_view(tx, order.id)
                if view is None:
                    continue
                orderer = await tx.employees.get(order.ordered_by)
                told = (
                    [orderer]
                    if orderer and orderer.active and orderer.telegram_id is not None
                    else await tx.employees.of_role(Role.VISITATION)
                )
                for person in told:
                    assert person.telegram_id is not None
                    text, rows = render.order_reminder(person.language, self.settings, view)
                    await tx.outbox.enqueue(
                        now,
                        person.telegram_id,
                        text,
                        reply_markup=render.as_markup(rows),
                        protect_content=True,
                    )
                    sent += 1
                await tx.orders.mark_reminded(order.id, now)
        return sent

    async def _open_todos(self) -> int:
        sent = 0
        async with self.db.transaction() as tx:
            now = self.clock.now()
            if not is_working_day(now.astimezone(self.settings.zone).date()):
                return 0
            for todo in await tx.todos.open_todos():
                last = todo.reminded_at or todo.created_at
                if now - last < TODO_EVERY:
                    continue
                sent += await self._push_todo(
                    tx, await self._todo_view(tx, todo), now, reminder=True
                )
                await tx.todos.mark_reminded(todo.id, now)
        return sent

    # Cards

    async def _card_if(self, tx: Tx, actor: Employee, citizen: Citizen) -> CitizenCard | None:
        """The card, for visitation only (a lock partner sees the order, never the card)."""
        if not may(actor.roles, Permission.MANAGE_CITIZENS):
            return None
        return await self._card(tx, actor, citizen)

    async def _card(self, tx: Tx, actor: Employee, citizen: Citizen) -> CitizenCard:
        history = await tx.citizens.history(citizen.id)
        names: dict[str, str] = {}
        for event in history:
            if event.actor not in names:
                person = await tx.employees.get(event.actor)
                names[event.actor] = person.name if person else event.actor
        order = await tx.orders.open_for(citizen.id)
        latest = order or await tx.orders.latest_for(citizen.id)
        firm = await tx.lock_partners.get(latest.firm_id) if latest else None
        todos = [t for t in await tx.todos.open_todos() if t.citizen_id == citizen.id]
        steps = [
            trigger
            for trigger in allowed_triggers(citizen.lifecycle)
            if may_step(actor, trigger, order)
        ]
        firms = await tx.lock_partners.all()
        units = [(u.id, u.name) for u in await tx.units.all() if u.name != citizen.unit]
        return CitizenCard(citizen, history, names, order, firm, todos, steps, firms, units)


_NOTICES: Final = {
    _T.OPEN_IN_NETKEY: render.Notice.ACTIVE,
    _T.REMOVE: render.Notice.REMOVED,
    _T.CHANGE_DOOR: render.Notice.DOOR_CHANGED,
    _T.MOVE: render.Notice.MOVED_HERE,
}
"""The planners' notice each step sends (the seed's advis)."""

_TODOS: Final = {
    _T.OPEN_IN_NETKEY: TodoKind.BEKEY_ADDED,
    _T.CHANGE_DOOR: TodoKind.DOOR_CHANGED,
    _T.REMOVE: TodoKind.BEKEY_REMOVED,
}
"""Visitation's to-do each step leaves: write it in the entry conditions in SmartCare."""
