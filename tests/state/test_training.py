"""The training register's rules: how each answer reads, what a mark changes, the gaps, the
coverage counts and percentages, and who is late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from state.roles import Role
from state.training import (
    NO_COVERAGE,
    TRAINEES,
    Coverage,
    Fact,
    Mark,
    TrainingRecord,
    TrainingStatus,
    apply_mark,
    can_update,
    coverage,
    fully_recorded,
    gaps,
    installed,
    is_late,
    new_record,
    parse_mark,
    percent,
    trained,
)

S = TrainingStatus
AT = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
EARLIER = AT - timedelta(days=30)


def line(
    user_id: str,
    status: TrainingStatus,
    bekey: bool | None = None,
    updates: bool | None = None,
) -> TrainingRecord:
    """A register line (trained ones trained earlier, by kp01)."""
    if status is S.TRAINED:
        return TrainingRecord(user_id, status, EARLIER, "kp01", bekey, updates)
    return TrainingRecord(user_id, status, None, None, bekey, updates)


@pytest.mark.parametrize(
    ("status", "bekey", "updates", "expected"),
    [
        # A new employee: no line, untrained; NULL answers are "no", not "unknown".
        (S.UNTRAINED, None, None, (Fact.NO, Fact.NO, Fact.NO)),
        # Staff there when the register landed: nothing known.
        (S.NOT_RECORDED, None, None, (Fact.UNKNOWN, Fact.UNKNOWN, Fact.UNKNOWN)),
        (S.NOT_RECORDED, True, None, (Fact.UNKNOWN, Fact.YES, Fact.UNKNOWN)),
        (S.NOT_RECORDED, False, False, (Fact.UNKNOWN, Fact.NO, Fact.NO)),
        (S.TRAINED, None, None, (Fact.YES, Fact.NO, Fact.NO)),
        (S.TRAINED, True, False, (Fact.YES, Fact.YES, Fact.NO)),
        (S.TRAINED, True, True, (Fact.YES, Fact.YES, Fact.YES)),
        (S.UNTRAINED, True, True, (Fact.NO, Fact.YES, Fact.YES)),
    ],
)
def test_each_answer_reads_as_yes_no_or_unknown(
    status: TrainingStatus,
    bekey: bool | None,
    updates: bool | None,
    expected: tuple[Fact, Fact, Fact],
) -> None:
    """A missing answer is "no" once recorded or new, "unknown" only while not recorded."""
    record = line("ab1234", status, bekey, updates)
    assert (trained(record), installed(record), can_update(record)) == expected
    assert fully_recorded(record) == (expected == (Fact.YES, Fact.YES, Fact.YES))


def test_an_employee_with_no_line_is_new_and_untrained() -> None:
    """No line: a new employee, untrained, nothing else known."""
    assert new_record("ab1234") == TrainingRecord("ab1234", S.UNTRAINED)


@pytest.mark.parametrize(
    ("before", "mark", "after"),
    [
        (new_record("x1"), Mark.TRAINED, TrainingRecord("x1", S.TRAINED, AT, "kp01")),
        (new_record("x1"), Mark.INSTALLED, TrainingRecord("x1", S.UNTRAINED, bekey_installed=True)),
        (new_record("x1"), Mark.UPDATES, TrainingRecord("x1", S.UNTRAINED, can_update=True)),
        (
            new_record("x1"),
            Mark.ALL,
            TrainingRecord("x1", S.TRAINED, AT, "kp01", bekey_installed=True, can_update=True),
        ),
        # Not recorded: a mark records that one thing, training stays unknown until marked.
        (
            TrainingRecord("x1", S.NOT_RECORDED),
            Mark.INSTALLED,
            TrainingRecord("x1", S.NOT_RECORDED, bekey_installed=True),
        ),
        (
            TrainingRecord("x1", S.NOT_RECORDED),
            Mark.TRAINED,
            TrainingRecord("x1", S.TRAINED, AT, "kp01"),
        ),
        # Trained again keeps the first date and trainer: a double tap changes nothing.
        (line("x1", S.TRAINED), Mark.TRAINED, line("x1", S.TRAINED)),
        (
            line("x1", S.TRAINED),
            Mark.ALL,
            TrainingRecord("x1", S.TRAINED, EARLIER, "kp01", True, True),
        ),
        # A reset is a correction: untrained, no Bekey, cannot update.
        (
            TrainingRecord("x1", S.TRAINED, EARLIER, "kp09", True, True, late_told_at=EARLIER),
            Mark.RESET,
            TrainingRecord("x1", S.UNTRAINED, None, None, False, False, late_told_at=EARLIER),
        ),
    ],
)
def test_a_mark_changes_the_line_so(
    before: TrainingRecord, mark: Mark, after: TrainingRecord
) -> None:
    """Each mark sets what it names; trained again keeps the first date and trainer."""
    assert apply_mark(before, mark, "kp01", AT) == after


@pytest.mark.parametrize(
    ("word", "mark"),
    [
        ("oplaert", Mark.TRAINED),
        ("Oplært", Mark.TRAINED),
        ("trained", Mark.TRAINED),
        ("installeret", Mark.INSTALLED),
        ("INSTALLED", Mark.INSTALLED),
        ("opdaterer", Mark.UPDATES),
        ("updates", Mark.UPDATES),
        ("alt", Mark.ALL),
        ("all", Mark.ALL),
        ("nulstil", Mark.RESET),
        ("reset", Mark.RESET),
        ("ab1234", None),
        ("", None),
    ],
)
def test_a_typed_word_names_a_mark_or_is_a_user_id(word: str, mark: Mark | None) -> None:
    """The words before the user-ids, Danish and English, any case."""
    assert parse_mark(word) is mark


UNIT = [
    line("new1", S.UNTRAINED),  # new: all three gaps
    line("old1", S.NOT_RECORDED),  # apart, no gap
    line("old2", S.NOT_RECORDED, True),  # apart, no gap
    line("half", S.TRAINED, True, None),  # cannot update
    line("full", S.TRAINED, True, True),  # nothing
    line("fix1", S.UNTRAINED, True, True),  # untrained only
]


def test_the_gaps_are_the_three_lists_and_not_recorded_apart() -> None:
    """Each gap lists exactly its people, in order; not recorded stands apart."""
    found = gaps(UNIT)
    assert found.untrained == ("new1", "fix1")
    assert found.no_bekey == ("new1",)
    assert found.cannot_update == ("new1", "half")
    assert found.not_recorded == ("old1", "old2")
    assert not found.none
    assert gaps([line("full", S.TRAINED, True, True)]).none
    assert gaps([]).none


def test_coverage_counts_each_thing_once_per_employee() -> None:
    """Six lines counted by hand; two units add up."""
    assert coverage(UNIT) == Coverage(
        staff=6, trained=2, installed=4, can_update=2, ready=1, untrained=2, not_recorded=2
    )
    assert coverage([]) == NO_COVERAGE
    assert coverage(UNIT) + coverage(UNIT[:1]) == Coverage(7, 2, 4, 2, 1, 3, 2)


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [
        (0, 0, 0),
        (0, 7, 0),
        (7, 7, 100),
        (1, 3, 33),
        (2, 3, 67),
        (1, 8, 13),  # 12.5: half rounds up
        (1, 200, 1),  # 0.5
        (1, 201, 0),
        (5, 12, 42),
    ],
)
def test_percentages_are_whole_with_half_rounded_up(part: int, whole: int, expected: int) -> None:
    """Whole percentages, 0.5 up, none of nobody."""
    assert percent(part, whole) == expected


LATE = timedelta(weeks=4)
JOINED = AT - LATE


@pytest.mark.parametrize(
    ("record", "joined", "late"),
    [
        (new_record("x1"), JOINED, True),
        (new_record("x1"), JOINED + timedelta(seconds=1), False),
        (new_record("x1"), JOINED - timedelta(days=100), True),
        (TrainingRecord("x1", S.UNTRAINED, late_told_at=AT - timedelta(days=1)), JOINED, False),
        (TrainingRecord("x1", S.NOT_RECORDED), JOINED - timedelta(days=100), False),
        (line("x1", S.TRAINED), JOINED - timedelta(days=100), False),
    ],
)
def test_an_employee_is_late_once_untrained_weeks_after_joining(
    record: TrainingRecord, joined: datetime, late: bool
) -> None:
    """Late from the very moment, untrained only, and once."""
    assert is_late(record, joined, AT, LATE) is late


def test_the_register_covers_everyone_but_visitation_and_lock_partners() -> None:
    """Visitation never opens a citizen's door with Bekey."""
    assert frozenset(Role) - TRAINEES == {Role.VISITATION, Role.LOCK_PARTNER}
