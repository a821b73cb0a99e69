"""Button data: short, typed, checked. Data comes from the client, so parsing never trusts it.

Formats (always well under Telegram's 64 bytes):
  tr:<triage id>:<version>:<step>[:<citizen id>]   a step in a fault triage
  tk:<ticket id>:<action>                           an action on a ticket
  tp:<ticket id>:<action>:<page>                    an action on a ticket shown on a list's page
  pg:<list>:<page>:<count>[:n]                      a page of a list drawn when it had <count>
                                                    (n: as a new message, from the summary)
  em:<ticket id>:<citizen id>|typed|new|net          the citizen of an emergency (net: no network)
  in:<incident id>:<action>                         an action on an outage incident
  bc:<broadcast id>:send|drop                       a broadcast draft confirmed or dropped
  sk:<key id>:<action>[:<page>]                     an action on a Smartkey
  sh:<key id>:<user-id>[:f]                         hand a Smartkey to someone (f: though stale)
  sq:<request id>:<action>[:<key id>[:f]]           an answer to a request for a Smartkey
  sc:<cabinet id>:u                                 every key in a cabinet updated
  sv:<view>[:n]                                     a Smartkey view or list to pick from
  tn:<page>:<print>:<picked>[:<mark>]               a page of the training register: its people's
                                                    print, those picked (a bit mask), a mark
  kp:<user-id>:x                                    remove a key person's appointment
  lv:<user-id>:d|x                                  deactivate a leaver (confirming tap), or not
  lt:<task id>:d|k|n                                leaver's task: done, key back too, not yet
  cz:<citizen id>:<version>:<step>[:<choice>]      a citizen's card: open it (vw), a step, or
                                                    the order confirmed (cf); choice: firm, unit
  bo:<order id>:c|i|o|r|x                           an order: confirmed, installed, opened in
                                                    Netkey, removed, closed in Netkey
  td:<to-do id>:d                                   visitation's to-do done
  oc:<on-call id>:x                                 end an on-call appointment
  lp:<firm id>:x                                    take a lock partner firm off the list
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.render.pages import page_count
from state.bekey_lifecycle import LifecycleTrigger
from state.incident import IncidentTrigger
from state.ticket import TicketTrigger
from state.training import Mark
from state.triage import TriageTrigger

TRIAGE_PREFIX = "tr:"
TICKET_PREFIX = "tk:"
TICKET_ON_PAGE_PREFIX = "tp:"
PAGE_PREFIX = "pg:"
EMERGENCY_PREFIX = "em:"
INCIDENT_PREFIX = "in:"
BROADCAST_PREFIX = "bc:"
SMARTKEY_PREFIX = "sk:"
HAND_TO_PREFIX = "sh:"
KEY_REQUEST_PREFIX = "sq:"
CABINET_PREFIX = "sc:"
KEY_VIEW_PREFIX = "sv:"
KEY_PERSON_PREFIX = "kp:"


class TriageStep(StrEnum):
    """What a triage button does (short codes keep the data small)."""

    CITIZEN = "c"
    TYPED = "t"
    YES = "y"
    NO = "n"
    NETWORK_DOWN = "net"
    WORKS_NOW = "ok"
    SEND_NOW = "now"
    CONFIRM = "send"
    BACK = "back"
    CANCEL = "x"


TRIGGER_OF: dict[TriageStep, TriageTrigger] = {
    TriageStep.CITIZEN: TriageTrigger.CHOOSE_CITIZEN,
    TriageStep.TYPED: TriageTrigger.NAME_CITIZEN,
    TriageStep.YES: TriageTrigger.ANSWER_YES,
    TriageStep.NO: TriageTrigger.ANSWER_NO,
    TriageStep.NETWORK_DOWN: TriageTrigger.NETWORK_DOWN,
    TriageStep.WORKS_NOW: TriageTrigger.WORKS_NOW,
    TriageStep.SEND_NOW: TriageTrigger.SEND_WITHOUT_DESCRIPTION,
    TriageStep.CONFIRM: TriageTrigger.CONFIRM,
    TriageStep.BACK: TriageTrigger.BACK,
    TriageStep.CANCEL: TriageTrigger.CANCEL,
}


class TicketAction(StrEnum):
    """What a ticket button does: fire a trigger, or show the card."""

    TAKE = "take"
    CONTACT = "contact"
    RESOLVE = "resolve"
    CANCEL = "cancel"
    SHOW = "show"

    @property
    def trigger(self) -> TicketTrigger | None:
        """The ticket trigger this button fires (None for SHOW)."""
        return None if self is TicketAction.SHOW else TicketTrigger(self.value)


@dataclass(frozen=True)
class TriagePress:
    """A parsed triage button."""

    triage_id: int
    version: int
    step: TriageStep
    citizen_id: int | None = None


@dataclass(frozen=True)
class TicketPress:
    """A parsed ticket button (``page``: the page of the list it stood on, if any)."""

    ticket_id: int
    action: TicketAction
    page: int | None = None


class TicketList(StrEnum):
    """Which list a page button turns."""

    MINE = "m"
    UNIT = "u"


@dataclass(frozen=True)
class PagePress:
    """A parsed page button: the page asked for, and how long the list was when drawn."""

    kind: TicketList
    page: int
    count: int
    new: bool = False
    """Show the page as a new message (pressed on the morning summary, which stays)."""


class EmergencyChoice(StrEnum):
    """What an emergency button does besides naming a listed citizen (or saying: no network)."""

    CITIZEN = "c"
    TYPED = "typed"
    ANOTHER = "new"
    NO_NETWORK = "net"


@dataclass(frozen=True)
class EmergencyPress:
    """A parsed emergency button: a listed citizen, the typed text, or another citizen."""

    ticket_id: int
    choice: EmergencyChoice
    citizen_id: int | None = None


_TRIAGE = re.compile(r"^tr:(\d{1,12}):(\d{1,6}):([a-z]{1,4})(?::(\d{1,12}))?$")
_TICKET = re.compile(r"^tk:(\d{1,12}):([a-z]{1,8})$")
_TICKET_ON_PAGE = re.compile(r"^tp:(\d{1,12}):([a-z]{1,8}):(\d{1,5})$")
_PAGE = re.compile(r"^pg:([a-z]):(\d{1,5}):(\d{1,6})(:n)?$")
_EMERGENCY = re.compile(r"^em:(\d{1,12}):(?:(\d{1,12})|(typed|new|net))$")
_INCIDENT = re.compile(r"^in:(\d{1,12}):([a-z]{1,8})$")
_BROADCAST = re.compile(r"^bc:(\d{1,12}):([a-z]{1,8})$")


def triage_data(
    triage_id: int, version: int, step: TriageStep, citizen_id: int | None = None
) -> str:
    """Encode a triage button."""
    tail = f":{citizen_id}" if citizen_id is not None else ""
    return f"{TRIAGE_PREFIX}{triage_id}:{version}:{step.value}{tail}"


def parse_triage(data: str) -> TriagePress | None:
    """Decode a triage button; None if it is malformed."""
    match = _TRIAGE.match(data)
    if match is None:
        return None
    try:
        step = TriageStep(match.group(3))
    except ValueError:
        return None
    citizen = int(match.group(4)) if match.group(4) else None
    if (step is TriageStep.CITIZEN) != (citizen is not None):
        return None
    return TriagePress(int(match.group(1)), int(match.group(2)), step, citizen)


def ticket_data(ticket_id: int, action: TicketAction) -> str:
    """Encode a ticket button."""
    return f"{TICKET_PREFIX}{ticket_id}:{action.value}"


def ticket_on_page_data(ticket_id: int, action: TicketAction, page: int) -> str:
    """Encode a ticket button on a page of a list (the list is drawn again at that page)."""
    return f"{TICKET_ON_PAGE_PREFIX}{ticket_id}:{action.value}:{page}"


def parse_ticket(data: str) -> TicketPress | None:
    """Decode a ticket button, on a list's page or not; None if it is malformed."""
    match = _TICKET.match(data)
    page = None
    if match is None:
        match = _TICKET_ON_PAGE.match(data)
        if match is None:
            return None
        page = int(match.group(3))
        if page < 1:
            return None
    try:
        return TicketPress(int(match.group(1)), TicketAction(match.group(2)), page)
    except ValueError:
        return None


