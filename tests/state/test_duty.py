"""Who is on duty: planner hours as typed and stored, public holidays outside hours, on-call
nights and weekends, and waits that count only on duty, across the changes of summer time
(Copenhagen: 29 March 2026 02:00 to 03:00, 25 October 2026 03:00 to 02:00)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from state.duty import (
    DEFAULT_PLANNER_HOURS,
    DateRangeOnCall,
    HoursProblem,
    InvalidHours,
    OnCallRule,
    PlannerHours,
    Span,
    TimeWindow,
    Weekday,
    WeekdayOnCall,
    due_at,
    duty_elapsed,
    duty_spans,
    escalation_level_on_duty,
    format_planner_hours,
    in_planner_hours,
    next_planner_start,
    on_call_now,
    on_call_spans,
    parse_on_call_rule,
    parse_planner_hours,
    parse_weekdays,
    planner_spans,
)
from state.workdays import is_public_holiday

CPH = ZoneInfo("Europe/Copenhagen")
MON, TUE, WED, THU, FRI, SAT, SUN = Weekday


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Copenhagen, as the UTC moment the rules take."""
    return datetime(year, month, day, hour, minute, tzinfo=CPH).astimezone(UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(text: str) -> PlannerHours:
    """Planner hours as a leader types them."""
    return parse_planner_hours(text)


SATURDAYS_TOO = hours("mon-fri 7-15.30, sat 9-12")
NO_PLANNERS = PlannerHours()

# --- Reading and writing planner hours -----------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("man-fre 07:00-15:30", "mon-fri 07:00-15:30"),
        ("mon-fri 7-15.30, sat 9-12", "mon-fri 07:00-15:30, sat 09:00-12:00"),
        ("Mandag til fredag kl. 07.00-15.30", "mon-fri 07:00-15:30"),
        ("Monday to Friday 7:00 - 15:30", "mon-fri 07:00-15:30"),
        ("MAN - FRE 7-15.30", "mon-fri 07:00-15:30"),
        ("hverdage 7-15.30", "mon-fri 07:00-15:30"),
        ("weekdays 7-15.30; weekend 10-12", "mon-fri 07:00-15:30, sat-sun 10:00-12:00"),
        ("lør-søn 9-12", "sat-sun 09:00-12:00"),
        ("loer 9-12, soen 10-11", "sat 09:00-12:00, sun 10:00-11:00"),
        ("lor 9-12", "sat 09:00-12:00"),
        ("lørdag 9-12", "sat 09:00-12:00"),
        ("tirs-tors 8-16", "tue-thu 08:00-16:00"),
        ("tues-thurs 8-16", "tue-thu 08:00-16:00"),
        ("ons. 8-12", "wed 08:00-12:00"),
        ("man, ons og fre 8-12", "mon 08:00-12:00, wed 08:00-12:00, fri 08:00-12:00"),
        ("man-ons 7-15, tor-fre 7-14", "mon-wed 07:00-15:00, thu-fri 07:00-14:00"),
        ("fre-man 8-9", "mon 08:00-09:00, fri-sun 08:00-09:00"),  # a range past Sunday
        ("ingen", "none"),
        ("None", "none"),
    ],
)
def test_planner_hours_read_as_typed_in_either_language(typed: str, stored: str) -> None:
    """Danish and English days and ranges, times with a colon, a dot or none; stored as one."""
    assert format_planner_hours(hours(typed)) == stored
    assert hours(stored) == hours(typed)


