"""Smartkey texts and buttons: the cabinet at a glance, a key's card, the lists to pick from,
and the pushes (confirm receipt, overdue, requests, the weekly update).

Buttons are built as rows of (label, data) pairs; ``as_markup`` makes the Bot API's inline
keyboard of them (handlers and pushes alike). Names are cut, so a list's size does not
depend on what anyone is called.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.render.callbacks import (
    KeyAction,
    KeyView,
    RequestAction,
    cabinet_updated_data,
    hand_to_data,
    key_data,
    key_view_data,
    request_data,
)
from bot.render.i18n import Html, moment, plain, t
from bot.render.pages import NAME_MAX, cut, nearest_page, page_count, page_slice
from bot.settings import Settings
from bot.storage.employees import Employee
from bot.storage.smartkeys import Cabinet, CabinetKeys, KeyEvent, KeyHistory, KeyLine
from state.smartkey import Smartkey, SmartkeyState
from state.smartkey_request import KeyRequest, RequestState

Button = tuple[str, str]
Rows = list[list[Button]]

LABEL_MAX = 24
"""A key's label as shown, at most (labels come from files and chat)."""

KEYS_PER_ROW = 3
"""Key buttons on one row of a pick list: short labels, easy to hit with gloves on."""

MAX_KEY_BUTTONS = 90
"""Telegram allows 100 buttons a message; the rest of a huge cabinet is named in the text."""

TEXT_BUDGET = 3500
"""A list's text, at most (Telegram: 4096 a message, counted after the HTML tags go and with
an emoji as two): a longer list ends in one "… and N more" line."""

MAX_BUTTONS = 98
"""Buttons in one message, at most (Telegram: 100); the first rows, the actions, are kept."""


def as_markup(rows: Rows) -> dict[str, Any] | None:
    """The Bot API's inline keyboard of these rows (None for none)."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    return {
        "inline_keyboard": [
            [{"text": text, "callback_data": data} for text, data in row] for row in rows
        ]
    }


def fitted(
    language: str, lines: Sequence[str], rows: Rows, more: str = "smartkey.more_lines"
) -> tuple[str, Rows]:
    """A message within Telegram's limits: lines past the budget become one "… and N more"
    line (the text ``more``, by ``count``), and buttons past the limit go (the first rows
    are kept)."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > TEXT_BUDGET:
            rest = sum(1 for other in lines[index:] if other.strip())
            kept.append(t(language, more, count=rest))
            break
        kept.append(line)
        used += len(line) + 1
    capped: Rows = []
    buttons = 0
    for row in rows:
        if buttons + len(row) > MAX_BUTTONS:
            break
        capped.append(row)
        buttons += len(row)
    return "\n".join(kept), capped


def request_topic(request_id: int) -> str:
    """The outbox topic under which every keeper's copy of a request is kept."""
    return f"keyrequest:{request_id}"


def label(key: Smartkey) -> str:
    """A key's label as shown (cut)."""
    return cut(key.label, LABEL_MAX)


def _when(language: str, settings: Settings, when: datetime, now: datetime) -> str:
    """A time of day if it is today (local), else a short date and time."""
    local, today = when.astimezone(settings.zone), now.astimezone(settings.zone)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return local.strftime("%d.%m. %H:%M")  # one form in both languages, as on a rota


def _name(person: Employee | None, fallback: str | None) -> str:
    return cut(person.name if person else (fallback or "?"), NAME_MAX)


def _holder_name(language: str, person: Employee | None, fallback: str | None) -> str:
    """Who has a key; one who has left is marked so (the key must come back)."""
    name = _name(person, fallback)
    if person is not None and not person.active:
        return plain(language, "smartkey.left", name=name)
    return name