def page_prefix(kind: TicketList) -> str:
    """The start of every page button of one list (to route presses by list)."""
    return f"{PAGE_PREFIX}{kind.value}:"


def page_data(kind: TicketList, page: int, count: int, *, new: bool = False) -> str:
    """Encode a page button: the page to show, and how many items the list had when drawn
    (``new``: shown as a new message, not in place of the one pressed)."""
    return f"{page_prefix(kind)}{page}:{count}{':n' if new else ''}"


def parse_page(data: str) -> PagePress | None:
    """Decode a page button; None if it is malformed or could never have been drawn.

    A page beyond what the list had when the button was drawn is a forgery, not staleness.
    """
    match = _PAGE.match(data)
    if match is None:
        return None
    try:
        kind = TicketList(match.group(1))
    except ValueError:
        return None
    page, count = int(match.group(2)), int(match.group(3))
    if not 1 <= page <= page_count(count):
        return None
    return PagePress(kind, page, count, new=match.group(4) is not None)


def emergency_data(ticket_id: int, citizen_id: int) -> str:
    """Encode an emergency citizen button."""
    return f"{EMERGENCY_PREFIX}{ticket_id}:{citizen_id}"


def emergency_choice_data(ticket_id: int, choice: EmergencyChoice) -> str:
    """Encode "use what I typed", "another citizen" or "no mobile network" on an emergency."""
    return f"{EMERGENCY_PREFIX}{ticket_id}:{choice.value}"


