"""The flood rule: ten messages in ten seconds pass; the eleventh is answered, the rest dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from state.flood import FloodWatch, Verdict

T0 = datetime(2026, 12, 6, 2, 14, tzinfo=UTC)


def test_ten_messages_pass_the_eleventh_is_answered_once_and_the_rest_dropped() -> None:
    watch = FloodWatch(limit=10, window=timedelta(seconds=10))

    verdicts = [watch.judge(1, T0 + timedelta(milliseconds=i)) for i in range(15)]

    assert verdicts == [Verdict.LET_THROUGH] * 10 + [Verdict.WARN] + [Verdict.DROP] * 4


def test_after_the_window_the_person_writes_freely_again() -> None:
    watch = FloodWatch(limit=2, window=timedelta(seconds=10))
    for _ in range(3):
        watch.judge(1, T0)

    assert watch.judge(1, T0 + timedelta(seconds=10)) is Verdict.LET_THROUGH


def test_one_person_flooding_does_not_count_against_another() -> None:
    watch = FloodWatch(limit=2, window=timedelta(seconds=10))
    for _ in range(5):
        watch.judge(1, T0)

    assert watch.judge(2, T0) is Verdict.LET_THROUGH


def test_a_second_stretch_of_flooding_is_answered_again() -> None:
    watch = FloodWatch(limit=1, window=timedelta(seconds=10))
    assert [watch.judge(1, T0), watch.judge(1, T0)] == [Verdict.LET_THROUGH, Verdict.WARN]

    later = T0 + timedelta(seconds=30)
    assert [watch.judge(1, later), watch.judge(1, later)] == [Verdict.LET_THROUGH, Verdict.WARN]