def status_line(language: str, settings: Settings, line: KeyLine, now: datetime) -> str:
    """One key in a list (HTML): where it is, who has it since when, and its flags."""
    key = line.key
    state = SmartkeyState(key.state)
    params: dict[str, object] = {"label": label(key), "cabinet": cut(line.cabinet.name, NAME_MAX)}
    if state is SmartkeyState.HANDED_OUT:
        assert key.handed_out_at is not None and key.due_at is not None
        params |= {
            "name": _holder_name(language, line.holder, key.holder),
            "since": _when(language, settings, key.handed_out_at, now),
            "due": _when(language, settings, key.due_at, now),
        }
    text = t(language, f"smartkey.state.{state.value}", **params)
    flags = []
    if line.overdue:
        flags.append(t(language, "smartkey.flag.overdue"))
    if state is SmartkeyState.HANDED_OUT and key.confirmed_at is None:
        flags.append(t(language, "smartkey.flag.unconfirmed"))
    if key.self_recorded and state is SmartkeyState.HANDED_OUT:
        flags.append(t(language, "smartkey.flag.self_recorded"))
    if line.stale:
        flags.append(_stale_flag(language, key, now))
    return " · ".join([text, *flags])


def _stale_flag(language: str, key: Smartkey, now: datetime) -> str:
    if key.updated_at is None:
        return t(language, "smartkey.flag.never_updated")
    days = (now - key.updated_at).days
    return t(language, "smartkey.flag.stale", days=days)


def _key_buttons(lines: Sequence[KeyLine], action: KeyAction) -> Rows:
    """Key buttons, a few to a row; a stale key is marked on its button, and a button that
    records an update says so (it does not open the key)."""
    buttons = [
        (_key_mark(line, action) + label(line.key), key_data(line.key.id or 0, action))
        for line in lines[:MAX_KEY_BUTTONS]
    ]
    return [buttons[i : i + KEYS_PER_ROW] for i in range(0, len(buttons), KEYS_PER_ROW)]


def _key_mark(line: KeyLine, action: KeyAction) -> str:
    if action in {KeyAction.UPDATED, KeyAction.UPDATED_IN_LIST}:
        return "🔄 "
    return "⚠️ " if line.stale else ""


def overview(
    language: str,
    settings: Settings,
    unit: str,
    cabinets: Sequence[CabinetKeys],
    now: datetime,
    takes: KeyHistory | None = None,
) -> tuple[str, Rows]:
    """The cabinet at a glance, for a keeper: every key, where it is, who has it; first the
    takes staff recorded themselves in the last day (to check, and correct on the key)."""
    if not cabinets:
        return t(language, "smartkey.no_cabinets", unit=unit), []
    lines = [t(language, "smartkey.overview_head", unit=unit)]
    if takes is not None and takes.events:
        lines.append(t(language, "smartkey.takes_head"))
        lines += [event_line(language, settings, event, takes.names, now) for event in takes.events]
    rows: Rows = []
    for cabinet in cabinets:
        lines.append("")
        lines.append(_cabinet_head(language, cabinet))
        if not cabinet.keys:
            lines.append(t(language, "smartkey.cabinet_empty"))
        lines += [status_line(language, settings, line, now) for line in cabinet.keys]
        rows += _key_buttons(cabinet.keys, KeyAction.SHOW)
        if any(line.key.state == SmartkeyState.IN_CABINET for line in cabinet.keys):
            rows.append(
                [
                    (
                        plain(
                            language, "smartkey.all_updated", cabinet=cut(cabinet.cabinet.name, 20)
                        ),
                        cabinet_updated_data(cabinet.cabinet.id),
                    )
                ]
            )
    rows.insert(0, [(plain(language, "smartkey.hand_out"), key_view_data(KeyView.HAND_OUT))])
    return fitted(language, lines, rows)


def _cabinet_head(language: str, cabinet: CabinetKeys) -> str:
    return t(
        language,
        "smartkey.cabinet_head",
        name=cut(cabinet.cabinet.name, NAME_MAX),
        location=cut(cabinet.cabinet.location, 80) or "?",
        count=cabinet.inside,
    )