def parse_emergency(data: str) -> EmergencyPress | None:
    """Decode an emergency button; None if it is malformed."""
    match = _EMERGENCY.match(data)
    if match is None:
        return None
    if match.group(2) is not None:
        return EmergencyPress(int(match.group(1)), EmergencyChoice.CITIZEN, int(match.group(2)))
    return EmergencyPress(int(match.group(1)), EmergencyChoice(match.group(3)))


class IncidentAction(StrEnum):
    """What an incident button does."""

    TAKE = "take"
    RESOLVE = "over"
    """Resolve it: "it is over" (also the "yes" to "is it over?")."""
    CONTINUE = "notyet"
    """The "not yet" to "is it over?"."""

    @property
    def trigger(self) -> IncidentTrigger:
        """The incident trigger this button fires."""
        return {
            IncidentAction.TAKE: IncidentTrigger.TAKE,
            IncidentAction.RESOLVE: IncidentTrigger.RESOLVE,
            IncidentAction.CONTINUE: IncidentTrigger.CONTINUE,
        }[self]


@dataclass(frozen=True)
class IncidentPress:
    """A parsed incident button."""

    incident_id: int
    action: IncidentAction


def incident_data(incident_id: int, action: IncidentAction) -> str:
    """Encode an incident button."""
    return f"{INCIDENT_PREFIX}{incident_id}:{action.value}"


def parse_incident(data: str) -> IncidentPress | None:
    """Decode an incident button; None if it is malformed."""
    match = _INCIDENT.match(data)
    if match is None:
        return None
    try:
        return IncidentPress(int(match.group(1)), IncidentAction(match.group(2)))
    except ValueError:
        return None


class BroadcastAction(StrEnum):
    """What a broadcast draft's button does."""

    SEND = "send"
    DROP = "drop"


@dataclass(frozen=True)
class BroadcastPress:
    """A parsed broadcast button."""

    broadcast_id: int
    action: BroadcastAction