@pytest.mark.parametrize(
    ("typed", "reason", "part"),
    [
        ("", HoursProblem.EMPTY, ""),
        ("   ", HoursProblem.EMPTY, "   "),
        ("man-fre", HoursProblem.NO_TIMES, "man-fre"),
        ("fredag lørdag", HoursProblem.NO_TIMES, "fredag lørdag"),
        ("mon-fri 7-15, sat", HoursProblem.NO_TIMES, "mon-fri 7-15, sat"),
        ("7-15.30", HoursProblem.NO_DAYS, "7-15.30"),
        ("funday 7-15", HoursProblem.UNKNOWN_DAY, "funday"),
        ("ma-fr 7-15", HoursProblem.UNKNOWN_DAY, "ma"),  # two letters are too few
        ("mon to 7-15", HoursProblem.UNKNOWN_DAY, "mon-"),
        ("lør fri", HoursProblem.NO_TIMES, "lør fri"),  # "fri" is Friday, not a day off
        ("man 25-26", HoursProblem.BAD_TIME, "25"),
        ("man 7:60-8", HoursProblem.BAD_TIME, "7:60"),
        ("man 7.3-8", HoursProblem.BAD_TIME, "7.3"),
        ("man 9 12", HoursProblem.BAD_TIME, "9"),
        ("man 15.30-7", HoursProblem.END_NOT_AFTER_START, "man 15.30-7"),
        ("tue 8-8", HoursProblem.END_NOT_AFTER_START, "tue 8-8"),
        ("man-fre 7-15, fre 8-12", HoursProblem.DAY_TWICE, "fre 8-12"),
    ],
)
def test_bad_planner_hours_are_refused_with_a_reason(
    typed: str, reason: HoursProblem, part: str
) -> None:
    """Each refusal says why, and which part of the text is at fault."""
    with pytest.raises(InvalidHours) as refused:
        parse_planner_hours(typed)
    assert (refused.value.reason, refused.value.part) == (reason, part)


def test_the_default_is_monday_to_friday_from_seven_to_half_past_three() -> None:
    """Until a leader sets a unit's own hours."""
    assert format_planner_hours(DEFAULT_PLANNER_HOURS) == "mon-fri 07:00-15:30"


def test_hours_are_shown_with_the_day_names_given() -> None:
    """The render layer passes its locale's day names."""
    danish = ("man", "tir", "ons", "tor", "fre", "lør", "søn")
    assert format_planner_hours(SATURDAYS_TOO, danish) == "man-fre 07:00-15:30, lør 09:00-12:00"


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("tirsdag", {TUE}),
        ("man-ons, fre", {MON, TUE, WED, FRI}),
        ("fre-søn", {FRI, SAT, SUN}),
        ("Friday to Monday", {FRI, SAT, SUN, MON}),
        ("weekend", {SAT, SUN}),
        ("", set()),
    ],
)
def test_weekdays_read_as_typed(typed: str, days: set[Weekday]) -> None:
    """The days of an on-call pattern, as a leader types them."""
    assert parse_weekdays(typed) == days


def test_planner_hours_name_seven_days_within_a_day() -> None:
    """Hours past midnight, or for a week of another length, are not planner hours."""
    with pytest.raises(ValueError, match="seven days"):
        PlannerHours((None,) * 6)
    with pytest.raises(ValueError, match="same day"):
        PlannerHours.of({MON: TimeWindow(time(22), time(6))})


