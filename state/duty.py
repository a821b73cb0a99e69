"""Who is on duty: planner hours, on-call appointments, and waits that count only on duty.

- ``Weekday``, ``TimeWindow``, ``PlannerHours``, ``DEFAULT_PLANNER_HOURS``: a unit's planner
  hours, at most one local window a weekday (by default Monday to Friday 07:00-15:30).
- ``parse_planner_hours``, ``format_planner_hours``, ``parse_weekdays``, ``InvalidHours``,
  ``HoursProblem``: hours as a leader types them ("man-fre 7-15.30, lør 9-12"), as they are
  stored ("mon-fri 07:00-15:30, sat 09:00-12:00"), and why a text was refused.
- ``in_planner_hours``, ``next_planner_start``: a Danish public holiday (``state.workdays``)
  is outside hours all day, whatever the hours say.
- ``WeekdayOnCall``, ``DateRangeOnCall`` (``OnCallRule``), ``parse_on_call_rule``,
  ``on_call_now``, ``on_call_spans``:
  one person's on-call appointments. A day's on-call runs from when the planners go home
  that day (from midnight, on a day they do not work) until they are back: Tuesday is
  Tuesday 15:30 to Wednesday 07:00, Friday is Friday 15:30 to Monday 07:00. A rule with a
  window (22:00-07:00) covers only that, past midnight when it ends before it starts. Nobody
  is on call during planner hours.
- ``Span``, ``planner_spans``, ``duty_spans``, ``duty_elapsed``, ``due_at``,
  ``escalation_level_on_duty``: escalation that follows duty: a wait counts only while
  someone is on duty, and falls due only then; the leader hears only in planner hours.

Times of day are local, in the zone passed in; moments in and out are aware UTC datetimes,
so a change to or from summer time is an hour more or less of night, never of a wait.
Every stretch of time is half-open: hours 07:00-15:30 include 07:00 and end at 15:30.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum, StrEnum
from itertools import groupby
from typing import Final, TypeAlias
from zoneinfo import ZoneInfo

from state.workdays import is_public_holiday


class Weekday(IntEnum):
    """A day of the week, numbered as ISO does (Monday is 1)."""

    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7

    @classmethod
    def of(cls, day: date) -> Weekday:
        """The weekday a date falls on."""
        return cls(day.isoweekday())


@dataclass(frozen=True)
class TimeWindow:
    """Local time from ``start`` to ``end``; it runs past midnight when ``end <= start``."""

    start: time
    end: time

    @property
    def overnight(self) -> bool:
        """Whether the window ends the next day."""
        return self.end <= self.start


@dataclass(frozen=True)
class PlannerHours:
    """A unit's planner hours: per weekday, Monday first, a window within the day or None."""

    days: tuple[TimeWindow | None, ...] = (None,) * 7

    def __post_init__(self) -> None:
        if len(self.days) != len(Weekday):
            raise ValueError("planner hours name seven days, Monday to Sunday")
        if any(window is not None and window.overnight for window in self.days):
            raise ValueError("planner hours end after they start, the same day")

    @classmethod
    def of(cls, days: Mapping[Weekday, TimeWindow]) -> PlannerHours:
        """Planner hours on the days given, none on the others."""
        return cls(tuple(days.get(day) for day in Weekday))

    def on(self, day: Weekday) -> TimeWindow | None:
        """The window of a weekday, or None if the planners do not work that day."""
        return self.days[day - 1]

    @property
    def empty(self) -> bool:
        """Whether the planners work no day at all."""
        return all(window is None for window in self.days)


WORKWEEK: Final = frozenset(Weekday) - {Weekday.SATURDAY, Weekday.SUNDAY}
DEFAULT_PLANNER_HOURS: Final = PlannerHours.of(
    dict.fromkeys(WORKWEEK, TimeWindow(time(7, 0), time(15, 30)))
)
"""Monday to Friday 07:00-15:30, until a leader sets a unit's own."""

NO_HOURS: Final = "none"
"""The stored form of planner hours on no day."""