def broadcast_data(broadcast_id: int, action: BroadcastAction) -> str:
    """Encode a broadcast draft's button."""
    return f"{BROADCAST_PREFIX}{broadcast_id}:{action.value}"


def parse_broadcast(data: str) -> BroadcastPress | None:
    """Decode a broadcast draft's button; None if it is malformed."""
    match = _BROADCAST.match(data)
    if match is None:
        return None
    try:
        return BroadcastPress(int(match.group(1)), BroadcastAction(match.group(2)))
    except ValueError:
        return None


class KeyAction(StrEnum):
    """What a Smartkey button does."""

    SHOW = "s"
    CONFIRM = "ok"
    GIVE_BACK = "b"
    LOST = "l"
    """Ask: is it really lost? (a second tap blocks it)"""
    LOST_SURE = "ly"
    FOUND = "f"
    RE_ENABLE = "e"
    RETIRE = "r"
    """Ask: retire it for good?"""
    RETIRE_SURE = "ry"
    UPDATED = "u"
    UPDATED_IN_LIST = "w"
    """Updated, tapped in the weekly list: the list is drawn again without it."""
    TAKE = "t"
    TAKE_DESPITE_STALE = "tf"
    GIVE = "g"
    """Pick whom to hand it to (``page`` of the staff list)."""
    HISTORY = "h"


@dataclass(frozen=True)
class KeyPress:
    """A parsed Smartkey button."""

    key_id: int
    action: KeyAction
    page: int = 1


@dataclass(frozen=True)
class HandToPress:
    """A parsed "hand it to this person" button."""

    key_id: int
    user_id: str
    despite_stale: bool


class RequestAction(StrEnum):
    """What a button on a request for a Smartkey does."""

    PICK = "g"
    """Pick the key to hand the requester."""
    HAND = "k"
    DECLINE = "n"
    WITHDRAW = "x"


@dataclass(frozen=True)
class RequestPress:
    """A parsed request button (``key_id`` for HAND)."""

    request_id: int
    action: RequestAction
    key_id: int | None = None
    despite_stale: bool = False


class KeyView(StrEnum):
    """A Smartkey view, or a list of keys to pick from."""

    OVERVIEW = "o"
    HAND_OUT = "h"
    TAKE = "t"
    REQUEST = "q"
    MINE = "m"


_KEY = re.compile(r"^sk:(\d{1,12}):([a-z]{1,2})(?::(\d{1,4}))?$")
_HAND_TO = re.compile(r"^sh:(\d{1,12}):([A-Za-z0-9._-]{2,32})(:f)?$")
_REQUEST = re.compile(r"^sq:(\d{1,12}):([a-z])(?::(\d{1,12})(:f)?)?$")
_CABINET = re.compile(r"^sc:(\d{1,12}):u$")
_VIEW = re.compile(r"^sv:([a-z])(?::n)?$")


def key_data(key_id: int, action: KeyAction, page: int | None = None) -> str:
    """Encode a Smartkey button."""
    tail = f":{page}" if page is not None else ""
    return f"{SMARTKEY_PREFIX}{key_id}:{action.value}{tail}"


def parse_key(data: str) -> KeyPress | None:
    """Decode a Smartkey button; None if it is malformed."""
    match = _KEY.match(data)
    if match is None:
        return None
    try:
        action = KeyAction(match.group(2))
    except ValueError:
        return None
    page = int(match.group(3)) if match.group(3) else 1
    if page < 1 or (match.group(3) and action is not KeyAction.GIVE):
        return None
    return KeyPress(int(match.group(1)), action, page)


def hand_to_data(key_id: int, user_id: str, *, despite_stale: bool = False) -> str:
    """Encode "hand this key to this person"."""
    return f"{HAND_TO_PREFIX}{key_id}:{user_id}{':f' if despite_stale else ''}"


def parse_hand_to(data: str) -> HandToPress | None:
    """Decode a "hand it to" button; None if it is malformed."""
    match = _HAND_TO.match(data)
    if match is None:
        return None
    return HandToPress(int(match.group(1)), match.group(2), match.group(3) is not None)


