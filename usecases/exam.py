"""The timed exam: its rules or the unfinished attempt, start, resume, an answer, the result, and the deadline
job's pass. The clock (`now`) and the database decide: a late, repeated or forged answer changes nothing.

The common tap is one conditional UPDATE … RETURNING (`exams.answer_tap`) and one read of the next question;
anything that UPDATE did not match takes the checked path, which refuses (nothing written) or tells the
teacher the answer was already given and shows where they are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from content.catalogue import catalogue
from domain.course import OPTIONS_PER_QUESTION, Course
from domain.exam import (
    ExamPolicy,
    deadline,
    draw_exam,
    is_correct,
    lessons_to_revisit,
    minutes_left,
    next_attempt_at,
)
from storage.models import ExamAnswer, ExamAttempt
from storage.repositories import exams
from storage.repositories import outbox as outbox_repo
from usecases.errors import N_, NotAllowed, UseCaseError
from usecases.uow import UnitOfWork

#: The outbox kind of a result the deadline job tells (rendered by bot/services/exam_jobs.py).
RESULT_KIND = "exam_result"


class UnknownCourse(UseCaseError):
    """A button naming a course this bot does not have (any more)."""

    code = "unknown_course"
    status = 404
    text = N_("This button is out of date. Open the /menu.")


class NotYourAttempt(NotAllowed):
    """Another teacher's attempt, or an id that is no attempt."""

    code = "not_your_attempt"
    text = N_("This button is out of date. Open the /menu.")


class ExamFinished(UseCaseError):
    code = "exam_finished"
    status = 409
    text = N_("This exam is already finished.")


class ExamExpired(UseCaseError):
    """An answer after the time ran out: not stored; the deadline job closes the attempt and tells the result."""

    code = "exam_expired"
    status = 409
    text = N_("Time is up: this answer was not counted.")


class RetakeTooSoon(UseCaseError):
    code = "retake_too_soon"
    status = 429
    text = N_("You can retake it in {minutes} min.")


class ExamSettings(Protocol):
    exam_minutes: int
    exam_questions: int
    exam_pass_percent: float
    exam_cooldown_minutes: int


def policy_of(settings: ExamSettings) -> ExamPolicy:
    return ExamPolicy(minutes=settings.exam_minutes, question_count=settings.exam_questions,
                      pass_percent=settings.exam_pass_percent,
                      cooldown=timedelta(minutes=settings.exam_cooldown_minutes))


def course_of(course_id: str) -> Course:
    course = catalogue().get(course_id)
    if course is None:
        raise UnknownCourse(course_id)
    return course


@dataclass(frozen=True)
class Score:
    percent: float
    correct: int
    total: int


@dataclass(frozen=True)
class ExamRules:
    """No attempt open: the rules, the last result, and whether a (re)take may start now."""

    course_id: str
    count: int
    minutes: int
    pass_percent: float
    need: int  # correct answers needed to pass (strictly above the pass mark)
    last: Score | None
    retake_in: int | None  # minutes until a retake is allowed; None: "Start" is offered
    passed: bool  # some attempt passed: the certificate is offered


@dataclass(frozen=True)
class ExamResume:
    course_id: str
    attempt_id: int
    number: int  # the current question, from 1
    total: int
    minutes_left: int


@dataclass(frozen=True)
class ExamQuestion:
    """A question of an open attempt; the screen takes its wording in the teacher's language by key."""

    attempt_id: int
    course_id: str
    position: int
    total: int
    question_key: str
    option_order: tuple[int, ...]  # option_order[shown] = the option's index in the course file
    minutes_left: int


@dataclass(frozen=True)
class ExamResult:
    course_id: str
    expired: bool
    passed: bool
    score: Score
    revisit: tuple[int, ...]  # lessons to read again after a failed attempt
    pass_percent: float


ExamView = ExamRules | ExamResume | ExamQuestion | ExamResult


@dataclass(frozen=True)
class StartOutcome:
    view: ExamQuestion | ExamResult
    started: bool  # False: an attempt was already open (a double tap on "Start"), it goes on


@dataclass(frozen=True)
class AnswerOutcome:
    view: ExamQuestion | ExamResult
    repeated: bool = False  # the tap named no open question (a double tap, an old button): nothing written


async def exam_home(uow: UnitOfWork, teacher_id: int, course_id: str, policy: ExamPolicy,
                    now: datetime) -> ExamView:
    """The exam's screen: the unfinished attempt (its result, if its time ran out), else the rules."""
    course = course_of(course_id)
    attempt = await exams.open_attempt(uow.session, teacher_id, course_id)
    if attempt is None:
        return await _rules(uow, teacher_id, course, policy, now)
    if now >= attempt.deadline_at:
        return await _close_and_tell(uow, attempt, "expired", policy, now)
    current = await exams.current_question(uow.session, attempt.id)
    return ExamResume(course_id=course_id, attempt_id=attempt.id, total=attempt.question_count,
                      number=current.position + 1 if current else attempt.question_count,
                      minutes_left=minutes_left(attempt.deadline_at, now))


