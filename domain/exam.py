"""Exam and lesson-task rules (seed 000): 45 minutes, 4 options with 1 correct, pass strictly above 60 %,
retakes allowed after an optional cool-down. The clock is always an argument."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.course import CourseText, parse_question_key


@dataclass(frozen=True)
class ExamPolicy:
    minutes: int = 45
    question_count: int = 30
    pass_percent: float = 60.0
    cooldown: timedelta = timedelta(0)


@dataclass(frozen=True)
class DrawnQuestion:
    key: str
    option_order: tuple[int, ...]  # option_order[shown position] = original option index


def percent(correct: int, total: int) -> float:
    return round(100.0 * correct / total, 1) if total else 0.0


def is_pass(correct: int, total: int, pass_percent: float = 60.0) -> bool:
    """Strictly above the pass mark: 18 of 30 (exactly 60 %) fails, 19 of 30 passes."""
    return total > 0 and correct * 100 > pass_percent * total


def shuffled_order(rng: random.Random, n: int = 4) -> tuple[int, ...]:
    order = list(range(n))
    rng.shuffle(order)
    return tuple(order)


def draw_exam(pool: list[str], count: int, rng: random.Random) -> list[DrawnQuestion]:
    """Random questions from the pool, spread over the lessons, each with its options shuffled."""
    keys = rng.sample(pool, min(count, len(pool)))
    keys.sort(key=lambda k: parse_question_key(k))  # lesson order reads more naturally
    return [DrawnQuestion(key=k, option_order=shuffled_order(rng)) for k in keys]


def deadline(started_at: datetime, policy: ExamPolicy) -> datetime:
    return started_at + timedelta(minutes=policy.minutes)


def minutes_left(deadline_at: datetime, now: datetime) -> int:
    """Whole minutes left, rounded up, never negative: "1 min" until the very end."""
    seconds = (deadline_at - now).total_seconds()
    return max(0, int(-(-seconds // 60)))


def accepts_answers(deadline_at: datetime, now: datetime) -> bool:
    return now < deadline_at


def next_attempt_at(last_finished_at: datetime | None, policy: ExamPolicy) -> datetime | None:
    """When a retake is allowed after a failed attempt (None: at once)."""
    if last_finished_at is None or policy.cooldown <= timedelta(0):
        return None
    return last_finished_at + policy.cooldown


def is_correct(option_order: tuple[int, ...], shown_choice: int, correct_original: int) -> bool:
    return 0 <= shown_choice < len(option_order) and option_order[shown_choice] == correct_original


def lessons_to_revisit(wrong_keys: list[str], course: CourseText, limit: int = 5) -> list[int]:
    """Lessons where the failed attempt lost most, to tell the teacher what to study again."""
    counts = Counter(parse_question_key(k)[0] for k in wrong_keys)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    known = {lesson.number for lesson in course.lessons}
    return [lesson for lesson, _ in ranked if lesson in known][:limit]