CANONICAL_DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""The day names of the stored form, Monday first."""


# --- Reading and writing planner hours -----------------------------------------------------


class HoursProblem(StrEnum):
    """Why a text does not read as planner hours."""

    EMPTY = "empty"
    """Nothing was typed."""
    UNKNOWN_DAY = "unknown_day"
    """A word is not a day (day names need three letters: "man", "tue", "lør")."""
    NO_DAYS = "no_days"
    """Times with no day before them."""
    NO_TIMES = "no_times"
    """Days with no times after them."""
    BAD_TIME = "bad_time"
    """Not a time of day (``7``, ``7.30``, ``07:30``; hours 0-23)."""
    END_NOT_AFTER_START = "end_not_after_start"
    """Planner hours end after they start, the same day."""
    DAY_TWICE = "day_twice"
    """One day was given two windows."""
    BAD_DATE = "bad_date"
    """Not a date (``24.12``, ``24.12.2026``, ``2026-12-24``), or a range that ends first."""


class InvalidHours(ValueError):
    """A text that does not read as planner hours: the reason, and the part at fault."""

    def __init__(self, reason: HoursProblem, part: str) -> None:
        super().__init__(f"{reason.value}: {part!r}")
        self.reason = reason
        self.part = part


_DAY_NAMES: Final[Mapping[Weekday, tuple[str, ...]]] = {
    Weekday.MONDAY: ("mandag", "monday"),
    Weekday.TUESDAY: ("tirsdag", "tuesday"),
    Weekday.WEDNESDAY: ("onsdag", "wednesday"),
    Weekday.THURSDAY: ("torsdag", "thursday"),
    Weekday.FRIDAY: ("fredag", "friday"),
    Weekday.SATURDAY: ("lordag", "saturday"),  # lørdag, folded as _fold does
    Weekday.SUNDAY: ("sondag", "sunday"),  # søndag
}
_MIN_DAY_LETTERS: Final = 3
_DAY_GROUPS: Final[Mapping[str, frozenset[Weekday]]] = {
    "hverdage": WORKWEEK,
    "weekdays": WORKWEEK,
    "weekend": frozenset({Weekday.SATURDAY, Weekday.SUNDAY}),
}
_NO_HOURS_WORDS: Final = frozenset({NO_HOURS, "ingen", "lukket", "closed"})
_FILLER_WORDS: Final = frozenset({"og", "and"})
_RANGE = re.compile(r"\s*(?:[-–]|\btil\b|\bto\b)\s*", re.IGNORECASE)
_TIME = r"\d{1,2}(?:[:.]\d{1,2})?"
_GROUP = re.compile(
    rf"(?P<days>.*?)\s*(?:(?:kl\.?\s*)?(?P<start>{_TIME})\s*[-–]\s*(?P<end>{_TIME}))?",
    re.IGNORECASE,
)


def _fold(word: str) -> str:
    return word.casefold().rstrip(".").replace("ø", "o").replace("oe", "o")


def _weekday(word: str) -> Weekday:
    folded = _fold(word)
    found = {
        day
        for day, names in _DAY_NAMES.items()
        for name in names
        if len(folded) >= _MIN_DAY_LETTERS and name.startswith(folded)
    }
    if len(found) != 1:
        reason = (
            HoursProblem.BAD_TIME if any(c.isdigit() for c in word) else HoursProblem.UNKNOWN_DAY
        )
        raise InvalidHours(reason, word)
    return found.pop()


def _day_range(first: Weekday, last: Weekday) -> frozenset[Weekday]:
    count = (last - first) % len(Weekday) + 1
    return frozenset(Weekday((first - 1 + n) % len(Weekday) + 1) for n in range(count))


def parse_weekdays(text: str) -> frozenset[Weekday]:
    """Read days as a leader types them: "man-ons, fre", "tue to thu", "hverdage" (any case)."""
    days: set[Weekday] = set()
    for token in re.split(r"[\s,;/&+]+", _RANGE.sub("-", text.strip())):
        if not token or token.casefold() in _FILLER_WORDS:
            continue
        if (group := _DAY_GROUPS.get(token.casefold())) is not None:
            days |= group
            continue
        first, dash, last = token.partition("-")
        if dash and not (first and last):
            raise InvalidHours(HoursProblem.UNKNOWN_DAY, token)
        days |= _day_range(_weekday(first), _weekday(last or first))
    return frozenset(days)


def _time(text: str) -> time:
    hour, _, minute = text.replace(".", ":").partition(":")
    if len(minute) == 1 or not 0 <= int(hour) <= 23 or not 0 <= int(minute or 0) <= 59:
        raise InvalidHours(HoursProblem.BAD_TIME, text)
    return time(int(hour), int(minute or 0))


def parse_planner_hours(text: str) -> PlannerHours:
    """Read planner hours as a leader types them, in Danish or English; raise InvalidHours.

    Groups of days and times, apart by commas: "man-fre 7-15.30, lør 9-12", "mon, wed 8-12",
    "Mandag til fredag kl. 07.00-15.30"; "ingen" or "none" for no hours at all.
    """
    if not text.strip():
        raise InvalidHours(HoursProblem.EMPTY, text)
    if _fold(text.strip()) in _NO_HOURS_WORDS:
        return PlannerHours()
    windows: dict[Weekday, TimeWindow] = {}
    pending: set[Weekday] = set()
    for part in (part.strip() for part in re.split(r"[,;\n]", text)):
        match = _GROUP.fullmatch(part)
        assert match is not None  # the pattern matches any text
        pending |= parse_weekdays(match["days"])
        if match["start"] is None:
            continue  # "man, ons 8-12": the days wait for the times that follow
        if not pending:
            raise InvalidHours(HoursProblem.NO_DAYS, part)
        window = TimeWindow(_time(match["start"]), _time(match["end"]))
        if window.overnight:
            raise InvalidHours(HoursProblem.END_NOT_AFTER_START, part)
        if pending & windows.keys():
            raise InvalidHours(HoursProblem.DAY_TWICE, part)
        windows |= dict.fromkeys(pending, window)
        pending = set()
    if pending:
        raise InvalidHours(HoursProblem.NO_TIMES, text.strip())
    return PlannerHours.of(windows)


def format_planner_hours(
    hours: PlannerHours, day_names: Sequence[str] = CANONICAL_DAY_NAMES
) -> str:
    """Write planner hours as stored ("mon-fri 07:00-15:30, sat 09:00-12:00"), or with names."""
    parts = []
    numbered = zip(Weekday, hours.days, strict=True)
    for window, run in groupby(numbered, key=lambda pair: pair[1]):
        if window is None:
            continue
        days = [day for day, _ in run]
        names = day_names[days[0] - 1]
        if len(days) > 1:
            names += f"-{day_names[days[-1] - 1]}"
        parts.append(f"{names} {window.start:%H:%M}-{window.end:%H:%M}")
    return ", ".join(parts) or NO_HOURS


# --- Planner hours in time -----------------------------------------------------------------

_HORIZON: Final = timedelta(days=366)
"""How far ahead planner hours and duty are looked for before giving up."""
_LOOKBACK: Final = timedelta(days=31)
"""How far back a night may have begun (the longest holiday stretch is a week)."""


def _hours_on(hours: PlannerHours, day: date) -> TimeWindow | None:
    return None if is_public_holiday(day) else hours.on(Weekday.of(day))


def _at(day: date, moment: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=zone).astimezone(UTC)


def _days(first: date, last: date) -> Iterator[date]:
    while first <= last:
        yield first
        first += timedelta(days=1)


def in_planner_hours(hours: PlannerHours, at_utc: datetime, zone: ZoneInfo) -> bool:
    """Whether a moment is in planner hours (never on a Danish public holiday)."""
    day = at_utc.astimezone(zone).date()
    window = _hours_on(hours, day)
    return window is not None and _at(day, window.start, zone) <= at_utc < _at(
        day, window.end, zone
    )


def next_planner_start(hours: PlannerHours, after_utc: datetime, zone: ZoneInfo) -> datetime | None:
    """When planner hours next begin, at or after a moment (UTC); None if they never do.

    A moment exactly at the start is that start; a moment inside hours gets the next day's.
    """
    if hours.empty:
        return None
    first = after_utc.astimezone(zone).date()
    for day in _days(first, first + _HORIZON):
        window = _hours_on(hours, day)
        if window is not None and (start := _at(day, window.start, zone)) >= after_utc:
            return start
    return None


@dataclass(frozen=True, order=True)
class Span:
    """Time from ``start`` up to, not including, ``end`` (aware UTC)."""

    start: datetime
    end: datetime

    @property
    def length(self) -> timedelta:
        """How long the span lasts."""
        return self.end - self.start

    def covers(self, moment: datetime) -> bool:
        """Whether a moment falls in the span."""
        return self.start <= moment < self.end


def _merged(spans: Iterable[Span]) -> list[Span]:
    merged: list[Span] = []
    for span in sorted(s for s in spans if s.start < s.end):
        if merged and span.start <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def _clipped(spans: Iterable[Span], start: datetime, end: datetime) -> list[Span]:
    return _merged(Span(max(s.start, start), min(s.end, end)) for s in spans)


def _without(spans: Iterable[Span], holes: Sequence[Span]) -> list[Span]:
    kept: list[Span] = []
    for span in spans:
        start = span.start
        for hole in holes:
            if hole.end <= start or hole.start >= span.end:
                continue
            kept.append(Span(start, hole.start))
            start = max(start, hole.end)
        kept.append(Span(start, span.end))
    return _merged(kept)


def planner_spans(
    hours: PlannerHours, start_utc: datetime, end_utc: datetime, zone: ZoneInfo
) -> list[Span]:
    """The planner hours between two moments, in order (UTC, public holidays left out)."""
    spans = []
    first, last = (moment.astimezone(zone).date() for moment in (start_utc, end_utc))
    for day in _days(first, last):
        if (window := _hours_on(hours, day)) is not None:
            spans.append(Span(_at(day, window.start, zone), _at(day, window.end, zone)))
    return _clipped(spans, start_utc, end_utc)


# --- On call -------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeekdayOnCall:
    """On call on these weekdays, every week: their evening and night, or only ``window``."""

    weekdays: frozenset[Weekday]
    window: TimeWindow | None = None

    def applies_on(self, day: date) -> bool:
        """Whether the rule names a date."""
        return Weekday.of(day) in self.weekdays


@dataclass(frozen=True)
class DateRangeOnCall:
    """On call from ``first`` to ``last`` (local dates, both included), as a weekday rule is."""

    first: date
    last: date
    window: TimeWindow | None = None

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a date range ends on or after its first day")

    def applies_on(self, day: date) -> bool:
        """Whether the rule names a date."""
        return self.first <= day <= self.last


OnCallRule: TypeAlias = WeekdayOnCall | DateRangeOnCall


def _cover(rule: OnCallRule, day: date, hours: PlannerHours, zone: ZoneInfo) -> Span:
    """The time a rule that names ``day`` covers, planner hours not yet taken out."""
    if rule.window is not None:
        ends_on = day + timedelta(days=1) if rule.window.overnight else day
        return Span(_at(day, rule.window.start, zone), _at(ends_on, rule.window.end, zone))
    planner = _hours_on(hours, day)
    start = _at(day, planner.end if planner else time(0), zone)
    end = next_planner_start(hours, start, zone)
    return Span(start, end or _at(day + timedelta(days=1), time(0), zone))


def on_call_now(
    rules: Iterable[OnCallRule], hours: PlannerHours, at_utc: datetime, zone: ZoneInfo
) -> bool:
    """Whether one person's on-call rules put them on call at a moment (outside hours only)."""
    if in_planner_hours(hours, at_utc, zone):
        return False
    rules = tuple(rules)
    today = at_utc.astimezone(zone).date()
    return any(
        rule.applies_on(day) and _cover(rule, day, hours, zone).covers(at_utc)
        for day in _days(today - _LOOKBACK, today)
        for rule in rules
    )


