"""The emulated world: the bot, its users, private chats and groups, files, queries, calls.

Plain state with no HTTP in it. Message ids grow per chat from 1 and are shared by the
user's and the bot's messages, as in Telegram. Times come from the injected clock.

A private chat has the user's id. A group has a negative id ("supergroup" when it starts
with -100) and exists from its first message; the bot is a member of every group.
"""

from __future__ import annotations

import mimetypes
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from tgemu.changes import ChangeFeed
from tgemu.commands import CommandStore
from tgemu.errors import BLOCKED, CHAT_NOT_FOUND, bad_request, forbidden, too_many_requests
from tgemu.html import Entity
from tgemu.limits import RateLimiter, TelegramLimits
from tgemu.network import Latency, Network
from tgemu.updates import UpdateQueue

JsonObject = dict[str, Any]

MAX_LOGGED_CALLS = 50_000
DEFAULT_GROUP_TITLE = "Gruppe"


@dataclass(frozen=True)
class BotIdentity:
    """Who the bot is (getMe)."""

    id: int
    first_name: str
    username: str

    def as_json(self) -> JsonObject:
        """Return the bot as a Telegram User object."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }


@dataclass
class User:
    """A person writing to the bot; their private chat has the same id."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False

    def as_json(self) -> JsonObject:
        """Return the user as a Telegram User object."""
        user: JsonObject = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        user.update({key: value for key, value in optional.items() if value is not None})
        return user

    def chat_json(self) -> JsonObject:
        """Return the user's private chat as a Telegram Chat object."""
        chat: JsonObject = {"id": self.id, "type": "private", "first_name": self.first_name}
        optional = {"last_name": self.last_name, "username": self.username}
        chat.update({key: value for key, value in optional.items() if value is not None})
        return chat


@dataclass
class Group:
    """A group chat the bot is a member of; its id is negative."""

    id: int
    title: str

    @property
    def type(self) -> str:
        """Return "supergroup" for ids starting with -100, else "group"."""
        return "supergroup" if str(self.id).startswith("-100") else "group"

    def chat_json(self) -> JsonObject:
        """Return the group as a Telegram Chat object."""
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class StoredMessage:
    """One message as it stands now; text is the plain text (or caption) the user sees."""

    message_id: int
    chat_id: int
    from_bot: bool
    date: int
    author: User | None = None
    text: str | None = None
    entities: tuple[Entity, ...] = ()
    raw: str | None = None
    parse_mode: str | None = None
    inline_markup: JsonObject | None = None
    reply_keyboard: JsonObject | None = None
    protect_content: bool = False
    document: JsonObject | None = None
    reply_to: int | None = None
    edit_date: int | None = None
    pinned_at: int | None = None


@dataclass
class Chat:
    """A chat of the bot's: private with one user (the peer), or a group."""

    peer: User | Group
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    next_message_id: int = 1
    keyboard: JsonObject | None = None
    menu_button: JsonObject | None = None
    recent_sends: deque[float] = field(default_factory=deque)
    pin_order: count[int] = field(default_factory=count)

    @property
    def id(self) -> int:
        """Return the chat id: the user's id, or the group's negative id."""
        return self.peer.id

    @property
    def user(self) -> User:
        """Return the other side of a private chat."""
        if not isinstance(self.peer, User):
            raise TypeError(f"chat {self.peer.id} is a group, not a private chat")
        return self.peer

    @property
    def is_group(self) -> bool:
        """Tell whether this is a group (or supergroup)."""
        return isinstance(self.peer, Group)

    def as_json(self) -> JsonObject:
        """Return the chat as a Telegram Chat object."""
        return self.peer.chat_json()

    def add(
        self, *, from_bot: bool, date: int, author: User | None = None, **fields: Any
    ) -> StoredMessage:
        """Append a message with the chat's next message id.

        A user's message needs its author in a group; in a private chat it is the peer.
        """
        if not from_bot and author is None:
            author = self.user
        message = StoredMessage(
            message_id=self.next_message_id,
            chat_id=self.id,
            from_bot=from_bot,
            date=date,
            author=None if from_bot else author,
            **fields,
        )
        self.messages[message.message_id] = message
        self.next_message_id += 1
        return message

    def pinned(self) -> list[StoredMessage]:
        """Return the pinned messages, the most recently pinned last."""
        pinned = [m for m in self.messages.values() if m.pinned_at is not None]
        return sorted(pinned, key=lambda m: m.pinned_at or 0)


