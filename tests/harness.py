"""The test harness: the real Application against the emulator, and people who use it.

A ``Person`` writes and presses through the emulator's control API; each step waits until
the bot has fully handled that update, then returns what the bot sent into the chat.
``text_of`` reads a message's text, failing the test if the message has none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.app import BekeyApp
from bot.clock import ManualClock
from bot.jobs import run_due_work, sender_of, services_of
from bot.processing import PerUserUpdateProcessor
from bot.sender import Sender
from bot.services import Services
from bot.storage.audit import AuditEntry
from bot.storage.citizens import CitizenRow
from bot.storage.employees import Employee, StaffRow
from bot.storage.tickets import StoredTicket, TicketEvent
from state.roles import Role
from tgemu.client import ChatMessage, EmulatorClient


def text_of(message: ChatMessage) -> str:
    """The message's text; a message without one (a bare document) fails the test."""
    assert message.text is not None, f"message {message.message_id} has no text"
    return message.text


@dataclass
class Person:
    """Someone with Telegram on their phone."""

    harness: Harness
    telegram_id: int
    first_name: str
    seen: int = 0

    @property
    def client(self) -> EmulatorClient:
        return self.harness.client

    async def messages(self) -> list[ChatMessage]:
        """The chat as it stands."""
        return await self.client.messages(self.telegram_id)

    async def bot_messages(self) -> list[ChatMessage]:
        """The bot's messages in the chat as they stand."""
        return [m for m in await self.messages() if m.from_bot]

    async def bot_texts(self) -> list[str]:
        """The texts of the bot's messages in the chat as they stand."""
        return [text_of(m) for m in await self.bot_messages()]

    async def message_by_id(self, message_id: int) -> ChatMessage:
        """One message as it stands now (after any edits)."""
        return next(m for m in await self.messages() if m.message_id == message_id)

    async def last(self) -> ChatMessage:
        """The bot's newest message."""
        return (await self.bot_messages())[-1]

    async def last_text(self) -> str:
        """The text of the bot's newest message."""
        return text_of(await self.last())

    async def _new_since(self, before: int) -> list[ChatMessage]:
        return [m for m in await self.bot_messages() if m.message_id > before]

    async def _top(self) -> int:
        chat = await self.messages()
        return max((m.message_id for m in chat), default=0)

    async def say(self, text: str) -> list[ChatMessage]:
        """Write a message; return the bot's new messages once it has handled it."""
        before = await self._top()
        update_id = await self.client.send_text(self.telegram_id, text, first_name=self.first_name)
        await self.harness.handled(update_id)
        return await self._new_since(before)

    async def send_document(self, name: str, content: bytes) -> list[ChatMessage]:
        """Send a file; return the bot's new messages."""
        before = await self._top()
        update_id = await self.client.send_document(self.telegram_id, name, content)
        await self.harness.handled(update_id)
        return await self._new_since(before)

    async def press(
        self, button: str, message: ChatMessage | None = None, *, forge_data: str | None = None
    ) -> tuple[str | None, list[ChatMessage]]:
        """Press an inline button (by text, on the newest message that shows it).

        Returns the callback answer's text and the bot's new messages.
        """
        if message is None:
            message = await self.message_with_button(button)
        before = await self._top()
        if forge_data is not None:
            update_id, query_id = await self.client.press(
                self.telegram_id, message.message_id, data=forge_data, forge=True
            )
        else:
            update_id, query_id = await self.client.press(
                self.telegram_id, message.message_id, text=button
            )
        await self.harness.handled(update_id)
        answer = await self.client.callback_answer(query_id)
        return answer.get("text"), await self._new_since(before)

    async def message_with_button(self, button: str) -> ChatMessage:
        """The newest bot message showing an inline button with this text."""
        for message in reversed(await self.bot_messages()):
            if button in message.buttons:
                return message
        texts = [((m.text or "")[:60], m.buttons) for m in await self.bot_messages()]
        raise AssertionError(f"no message shows a button {button!r}: {texts}")

    async def keyboard(self) -> list[list[str]] | None:
        """The big buttons shown under the chat."""
        return await self.client.keyboard(self.telegram_id)