def on_call_spans(
    rules: Iterable[OnCallRule],
    hours: PlannerHours,
    start_utc: datetime,
    end_utc: datetime,
    zone: ZoneInfo,
) -> list[Span]:
    """When rules put someone on call between two moments, in order (UTC)."""
    rules = list(rules)
    first = start_utc.astimezone(zone).date() - _LOOKBACK
    covers = [
        _cover(rule, day, hours, zone)
        for day in _days(first, end_utc.astimezone(zone).date())
        for rule in rules
        if rule.applies_on(day)
    ]
    return _without(
        _clipped(covers, start_utc, end_utc), planner_spans(hours, start_utc, end_utc, zone)
    )


# --- Waits that follow duty ----------------------------------------------------------------


def duty_spans(
    hours: PlannerHours,
    start_utc: datetime,
    end_utc: datetime,
    zone: ZoneInfo,
    on_call: Iterable[OnCallRule] = (),
) -> list[Span]:
    """When someone is on duty between two moments: planner hours, and anyone's on-call."""
    return _merged(
        planner_spans(hours, start_utc, end_utc, zone)
        + on_call_spans(on_call, hours, start_utc, end_utc, zone)
    )


def duty_elapsed(start_utc: datetime, end_utc: datetime, spans: Iterable[Span]) -> timedelta:
    """How much on-duty time (the spans) passed between two moments."""
    clipped = _clipped(spans, start_utc, end_utc)
    return sum((span.length for span in clipped), timedelta())