@dataclass(frozen=True)
class StoredFile:
    """A file the bot or a user sent, downloadable by its file_path."""

    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes

    def document_json(self) -> JsonObject:
        """Return the file as a Telegram Document object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.content),
        }

    def file_json(self) -> JsonObject:
        """Return the file as a Telegram File object (getFile)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


class FileStore:
    """Every file seen, by file_id and by file_path."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._serial = count(1)

    def add(self, content: bytes, file_name: str, mime_type: str | None) -> StoredFile:
        """Store a file and give it ids and a path."""
        serial = next(self._serial)
        suffix = "." + file_name.rsplit(".", 1)[1] if "." in file_name else ""
        stored = StoredFile(
            file_id=f"BQACAgQAAxkBAAIB{serial:08d}",
            file_unique_id=f"AgAD{serial:06d}",
            file_path=f"documents/file_{serial}{suffix}",
            file_name=file_name,
            mime_type=mime_type or guess_mime_type(file_name),
            content=content,
        )
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def by_id(self, file_id: str) -> StoredFile | None:
        """Return the file with this file_id, or None."""
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        """Return the file at this file_path, or None."""
        return self._by_path.get(file_path)


def guess_mime_type(file_name: str) -> str:
    """Return the MIME type Telegram would give a file of this name."""
    return mimetypes.guess_type(file_name)[0] or "application/octet-stream"


@dataclass
class CallbackRecord:
    """A callback query and how the bot answered it."""

    id: str
    user_id: int
    message_id: int
    data: str | None
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None

    def as_json(self) -> JsonObject:
        """Return the answer as the control API shows it."""
        return {
            "callback_query_id": self.id,
            "answered": self.answered,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
            "cache_time": self.cache_time,
        }


class CallLog:
    """Every Bot API call the bot made, in order (the newest ``MAX_LOGGED_CALLS``)."""

    def __init__(self, now: Callable[[], float] = time.time) -> None:
        self._calls: deque[JsonObject] = deque(maxlen=MAX_LOGGED_CALLS)
        self._seq = count(1)
        self._now = now

    def record(self, method: str, params: JsonObject, error: tuple[int | None, str] | None) -> None:
        """Log one call: its method, decoded parameters, outcome and when it was answered.

        A call answered with a dropped connection has error code None. ``at`` is the
        emulated unix time of the answer (for a sendMessage: when the message was there).
        """
        self._calls.append(
            {
                "seq": next(self._seq),
                "at": self._now(),
                "method": method,
                "params": params,
                "ok": error is None,
                "error_code": None if error is None else error[0],
                "description": None if error is None else error[1],
            }
        )

    def all(self, after: int = 0) -> list[JsonObject]:
        """Return the log, oldest first; only the calls numbered above ``after`` if given."""
        if after <= 0:
            return list(self._calls)
        newer: list[JsonObject] = []
        for call in reversed(self._calls):  # the newest are at the end: read back to after
            if call["seq"] <= after:
                break
            newer.append(call)
        newer.reverse()
        return newer

    def clear(self) -> None:
        """Empty the log (sequence numbers keep growing)."""
        self._calls.clear()


class World:
    """All emulated state, shared by the Bot API and the control API.

    ``limits`` holds Telegram's rate limits (off unless switched on) over ``now``;
    ``network`` the latency, the stop rule and the answer counts the server applies;
    ``changes`` counts the changes a watcher could see (``tgemu.changes``).
    """

    def __init__(
        self,
        bot: BotIdentity,
        *,
        now: Callable[[], float] | None = None,
        flood_limit_per_chat: float | None = None,
        conflict_on_concurrent_polls: bool = True,
        telegram_limits: TelegramLimits | None = None,
        latency: Latency | None = None,
    ) -> None:
        self.bot = bot
        self._now = now or time.time
        self.clock_offset = 0.0
        self.flood_limit_per_chat = flood_limit_per_chat
        self.limits = RateLimiter(self.now, telegram_limits)
        self.network = Network(latency)
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.files = FileStore()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands = CommandStore()
        self.texts: dict[tuple[str, str], str] = {}
        self.menu_button: JsonObject | None = None
        self.calls = CallLog(self.now)
        self.updates = UpdateQueue(conflict_on_concurrent_polls=conflict_on_concurrent_polls)
        self.changes = ChangeFeed()
        self._callback_serial = count(1)

    def now(self) -> float:
        """Return the emulated unix time."""
        return self._now() + self.clock_offset

    def today(self) -> int:
        """Return the emulated unix time as Telegram dates it (whole seconds)."""
        return int(self.now())

    def chat_for_bot(self, chat_id: int | str) -> Chat:
        """Return a chat the bot may act in, or fail with Telegram's "chat not found"."""
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request(CHAT_NOT_FOUND)
        return chat

    def chat_to_message(self, chat_id: int | str) -> Chat:
        """Return a chat the bot may send to: it exists and no private user blocked the bot."""
        chat = self.chat_for_bot(chat_id)
        if isinstance(chat.peer, User) and chat.peer.blocked:
            raise forbidden(BLOCKED)
        return chat

    def check_flood(self, chat: Chat) -> None:
        """Refuse with 429 when the chat is over its messages-per-second limit.

        The simple per-chat switch (``flood_limit_per_chat``): at most that many sends and
        edits per second, in a window of at least a second. Telegram's limits (per chat,
        per group and per bot) are ``limits``, a separate switch; both may be on.
        """
        limit = self.flood_limit_per_chat
        if limit is None or limit <= 0:
            return
        window = max(1.0, 1.0 / limit)
        allowed = max(1, int(limit * window))
        now = self.now()
        sends = chat.recent_sends
        while sends and sends[0] <= now - window:
            sends.popleft()
        if len(sends) >= allowed:
            raise too_many_requests(sends[0] + window - now)
        sends.append(now)

    def user(self, user_id: int, profile: JsonObject | None = None) -> User:
        """Return the user, creating them and their private chat, and update their profile."""
        user = self.person(user_id, profile)
        if user_id not in self.chats:
            self.chats[user_id] = Chat(peer=user)
        return user

    def person(self, user_id: int, profile: JsonObject | None = None) -> User:
        """Return the user, creating them (but no private chat), and update their profile."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        user = self.users.get(user_id)
        if user is None:
            user = User(id=user_id, first_name="Test")
            self.users[user_id] = user
        for key in ("first_name", "last_name", "username", "language_code"):
            value = (profile or {}).get(key)
            if isinstance(value, str) and value:
                setattr(user, key, value)
        return user

    def group(self, chat_id: int, title: str | None = None) -> Chat:
        """Return the group's chat, creating it with the title (the bot is a member).

        The title only names a new group; an existing group keeps its title.
        """
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = Chat(peer=Group(id=chat_id, title=title or DEFAULT_GROUP_TITLE))
            self.chats[chat_id] = chat
        return chat

    def new_callback(self, user_id: int, message_id: int, data: str | None) -> CallbackRecord:
        """Create a callback query with a fresh id."""
        query_id = str(4_000_000_000_000_000 + next(self._callback_serial) * 7_919)
        record = CallbackRecord(id=query_id, user_id=user_id, message_id=message_id, data=data)
        self.callbacks[query_id] = record
        return record