# --- Planner hours in time -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (local(2026, 11, 30, 6, 59), False),  # Monday, before hours
        (local(2026, 11, 30, 7, 0), True),  # exactly 07:00: in
        (local(2026, 11, 30, 15, 29), True),
        (local(2026, 11, 30, 15, 30), False),  # exactly 15:30: out
        (local(2026, 11, 27, 16, 0), False),  # Friday evening
        (local(2026, 11, 28, 10, 0), False),  # Saturday
        (local(2026, 11, 29, 10, 0), False),  # Sunday
        (local(2026, 4, 2, 10, 0), False),  # Maundy Thursday
        (local(2026, 4, 3, 10, 0), False),  # Good Friday
        (local(2026, 4, 6, 10, 0), False),  # Easter Monday
        (local(2026, 4, 7, 10, 0), True),  # the Tuesday after Easter
        (local(2026, 5, 14, 10, 0), False),  # Ascension Day
        (local(2026, 12, 24, 10, 0), True),  # Christmas Eve is not a public holiday
        (local(2026, 12, 25, 10, 0), False),  # Christmas Day, a Friday
        (local(2026, 12, 28, 10, 0), True),  # the Monday after
        (local(2027, 1, 1, 10, 0), False),  # New Year's Day
    ],
)
def test_planner_hours_by_default(moment: datetime, inside: bool) -> None:
    """Monday to Friday 07:00-15:30; weekends and Danish public holidays are outside."""
    assert in_planner_hours(DEFAULT_PLANNER_HOURS, moment, CPH) is inside


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (local(2026, 12, 19, 10, 0), True),  # an ordinary Saturday
        (local(2026, 12, 19, 12, 0), False),  # its end
        (local(2026, 12, 26, 10, 0), False),  # Second Day of Christmas, a Saturday
        (local(2026, 4, 4, 10, 0), True),  # Easter Saturday is no public holiday
        (local(2026, 12, 20, 10, 0), False),  # Sunday
    ],
)
def test_a_public_holiday_on_a_planner_saturday_is_outside_hours(
    moment: datetime, inside: bool
) -> None:
    """Hours on Saturdays too: a holiday that falls on one is still outside."""
    assert in_planner_hours(SATURDAYS_TOO, moment, CPH) is inside


@pytest.mark.parametrize(
    ("moment", "inside"),
    [
        (utc(2026, 3, 23, 5, 59), False),  # Monday before the change: 07:00 is 06:00 UTC
        (utc(2026, 3, 23, 6, 0), True),
        (utc(2026, 3, 23, 14, 29), True),
        (utc(2026, 3, 23, 14, 30), False),
        (utc(2026, 3, 30, 4, 59), False),  # Monday after: 07:00 is 05:00 UTC
        (utc(2026, 3, 30, 5, 0), True),
        (utc(2026, 3, 30, 13, 29), True),
        (utc(2026, 3, 30, 13, 30), False),
        (utc(2026, 10, 19, 5, 0), True),  # Monday before the change back: still summer time
        (utc(2026, 10, 26, 5, 0), False),  # Monday after: 07:00 is 06:00 UTC again
        (utc(2026, 10, 26, 6, 0), True),
    ],
)
def test_planner_hours_keep_local_time_across_summer_time(moment: datetime, inside: bool) -> None:
    """07:00 in Copenhagen is 05:00 UTC in summer and 06:00 UTC in winter."""
    assert in_planner_hours(DEFAULT_PLANNER_HOURS, moment, CPH) is inside


@pytest.mark.parametrize(
    ("planner", "after", "start"),
    [
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 27, 15, 30), local(2026, 11, 30, 7, 0)),  # Friday
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 3, 0), local(2026, 11, 30, 7, 0)),  # night
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 7, 0), local(2026, 11, 30, 7, 0)),  # at it
        (DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 7, 1), local(2026, 12, 1, 7, 0)),  # in it
        (DEFAULT_PLANNER_HOURS, local(2026, 4, 1, 16, 0), local(2026, 4, 7, 7, 0)),  # Easter
        (DEFAULT_PLANNER_HOURS, local(2026, 12, 23, 16, 0), local(2026, 12, 24, 7, 0)),
        (DEFAULT_PLANNER_HOURS, local(2026, 12, 24, 16, 0), local(2026, 12, 28, 7, 0)),
        (DEFAULT_PLANNER_HOURS, local(2026, 3, 27, 16, 0), utc(2026, 3, 30, 5, 0)),  # summer
        (DEFAULT_PLANNER_HOURS, local(2026, 10, 23, 16, 0), utc(2026, 10, 26, 6, 0)),  # winter
        (SATURDAYS_TOO, local(2026, 12, 18, 16, 0), local(2026, 12, 19, 9, 0)),
        (SATURDAYS_TOO, local(2026, 12, 24, 16, 0), local(2026, 12, 28, 7, 0)),  # 26th too
        (NO_PLANNERS, local(2026, 11, 30, 3, 0), None),
    ],
)
def test_next_planner_start(planner: PlannerHours, after: datetime, start: datetime | None) -> None:
    """The planners are next back after weekends and holidays; a start itself counts."""
    assert next_planner_start(planner, after, CPH) == start


