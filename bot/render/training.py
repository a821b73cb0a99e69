"""Training register texts and buttons: the page to record on (tap to pick several, then what
they have had), the key person's gaps, the leader's coverage, one employee's line, and the
pushes (the weekly reminder, the leader's notice of late employees).

A page's buttons carry the print of the people it shows (``fingerprint``): a press on a page
drawn before the list changed is refused, never applied to whoever stands there now.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime

from babel.dates import format_date

from bot.render.callbacks import training_data
from bot.render.i18n import Html, normalise, plain, t
from bot.render.pages import NAME_MAX, cut, page_count, page_slice
from bot.render.smartkeys import Rows
from bot.settings import Settings
from bot.storage.employees import Employee
from bot.storage.training import Trainee
from state.training import (
    Coverage,
    Fact,
    Gaps,
    Mark,
    TrainingStatus,
    can_update,
    installed,
    percent,
    trained,
)

PAGE_SIZE = 8
"""People on one page of the register: a bit each in a button's mask, easy to tap."""

LIST_MAX = 10
"""Names shown in one list of the status view or a reminder; the rest are counted."""

BUTTON_NAME_MAX = 22
"""A name on a person's button, at most (the icons of what is missing follow it)."""

NAMES_MAX = 12
"""Names repeated in the line that says what was recorded; the rest are counted."""

OPEN_PRINT = "0" * 8
"""The print of a button that only opens the register (nothing picked: never refused)."""


def _told_apart(people: Sequence[Employee]) -> list[str]:
    """The names on a page's buttons, cut to fit; names that would read alike once cut get
    their user-id (forty substitutes called Anne-Marie Christiansen…)."""
    cut_names = [cut(person.name, BUTTON_NAME_MAX) for person in people]
    return [
        f"{cut(person.name, BUTTON_NAME_MAX - 10)} ({person.user_id})"
        if cut_names.count(name) > 1
        else name
        for person, name in zip(people, cut_names, strict=True)
    ]


def fingerprint(user_ids: Sequence[str]) -> str:
    """The print of a page's people, in order (8 hex digits)."""
    return hashlib.sha256("\n".join(user_ids).encode()).hexdigest()[:8]


def pages(total: int) -> int:
    """How many pages the register's list has."""
    return page_count(total, PAGE_SIZE)


def page_of(trainees: Sequence[Trainee], page: int) -> list[Trainee]:
    """The people one page shows."""
    return list(trainees[page_slice(page, PAGE_SIZE)])


def open_data() -> str:
    """A button that opens the register at its first page."""
    return training_data(1, OPEN_PRINT, 0)


def open_rows(language: str) -> Rows:
    """The one button that opens the register."""
    return [[(plain(language, "training.open"), open_data())]]


def _missing(language: str, trainee: Trainee) -> str:
    """The icons of what an employee still lacks (❔ for training not recorded)."""
    record = trainee.record
    icons = []
    if trained(record) is Fact.UNKNOWN:
        icons.append(plain(language, "training.icon.unknown"))
    elif trained(record) is Fact.NO:
        icons.append(plain(language, "training.icon.trained"))
    if installed(record) is not Fact.YES:
        icons.append(plain(language, "training.icon.installed"))
    if can_update(record) is not Fact.YES:
        icons.append(plain(language, "training.icon.updates"))
    return "".join(icons)