def request_data(
    request_id: int,
    action: RequestAction,
    key_id: int | None = None,
    *,
    despite_stale: bool = False,
) -> str:
    """Encode a button on a request for a Smartkey."""
    tail = f":{key_id}" if key_id is not None else ""
    return f"{KEY_REQUEST_PREFIX}{request_id}:{action.value}{tail}{':f' if despite_stale else ''}"


def parse_request(data: str) -> RequestPress | None:
    """Decode a request button; None if it is malformed."""
    match = _REQUEST.match(data)
    if match is None:
        return None
    try:
        action = RequestAction(match.group(2))
    except ValueError:
        return None
    key_id = int(match.group(3)) if match.group(3) else None
    if (action is RequestAction.HAND) != (key_id is not None):
        return None
    return RequestPress(int(match.group(1)), action, key_id, match.group(4) is not None)


def cabinet_updated_data(cabinet_id: int) -> str:
    """Encode "every key in this cabinet updated"."""
    return f"{CABINET_PREFIX}{cabinet_id}:u"


def parse_cabinet_updated(data: str) -> int | None:
    """Decode a cabinet button into its cabinet id; None if it is malformed."""
    match = _CABINET.match(data)
    return int(match.group(1)) if match else None


def key_view_data(view: KeyView, *, new: bool = False) -> str:
    """Encode a Smartkey view button (``new``: shown as a new message)."""
    return f"{KEY_VIEW_PREFIX}{view.value}{':n' if new else ''}"


def opens_new(data: str) -> bool:
    """Whether a view or page button opens its view as a new message (":n", from the morning
    summary) rather than in place of the message it stood on."""
    return data.endswith(":n")


def parse_key_view(data: str) -> KeyView | None:
    """Decode a Smartkey view button; None if it is malformed."""
    match = _VIEW.match(data)
    if match is None:
        return None
    try:
        return KeyView(match.group(1))
    except ValueError:
        return None


_KEY_PERSON = re.compile(r"^kp:([A-Za-z0-9._-]{2,32}):x$")


def key_person_data(user_id: str) -> str:
    """Encode "remove this key person's appointment"."""
    return f"{KEY_PERSON_PREFIX}{user_id}:x"


def parse_key_person(data: str) -> str | None:
    """Decode a remove-key-person button into the user-id; None if it is malformed."""
    match = _KEY_PERSON.match(data)
    return match.group(1) if match else None


LEAVER_PREFIX = "lv:"
LEAVER_TASK_PREFIX = "lt:"


class LeaverAction(StrEnum):
    """What the button under "Deactivate Anna Jensen?" does."""

    DEACTIVATE = "d"
    CANCEL = "x"


@dataclass(frozen=True)
class LeaverPress:
    """A parsed deactivation button."""

    user_id: str
    action: LeaverAction


class TaskAction(StrEnum):
    """What a button on a leaver's Bekey task does."""

    DONE = "d"
    """Closed in Bekey (asks about a Smartkey still held)."""
    KEY_BACK = "k"
    """The Smartkey is back too: record it in the cabinet, and the task done."""
    NOT_YET = "n"
    """The key is not back yet: the task stays open."""


@dataclass(frozen=True)
class TaskPress:
    """A parsed leaver task button."""

    task_id: int
    action: TaskAction


_LEAVER = re.compile(r"^lv:([A-Za-z0-9._-]{2,32}):([a-z])$")
_LEAVER_TASK = re.compile(r"^lt:(\d{1,12}):([a-z])$")


def leaver_data(user_id: str, action: LeaverAction) -> str:
    """Encode "deactivate this employee" (or "no, leave them")."""
    return f"{LEAVER_PREFIX}{user_id}:{action.value}"