def test_planner_spans_leave_out_holidays_and_follow_summer_time() -> None:
    """Easter week has planner hours Monday to Wednesday; the Monday before is still winter."""
    assert planner_spans(DEFAULT_PLANNER_HOURS, local(2026, 3, 30), local(2026, 4, 7), CPH) == [
        Span(utc(2026, 3, 30, 5, 0), utc(2026, 3, 30, 13, 30)),
        Span(utc(2026, 3, 31, 5, 0), utc(2026, 3, 31, 13, 30)),
        Span(utc(2026, 4, 1, 5, 0), utc(2026, 4, 1, 13, 30)),
    ]
    assert planner_spans(DEFAULT_PLANNER_HOURS, local(2026, 3, 23), local(2026, 3, 24), CPH) == [
        Span(utc(2026, 3, 23, 6, 0), utc(2026, 3, 23, 14, 30))
    ]


def test_planner_spans_are_cut_to_the_moments_asked_for() -> None:
    """From Monday 10:00 to 12:00 is two hours of planner time."""
    spans = planner_spans(
        DEFAULT_PLANNER_HOURS, local(2026, 11, 30, 10), local(2026, 11, 30, 12), CPH
    )
    assert spans == [Span(local(2026, 11, 30, 10), local(2026, 11, 30, 12))]


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        (date(2026, 4, 6), True),
        (date(2026, 12, 24), False),
        (date(2026, 12, 26), True),
        (date(2026, 12, 27), False),  # a Sunday, but no holiday
    ],
)
def test_public_holidays(day: date, holiday: bool) -> None:
    """The Danish calendar of state/workdays, weekends aside."""
    assert is_public_holiday(day) is holiday


# --- On call -------------------------------------------------------------------------------

TUESDAY = WeekdayOnCall(frozenset({TUE}))
FRIDAY = WeekdayOnCall(frozenset({FRI}))
SATURDAY = WeekdayOnCall(frozenset({SAT}))
MONDAY = WeekdayOnCall(frozenset({MON}))
WEDNESDAY = WeekdayOnCall(frozenset({WED}))
NIGHT_GUARD = WeekdayOnCall(frozenset(Weekday), TimeWindow(time(22), time(7)))
EARLY_MONDAY = WeekdayOnCall(frozenset({MON}), TimeWindow(time(6), time(8)))
CHRISTMAS = DateRangeOnCall(date(2026, 12, 24), date(2026, 12, 26))