def own_view(
    language: str,
    settings: Settings,
    lines: Sequence[KeyLine],
    waiting: KeyRequest | None,
    now: datetime,
) -> tuple[str, Rows]:
    """An employee's own keys, with return and lost buttons; take or ask for one."""
    rows: Rows = []
    if lines:
        text = [t(language, "smartkey.mine_head", count=len(lines))]
        for line in lines:
            text.append(status_line(language, settings, line, now))
            rows.append(
                [
                    (
                        plain(language, "smartkey.give_back", label=label(line.key)),
                        key_data(line.key.id or 0, KeyAction.GIVE_BACK),
                    ),
                    (plain(language, "smartkey.lost"), key_data(line.key.id or 0, KeyAction.LOST)),
                ]
            )
            if line.key.confirmed_at is None:
                rows.append(
                    [
                        (
                            plain(language, "smartkey.confirm_key", label=label(line.key)),
                            key_data(line.key.id or 0, KeyAction.CONFIRM),
                        )
                    ]
                )
    else:
        text = [t(language, "smartkey.mine_none")]
    if waiting is not None and waiting.id is not None:
        text.append(t(language, "smartkey.request_pending"))
        rows.append(
            [
                (
                    plain(language, "smartkey.withdraw"),
                    request_data(waiting.id, RequestAction.WITHDRAW),
                )
            ]
        )
    else:
        rows.append([(plain(language, "smartkey.ask"), key_view_data(KeyView.REQUEST))])
    rows.append([(plain(language, "smartkey.took_one"), key_view_data(KeyView.TAKE))])
    actions = rows[-2:]  # ask (or withdraw) and "I took one" stay, however many keys
    shown, key_rows = fitted(language, text, rows[:-2])
    while sum(len(row) for row in key_rows) > MAX_BUTTONS - len(actions):
        key_rows.pop()
    return shown, key_rows + actions


def pick_key(
    language: str,
    settings: Settings,
    lines: Sequence[KeyLine],
    now: datetime,
    *,
    view: KeyView,
    request_id: int | None = None,
    requester: str | None = None,
) -> tuple[str, Rows]:
    """The keys in the cabinet to pick from: to hand out, to record one's own take, or to
    hand a requester (named)."""
    if not lines:
        return t(language, "smartkey.none_in_cabinet"), []
    if requester is not None:
        head = t(language, "smartkey.pick_for", name=cut(requester, NAME_MAX))
    else:
        head = t(language, f"smartkey.pick.{view.value}")
    shown = [head, *(status_line(language, settings, line, now) for line in lines)]
    text = fitted(language, shown, [])[0]
    if request_id is not None:
        buttons = [
            (
                ("⚠️ " if line.stale else "") + label(line.key),
                request_data(request_id, RequestAction.HAND, line.key.id or 0),
            )
            for line in lines[:MAX_KEY_BUTTONS]
        ]
        return text, [buttons[i : i + KEYS_PER_ROW] for i in range(0, len(buttons), KEYS_PER_ROW)]
    action = KeyAction.TAKE if view is KeyView.TAKE else KeyAction.GIVE
    return text, _key_buttons(lines, action)


def pick_person(
    language: str, line: KeyLine, staff: Sequence[Employee], page: int
) -> tuple[str, Rows]:
    """Whom to hand a key to, a page at a time: substitutes and night guards first."""
    key = line.key
    number = nearest_page(page, len(staff))
    rows: Rows = [
        [
            (
                f"{cut(person.name, 28)} · {plain(language, f'role.{person.role.value}')}",
                hand_to_data(key.id or 0, person.user_id),
            )
        ]
        for person in staff[page_slice(number)]
    ]
    pages = page_count(len(staff))
    turn: list[Button] = []
    if number > 1:
        turn.append(("◀", key_data(key.id or 0, KeyAction.GIVE, number - 1)))
    if number < pages:
        turn.append(("▶", key_data(key.id or 0, KeyAction.GIVE, number + 1)))
    rows.append(turn)
    text = t(language, "smartkey.pick_person", label=label(key), page=number, pages=pages)
    if not staff:
        text = t(language, "smartkey.nobody")
    return text, rows