def picker(
    language: str,
    unit: str,
    trainees: Sequence[Trainee],
    page: int,
    picked: frozenset[str],
    done: str | None = None,
) -> tuple[str, Rows]:
    """One page of the unit's staff not yet fully recorded, as toggle buttons, with the
    marks to record for those picked (``done``: what the last press recorded, on top)."""
    lines = [done, ""] if done else []
    lines.append(t(language, "training.head", unit=unit))
    if not trainees:
        lines.append(t(language, "training.all_done", unit=unit))
        return "\n".join(lines), []
    shown = page_of(trainees, page)
    ids = [trainee.employee.user_id for trainee in shown]
    mask = sum(1 << index for index, user_id in enumerate(ids) if user_id in picked)
    print_ = fingerprint(ids)
    lines.append(t(language, "training.to_record", count=len(trainees)))
    lines.append(t(language, "training.legend"))
    lines.append(
        t(
            language,
            "training.page",
            page=page,
            pages=pages(len(trainees)),
            picked=bin(mask).count("1"),
        )
    )
    rows: Rows = []
    names = _told_apart([trainee.employee for trainee in shown])
    for index, trainee in enumerate(shown):
        box = "training.icon.picked" if mask >> index & 1 else "training.icon.not_picked"
        label = plain(
            language,
            "training.person",
            box=plain(language, box),
            name=names[index],
            missing=_missing(language, trainee),
        )
        rows.append([(label, training_data(page, print_, mask ^ (1 << index)))])
    everyone = (1 << len(shown)) - 1
    if mask == everyone:
        rows.append([(plain(language, "training.pick_none"), training_data(page, print_, 0))])
    else:
        rows.append([(plain(language, "training.pick_all"), training_data(page, print_, everyone))])
    marks = [Mark.TRAINED, Mark.INSTALLED, Mark.UPDATES, Mark.ALL]
    buttons = [
        (plain(language, f"training.mark.{mark.value}"), training_data(page, print_, mask, mark))
        for mark in marks
    ]
    rows.extend([buttons[:2], buttons[2:]])
    turn = []
    if page > 1:
        before = fingerprint(_ids(page_of(trainees, page - 1)))
        turn.append((plain(language, "training.previous"), training_data(page - 1, before, 0)))
    if page < pages(len(trainees)):
        after = fingerprint(_ids(page_of(trainees, page + 1)))
        turn.append((plain(language, "training.next"), training_data(page + 1, after, 0)))
    if turn:
        rows.append(turn)
    return "\n".join(lines), rows


def _ids(trainees: Sequence[Trainee]) -> list[str]:
    """The user-ids of these people, in order."""
    return [trainee.employee.user_id for trainee in trainees]


def _names(language: str, people: Sequence[Employee]) -> str:
    """Some names, comma-separated; beyond ``NAMES_MAX`` counted."""
    names = ", ".join(cut(person.name, NAME_MAX) for person in people[:NAMES_MAX])
    if len(people) > NAMES_MAX:
        names = f"{names} {plain(language, 'training.more', count=len(people) - NAMES_MAX)}"
    return names


def recorded(
    language: str,
    mark: Mark,
    changed: Sequence[Employee],
    already: Sequence[Employee],
    refused: Sequence[str],
) -> str:
    """What a mark did: for whom it was noted, who had it already, which ids were refused."""
    what = plain(language, f"training.mark.{mark.value}")
    lines = []
    if changed:
        lines.append(
            t(
                language,
                "training.recorded",
                what=what,
                count=len(changed),
                names=_names(language, changed),
            )
        )
    if already:
        lines.append(t(language, "training.already", names=_names(language, already)))
    if refused:
        lines.append(t(language, "training.refused", user_ids=", ".join(refused[:NAMES_MAX])))
    if not lines:
        lines.append(t(language, "training.nothing"))
    return "\n".join(lines)


def _person_lines(
    language: str,
    settings: Settings | None,
    trainees: Sequence[Trainee],
) -> list[str]:
    """A list of people, one a line (with the day they joined, given the settings); beyond
    ``LIST_MAX`` counted."""
    lines = []
    for trainee in trainees[:LIST_MAX]:
        person = trainee.employee
        name = cut(person.name, NAME_MAX)
        if settings is None:
            lines.append(t(language, "training.line", name=name, user_id=person.user_id))
        else:
            day = _day(language, settings, trainee.joined)
            lines.append(
                t(language, "training.line_joined", name=name, user_id=person.user_id, date=day)
            )
    if len(trainees) > LIST_MAX:
        lines.append(t(language, "training.more", count=len(trainees) - LIST_MAX))
    return lines


def _day(language: str, settings: Settings, when: datetime) -> str:
    """A local calendar day, medium form ("27. nov. 2026")."""
    return format_date(when.astimezone(settings.zone).date(), "medium", locale=normalise(language))