@pytest.mark.parametrize(
    ("rule", "moment", "on_call"),
    [
        # "Tuesday": from Tuesday's end of hours to Wednesday's start.
        (TUESDAY, local(2026, 12, 1, 6, 59), False),  # Tuesday morning is Monday's night
        (TUESDAY, local(2026, 12, 1, 10, 0), False),  # planner hours
        (TUESDAY, local(2026, 12, 1, 15, 29), False),
        (TUESDAY, local(2026, 12, 1, 15, 30), True),
        (TUESDAY, local(2026, 12, 1, 23, 0), True),
        (TUESDAY, local(2026, 12, 2, 2, 0), True),  # Wednesday 02:00
        (TUESDAY, local(2026, 12, 2, 6, 59), True),
        (TUESDAY, local(2026, 12, 2, 7, 0), False),
        (TUESDAY, local(2026, 12, 2, 16, 0), False),  # Wednesday evening
        # "Friday": from Friday's end of hours to Monday 07:00.
        (FRIDAY, local(2026, 11, 26, 16, 0), False),  # Thursday evening
        (FRIDAY, local(2026, 11, 27, 10, 0), False),
        (FRIDAY, local(2026, 11, 27, 15, 30), True),
        (FRIDAY, local(2026, 11, 28, 12, 0), True),  # Saturday
        (FRIDAY, local(2026, 11, 29, 23, 59), True),  # Sunday night
        (FRIDAY, local(2026, 11, 30, 6, 59), True),
        (FRIDAY, local(2026, 11, 30, 7, 0), False),
        (FRIDAY, local(2026, 3, 30, 6, 59), True),  # the Monday after the change
        (FRIDAY, utc(2026, 3, 30, 5, 0), False),
        # "Saturday": a day without hours, from its midnight until the planners are back.
        (SATURDAY, local(2026, 11, 27, 23, 59), False),
        (SATURDAY, local(2026, 11, 28, 0, 0), True),
        (SATURDAY, local(2026, 11, 30, 6, 0), True),
        # A public holiday is a day without hours.
        (MONDAY, local(2026, 4, 5, 23, 0), False),  # Easter Sunday night
        (MONDAY, local(2026, 4, 6, 10, 0), True),  # Easter Monday
        (MONDAY, local(2026, 4, 7, 6, 59), True),
        (WEDNESDAY, local(2026, 4, 1, 16, 0), True),  # before Easter: the night runs ...
        (WEDNESDAY, local(2026, 4, 3, 12, 0), True),  # ... through Good Friday ...
        (WEDNESDAY, local(2026, 4, 7, 6, 59), True),  # ... until the planners are back
        (WEDNESDAY, local(2026, 4, 7, 7, 0), False),
        # A window: only that, past midnight, never in planner hours.
        (NIGHT_GUARD, local(2026, 12, 1, 21, 59), False),
        (NIGHT_GUARD, local(2026, 12, 1, 22, 0), True),
        (NIGHT_GUARD, local(2026, 12, 2, 6, 59), True),
        (NIGHT_GUARD, local(2026, 12, 2, 7, 0), False),
        (NIGHT_GUARD, local(2026, 11, 28, 12, 0), False),  # a Saturday's day
        (NIGHT_GUARD, local(2026, 11, 28, 23, 0), True),
        (EARLY_MONDAY, local(2026, 11, 30, 6, 30), True),
        (EARLY_MONDAY, local(2026, 11, 30, 7, 30), False),  # the planners are in
        # A date range: its days, each as a weekday rule would have it.
        (CHRISTMAS, local(2026, 12, 23, 20, 0), False),
        (CHRISTMAS, local(2026, 12, 24, 10, 0), False),  # planner hours on Christmas Eve
        (CHRISTMAS, local(2026, 12, 24, 15, 30), True),
        (CHRISTMAS, local(2026, 12, 25, 12, 0), True),
        (CHRISTMAS, local(2026, 12, 27, 12, 0), True),  # the 26th's night runs to Monday
        (CHRISTMAS, local(2026, 12, 28, 6, 59), True),
        (CHRISTMAS, local(2026, 12, 28, 7, 0), False),
        (CHRISTMAS, local(2026, 12, 28, 16, 0), False),
    ],
)
def test_on_call(rule: OnCallRule, moment: datetime, on_call: bool) -> None:
    """One person's rule puts them on call outside planner hours only, the time it covers."""
    assert on_call_now([rule], DEFAULT_PLANNER_HOURS, moment, CPH) is on_call
    spans = on_call_spans([rule], DEFAULT_PLANNER_HOURS, moment, moment + timedelta(minutes=1), CPH)
    assert any(span.covers(moment) for span in spans) is on_call


@pytest.mark.parametrize(
    ("rules", "moment", "on_call"),
    [
        ([], local(2026, 12, 2, 2, 0), False),  # nobody appointed
        ([TUESDAY, FRIDAY], local(2026, 12, 2, 2, 0), True),
        ([TUESDAY, FRIDAY], local(2026, 12, 3, 2, 0), False),  # Thursday 02:00
    ],
)
def test_one_person_with_several_rules(
    rules: list[OnCallRule], moment: datetime, on_call: bool
) -> None:
    """Any of the person's rules puts them on call."""
    assert on_call_now(rules, DEFAULT_PLANNER_HOURS, moment, CPH) is on_call