def stale_warning(language: str, line: KeyLine, now: datetime, go_on: str) -> tuple[str, Rows]:
    """The warning before a stale key is handed out or taken: a second tap goes on."""
    text = t(
        language,
        "smartkey.stale_warning",
        label=label(line.key),
        flag=Html(_stale_flag(language, line.key, now)),
    )
    return text, [
        [(plain(language, "smartkey.go_on"), go_on)],
        [(plain(language, "smartkey.other_key"), key_view_data(KeyView.OVERVIEW))],
    ]


def handed_out(language: str, settings: Settings, line: KeyLine, now: datetime) -> tuple[str, Rows]:
    """What the keeper sees after a hand-out, with "next" for an outage's many in a row."""
    key = line.key
    assert key.due_at is not None
    text = t(
        language,
        "smartkey.handed_out",
        label=label(key),
        name=_name(line.holder, key.holder),
        due=_when(language, settings, key.due_at, now),
    )
    return text, [[(plain(language, "smartkey.next"), key_view_data(KeyView.HAND_OUT))]]


def taken(language: str, settings: Settings, line: KeyLine, now: datetime) -> str:
    """What an employee sees after recording their own take."""
    key = line.key
    assert key.due_at is not None
    return t(
        language,
        "smartkey.taken",
        label=label(key),
        cabinet=cut(line.cabinet.name, NAME_MAX),
        due=_when(language, settings, key.due_at, now),
    )


def key_card(
    language: str,
    settings: Settings,
    line: KeyLine,
    history: KeyHistory,
    now: datetime,
    *,
    keeper: bool,
) -> tuple[str, Rows]:
    """One key: where it is, its history, and the buttons its state allows the viewer."""
    key = line.key
    state = SmartkeyState(key.state)
    lines = [
        t(language, "smartkey.card_head", label=label(key)),
        _cabinet_head_plain(language, line.cabinet),
        status_line(language, settings, line, now),
        _updated_line(language, settings, key, now),
    ]
    if history.events:
        lines += ["", t(language, "smartkey.history_head")]
        lines += [
            event_line(language, settings, event, history.names, now) for event in history.events
        ]
    kid = key.id or 0
    rows: Rows = []
    if keeper and state is SmartkeyState.IN_CABINET:
        rows.append([(plain(language, "smartkey.give"), key_data(kid, KeyAction.GIVE))])
    if state is SmartkeyState.HANDED_OUT:
        rows.append(
            [
                (
                    plain(language, "smartkey.give_back", label=label(key)),
                    key_data(kid, KeyAction.GIVE_BACK),
                )
            ]
        )
    if keeper and state in {SmartkeyState.IN_CABINET, SmartkeyState.HANDED_OUT}:
        rows.append([(plain(language, "smartkey.updated"), key_data(kid, KeyAction.UPDATED))])
    if state in {SmartkeyState.IN_CABINET, SmartkeyState.HANDED_OUT}:
        rows.append([(plain(language, "smartkey.lost"), key_data(kid, KeyAction.LOST))])
    if state is SmartkeyState.LOST:
        rows.append([(plain(language, "smartkey.found"), key_data(kid, KeyAction.FOUND))])
    if keeper and state is SmartkeyState.FOUND:
        rows.append([(plain(language, "smartkey.re_enable"), key_data(kid, KeyAction.RE_ENABLE))])
    if keeper and state in {SmartkeyState.IN_CABINET, SmartkeyState.LOST, SmartkeyState.FOUND}:
        rows.append([(plain(language, "smartkey.retire"), key_data(kid, KeyAction.RETIRE))])
    if keeper:
        rows.append(
            [(plain(language, "smartkey.back_to_cabinet"), key_view_data(KeyView.OVERVIEW))]
        )
    return "\n".join(lines), rows


def _cabinet_head_plain(language: str, cabinet: Cabinet) -> str:
    return t(
        language,
        "smartkey.kept_in",
        name=cut(cabinet.name, NAME_MAX),
        location=cut(cabinet.location, 80) or "?",
    )


def _updated_line(language: str, settings: Settings, key: Smartkey, now: datetime) -> str:
    if key.updated_at is None:
        return t(language, "smartkey.never_updated")
    return t(language, "smartkey.updated_at", at=_when(language, settings, key.updated_at, now))