def gaps_text(language: str, unit: str, staff: Sequence[Trainee], found: Gaps) -> str:
    """The key person's view: who is untrained, who has no Bekey on the phone, who cannot
    update it, and (apart) who is not recorded yet."""
    lines = [
        t(language, "training.status_head", unit=unit),
        t(language, "training.staff", count=len(staff)),
    ]
    if found.none:
        lines.append(t(language, "training.no_gaps"))
        return "\n".join(lines)
    by_id = {trainee.employee.user_id: trainee for trainee in staff}
    sections = (
        ("untrained", found.untrained),
        ("no_bekey", found.no_bekey),
        ("cannot_update", found.cannot_update),
        ("not_recorded", found.not_recorded),
    )
    for name, user_ids in sections:
        if not user_ids:
            continue
        lines.append("")
        lines.append(t(language, f"training.section.{name}", count=len(user_ids)))
        lines.extend(_person_lines(language, None, [by_id[u] for u in user_ids]))
    return "\n".join(lines)


def coverage_text(
    language: str, unit: str, counted: Coverage, key_persons: Sequence[Employee]
) -> str:
    """The leader's view: the unit's coverage as counts and percentages, and its key persons
    (none is a gap, said so)."""
    lines = [
        t(language, "training.coverage_head", unit=unit),
        t(language, "training.staff", count=counted.staff),
    ]
    for name, count in (
        ("trained", counted.trained),
        ("installed", counted.installed),
        ("updates", counted.can_update),
        ("ready", counted.ready),
        ("untrained", counted.untrained),
        ("not_recorded", counted.not_recorded),
    ):
        lines.append(
            t(
                language,
                "training.coverage_line",
                label=Html(t(language, f"training.label.{name}")),
                count=count,
                percent=percent(count, counted.staff),
            )
        )
    lines.append("")
    if key_persons:
        names = ", ".join(cut(person.name, NAME_MAX) for person in key_persons)
        lines.append(t(language, "training.key_persons", count=len(key_persons), names=names))
    else:
        lines.append(t(language, "training.no_key_person", unit=unit))
    return "\n".join(lines)


def card_text(language: str, settings: Settings, trainee: Trainee, trainer: Employee | None) -> str:
    """One employee's line in the register."""
    person, record = trainee.employee, trainee.record
    lines = [
        t(
            language,
            "training.card_head",
            name=person.name,
            user_id=person.user_id,
            unit=person.unit,
        )
    ]
    if record.status is TrainingStatus.TRAINED and record.trained_at is not None:
        by = trainer.name if trainer else (record.trained_by or "?")
        day = _day(language, settings, record.trained_at)
        lines.append(t(language, "training.card_trained", date=day, trainer=by))
    else:
        lines.append(t(language, f"training.card_{record.status.value}"))
    for name, fact in (("installed", installed(record)), ("updates", can_update(record))):
        answer = Html(t(language, f"training.fact.{fact.value}"))
        lines.append(t(language, f"training.card_{name}", answer=answer))
    return "\n".join(lines)


def weekly_reminder(
    language: str,
    settings: Settings,
    unit: str,
    untrained: Sequence[Trainee],
    *,
    no_key_person: bool,
) -> tuple[str, Rows]:
    """The weekly reminder of the unit's untrained staff, with the button to record."""
    lines = [t(language, "training.weekly_head", unit=unit, count=len(untrained))]
    lines.extend(_person_lines(language, settings, untrained))
    lines.append("")
    if no_key_person:
        lines.append(t(language, "training.weekly_no_key_person", unit=unit))
    lines.append(t(language, "training.weekly_tail"))
    return "\n".join(lines), open_rows(language)


def late_notice(language: str, settings: Settings, unit: str, late: Sequence[Trainee]) -> str:
    """The leader's notice of employees still untrained weeks after joining."""
    weeks = f"{settings.training_late_weeks:g}"
    lines = [t(language, "training.late_head", unit=unit, count=len(late), weeks=weeks)]
    lines.extend(_person_lines(language, settings, late))
    return "\n".join(lines)