@dataclass
class Harness:
    """The running bot, the emulator's control client and the moved-by-hand clock."""

    app: BekeyApp
    client: EmulatorClient
    clock: ManualClock
    people: dict[int, Person] = field(default_factory=dict)
    _next_id: int = 1000

    @property
    def services(self) -> Services:
        return services_of(self.app)

    @property
    def sender(self) -> Sender:
        return sender_of(self.app)

    async def handled(self, update_id: int) -> None:
        """Wait until the bot has fully handled an update and sent what it queued."""
        processor = self.app.update_processor
        assert isinstance(processor, PerUserUpdateProcessor)
        await processor.wait_finished(update_id, timeout=10)
        await self.sender.settled()

    def person(self, first_name: str = "Test", telegram_id: int | None = None) -> Person:
        """A new Telegram user."""
        if telegram_id is None:
            self._next_id += 1
            telegram_id = self._next_id
        person = Person(self, telegram_id, first_name)
        self.people[telegram_id] = person
        return person

    async def invite(self, user_id: str, name: str, role: Role, unit: str) -> str:
        """Create an invite the way the CLI does; return the token."""
        invitation = await self.services.staff.invite(
            StaffRow(user_id, name, role, unit),
            actor="cli",
            bot_username=self.services.bot_username,
        )
        return invitation.token

    async def employee(
        self, user_id: str, role: Role, unit: str = "Hjemmepleje Nord", name: str | None = None
    ) -> Person:
        """An employee who has joined by invite (a Person bound to a user-id)."""
        person = self.person(name or user_id)
        token = await self.invite(user_id, name or user_id.upper(), role, unit)
        await person.say(f"/start {token}")
        return person

    async def employee_record(self, user_id: str) -> Employee:
        """The employee as stored."""
        employee = await self.services.staff.get(user_id)
        assert employee is not None
        return employee

    async def tick(self, **advance: Any) -> None:
        """Move the clock (timedelta keywords), run what is due and send what it queued."""
        if advance:
            self.clock.advance(timedelta(**advance))
        await run_due_work(self.app)
        await self.sender.settled()

    # What the database holds, read the way the services read it.

    async def ticket(self, ticket_id: int) -> StoredTicket:
        """A ticket as stored."""
        async with self.services.db.read() as tx:
            ticket = await tx.tickets.get(ticket_id)
        assert ticket is not None, f"no ticket {ticket_id}"
        return ticket

    async def ticket_count(self) -> int:
        """How many tickets exist."""
        async with self.services.db.read() as tx:
            return await tx.tickets.count()

    async def ticket_events(self, ticket_id: int) -> list[TicketEvent]:
        """A ticket's trail, oldest first."""
        async with self.services.db.read() as tx:
            return await tx.tickets.events(ticket_id)

    async def audit(self, action: str | None = None) -> list[AuditEntry]:
        """The audit trail, oldest first, optionally for one action."""
        async with self.services.db.read() as tx:
            return await tx.audit.entries(action)

    async def triage_outcomes(self) -> dict[str, int]:
        """Ended triages counted by how they ended."""
        async with self.services.db.read() as tx:
            return await tx.triages.outcomes()

    async def pending_pushes(self) -> int:
        """How many pushes wait in the outbox."""
        async with self.services.db.read() as tx:
            return await tx.outbox.pending_count()


CITIZENS = (
    CitizenRow("B-101", "Else Hansen", "Strandvej 1, 4640 Faxe", "Hjemmepleje Nord", "bagdør"),
    CitizenRow("B-102", "Jens Olsen", "Torvet 3, 4640 Faxe", "Hjemmepleje Nord", "hoveddør"),
    CitizenRow("B-201", "Karen Berg", "Skovvej 9, 4690 Haslev", "Hjemmepleje Syd", "hoveddør"),
)


async def register_citizens(harness: Harness, rows: tuple[CitizenRow, ...] = CITIZENS) -> None:
    """Put citizens in the register the way the CLI import does."""
    services = harness.services
    async with services.db.transaction() as tx:
        for row in rows:
            await tx.citizens.upsert(row, services.clock.now())