def event_line(
    language: str, settings: Settings, event: KeyEvent, names: dict[str, str], now: datetime
) -> str:
    """One step of a history (HTML): when, which key, what, who."""
    what = _event_what(event)
    holder = event.holder
    actor = names.get(event.actor, event.actor)
    if event.actor.startswith("cli"):
        actor = plain(language, "smartkey.by_import")  # the command line, not a person
    return t(
        language,
        f"smartkey.event.{what}",
        at=_when(language, settings, event.at, now),
        label=cut(event.label, LABEL_MAX),
        actor=cut(actor, NAME_MAX),
        holder=cut(names.get(holder, holder), NAME_MAX) if holder else "?",
    )


def _event_what(event: KeyEvent) -> str:
    """Which kind of step an event was, as a locale key's last part."""
    detail = event.detail or ""
    if event.from_state is None:
        return "registered"
    if detail == "updated":
        return "updated"
    if detail.startswith("overdue:"):
        return "overdue"
    if detail.startswith("cabinet:"):
        return "moved"
    if event.from_state == event.to_state:
        return "confirmed"
    if event.to_state == SmartkeyState.HANDED_OUT:
        return "taken" if event.actor == event.holder else "handed_out"
    if event.from_state == SmartkeyState.HANDED_OUT and event.to_state == SmartkeyState.IN_CABINET:
        return "returned_self" if event.actor == event.holder else "returned"
    return event.to_state


def history_text(
    language: str, settings: Settings, name: str, history: KeyHistory, now: datetime
) -> str:
    """An employee's Smartkey history: who had which key, and when."""
    if not history.events:
        return t(language, "smartkey.history_none", name=name)
    lines = [t(language, "smartkey.history_of", name=cut(name, NAME_MAX))]
    lines += [event_line(language, settings, event, history.names, now) for event in history.events]
    return "\n".join(lines)


def please_confirm(
    language: str, settings: Settings, line: KeyLine, actor: Employee
) -> tuple[str, Rows]:
    """The holder's push after a hand-out: confirm receipt with one tap."""
    key = line.key
    assert key.due_at is not None and key.handed_out_at is not None
    text = t(
        language,
        "smartkey.please_confirm",
        label=label(key),
        cabinet=cut(line.cabinet.name, NAME_MAX),
        name=cut(actor.name, NAME_MAX),
        due=_when(language, settings, key.due_at, key.handed_out_at),
    )
    return text, [[(plain(language, "smartkey.confirm"), key_data(key.id or 0, KeyAction.CONFIRM))]]


def confirmed(language: str, line: KeyLine) -> str:
    """The holder's push, once confirmed."""
    return t(language, "smartkey.confirmed", label=label(line.key))


def overdue_reminder(language: str, settings: Settings, line: KeyLine) -> tuple[str, Rows]:
    """The holder's reminder when a key is not back by its due time."""
    key = line.key
    assert key.due_at is not None
    text = t(
        language,
        "smartkey.overdue_reminder",
        label=label(key),
        due=_when(language, settings, key.due_at, key.due_at),
        cabinet=cut(line.cabinet.name, NAME_MAX),
    )
    kid = key.id or 0
    return text, [
        [
            (
                plain(language, "smartkey.give_back", label=label(key)),
                key_data(kid, KeyAction.GIVE_BACK),
            )
        ],
        [(plain(language, "smartkey.lost"), key_data(kid, KeyAction.LOST))],
    ]


def overdue_alert(language: str, settings: Settings, line: KeyLine) -> tuple[str, Rows]:
    """The planners' alert when a key is still out after the holder's reminder."""
    key = line.key
    assert key.due_at is not None and key.handed_out_at is not None
    text = t(
        language,
        "smartkey.overdue_alert",
        label=label(key),
        name=_name(line.holder, key.holder),
        user_id=key.holder or "?",
        since=_when(language, settings, key.handed_out_at, key.due_at),
        due=_when(language, settings, key.due_at, key.due_at),
    )
    return text, [
        [
            (
                plain(language, "smartkey.open_key", label=label(key)),
                key_data(key.id or 0, KeyAction.SHOW),
            )
        ]
    ]