@pytest.mark.parametrize(
    ("moment", "on_call"),
    [
        (local(2026, 11, 30, 10, 0), True),  # Monday, all day
        (local(2026, 12, 1, 0, 0), False),  # Tuesday
    ],
)
def test_without_planner_hours_a_day_is_covered_whole(moment: datetime, on_call: bool) -> None:
    """With no planners ever back, a day's on-call ends at its midnight."""
    assert on_call_now([MONDAY], NO_PLANNERS, moment, CPH) is on_call


@pytest.mark.parametrize(
    ("rule", "start", "end", "length"),
    [
        (NIGHT_GUARD, local(2026, 3, 21, 12), local(2026, 3, 22, 12), timedelta(hours=9)),
        (NIGHT_GUARD, local(2026, 3, 28, 12), local(2026, 3, 29, 12), timedelta(hours=8)),
        (NIGHT_GUARD, local(2026, 10, 24, 12), local(2026, 10, 25, 12), timedelta(hours=10)),
        (FRIDAY, local(2026, 3, 20), local(2026, 3, 24), timedelta(hours=63, minutes=30)),
        (FRIDAY, local(2026, 3, 27), local(2026, 3, 31), timedelta(hours=62, minutes=30)),
        (FRIDAY, local(2026, 10, 23), local(2026, 10, 27), timedelta(hours=64, minutes=30)),
    ],
)
def test_a_night_across_the_change_of_summer_time_is_an_hour_shorter_or_longer(
    rule: OnCallRule, start: datetime, end: datetime, length: timedelta
) -> None:
    """22:00-07:00 is 9 hours, 8 the night clocks go forward, 10 the night they go back."""
    spans = on_call_spans([rule], DEFAULT_PLANNER_HOURS, start, end, CPH)
    assert len(spans) == 1
    assert spans[0].length == length


# --- Waits that follow duty ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "elapsed"),
    [
        (local(2026, 11, 27, 15, 20), local(2026, 11, 30, 7, 5), timedelta(minutes=15)),
        (local(2026, 11, 30, 7, 0), local(2026, 11, 30, 15, 30), timedelta(hours=8.5)),
        (local(2026, 11, 30, 6, 0), local(2026, 12, 1, 9, 0), timedelta(hours=10.5)),
        (local(2026, 11, 28, 0, 0), local(2026, 11, 30, 0, 0), timedelta()),  # a weekend
        (local(2026, 4, 2, 0, 0), local(2026, 4, 7, 0, 0), timedelta()),  # Easter
        (local(2026, 11, 30, 12, 0), local(2026, 11, 30, 10, 0), timedelta()),  # backwards
    ],
)
def test_duty_elapsed_counts_planner_hours_only(
    start: datetime, end: datetime, elapsed: timedelta
) -> None:
    """Nights, weekends and holidays do not count."""
    spans = planner_spans(DEFAULT_PLANNER_HOURS, start, end, CPH)
    assert duty_elapsed(start, end, spans) == elapsed


def test_duty_elapsed_takes_any_spans() -> None:
    """Overlapping spans count once; time outside the two moments does not count."""
    spans = [
        Span(utc(2026, 1, 1, 1), utc(2026, 1, 1, 3)),
        Span(utc(2026, 1, 1, 2), utc(2026, 1, 1, 5)),
    ]
    assert duty_elapsed(utc(2026, 1, 1, 2), utc(2026, 1, 1, 6), spans) == timedelta(hours=3)