def parse_leaver(data: str) -> LeaverPress | None:
    """Decode a deactivation button; None if it is malformed."""
    match = _LEAVER.match(data)
    if match is None:
        return None
    try:
        return LeaverPress(match.group(1), LeaverAction(match.group(2)))
    except ValueError:
        return None


def leaver_task_data(task_id: int, action: TaskAction) -> str:
    """Encode a button on a leaver's Bekey task."""
    return f"{LEAVER_TASK_PREFIX}{task_id}:{action.value}"


def parse_leaver_task(data: str) -> TaskPress | None:
    """Decode a leaver task button; None if it is malformed."""
    match = _LEAVER_TASK.match(data)
    if match is None:
        return None
    try:
        return TaskPress(int(match.group(1)), TaskAction(match.group(2)))
    except ValueError:
        return None


TRAINING_PREFIX = "tn:"

TRAINING_MARK_CODES: dict[Mark, str] = {
    Mark.TRAINED: "t",
    Mark.INSTALLED: "i",
    Mark.UPDATES: "u",
    Mark.ALL: "a",
}
"""The marks a training register button records, by short code (a reset is typed, never a
button: a slip of the finger must not undo a session)."""

_TRAINING_MARKS = {code: mark for mark, code in TRAINING_MARK_CODES.items()}


@dataclass(frozen=True)
class TrainingPress:
    """A parsed training register button: the page it was drawn for, the print of that
    page's people (a changed list is refused, never guessed), the picked ones as a bit mask
    over the page, and the mark to record (None: draw the page with this choice)."""

    page: int
    fingerprint: str
    picked: int
    mark: Mark | None = None


_TRAINING = re.compile(r"^tn:(\d{1,4}):([0-9a-f]{8}):([0-9a-f]{1,4})(?::([a-z]))?$")


def training_data(page: int, fingerprint: str, picked: int, mark: Mark | None = None) -> str:
    """Encode a training register button (always well under 64 bytes)."""
    tail = f":{TRAINING_MARK_CODES[mark]}" if mark is not None else ""
    return f"{TRAINING_PREFIX}{page}:{fingerprint}:{picked:x}{tail}"


def parse_training(data: str) -> TrainingPress | None:
    """Decode a training register button; None if it is malformed."""
    match = _TRAINING.match(data)
    if match is None:
        return None
    page = int(match.group(1))
    code = match.group(4)
    if page < 1 or (code is not None and code not in _TRAINING_MARKS):
        return None
    mark = _TRAINING_MARKS[code] if code is not None else None
    return TrainingPress(page, match.group(2), int(match.group(3), 16), mark)


CITIZEN_PREFIX = "cz:"
ORDER_PREFIX = "bo:"
TODO_PREFIX = "td:"

LIFECYCLE_CODES: dict[LifecycleTrigger, str] = {
    LifecycleTrigger.REQUEST: "rq",
    LifecycleTrigger.NOTIFY: "nt",
    LifecycleTrigger.ORDER: "or",
    LifecycleTrigger.INSTALL: "in",
    LifecycleTrigger.OPEN_IN_NETKEY: "op",
    LifecycleTrigger.CANCEL: "cx",
    LifecycleTrigger.REQUEST_REMOVAL: "rr",
    LifecycleTrigger.ORDER_REMOVAL: "ro",
    LifecycleTrigger.REMOVE: "rm",
    LifecycleTrigger.CLOSE_IN_NETKEY: "cl",
    LifecycleTrigger.CHANGE_DOOR: "dr",
    LifecycleTrigger.MOVE: "mv",
}
"""A citizen's Bekey step as a button sends it (short: a button's data is 64 bytes)."""

_LIFECYCLE_STEPS = {code: trigger for trigger, code in LIFECYCLE_CODES.items()}
_CONFIRM_CODE = "cf"
_OPEN_CODE = "vw"