async def start_exam(uow: UnitOfWork, teacher_id: int, course_id: str, policy: ExamPolicy, now: datetime,
                     rng: random.Random | None = None) -> StartOutcome:
    """Draw and open an attempt (committed before its first question is shown); an open one goes on."""
    reference = course_of(course_id).reference
    existing = await exams.open_attempt(uow.session, teacher_id, course_id)
    if existing is not None:  # a double tap on "Start": continue the one attempt
        return StartOutcome(await _next_step(uow, existing, policy, now), started=False)
    retake_at = _retake_at(await exams.finished_attempts(uow.session, teacher_id, course_id), policy)
    if retake_at is not None and now < retake_at:
        raise RetakeTooSoon(minutes=minutes_left(retake_at, now))
    questions = draw_exam(reference.question_keys(), policy.question_count, rng or random.Random())
    try:
        attempt = await exams.create_attempt(uow.session, user_id=teacher_id, course_id=course_id,
                                             questions=questions, started_at=now, deadline_at=deadline(now, policy),
                                             correct_of=lambda key: reference.question(key).correct)
        await uow.commit()
    except IntegrityError:  # the other tap of a double tap opened it a moment ago: continue that one
        await uow.rollback()
        attempt = await exams.open_attempt(uow.session, teacher_id, course_id)
        if attempt is None:
            raise
        return StartOutcome(await _next_step(uow, attempt, policy, now), started=False)
    return StartOutcome(await _next_step(uow, attempt, policy, now), started=True)


async def resume_exam(uow: UnitOfWork, teacher_id: int, course_id: str, policy: ExamPolicy,
                      now: datetime) -> ExamView:
    course_of(course_id)
    attempt = await exams.open_attempt(uow.session, teacher_id, course_id)
    if attempt is None:
        return await exam_home(uow, teacher_id, course_id, policy, now)
    return await _next_step(uow, attempt, policy, now)


async def answer_exam(uow: UnitOfWork, teacher_id: int, attempt_id: int, position: int, shown: int,
                      now: datetime, policy: ExamPolicy) -> AnswerOutcome:
    """Store the teacher's answer `shown` (the option's place on the screen, 0..3) to question `position`,
    once and only before the deadline; then the next question, or the result after the last one.

    Refused, with nothing written: another teacher's attempt or no attempt (`NotYourAttempt`), a closed
    attempt (`ExamFinished`), an answer after the time ran out (`ExamExpired`). A tap on a question already
    answered writes nothing and shows the current one (`repeated`)."""
    if 0 <= shown < OPTIONS_PER_QUESTION:
        tapped = await exams.answer_tap(uow.session, attempt_id=attempt_id, user_id=teacher_id, position=position,
                                        chosen=shown, now=now)
        if tapped is not None:
            return AnswerOutcome(await _after_answer(uow, *tapped, policy, now))
    return await _answer_checked(uow, teacher_id, attempt_id, position, shown, policy, now)


async def close_expired(uow: UnitOfWork, pass_percent: float, now: datetime) -> int:
    """The deadline job's pass: close and score the attempts whose time ran out while the teacher was silent,
    and queue each untold result in the outbox (key `exam:<attempt id>`), marked told in the same
    transaction, so two workers or a handler never tell it twice. Returns how many were queued."""
    for attempt in await exams.expired_open_attempts(uow.session, now):
        await exams.close_attempt(uow.session, attempt, now=now, status="expired", pass_percent=pass_percent)
    queued = 0
    for attempt in await exams.unnotified_closed(uow.session):
        if not await exams.mark_notified(uow.session, attempt.id, now):
            continue  # somebody else (the handler, another worker) told them
        queued += len(await outbox_repo.insert_ignore(uow.session, [{
            "key": f"exam:{attempt.id}", "kind": RESULT_KIND, "user_id": attempt.user_id,
            "payload": {"attempt": attempt.id, "pass_percent": pass_percent}, "status": "pending", "tries": 0,
            "created_at": now, "next_try_at": now}]))
    await uow.commit()
    return queued


async def closed_result(uow: UnitOfWork, attempt_id: int | None, pass_percent: float) -> ExamResult | None:
    """The result of a closed attempt (what the deadline job's message shows); None while open or unknown."""
    attempt = await uow.session.get(ExamAttempt, attempt_id) if attempt_id is not None else None
    if attempt is None or attempt.status == "open":
        return None
    return await _result(uow, attempt, pass_percent)