@pytest.mark.parametrize(
    ("start", "wait", "on_call", "due"),
    [
        (local(2026, 11, 30, 10, 0), timedelta(minutes=15), [], local(2026, 11, 30, 10, 15)),
        (local(2026, 11, 27, 15, 20), timedelta(minutes=15), [], local(2026, 11, 30, 7, 5)),
        (local(2026, 11, 27, 15, 15), timedelta(minutes=15), [], local(2026, 11, 30, 7, 0)),
        (local(2026, 11, 28, 3, 0), timedelta(), [], local(2026, 11, 30, 7, 0)),  # at night
        (local(2026, 11, 30, 10, 0), timedelta(), [], local(2026, 11, 30, 10, 0)),
        (local(2026, 11, 30, 7, 0), timedelta(hours=17), [], local(2026, 12, 2, 7, 0)),
        (local(2026, 4, 1, 15, 0), timedelta(hours=1), [], local(2026, 4, 7, 7, 30)),  # Easter
        (local(2026, 12, 24, 15, 0), timedelta(minutes=45), [], local(2026, 12, 28, 7, 15)),
        (local(2026, 3, 27, 15, 20), timedelta(minutes=15), [], utc(2026, 3, 30, 5, 5)),
        (local(2026, 10, 23, 15, 20), timedelta(minutes=15), [], utc(2026, 10, 26, 6, 5)),
        (local(2026, 11, 27, 15, 20), timedelta(minutes=15), [FRIDAY], local(2026, 11, 27, 15, 35)),
        (local(2026, 11, 27, 15, 20), timedelta(hours=1), [TUESDAY], local(2026, 11, 30, 7, 50)),
        # The night guard's night is 8 hours when the clocks go forward: 23:00 to 07:00 is 7.
        (local(2026, 3, 28, 23, 0), timedelta(hours=8), [NIGHT_GUARD], local(2026, 3, 29, 23, 0)),
        (local(2026, 10, 24, 23, 0), timedelta(hours=8), [NIGHT_GUARD], local(2026, 10, 25, 6, 0)),
    ],
)
def test_a_wait_falls_due_after_that_much_time_on_duty(
    start: datetime, wait: timedelta, on_call: list[OnCallRule], due: datetime
) -> None:
    """A ticket at 15:20 on Friday with 15 minutes to wait is due on Monday at 07:05."""
    assert due_at(start, wait, DEFAULT_PLANNER_HOURS, CPH, on_call) == due
    spans = duty_spans(DEFAULT_PLANNER_HOURS, start, due + timedelta(days=1), CPH, on_call)
    assert duty_elapsed(start, due, spans) == wait
    assert any(span.covers(due) for span in spans)  # due only when someone is on duty


def test_a_wait_with_nobody_ever_on_duty_never_falls_due() -> None:
    """No planner hours and nobody on call."""
    assert due_at(local(2026, 11, 30), timedelta(minutes=15), NO_PLANNERS, CPH) is None


def test_a_wait_is_not_negative() -> None:
    """A negative wait is a mistake."""
    with pytest.raises(ValueError, match="not negative"):
        due_at(local(2026, 11, 30), timedelta(minutes=-1), DEFAULT_PLANNER_HOURS, CPH)


FIRST, SECOND = timedelta(minutes=15), timedelta(minutes=30)
TUESDAY_NIGHT = WeekdayOnCall(frozenset({TUE}))