@dataclass(frozen=True)
class CitizenPress:
    """A parsed button on visitation's citizen card: the citizen, the version the card was
    drawn for (a button from an older card is refused), and the step (None: open the card;
    ``confirm``: the lock partner confirmed the order, on their word). ``choice`` is the
    firm ordered from, or the unit moved to (by id)."""

    citizen_id: int
    version: int
    step: LifecycleTrigger | None
    choice: int | None = None
    confirm: bool = False


_CITIZEN = re.compile(r"^cz:(\d{1,12}):(\d{1,9}):([a-z]{2})(?::(\d{1,12}))?$")


def citizen_data(
    citizen_id: int,
    version: int,
    step: LifecycleTrigger | None = None,
    choice: int | None = None,
    *,
    confirm: bool = False,
) -> str:
    """Encode a button on a citizen's card (open it, take a step, confirm the order)."""
    code = _CONFIRM_CODE if confirm else (LIFECYCLE_CODES[step] if step else _OPEN_CODE)
    tail = f":{choice}" if choice is not None else ""
    return f"{CITIZEN_PREFIX}{citizen_id}:{version}:{code}{tail}"


def parse_citizen(data: str) -> CitizenPress | None:
    """Decode a citizen card button; None if it is malformed."""
    match = _CITIZEN.match(data)
    if match is None:
        return None
    citizen_id, version, code = int(match.group(1)), int(match.group(2)), match.group(3)
    choice = int(match.group(4)) if match.group(4) else None
    if code == _OPEN_CODE:
        return CitizenPress(citizen_id, version, None, choice)
    if code == _CONFIRM_CODE:
        return CitizenPress(citizen_id, version, None, choice, confirm=True)
    step = _LIFECYCLE_STEPS.get(code)
    return CitizenPress(citizen_id, version, step, choice) if step else None


class OrderAction(StrEnum):
    """What a button on an order to the lock partner does."""

    CONFIRM = "c"
    INSTALLED = "i"
    OPENED = "o"
    REMOVED = "r"
    CLOSED = "x"


@dataclass(frozen=True)
class OrderPress:
    """A parsed order button."""

    order_id: int
    action: OrderAction


_ORDER = re.compile(r"^bo:(\d{1,12}):([a-z])$")


def order_data(order_id: int, action: OrderAction) -> str:
    """Encode a button on an order."""
    return f"{ORDER_PREFIX}{order_id}:{action.value}"


def parse_order(data: str) -> OrderPress | None:
    """Decode an order button; None if it is malformed."""
    match = _ORDER.match(data)
    if match is None:
        return None
    try:
        return OrderPress(int(match.group(1)), OrderAction(match.group(2)))
    except ValueError:
        return None


_TODO = re.compile(r"^td:(\d{1,12}):d$")


def todo_data(todo_id: int) -> str:
    """Encode "done" on visitation's to-do."""
    return f"{TODO_PREFIX}{todo_id}:d"


def parse_todo(data: str) -> int | None:
    """Decode a to-do's done button into its id; None if it is malformed."""
    match = _TODO.match(data)
    return int(match.group(1)) if match else None


LOCK_PARTNER_PREFIX = "lp:"

_LOCK_PARTNER = re.compile(r"^lp:(\d{1,12}):x$")


def lock_partner_data(firm_id: int) -> str:
    """Encode "take this lock partner firm off the list"."""
    return f"{LOCK_PARTNER_PREFIX}{firm_id}:x"


def parse_lock_partner(data: str) -> int | None:
    """Decode a lock partner's remove button into the firm's id; None if it is malformed."""
    match = _LOCK_PARTNER.match(data)
    return int(match.group(1)) if match else None


ON_CALL_PREFIX = "oc:"
_ON_CALL = re.compile(r"^oc:(\d{1,12}):x$")


def on_call_data(on_call_id: int) -> str:
    """Encode "end this on-call appointment"."""
    return f"{ON_CALL_PREFIX}{on_call_id}:x"


def parse_on_call(data: str) -> int | None:
    """Decode an end-on-call button into the appointment's id; None if it is malformed."""
    match = _ON_CALL.match(data)
    return int(match.group(1)) if match else None