async def _rules(uow: UnitOfWork, teacher_id: int, course: Course, policy: ExamPolicy, now: datetime) -> ExamRules:
    count = min(policy.question_count, len(course.reference.question_keys()))
    history = await exams.finished_attempts(uow.session, teacher_id, course.course_id)
    retake_at = _retake_at(history, policy)
    return ExamRules(course_id=course.course_id, count=count, minutes=policy.minutes,
                     pass_percent=policy.pass_percent, need=int(count * policy.pass_percent // 100) + 1,
                     last=_score(history[0]) if history else None,
                     retake_in=minutes_left(retake_at, now) if retake_at is not None and now < retake_at else None,
                     passed=any(a.passed for a in history))


def _retake_at(history: list[ExamAttempt], policy: ExamPolicy) -> datetime | None:
    """When the last failed attempt allows a retake (None: at once, or the last one passed)."""
    if not history or history[0].passed:
        return None
    return next_attempt_at(history[0].finished_at, policy)


async def _next_step(uow: UnitOfWork, attempt: ExamAttempt, policy: ExamPolicy,
                     now: datetime) -> ExamQuestion | ExamResult:
    """The current question; the result once the attempt is closed, its time ran out or nothing is left."""
    if attempt.status != "open":
        return await _tell(uow, attempt, policy, now)
    if now >= attempt.deadline_at:
        return await _close_and_tell(uow, attempt, "expired", policy, now)
    current = await exams.current_question(uow.session, attempt.id)
    if current is None:
        return await _close_and_tell(uow, attempt, "finished", policy, now)
    return _question(attempt, current, now)


async def _answer_checked(uow: UnitOfWork, teacher_id: int, attempt_id: int, position: int, shown: int,
                          policy: ExamPolicy, now: datetime) -> AnswerOutcome:
    """A tap the one UPDATE did not take, checked step by step (an attempt drawn before correct_shown existed
    is scored here)."""
    attempt = await uow.session.get(ExamAttempt, attempt_id)
    if attempt is None or attempt.user_id != teacher_id or attempt.course_id not in catalogue():
        raise NotYourAttempt(str(attempt_id))
    if attempt.status != "open":
        raise ExamFinished(str(attempt_id))
    if now >= attempt.deadline_at:
        raise ExamExpired(str(attempt_id))
    answers = await exams.answers_of(uow.session, attempt.id)
    current = next((a for a in answers if a.chosen is None), None)
    if current is None or current.position != position or not 0 <= shown < OPTIONS_PER_QUESTION:
        return AnswerOutcome(await _next_step(uow, attempt, policy, now), repeated=True)
    order = tuple(int(x) for x in current.option_order.split(","))
    correct = course_of(attempt.course_id).reference.question(current.question_key).correct
    if not await exams.record_answer(uow.session, attempt=attempt, position=position, chosen=shown,
                                     is_correct=is_correct(order, shown, correct), now=now):
        return AnswerOutcome(await _next_step(uow, attempt, policy, now), repeated=True)
    following = next((a for a in answers if a.position > position and a.chosen is None), None)
    return AnswerOutcome(await _after_answer(uow, attempt, following, policy, now))


async def _after_answer(uow: UnitOfWork, attempt: ExamAttempt, following: ExamAnswer | None, policy: ExamPolicy,
                        now: datetime) -> ExamQuestion | ExamResult:
    if following is None:
        return await _close_and_tell(uow, attempt, "finished", policy, now)
    await uow.commit()  # the answer is stored before the next question is shown
    return _question(attempt, following, now)


async def _close_and_tell(uow: UnitOfWork, attempt: ExamAttempt, status: str, policy: ExamPolicy,
                          now: datetime) -> ExamResult:
    """Score and close (a no-op if someone else just did), then tell the result."""
    await exams.close_attempt(uow.session, attempt, now=now, status=status, pass_percent=policy.pass_percent)
    return await _tell(uow, attempt, policy, now)


async def _tell(uow: UnitOfWork, attempt: ExamAttempt, policy: ExamPolicy, now: datetime) -> ExamResult:
    """The result of a closed attempt, shown now: marked told, so the deadline job does not send it again."""
    result = await _result(uow, attempt, policy.pass_percent)
    await exams.mark_notified(uow.session, attempt.id, now)
    await uow.commit()
    return result


async def _result(uow: UnitOfWork, attempt: ExamAttempt, pass_percent: float) -> ExamResult:
    revisit = () if attempt.passed else tuple(lessons_to_revisit(
        await exams.wrong_keys(uow.session, attempt.id), course_of(attempt.course_id).reference))
    return ExamResult(course_id=attempt.course_id, expired=attempt.status == "expired", passed=bool(attempt.passed),
                      score=_score(attempt), revisit=revisit, pass_percent=pass_percent)


def _score(attempt: ExamAttempt) -> Score:
    return Score(percent=attempt.percent or 0.0, correct=attempt.correct_count or 0, total=attempt.question_count)


def _question(attempt: ExamAttempt, answer: ExamAnswer, now: datetime) -> ExamQuestion:
    return ExamQuestion(attempt_id=attempt.id, course_id=attempt.course_id, position=answer.position,
                        total=attempt.question_count, question_key=answer.question_key,
                        option_order=tuple(int(x) for x in answer.option_order.split(",")),
                        minutes_left=minutes_left(attempt.deadline_at, now))