def due_at(
    start_utc: datetime,
    wait: timedelta,
    hours: PlannerHours,
    zone: ZoneInfo,
    on_call: Iterable[OnCallRule] = (),
) -> datetime | None:
    """When ``wait`` of on-duty time has passed since a moment (UTC); None if it never does.

    On-duty time is planner hours, and the time the ``on_call`` rules (anyone's) cover. The
    moment is always on duty: a wait that runs out as the planners go home falls due when
    they are back, and a wait of nothing started at night falls due in the morning.
    """
    if wait < timedelta():
        raise ValueError("a wait is not negative")
    rules = list(on_call)
    left = wait
    week = timedelta(days=7)
    for start in (start_utc + n * week for n in range(_HORIZON // week + 1)):
        for span in duty_spans(hours, start, start + week, zone, rules):
            if left < span.length:
                return span.start + left
            left -= span.length
    return None


def escalation_level_on_duty(
    created_utc: datetime,
    now_utc: datetime,
    hours: PlannerHours,
    zone: ZoneInfo,
    on_call: Iterable[OnCallRule],
    *,
    first_after: timedelta,
    second_after: timedelta,
) -> int:
    """The escalation level an untaken ticket has reached (0, 1, 2), counting only duty.

    The first level (sent again to those on duty) counts planner hours and on-call time; the
    second (the leader) counts planner hours only, so a ticket that waited overnight reaches
    the leader in the morning, never at night.
    """
    first = due_at(created_utc, first_after, hours, zone, on_call)
    second = due_at(created_utc, first_after + second_after, hours, zone)
    if second is not None and now_utc >= second:
        return 2
    if first is not None and now_utc >= first:
        return 1
    return 0


MAX_ON_CALL_RANGE: Final = timedelta(days=62)
"""The longest date range one appointment takes (longer is a slip: use weekdays)."""

_DATE = r"(\d{4}-\d{2}-\d{2}|\d{1,2}\.\d{1,2}\.?(?:\d{4})?)"
_DATES = re.compile(rf"^{_DATE}(?:\s*(?:\.\.|[-–]|\btil\b|\bto\b)\s*{_DATE})?$", re.IGNORECASE)
_WINDOW_AT_END = re.compile(rf"\s(?:kl\.?\s*)?({_TIME})\s*[-–]\s*({_TIME})$", re.IGNORECASE)


def _date(text: str, today: date) -> tuple[date, bool]:
    """A typed date, and whether its year was given (else this year, or next if past)."""
    try:
        if "-" in text:
            return date.fromisoformat(text), True
        day, month, year = [*text.split("."), "", ""][:3]
        if year:
            return date(int(year), int(month), int(day)), True
        found = date(today.year, int(month), int(day))
    except ValueError:
        raise InvalidHours(HoursProblem.BAD_DATE, text) from None
    if found < today:
        found = found.replace(year=today.year + 1)
    return found, False


def parse_on_call_rule(text: str, today: date) -> OnCallRule:
    """Read an on-call appointment as a leader types it; raise InvalidHours.

    Weekdays ("tirsdag", "man-ons", "weekend") or dates ("24.12-26.12", "2026-12-31"), and
    an optional window at the end ("fre 22-07"). A date without a year is the next one to
    come (from today, local).
    """
    text = " ".join(text.split())
    if not text:
        raise InvalidHours(HoursProblem.EMPTY, text)
    window = None
    if _DATES.match(text) is None and (found := _WINDOW_AT_END.search(" " + text)) is not None:
        window = TimeWindow(_time(found.group(1)), _time(found.group(2)))
        if window.start == window.end:
            raise InvalidHours(HoursProblem.END_NOT_AFTER_START, found.group(0).strip())
        text = (" " + text)[: found.start()].strip()
        if not text:
            raise InvalidHours(HoursProblem.NO_DAYS, found.group(0).strip())
    if (dates := _DATES.match(text)) is not None:
        first, _ = _date(dates.group(1), today)
        last, year_given = _date(dates.group(2), today) if dates.group(2) else (first, True)
        if last < first and not year_given:
            last = last.replace(year=last.year + 1)  # 30.12-2.1: over New Year
        if last < first or last < today or last - first > MAX_ON_CALL_RANGE:
            raise InvalidHours(HoursProblem.BAD_DATE, text)  # backwards, past, or a slip
        return DateRangeOnCall(first, last, window)
    days = parse_weekdays(text)
    if not days:
        raise InvalidHours(HoursProblem.NO_DAYS, text)
    return WeekdayOnCall(days, window)
