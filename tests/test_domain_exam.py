from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from domain.exam import (
    ExamPolicy,
    accepts_answers,
    deadline,
    draw_exam,
    is_correct,
    is_pass,
    minutes_left,
    next_attempt_at,
    percent,
)


def test_pass_is_strictly_above_sixty_percent():
    assert not is_pass(18, 30)  # exactly 60 %
    assert is_pass(19, 30)
    assert not is_pass(3, 5) and is_pass(4, 5)
    assert not is_pass(0, 0)
    assert percent(19, 30) == 63.3


def test_deadline_and_countdown():
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    end = deadline(start, ExamPolicy())
    assert end - start == timedelta(minutes=45)
    assert minutes_left(end, start) == 45
    assert minutes_left(end, end - timedelta(seconds=1)) == 1
    assert minutes_left(end, end + timedelta(minutes=3)) == 0
    assert accepts_answers(end, end - timedelta(seconds=1))
    assert not accepts_answers(end, end)


def test_draw_is_random_distinct_and_shuffled():
    pool = [f"{lesson}:{q}" for lesson in range(1, 25) for q in range(5)]
    a = draw_exam(pool, 30, random.Random(1))
    b = draw_exam(pool, 30, random.Random(2))
    assert len({q.key for q in a}) == 30
    assert [q.key for q in a] != [q.key for q in b]
    assert all(sorted(q.option_order) == [0, 1, 2, 3] for q in a)
    assert len({q.option_order for q in a}) > 1


def test_correctness_uses_the_shown_order():
    order = (2, 0, 3, 1)  # shown 0 is original option 2
    assert is_correct(order, 0, 2)
    assert not is_correct(order, 1, 2)
    assert not is_correct(order, 7, 2)


def test_cooldown():
    finished = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert next_attempt_at(finished, ExamPolicy()) is None
    assert next_attempt_at(finished, ExamPolicy(cooldown=timedelta(hours=1))) == finished + timedelta(hours=1)