@pytest.mark.parametrize(
    ("created", "now", "rules", "level"),
    [
        # In planner hours: 15 minutes to the first level, 30 more to the leader.
        (local(2026, 12, 1, 10, 0), local(2026, 12, 1, 10, 14), (), 0),
        (local(2026, 12, 1, 10, 0), local(2026, 12, 1, 10, 15), (), 1),
        (local(2026, 12, 1, 10, 0), local(2026, 12, 1, 10, 45), (), 2),
        # 02:00 with nobody on call: nothing at night, the planners at 07:15, the leader 07:45.
        (local(2026, 12, 2, 2, 0), local(2026, 12, 2, 6, 59), (), 0),
        (local(2026, 12, 2, 2, 0), local(2026, 12, 2, 7, 15), (), 1),
        (local(2026, 12, 2, 2, 0), local(2026, 12, 2, 7, 44), (), 1),
        (local(2026, 12, 2, 2, 0), local(2026, 12, 2, 7, 45), (), 2),
        # 02:00 with someone on call: they are reminded at 02:15, the leader still waits.
        (local(2026, 12, 2, 2, 0), local(2026, 12, 2, 2, 15), (TUESDAY_NIGHT,), 1),
        (local(2026, 12, 2, 2, 0), local(2026, 12, 2, 6, 59), (TUESDAY_NIGHT,), 1),
        (local(2026, 12, 2, 2, 0), local(2026, 12, 2, 7, 45), (TUESDAY_NIGHT,), 2),
        # Friday 15:20: the leader hears on Monday, not over the weekend.
        (local(2026, 12, 4, 15, 20), local(2026, 12, 6, 12, 0), (), 0),
        (local(2026, 12, 4, 15, 20), local(2026, 12, 7, 7, 5), (), 1),
        (local(2026, 12, 4, 15, 20), local(2026, 12, 7, 7, 35), (), 2),
    ],
)
def test_escalation_follows_duty_and_the_leader_hears_only_in_planner_hours(
    created: datetime, now: datetime, rules: tuple[OnCallRule, ...], level: int
) -> None:
    assert (
        escalation_level_on_duty(
            created,
            now,
            DEFAULT_PLANNER_HOURS,
            CPH,
            rules,
            first_after=FIRST,
            second_after=SECOND,
        )
        == level
    )


TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("tirsdag", WeekdayOnCall(frozenset({TUE}))),
        ("man-ons", WeekdayOnCall(frozenset({MON, TUE, WED}))),
        ("weekend", WeekdayOnCall(frozenset({SAT, SUN}))),
        ("fre 22-07", WeekdayOnCall(frozenset({FRI}), TimeWindow(time(22), time(7)))),
        ("tue kl. 22.00-06.30", WeekdayOnCall(frozenset({TUE}), TimeWindow(time(22), time(6, 30)))),
        ("24.12-26.12", DateRangeOnCall(date(2026, 12, 24), date(2026, 12, 26))),
        ("24.12.", DateRangeOnCall(date(2026, 12, 24), date(2026, 12, 24))),
        ("30.12-2.1", DateRangeOnCall(date(2026, 12, 30), date(2027, 1, 2))),
        ("1.3", DateRangeOnCall(date(2027, 3, 1), date(2027, 3, 1))),  # past: next year's
        ("2026-12-31..2027-01-01", DateRangeOnCall(date(2026, 12, 31), date(2027, 1, 1))),
        (
            "24.12.2026 til 26.12.2026 18-23",
            DateRangeOnCall(date(2026, 12, 24), date(2026, 12, 26), TimeWindow(time(18), time(23))),
        ),
    ],
)
def test_an_on_call_appointment_as_a_leader_types_it(typed: str, rule: OnCallRule) -> None:
    assert parse_on_call_rule(typed, TODAY) == rule


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", HoursProblem.EMPTY),
        ("22-07", HoursProblem.NO_DAYS),
        ("blomst", HoursProblem.UNKNOWN_DAY),
        ("31.2", HoursProblem.BAD_DATE),
        ("26.12.2026-24.12.2026", HoursProblem.BAD_DATE),
        ("26.12-24.12", HoursProblem.BAD_DATE),  # backwards: not a year of nights
        ("24.12.2025-26.12.2025", HoursProblem.BAD_DATE),  # over already
        ("1.1-31.12", HoursProblem.BAD_DATE),  # a slip: a year is weekdays, not dates
        ("fre 22-22", HoursProblem.END_NOT_AFTER_START),
    ],
)
def test_an_on_call_appointment_not_understood_says_why(typed: str, problem: HoursProblem) -> None:
    with pytest.raises(InvalidHours) as refused:
        parse_on_call_rule(typed, TODAY)
    assert refused.value.reason is problem