def request_push(
    language: str,
    settings: Settings,
    request: KeyRequest,
    requester: Employee,
    now: datetime,
    *,
    note_key: str | None,
) -> tuple[str, Rows]:
    """A keeper's push of a request for a key: hand one, or decline."""
    assert request.id is not None
    lines = []
    if note_key is not None:
        minutes = int((now - request.created_at).total_seconds() // 60)
        lines.append(t(language, note_key, minutes=minutes))
    lines.append(
        t(
            language,
            "smartkey.request_push",
            name=cut(requester.name, NAME_MAX),
            user_id=requester.user_id,
            at=moment(language, request.created_at, settings.zone),
        )
    )
    rows: Rows = [
        [(plain(language, "smartkey.request_hand"), request_data(request.id, RequestAction.PICK))],
        [
            (
                plain(language, "smartkey.request_decline"),
                request_data(request.id, RequestAction.DECLINE),
            )
        ],
    ]
    return "\n".join(lines), rows


def request_settled(
    language: str,
    request: KeyRequest,
    requester: Employee | None,
    decider: Employee | None,
    key: Smartkey | None,
    *,
    left: bool = False,
) -> str:
    """Every keeper's copy of a request once it is answered (``left``: withdrawn because the
    requester was deactivated)."""
    state = RequestState(request.state)
    key_name = f"smartkey.request_{state.value}"
    gone = left or (requester is not None and not requester.active)
    if state is RequestState.WITHDRAWN and gone:
        key_name = "smartkey.request_dropped"  # they left: deactivated, not withdrawn
    return t(
        language,
        key_name,
        name=_name(requester, request.requester),
        by=_name(decider, request.decided_by),
        label=label(key) if key else "?",
    )


def request_declined(language: str, actor: Employee) -> str:
    """The requester's notice of a decline."""
    return t(language, "smartkey.request_declined_you", by=cut(actor.name, NAME_MAX))


def weekly_reminder(
    language: str, settings: Settings, cabinets: Sequence[CabinetKeys], now: datetime
) -> tuple[str, Rows]:
    """The planners' weekly reminder: every key not updated in the last week, by cabinet."""
    stale = [line for cabinet in cabinets for line in cabinet.keys if line.stale]
    if not stale:  # the last one was just marked: the list has done its work
        return t(language, "smartkey.weekly_done"), []
    lines = [
        t(
            language,
            "smartkey.weekly_head",
            count=len(stale),
            days=int(settings.smartkey_stale_days),
        )
    ]
    rows: Rows = []
    for cabinet in cabinets:
        mine = [line for line in cabinet.keys if line.stale]
        if not mine:
            continue
        lines.append("")
        lines.append(_cabinet_head(language, cabinet))
        lines += [status_line(language, settings, line, now) for line in mine]
        rows += _key_buttons(
            [line for line in mine if line.key.state == SmartkeyState.IN_CABINET],
            KeyAction.UPDATED_IN_LIST,
        )
        if any(line.key.state == SmartkeyState.IN_CABINET for line in mine):
            rows.append(
                [
                    (
                        plain(
                            language, "smartkey.all_updated", cabinet=cut(cabinet.cabinet.name, 20)
                        ),
                        cabinet_updated_data(cabinet.cabinet.id),
                    )
                ]
            )
    return fitted(language, lines, rows)


def emergency_note(language: str, cabinets: Sequence[tuple[Cabinet, int]]) -> str:
    """Where the unit's Smartkeys are and how many are in the cabinet now (the emergency card's
    line, and the outage answer's); empty when the unit has no cabinet."""
    return "\n".join(
        t(
            language,
            "smartkey.emergency_line",
            name=cut(cabinet.name, NAME_MAX),
            location=cut(cabinet.location, 80) or "?",
            count=inside,
        )
        for cabinet, inside in cabinets
    )
